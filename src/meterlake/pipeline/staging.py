"""Stage one delimited file, working around the two ways a line can take others down with it.

- Line ends: a file that mixes LF and CRLF (or CR) is copied with LF ends before the engine
  reads it (the engine would stop, or read the CR as part of a field).
- Quotes: an unbalanced quote makes the engine read every following line into one field, up
  to the next quote. When a reject spans lines, the file is read again with each line that
  ends inside a quoted field blanked and quarantined by itself: a stray quote costs its own
  line. As the engine reads them, a quote opens a quoted field only at the start of a field
  (``a|0"|b`` is three plain fields; ``a|"|b`` opens one that runs past the line's end).

Line numbers stay those of the original file, so rejects and the rescan agree.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from meterlake.engines.base import Engine, RawSource, Reject, StagedFile
from meterlake.errors import RejectedFileError
from meterlake.formats.layout import CsvLayout
from meterlake.pipeline.reconcile import open_text
from meterlake.pipeline.sources import mixed_line_endings, unify_line_endings

UNBALANCED = "unbalanced quotes (a quoted field may not span lines)"


@dataclass(frozen=True)
class Staging:
    """A staged file, the raw file it was read from, and lines quarantined before the read."""

    raw: RawSource
    staged: StagedFile
    unread: tuple[Reject, ...] = ()


def stage(engine: Engine, raw: RawSource, layout: CsvLayout, scratch: Path, seq: int) -> Staging:
    """Stage ``raw`` (see the module docstring)."""
    target = scratch / f"lf{seq}.csv"
    if mixed_line_endings(raw):
        raw = unify_line_endings(raw, target) or raw
    try:
        staged = engine.stage_file(raw, layout, scratch, seq)
    except RejectedFileError:
        unified = unify_line_endings(raw, target)
        if unified is None:
            raise
        raw, staged = unified, engine.stage_file(unified, layout, scratch, seq)
    if not any("\n" in r.raw.rstrip("\r\n") for r in staged.rejects):
        return Staging(raw, staged)
    for paths in staged.files_by_month.values():  # the first read's staging files
        for path in paths:
            path.unlink(missing_ok=True)
    balanced, unread = _without_unbalanced_lines(
        raw, layout.delimiter, scratch / f"quotes{seq}.csv"
    )
    staged = engine.stage_file(balanced, layout, scratch, seq)
    return Staging(balanced, staged, unread)


def _without_unbalanced_lines(
    raw: RawSource, delimiter: str, target: Path
) -> tuple[RawSource, tuple[Reject, ...]]:
    """A copy of ``raw`` whose lines that end inside quotes are blank, and those lines."""
    unread = []
    target.parent.mkdir(parents=True, exist_ok=True)
    with open_text(raw) as lines, target.open("w", encoding="utf-8", newline="") as out:
        for number, line in enumerate(lines, start=1):
            text = line.rstrip("\r\n")
            if ends_inside_quotes(text, delimiter):
                unread.append(Reject(number, text, UNBALANCED))
                line = "\n"  # noqa: PLW2901 (the line as the engine will read it)
            out.write(line)
    return replace(raw, path=target, compression="none"), tuple(unread)


def ends_inside_quotes(text: str, delimiter: str) -> bool:
    """Whether a CSV reader is still inside a quoted field at the end of the line ``text``."""
    quoted, at_field_start, escaped = False, True, False
    for position, char in enumerate(text):
        if escaped:  # the second quote of a doubled quote inside a quoted field
            escaped = False
        elif quoted and char == '"':
            escaped = text[position + 1 : position + 2] == '"'
            quoted = escaped
        elif char == '"' and at_field_start:
            quoted = True
        at_field_start = not quoted and char == delimiter
    return quoted
