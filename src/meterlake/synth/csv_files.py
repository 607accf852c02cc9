"""Atomic file writes: content goes to a temporary sibling that is renamed into place."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

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


def write_frame(
    frame: pd.DataFrame, path: Path, *, header: bool = True, float_format: str | None = None
) -> Path:
    """Write ``frame`` as comma-separated text with Unix line ends, atomically."""
    text = frame.to_csv(index=False, header=header, float_format=float_format, lineterminator="\n")
    with atomic_binary(path) as handle:
        handle.write(text.encode("utf-8"))
    return path
