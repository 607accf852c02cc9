"""Self-describing records as text: mixed types, nested values and line breaks (formats.tabular)."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from meterlake.errors import RejectedFileError
from meterlake.formats.tabular import to_text


def test_json_columns_may_mix_numbers_text_and_nulls(tmp_path: Path):
    source = tmp_path / "r.jsonl"
    values = [1.5, "abc", None, True, [1], {"a": 1}]
    source.write_text("".join(json.dumps({"meter_id": "M", "v": v}) + "\n" for v in values))
    tabular = to_text(source, "json", tmp_path / "r.csv")
    assert tabular.bad_records == ()
    lines = tabular.text_file.read_text().splitlines()
    assert lines[0] == '"meter_id","v"'
    assert len(lines) == 1 + len(values)


def test_a_nested_id_time_or_value_makes_a_bad_record(tmp_path: Path):
    source = tmp_path / "r.jsonl"
    records = [{"meter_id": "M", "reading_value": 1}, {"meter_id": ["M"], "reading_value": 1}]
    source.write_text("".join(json.dumps(r) + "\n" for r in records))
    tabular = to_text(source, "json", tmp_path / "r.csv")
    ((bad),) = tabular.bad_records
    assert (bad.line, "holds a list or an object" in bad.reason) == (2, True)
    assert tabular.record_lines == (1,)


def test_records_without_fields_are_rejected(tmp_path: Path):
    source = tmp_path / "r.jsonl"
    source.write_text("{}\n{}\n")
    with pytest.raises(RejectedFileError, match="no record has a field"):
        to_text(source, "json", tmp_path / "r.csv")


def test_parquet_lists_become_json_text_and_line_breaks_go(tmp_path: Path):
    source = tmp_path / "r.parquet"
    pq.write_table(pa.table({"meter_id": ["M\n1", "M2"], "tags": [[1, 2], None]}), source)
    text = to_text(source, "parquet", tmp_path / "r.csv").text_file.read_text()
    assert text.splitlines() == ['"meter_id","tags"', '"M\ufffd1","[1, 2]"', '"M2",']
