"""Which layout reads a source: ``--format``, the folder's format, a mapping, or sniffing.

MRASCo flows are converted to default MDM text first.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from meterlake.engines.base import RawSource, Reject
from meterlake.errors import RejectedFileError
from meterlake.formats.layout import CsvLayout
from meterlake.formats.london import KAGGLE, LONDON
from meterlake.formats.mapping import ColumnMapping, mapping_layout
from meterlake.formats.mdm import MDM
from meterlake.formats.mrasco import (
    MDM_TIME_FORMAT,
    SETTLEMENT_TIMEZONE,
    convert_flow,
    is_mrasco,
    write_mdm,
)
from meterlake.formats.sniff import sniff_layout
from meterlake.formats.tabular import Tabular, canonical_layout
from meterlake.pipeline.sources import Source
from meterlake.reference import REFERENCE_TABLES, detect_reference

NAMED = ("london", "london_kaggle", "mdm", "mdm_cn", "mdm_generator", "mrasco", *REFERENCE_TABLES)
MRASCO = replace(MDM, name="mrasco", delimiter=";", timestamp_format=MDM_TIME_FORMAT)


@dataclass(frozen=True)
class FormatChoice:
    """Explicit format choices: one for a whole command, per folder, and user mappings."""

    forced: str | None = None
    folders: Mapping[str, str] = field(default_factory=dict)
    mappings: Mapping[str, ColumnMapping] = field(default_factory=dict)
    source_timezones: Mapping[str, str] = field(default_factory=dict)
    calendar_timezone: str = "UTC"

    def zoned(self, layout: CsvLayout) -> CsvLayout:
        """``layout`` with its source zone and the lake's calendar zone."""
        source = self.source_timezones.get(layout.name.removeprefix("mapping:"), "UTC")
        return replace(layout, source_timezone=source, calendar_timezone=self.calendar_timezone)

    def for_file(self, shown: str) -> str | None:
        """The format named for a file (by command, else by its longest matching folder)."""
        if self.forced:
            return self.forced
        matches = [f for f in self.folders if shown.startswith(f.rstrip("/") + "/")]
        return self.folders[max(matches, key=len)] if matches else None


def reference_table(source: Source, formats: FormatChoice) -> str | None:
    """The reference table a source holds (weather, geodata, full_geo, cis, households), if any."""
    name = formats.for_file(source.shown)
    if name in REFERENCE_TABLES:
        return name
    if name is None and source.raw.compression == "none":
        return detect_reference(source.raw.path)
    return None


def choose_layout(
    source: Source, formats: FormatChoice, flow_target: Path
) -> tuple[CsvLayout, RawSource, Tabular | None]:
    """The layout that reads ``source``, the raw file to read, and a MRASCo flow's conversion.

    The conversion maps rows to their flow lines and holds the lines that did not convert.
    """
    layout, raw = _choose(source, formats, flow_target)
    if layout is MRASCO:  # naive UTC rows, dated on their settlement day
        flow = _converted(source, flow_target)
        return replace(MRASCO, calendar_timezone=SETTLEMENT_TIMEZONE), RawSource(flow_target), flow
    return formats.zoned(layout), raw, None


def _choose(
    source: Source, formats: FormatChoice, flow_target: Path
) -> tuple[CsvLayout, RawSource]:
    name = formats.for_file(source.shown)
    first_line = source.head.split(b"\n", 1)[0].decode("utf-8-sig", "replace").strip()
    if name == "mrasco" or (name is None and is_mrasco(first_line)):
        return MRASCO, source.raw
    if name is not None and name in formats.mappings:
        layout = mapping_layout(name, formats.mappings[name], first_line)
        if isinstance(layout, str):
            raise RejectedFileError(source.raw.path, layout)
        return layout, source.raw
    layout = sniff_layout(source.raw.path, source.head)
    if name is not None and layout.name != name and not _compatible(name, layout):
        reason = f"format {name!r} was asked for, but the content looks like {layout.name!r}"
        raise RejectedFileError(source.raw.path, reason)
    return layout, source.raw


def _compatible(name: str, layout: CsvLayout) -> bool:
    return name == "london" and layout in (LONDON, KAGGLE)


def _converted(source: Source, target: Path) -> Tabular:
    if source.raw.compression != "none":
        raise RejectedFileError(source.raw.path, "compressed MRASCo flows: unpack them first")
    flow = convert_flow(source.raw.path)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_mdm(flow.rows, target)
    bad = tuple(Reject(line, raw, reason) for line, raw, reason in flow.bad)
    return Tabular(target, "mrasco", bad, tuple(flow.lines))


def check_format_name(name: str, mappings: Mapping[str, ColumnMapping]) -> str | None:
    """Why ``name`` is not a usable format, or ``None``."""
    if name in NAMED or name in mappings:
        return None
    return f"unknown format {name!r}; known: {', '.join([*NAMED, *mappings])}"


def choose_tabular(
    source: Source, tabular: Tabular, formats: FormatChoice
) -> tuple[CsvLayout, RawSource]:
    """The layout of a self-describing file turned into text.

    A mapping when the file's format names one, else the file's canonical column names.
    """
    with tabular.text_file.open(encoding="utf-8") as handle:
        first_line = handle.readline().strip()
    name = formats.for_file(source.shown)
    if name is not None and name in formats.mappings:
        layout = mapping_layout(name, formats.mappings[name], first_line)
    else:
        layout = canonical_layout(tabular.kind, next(csv.reader([first_line])))
    if isinstance(layout, str):
        raise RejectedFileError(source.raw.path, layout)
    return formats.zoned(layout), RawSource(tabular.text_file)
