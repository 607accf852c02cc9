"""Where each of a table's columns sits in a file's rows, and matching a header line to a table."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from meterlake.reference.tables import TableSpec


@dataclass(frozen=True)
class Layout:
    """A table's columns found in a file: ``positions[i]`` is the field of ``spec.columns[i]``."""

    spec: TableSpec
    positions: tuple[int, ...]
    field_count: int
    header_lines: int


def positional_layout(spec: TableSpec) -> Layout:
    """A header-less table: its columns in their spec order."""
    count = len(spec.columns)
    return Layout(spec, tuple(range(count)), count, header_lines=0)


def header_name(name: str) -> str:
    """A header name as a column name: ``Daily Outages`` -> ``daily_outages``."""
    return "_".join(name.strip().lower().split())


def header_layout(spec: TableSpec, header: list[str]) -> Layout | str:
    """The layout named by ``header`` (any order, any case), or why it is not ``spec``'s."""
    names = [header_name(name) for name in header]
    wanted = [column.name for column in spec.columns]
    problems = [f"duplicate {name!r}" for name, seen in Counter(names).items() if seen > 1]
    missing = [name for name in wanted if name not in names]
    extra = [name for name in names if name not in wanted]
    if missing:
        problems.append(f"missing {', '.join(missing)}")
    if extra:
        problems.append(f"unexpected {', '.join(repr(name) for name in extra)}")
    if problems:
        return f"header {'; '.join(problems)}"
    positions = tuple(names.index(name) for name in wanted)
    return Layout(spec, positions, len(names), header_lines=1)
