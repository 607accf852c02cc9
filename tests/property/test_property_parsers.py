"""The parse layer, many examples: row rules, record splitting, sniffing, MRASCo, JSON records.

These run in microseconds per example, so they carry the thousands of examples per reader;
``test_property_ingest`` takes fewer examples through the whole engine.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hostile import NASTY, TEXT_FORMATS, d0275_flow, line_end, nasty_text, scaled, text_files
from hypothesis import given, settings
from hypothesis import strategies as st

from meterlake.engines.base import RawSource
from meterlake.engines.duckdb_engine import DuckDBEngine
from meterlake.errors import RejectedFileError
from meterlake.formats.layout import CsvLayout
from meterlake.formats.london import KAGGLE, LONDON
from meterlake.formats.mdm import MDM, MDM_CN, MDM_GENERATOR
from meterlake.formats.mrasco import SETTLEMENT_ZONE, periods_in_day, rows_from_text
from meterlake.formats.row_checks import clean_meter_id, row_problem
from meterlake.formats.sniff import sniff_layout
from meterlake.formats.tabular import to_text
from meterlake.pipeline.choose import MRASCO
from meterlake.pipeline.reconcile import records, scan_rows

LAYOUTS = {layout.name: layout for layout in (LONDON, KAGGLE, MDM, MDM_CN, MDM_GENERATOR, MRASCO)}


@pytest.mark.parametrize("name", sorted(LAYOUTS))
@settings(max_examples=scaled(600))
@given(data=st.data())
def test_row_rules_never_raise_and_keep_only_trimmed_ids(name: str, data: st.DataObject):
    layout: CsvLayout = LAYOUTS[name]
    width = data.draw(st.sampled_from([len(layout.columns)] * 4 + [1, len(layout.columns) + 1]))
    fields = data.draw(st.lists(nasty_text, min_size=width, max_size=width))
    problem = row_problem(layout, fields)
    assert problem is None or isinstance(problem, str)
    if problem is None and width == len(layout.columns):
        meter_id = clean_meter_id(fields[layout.index(layout.meter_id)])
        assert meter_id
        assert meter_id == meter_id.strip()


@settings(max_examples=scaled(500))
@given(
    lines=st.lists(st.tuples(st.lists(nasty_text, max_size=6), line_end), max_size=12),
    delimiter=st.sampled_from([",", ";", "|", "\t"]),
)
def test_records_number_every_record_once(lines: list[tuple[list[str], str]], delimiter: str):
    text = "".join(delimiter.join(fields) + end for fields, end in lines)
    numbered = list(records(io.StringIO(text, newline=""), delimiter))
    assert [number for number, _, _ in numbered] == list(range(1, len(numbered) + 1))


@settings(max_examples=scaled(400))
@given(
    head=st.one_of(
        st.binary(max_size=300),
        st.lists(st.sampled_from(NASTY), max_size=8).map(lambda f: ";".join(f).encode()),
        text_files("mdm").map(lambda landing: landing.content),
        text_files("london").map(lambda landing: landing.content[:200]),
    )
)
def test_sniffing_picks_a_layout_or_rejects_with_a_reason(head: bytes):
    try:
        layout = sniff_layout(Path("sniffed.csv"), head)
    except RejectedFileError as exc:
        assert exc.reason
    else:
        assert isinstance(layout, CsvLayout)


_periods = st.lists(
    st.one_of(
        st.integers(1, 50).map(lambda p: f"27B|{p}|0.5|"),
        st.lists(st.sampled_from(NASTY), max_size=4).map("|".join),
    ),
    max_size=6,
)


@settings(max_examples=scaled(1000))
@given(day=st.sampled_from(["20211031", "20210328", "20210101", "2021103", "x"]), lines=_periods)
def test_mrasco_flows_convert_or_reject_with_a_reason(day: str, lines: list[str]):
    try:
        rows = rows_from_text(d0275_flow(day, lines), Path("flow.txt"))
    except RejectedFileError as exc:
        assert exc.reason
    else:
        assert all(len(row) == 6 for row in rows)


@settings(max_examples=scaled(300))
@given(day=st.dates(date(1990, 1, 1), date(2060, 12, 31)))
def test_every_settlement_period_lands_on_its_settlement_day(day: date):
    periods = periods_in_day(day)
    flow = d0275_flow(f"{day:%Y%m%d}", [f"27B|{p}|0.5|" for p in range(1, periods + 1)])
    rows = rows_from_text(flow, Path("flow.txt"))
    assert len(rows) == periods
    for row in rows:
        start = _utc(row[2]).astimezone(SETTLEMENT_ZONE)
        assert start.date() == day


def _utc(text: str) -> datetime:
    return datetime.strptime(text, "%Y%m%d%H24%M%S").replace(tzinfo=UTC)


_json_values = st.one_of(
    nasty_text, st.none(), st.booleans(), st.floats(), st.integers(),
    st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=2), st.integers()),
)  # fmt: skip
_json_lines = st.lists(
    st.one_of(
        st.dictionaries(
            st.sampled_from(["meter_id", "reading_time", "reading_value", "x"]), _json_values
        ).map(json.dumps),
        st.sampled_from(["{", "[1]", "null", '{"a":', "  "]),
    ),
    min_size=1,
    max_size=10,
)


@settings(max_examples=scaled(300))
@given(lines=_json_lines)
def test_json_lines_become_records_or_bad_records(lines: list[str]):
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "in.jsonl"
        source.write_text("\n".join(lines) + "\n", encoding="utf-8")
        try:
            tabular = to_text(source, "json", Path(folder) / "out.csv")
        except RejectedFileError as exc:
            assert exc.reason
            return
        with tabular.text_file.open(encoding="utf-8", newline="") as text:
            written = sum(1 for _ in csv.reader(text)) - 1  # the header
        assert written + len(tabular.bad_records) == sum(1 for line in lines if line.strip())


@pytest.mark.parametrize("reader", sorted(TEXT_FORMATS))
@settings(max_examples=scaled(50))
@given(data=st.data())
def test_engine_and_rescan_agree_on_every_row(reader: str, data: st.DataObject, tmp_path: Path):
    """DuckDB's staging and the Python rescan count the same rows and the same bad rows."""
    landing = data.draw(text_files(reader))
    with tempfile.TemporaryDirectory(dir=tmp_path) as folder:
        path = Path(folder) / landing.name
        path.write_bytes(landing.content.replace(b"\r\n", b"\n").replace(b"\r", b"\n"))
        try:
            layout = sniff_layout(path)
        except RejectedFileError:
            return
        engine = DuckDBEngine("500MB", 1, Path(folder) / "scratch")
        try:
            staged = engine.stage_file(RawSource(path), layout, Path(folder) / "staging", 0)
        finally:
            engine.close()
        rejected = {r.line for r in staged.rejects}
        rows, invalid = scan_rows(RawSource(path), layout, rejected)
        if any("\n" in r.raw for r in staged.rejects):
            return  # a stray quote: the pipeline reads such a file once more, line by line
        assert rows == staged.rows + len(staged.rejects)
        assert len(invalid) == staged.invalid_rows
