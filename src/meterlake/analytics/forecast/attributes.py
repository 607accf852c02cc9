"""Static meter attributes the global model may use: tariff and CACI Acorn category, as numbers.

They come from the ``households`` reference table (the London data set's
``informations_households.csv``). Acorn categories A to Q run from the most to the least
affluent, so a category's letter position is an ordered feature, and so is its group. Anything
unknown (``ACORN-U``, ``ACORN-``, a tariff other than Std/ToU, a meter not in the table) is NaN,
which the trees treat as missing.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]
#: Feature names, in column order.
NAMES = ("acorn", "acorn_group", "tariff")
_LETTERS = {f"acorn-{letter}": float(i) for i, letter in enumerate(string.ascii_lowercase[:17])}
_GROUPS = {"affluent": 0.0, "comfortable": 1.0, "adversity": 2.0}
_TARIFFS = {"std": 0.0, "tou": 1.0}
_UNKNOWN = (np.nan,) * len(NAMES)

#: Meter id -> its encoded attributes (``NAMES`` order).
Lookup = Mapping[str, tuple[float, ...]]


def encode(tariff: str | None, acorn: str | None, grouped: str | None) -> tuple[float, ...]:
    """One household's attributes in ``NAMES`` order (NaN where unknown)."""
    return (
        _LETTERS.get(_key(acorn), np.nan),
        _GROUPS.get(_key(grouped), np.nan),
        _TARIFFS.get(_key(tariff), np.nan),
    )


def matrix(lookup: Lookup, meter_ids: Sequence[str]) -> Array:
    """``len(meter_ids) x len(NAMES)``; rows of meters not in ``lookup`` are NaN."""
    rows = [lookup.get(meter, _UNKNOWN) for meter in meter_ids]
    return np.array(rows, dtype=np.float64).reshape(len(meter_ids), len(NAMES))


def _key(text: str | None) -> str:
    return (text or "").strip().lower()
