"""CSV files written atomically: content goes to a temporary sibling renamed into place."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import numpy as np
import numpy.typing as npt
import pandas as pd


@contextmanager
def atomic_binary(path: Path) -> Iterator[BinaryIO]:
    """Open a temporary file next to ``path``; it replaces ``path`` only if the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    try:
        with partial.open("wb") as handle:
            yield handle
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def fixed_decimals(values: npt.NDArray[np.float64], decimals: int) -> npt.NDArray[np.str_]:
    """Text of each value with exactly ``decimals`` decimals (vectorised ``%.Nf``)."""
    scale = 10**decimals
    scaled = np.rint(np.abs(values) * scale).astype(np.int64)
    sign = np.where((values < 0) & (scaled > 0), "-", "")
    whole = np.strings.add(sign, (scaled // scale).astype(np.str_))
    fraction = np.strings.zfill((scaled % scale).astype(np.str_), decimals)
    return np.asarray(np.strings.add(np.strings.add(whole, "."), fraction), dtype=np.str_)


def write_frame(
    frame: pd.DataFrame, path: Path, *, header: bool = True, decimals: int | None = None
) -> Path:
    """Write ``frame`` as comma-separated text with Unix line ends, floats to ``decimals``."""
    if decimals is not None:
        floats = frame.select_dtypes("float64").columns
        frame = frame.assign(
            **{name: fixed_decimals(frame[name].to_numpy(), decimals) for name in floats}
        )
    text = frame.to_csv(index=False, header=header, lineterminator="\n")
    with atomic_binary(path) as handle:
        handle.write(text.encode("utf-8"))
    return path
