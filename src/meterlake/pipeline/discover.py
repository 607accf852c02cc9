"""Which raw files a run considers: the landing folder, or paths the user names."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from meterlake.errors import InputError


def discover(paths: Iterable[Path]) -> list[Path]:
    """Every regular, non-hidden file under ``paths``, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found += sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            raise InputError(f"{path}: no such file or folder")
    unique = dict.fromkeys(p.resolve() for p in found)
    return list(unique)
