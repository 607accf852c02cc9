"""CSV text of readings in the LCL and Kaggle layouts, built as byte matrices (no row loops).

Each row is laid out in a fixed-width ``uint8`` matrix; the value column is right-aligned and
padded with zero bytes, which are dropped when the matrix is flattened into the file's bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from meterlake.synth.households import Household

Layout = Literal["lcl", "kaggle"]
HEADERS: dict[Layout, bytes] = {
    "lcl": b"LCLid,stdorToU,DateTime,KWH/hh (per half hour) ,Acorn,Acorn_grouped\n",
    "kaggle": b"LCLid,tstp,energy(kWh/hh)\n",
}
STAMP_FRACTION = ".0000000"
MAX_MILLI_KWH = 999_999


def _text_table(texts: list[str], width: int) -> npt.NDArray[np.uint8]:
    """Right-aligned ASCII texts as rows of ``width`` bytes, padded with zero bytes."""
    raw = np.array([text.encode("ascii").rjust(width, b"\0") for text in texts], dtype=f"S{width}")
    return raw.view(np.uint8).reshape(len(texts), width)


@dataclass(frozen=True, eq=False)
class ValueTables:
    """Text of the integer part, of the fraction and of ``Null`` in one layout's value column."""

    integers: npt.NDArray[np.uint8]
    fractions: npt.NDArray[np.uint8]
    null: npt.NDArray[np.uint8]


def _value_tables(spaced: bool) -> ValueTables:
    space = " " if spaced else ""
    integers = _text_table([f"{space}{n}" for n in range(1000)], 3 + len(space))
    fractions = _text_table([f".{n:03d}{space}" for n in range(1000)], 4 + len(space))
    width = integers.shape[1] + fractions.shape[1]
    return ValueTables(integers, fractions, _text_table(["Null"], width)[0])


_TABLES: dict[Layout, ValueTables] = {"lcl": _value_tables(True), "kaggle": _value_tables(False)}


@dataclass(frozen=True)
class RowTemplate:
    """Constant text around the timestamp and value of one meter's rows."""

    layout: Layout
    prefix: bytes
    suffix: bytes


def row_template(layout: Layout, household: Household) -> RowTemplate:
    """The meter's constant columns for a layout."""
    if layout == "kaggle":
        return RowTemplate(layout, f"{household.meter_id},".encode(), b"\n")
    acorn = household.acorn
    prefix = f"{household.meter_id},{household.tariff},".encode()
    return RowTemplate(layout, prefix, f",{acorn.acorn},{acorn.grouped}\n".encode())


def value_matrix(
    layout: Layout, milli_kwh: npt.NDArray[np.int64], null: npt.NDArray[np.bool_]
) -> npt.NDArray[np.uint8]:
    """Right-aligned value text (``" 0.263 "`` for LCL, ``"0.263"`` for Kaggle) or ``Null``."""
    tables = _TABLES[layout]
    clipped = np.clip(milli_kwh, 0, MAX_MILLI_KWH)
    values = np.hstack([tables.integers[clipped // 1000], tables.fractions[clipped % 1000]])
    values[null] = tables.null
    return values


def render_rows(
    template: RowTemplate,
    stamps: npt.NDArray[np.uint8],
    milli_kwh: npt.NDArray[np.int64],
    null: npt.NDArray[np.bool_],
) -> npt.NDArray[np.uint8]:
    """The rows' bytes, ready to write; ``stamps`` holds one timestamp text per row."""
    values = value_matrix(template.layout, milli_kwh, null)
    parts: list[bytes | npt.NDArray[np.uint8]] = [template.prefix, stamps, b",", values]
    parts.append(template.suffix)
    widths = [len(part) if isinstance(part, bytes) else part.shape[1] for part in parts]
    matrix = np.empty((len(milli_kwh), sum(widths)), dtype=np.uint8)
    column = 0
    for part, width in zip(parts, widths, strict=True):
        matrix[:, column : column + width] = (
            np.frombuffer(part, dtype=np.uint8) if isinstance(part, bytes) else part
        )
        column += width
    flat = matrix.reshape(-1)
    return np.asarray(flat[flat != 0], dtype=np.uint8)
