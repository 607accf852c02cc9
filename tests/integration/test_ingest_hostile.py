"""Malformed and hostile landing files (issue 20): one bad row costs one row, never the file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from meterlake.config import Settings
from meterlake.pipeline.report import FileOutcome
from meterlake.service import MeterLake

pytestmark = pytest.mark.integration

LCL = "LCLid,stdorToU,DateTime,KWH/hh (per half hour) ,Acorn,Acorn_grouped\n"


def _lcl_row(meter: str, time: str, value: str) -> str:
    return f"{meter},Std,2012-10-12 {time}.0000000,{value},ACORN-A,Affluent\n"


def _quarantine(lake: MeterLake) -> list[tuple[int, str]]:
    rows = lake.sql("SELECT line, reason FROM quarantine ORDER BY line").to_pylist()
    return [(int(r["line"]), str(r["reason"])) for r in rows]


def _daily(lake: MeterLake) -> list[tuple[str, float | None]]:
    rows = lake.sql("SELECT meter_id, reading_value FROM daily ORDER BY reading_date_time")
    return [(str(r["meter_id"]), r["reading_value"]) for r in rows.to_pylist()]


@pytest.mark.parametrize("bad", ["NaN", "nan", "inf", "-Infinity", "1e308", "-2e12"])
def test_a_non_finite_or_huge_value_costs_one_row(lake: MeterLake, tmp_path: Path, bad: str):
    path = tmp_path / "lcl.csv"
    rows = [_lcl_row("MAC000002", t, v) for t, v in (("00:30:00", "0.5"), ("01:00:00", bad))]
    path.write_text(LCL + "".join(rows) + _lcl_row("MAC000002", "01:30:00", "0.25"))
    (outcome,) = lake.ingest([path]).files
    assert (outcome.status, outcome.rows_read, outcome.rows_clean) == ("ingested", 3, 2)
    assert outcome.balanced
    assert _daily(lake) == [("MAC000002", 0.5), ("MAC000002", 0.25)]
    ((line, reason),) = _quarantine(lake)
    assert line == 3
    assert "not finite or beyond" in reason


@pytest.mark.parametrize("endings", [("\r\n", "\n"), ("\n", "\r\n"), ("\r", "\n")])
def test_mixed_line_endings_load_every_row(
    lake: MeterLake, tmp_path: Path, endings: tuple[str, str]
):
    times = ("00:30:00", "01:00:00", "01:30:00", "02:00:00")
    lines = [LCL.rstrip("\n"), *(_lcl_row("MAC1", t, "0.1").rstrip("\n") for t in times)]
    text = "".join(line + endings[i % 2] for i, line in enumerate(lines))
    path = tmp_path / "mixed.csv"
    path.write_bytes(text.encode())
    (outcome,) = lake.ingest([path]).files
    assert (outcome.status, outcome.rows_read, outcome.rows_clean) == ("ingested", 4, 4)
    assert len(_daily(lake)) == 4


def test_padded_ids_are_trimmed_and_empty_or_garbled_ids_quarantined(
    lake: MeterLake, tmp_path: Path
):
    path = tmp_path / "ids.csv"
    rows = [
        _lcl_row(" MAC000002 ", "00:30:00", "0.5"),
        _lcl_row("MAC000002\t", "01:00:00", "0.25"),
        _lcl_row("   ", "01:30:00", "0.1"),
        _lcl_row("MAC\x01002", "02:00:00", "0.1"),
        _lcl_row("MAC\ufffd02", "02:30:00", "0.1"),
        _lcl_row("M" * 65, "03:00:00", "0.1"),
    ]
    path.write_text(LCL + "".join(rows))
    (outcome,) = lake.ingest([path]).files
    assert (outcome.rows_read, outcome.rows_clean, outcome.quarantined) == (6, 2, 4)
    assert _daily(lake) == [("MAC000002", 0.5), ("MAC000002", 0.25)]
    reasons = [reason for _, reason in _quarantine(lake)]
    assert reasons[0] == "missing meter id"
    assert all(reason.startswith("garbled meter id") for reason in reasons[1:])
    (total,) = lake.sql("SELECT meter_id, aggregated_consumption FROM aggregated_daily").to_pylist()
    assert total == {"meter_id": "MAC000002", "aggregated_consumption": 0.75}


def test_garbage_and_empty_london_times_are_quarantined(lake: MeterLake, tmp_path: Path):
    path = tmp_path / "times.csv"
    rows = ["MAC1,Std,garbage,0.5,A,B\n", "MAC1,Std,,0.1,A,B\n", "MAC1,Std,Null,0.1,A,B\n"]
    path.write_text(LCL + "".join(rows) + _lcl_row("MAC1", "01:30:00", "0.2"))
    (outcome,) = lake.ingest([path]).files
    assert (outcome.rows_read, outcome.rows_clean, outcome.quarantined) == (4, 1, 3)
    lines = _quarantine(lake)
    assert [line for line, _ in lines] == [2, 3, 4]
    assert lines[1][1] == lines[2][1] == "missing reading time"


def test_json_lists_and_objects_cost_their_records(lake: MeterLake, tmp_path: Path):
    records = [
        {"meter_id": "M1", "reading_time": "2021-01-01 00:00:00", "reading_value": 1.5},
        {"meter_id": "M1", "reading_time": "2021-01-01 00:30:00", "reading_value": [1, 2]},
        {"meter_id": {"a": 1}, "reading_time": "2021-01-01 01:00:00", "reading_value": 2},
        {"meter_id": "M1", "reading_time": "2021-01-01 01:30:00", "reading_value": "x"},
        {"meter_id": "M1", "reading_time": "2021-01-01 02:00:00", "reading_value": 2, "t": [1]},
    ]
    path = tmp_path / "readings.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    (outcome,) = lake.ingest([path]).files
    assert (outcome.status, outcome.rows_read, outcome.rows_clean) == ("ingested", 5, 2)
    assert outcome.balanced
    lines = _quarantine(lake)
    assert [line for line, _ in lines] == [2, 3, 4]
    assert "holds a list or an object" in lines[0][1]


def test_malformed_hh24_times_are_all_quarantined(lake: MeterLake, tmp_path: Path):
    bad = ("202101010124000", "20210101012400000", "2021010125240000", "2021013201240000")
    rows = [f"M1;1.8.0;{t};1.5;;INT\n" for t in ("2021010100240000", *bad, "20210101XX240000")]
    path = tmp_path / "mdm.csv"
    path.write_text("".join(rows))
    (outcome,) = lake.ingest([path]).files
    assert (outcome.reader, outcome.rows_read, outcome.rows_clean) == ("mdm", 6, 1)
    assert len(_daily(lake)) == 1
    assert [line for line, _ in _quarantine(lake)] == [2, 3, 4, 5, 6]


def _d0275(mpan: str, day: str, periods: int) -> str:
    lines = ["ZHV|0000001|D0275001|X|LOND|Q|ACME|20211101120000||||OPER|", f"25B|{mpan}|AI|"]
    lines += [f"26B|{day}|", *(f"27B|{p}|0.5|" for p in range(1, periods + 1))]
    return "\n".join([*lines, f"ZPT|0000001|{len(lines) + 1}|"]) + "\n"


@pytest.mark.parametrize("calendar", ["UTC", "Europe/London"])
def test_autumn_clock_change_flow_puts_50_periods_on_its_settlement_day(
    tmp_path: Path, calendar: str
):
    lake = MeterLake(Settings(root=tmp_path / "lake", threads=1, calendar_timezone=calendar))
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text(_d0275("1234567890123", "20211031", 50))
    second.write_text(_d0275("9999999999999", "20211031", 50))
    lake.ingest([first])
    lake.ingest([second])  # rewrites the day's partition: the first meter's rows stay on it
    days = lake.sql("SELECT meter_id, date_str, count(*) AS n FROM daily GROUP BY ALL ORDER BY 1")
    assert [(r["date_str"], r["n"]) for r in days.to_pylist()] == [("20211031", 50)] * 2
    totals = lake.sql("SELECT aggregated_consumption, date_str FROM aggregated_daily").to_pylist()
    assert totals == [{"aggregated_consumption": 25.0, "date_str": "20211031"}] * 2


def test_cli_prints_no_traceback_for_a_hostile_file(tmp_path: Path):
    path = tmp_path / "hostile.csv"
    path.write_text(
        LCL + "MAC1,Std,,0.1,A,B\n \t,Std,garbage,1e308,A,B\n" + _lcl_row("M", "01:00:00", "NaN")
    )
    cli = [sys.executable, "-c", "from meterlake.cli import run; run()"]
    command = [*cli, "ingest", str(path), "--root", str(tmp_path / "lake")]
    env = {**os.environ, "MLK_PROGRESS": "false", "COLUMNS": "200"}
    done = subprocess.run(
        command, capture_output=True, text=True, check=False, timeout=120, env=env
    )
    assert "Traceback" not in done.stdout + done.stderr
    assert done.returncode == 0, done.stdout + done.stderr


# What the property tests (tests/property) found beyond the issue, one regression test each.


def _ingest_bytes(lake: MeterLake, tmp_path: Path, name: str, content: bytes) -> FileOutcome:
    path = tmp_path / name
    path.write_bytes(content)
    (outcome,) = lake.ingest([path]).files
    return outcome


def test_a_stray_quote_costs_its_own_line_not_the_lines_after_it(lake: MeterLake, tmp_path: Path):
    rows = [_lcl_row("MAC1", "00:30:00", '"0.5'), _lcl_row("MAC1", "01:00:00", "0.25")]
    rows.append(_lcl_row("MAC1", "01:30:00", "0.125"))
    outcome = _ingest_bytes(lake, tmp_path, "quote.csv", (LCL + "".join(rows)).encode())
    assert (outcome.rows_read, outcome.rows_clean, outcome.quarantined) == (3, 2, 1)
    assert _quarantine(lake) == [(2, "unbalanced quotes (a quoted field may not span lines)")]


def test_quoted_mdm_rows_are_sniffed_and_read(lake: MeterLake, tmp_path: Path):
    rows = ['"M1";"1.8.0";"2021010100240000";"1.5";"";"INT"\n'] * 1
    rows.append('"M1";"1.8.0";"2021010100243000";"2.5";"";"INT"\n')
    outcome = _ingest_bytes(lake, tmp_path, "quoted.csv", "".join(rows).encode())
    assert (outcome.reader, outcome.rows_read, outcome.rows_clean) == ("mdm", 2, 2)


def test_bytes_that_are_not_utf8_cost_their_rows_not_the_file(lake: MeterLake, tmp_path: Path):
    bad = b"MAC\xff\xfe,Std,2012-10-12 01:00:00.0000000,0.1,A,B\n"
    content = LCL.replace("\n", "\r").encode() + _lcl_row("MAC1", "00:30:00", "0.5").encode() + bad
    outcome = _ingest_bytes(lake, tmp_path, "latin.csv", content)
    assert (outcome.status, outcome.rows_read, outcome.rows_clean) == ("ingested", 2, 1)


def test_no_break_spaces_around_ids_are_trimmed(lake: MeterLake, tmp_path: Path):
    content = (
        LCL + _lcl_row("\u00a0MAC1\u3000", "00:30:00", "0.5") + _lcl_row("MAC1", "01:00:00", "1")
    )
    _ingest_bytes(lake, tmp_path, "nbsp.csv", content.encode())
    assert {meter for meter, _ in _daily(lake)} == {"MAC1"}


@pytest.mark.parametrize("time", ["inf", "-infinity", "0000-01-01 00:00:00", "10000-01-01"])
def test_times_outside_years_1_to_9999_are_quarantined(lake: MeterLake, tmp_path: Path, time: str):
    content = LCL + f"MAC1,Std,{time},0.5,A,B\n" + _lcl_row("MAC1", "01:00:00", "1")
    outcome = _ingest_bytes(lake, tmp_path, "times.csv", content.encode())
    assert (outcome.rows_read, outcome.rows_clean, outcome.quarantined) == (2, 1, 1)


def test_a_trailing_delimiter_is_one_row_of_the_layout(lake: MeterLake, tmp_path: Path):
    rows = "M1;1.8.0;2021010100240000;1.5;;INT\nM1;1.8.0;2021010100243000;nan;;INT;\n"
    rows += "M1;1.8.0;2021010101240000;1;;NaN;;;\n"
    outcome = _ingest_bytes(lake, tmp_path, "trailing.csv", rows.encode())
    assert (outcome.rows_read, outcome.rows_clean, outcome.quarantined) == (3, 1, 2)


def test_line_breaks_inside_json_values_keep_records_on_their_lines(
    lake: MeterLake, tmp_path: Path
):
    records = [
        {"meter_id": "M\n1", "reading_time": "2021-01-01 00:00:00", "reading_value": 1},
        {"meter_id": "M1", "reading_time": "2021-01-01 00:30:00", "reading_value": "x"},
        {"meter_id": "M1", "reading_time": "2021-01-01 01:00:00", "reading_value": 2},
    ]
    content = "".join(json.dumps(r) + "\n" for r in records).encode()
    outcome = _ingest_bytes(lake, tmp_path, "breaks.jsonl", content)
    assert (outcome.rows_read, outcome.rows_clean, outcome.quarantined) == (3, 1, 2)
    assert [line for line, _ in _quarantine(lake)] == [1, 2]


def test_a_reading_in_the_last_week_of_year_9999_rolls_up(lake: MeterLake, tmp_path: Path):
    content = LCL + "MAC1,Std,9999-12-31 23:30:00,0.5,A,B\n"
    outcome = _ingest_bytes(lake, tmp_path, "late.csv", content.encode())
    assert (outcome.rows_read, outcome.rows_clean) == (1, 1)


def test_a_bad_line_of_a_mrasco_flow_costs_that_line_and_its_children(
    lake: MeterLake, tmp_path: Path
):
    lines = ["ZHV|0000001|D0275001|X|LOND|Q|ACME|20211101120000||||OPER|", "25B|1234567890123|AI|"]
    lines += ["26B|20210101|", "27B|1|0.5|", "27B|99|0.5|", "27B|2|abc|", "27B|3|0.25|"]
    lines += ["26B|2021013X|", "27B|1|0.5|", "ZPT|0000001|10|"]
    outcome = _ingest_bytes(lake, tmp_path, "flow.txt", ("\n".join(lines) + "\n").encode())
    assert (outcome.status, outcome.reader) == ("ingested", "mrasco")
    assert (outcome.rows_read, outcome.rows_clean, outcome.quarantined) == (6, 2, 4)
    assert [line for line, _ in _quarantine(lake)] == [5, 6, 8, 9]
    assert [value for _, value in _daily(lake)] == [0.5, 0.25]


def test_a_quote_that_opens_a_field_late_in_a_line_costs_that_line_only(
    lake: MeterLake, tmp_path: Path
):
    """Found by the property suite: an even number of quotes, the last opening a field."""
    good = '"M1"|"1.8.0"|"2021032707240000"|"0.5"|"AGG"|"s"|"r"|"a"|"m"|"DST"|"A"|"q"\n'
    bad = 'M1|1.8.0|2021032707243000|0.5|0"|s|r|"|m|DST|A|q|NaN\n'
    last = '"M1"|"1.8.0"|"2021032708240000"|"0.5"|"AGG"|"s"|"r"|"a"|"m"|"DST"|"A"|"q"\n'
    outcome = _ingest_bytes(lake, tmp_path, "late.csv", (good + bad + last).encode())
    assert (outcome.rows_read, outcome.rows_clean, outcome.quarantined) == (3, 2, 1)
    assert _quarantine(lake) == [(2, "unbalanced quotes (a quoted field may not span lines)")]


def test_reads_on_the_calendars_last_and_first_days_are_kept_and_vee_passes_them_by(
    lake: MeterLake, tmp_path: Path
):
    """Found by the property suite: VEE's window of 9999-12-31 ran off the calendar."""
    rows = [
        "M2;1.8.0;9999123123240000;0.5;;INT\n",
        "M2;1.8.0;0001010100240000;0.5;;INT\n",
        "M2;1.8.0;2013010100240000;0.5;;INT\n",
    ]
    outcome = _ingest_bytes(lake, tmp_path, "edges.csv", "".join(rows).encode())
    assert (outcome.rows_read, outcome.rows_clean) == (3, 3)
    report = lake.vee().validate_pending()
    assert report is not None
    assert sorted(report.dates) == ["20130101"]
