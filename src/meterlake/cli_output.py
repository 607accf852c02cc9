"""Listings that fit where they go: ``--format table|csv|json`` for every command that lists.

``table`` draws a Rich table on a terminal. When stdout is a file, a pipe or a log, it prints
plain columns padded with spaces instead: no box drawing, and no cell wrapped over many lines,
whatever the width. ``csv`` and ``json`` are for programs (``json`` keeps numbers as numbers).
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

import typer
from rich.console import Console
from rich.table import Table

from meterlake.errors import InputError

Format = Literal["table", "csv", "json"]
FORMATS: tuple[Format, ...] = ("table", "csv", "json")
FormatOption = Annotated[
    str, typer.Option("--format", help="table (the default), csv or json", metavar="FORMAT")
]
#: The same for ``ingest``, whose ``--format`` names the input format.
OutputOption = Annotated[
    str, typer.Option("--output", help="the report as table (the default), csv or json")
]
Row = Mapping[str, Any]
console = Console()


def output_format(text: str) -> Format:
    """``--format``'s value, checked."""
    for name in FORMATS:
        if text == name:
            return name
    raise InputError(f"the output format must be table, csv or json, not {text!r}")


def render(rows: Sequence[Row], columns: Sequence[str], fmt: str, caption: str = "") -> None:
    """``rows`` in the chosen format: whole as JSON, their ``columns`` as CSV or a table.

    ``caption`` follows a table.
    """
    chosen = output_format(fmt)
    if chosen == "json":
        typer.echo(json.dumps([dict(row) for row in rows], default=str))
    elif chosen == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([[_raw(row.get(c)) for c in columns] for row in rows])
    else:
        table([[_text(row.get(c)) for c in columns] for row in rows], columns)
        if caption:
            typer.echo(caption)


def table(cells: Sequence[Sequence[str]], columns: Sequence[str]) -> None:
    """A Rich table on a terminal, plain padded columns anywhere else."""
    if console.is_terminal:
        view = Table(*columns)
        for line in cells:
            view.add_row(*line)
        console.print(view)
        return
    widths = [max([len(c), *(len(line[i]) for line in cells)]) for i, c in enumerate(columns)]
    for line in [list(columns), *cells]:
        padded = (cell.ljust(width) for cell, width in zip(line, widths, strict=True))
        typer.echo("  ".join(padded).rstrip())


def document(value: object, fmt: str) -> bool:
    """Print one record as JSON when asked; ``False`` when the caller renders it itself."""
    if output_format(fmt) != "json":
        return False
    typer.echo(json.dumps(value, default=str))
    return True


def _raw(value: object) -> str:
    return "" if value is None else json.dumps(value) if isinstance(value, dict) else str(value)


def _text(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return " ".join(map(str, value))
    return "" if value is None else " ".join(str(value).split())
