"""VEE on a generated fleet with every kind of fault injected: flags, estimates, report, edits.

A six-meter LCL fleet (with its weather) is ingested; an MDM export adds meter F1 with a fault
of each kind, meter F2 whose register rolls over and meter F3 that stops reporting.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from meterlake.config import Settings
from meterlake.errors import InputError
from meterlake.service import MeterLake
from meterlake.synth import FleetSpec
from meterlake.vee.edits import EditRequest

pytestmark = pytest.mark.integration

FIRST, END = datetime(2013, 1, 1), datetime(2013, 3, 1)
NOW = datetime(2013, 2, 28, 23, 45)  # the future begins after this
HEADER = "meter_id;obis_code;reading_time;reading_value;error_code;reading_type\n"
IMPORT, REGISTER = "1-0:1.29.0", "1-0:1.8.0"


def _value(moment: datetime) -> float:
    slot = moment.hour * 2 + moment.minute // 30
    evening = 0.45 if 34 <= slot < 44 else 0.0
    return round(0.15 + evening + slot * 0.002 + (moment.day % 7) * 0.01, 3)


def _slots(first: datetime, end: datetime) -> list[datetime]:
    return [
        first + timedelta(minutes=30 * n) for n in range(int((end - first).total_seconds() // 1800))
    ]


def _at(day: str, clock: str = "00:00") -> datetime:
    return datetime.fromisoformat(f"{day} {clock}")


def _faulty_meter() -> tuple[list[str], dict[datetime, float]]:
    """Rows of F1 (every fault) and its true values where the export leaves them out."""
    values = {moment: _value(moment) for moment in _slots(FIRST, END)}
    missing = {_at("2013-01-10", "03:00"), _at("2013-01-10", "03:30")}
    missing |= set(_slots(_at("2013-02-03", "10:00"), _at("2013-02-03", "14:00")))
    missing |= set(_slots(_at("2013-02-14"), _at("2013-02-17")))
    values[_at("2013-01-15", "12:00")] = -0.5  # negative
    values[_at("2013-01-16", "12:00")] = 40.0  # above 30 kW
    values[_at("2013-01-17", "18:00")] = 5.0  # a spike for this meter
    for moment in _slots(_at("2013-01-20", "08:00"), _at("2013-01-20", "15:00")):
        values[moment] = 0.777  # 7 hours flat
    for moment in _slots(_at("2013-01-22"), _at("2013-01-23", "00:30")):
        values[moment] = 0.0  # 24.5 hours of zero
    rows = [_row("F1", IMPORT, m, v, "INT") for m, v in values.items() if m not in missing]
    rows.append(_row("F1", IMPORT, _at("2013-01-12", "09:00"), 0.9, "INT"))  # a conflict
    rows.append(_row("F1", IMPORT, _at("2013-01-25", "10:07"), 0.3, "INT"))  # off the grid
    rows.append(_row("F1", IMPORT, _at("2013-03-01", "00:00"), 0.3, "INT"))  # the future
    register = 1000.0
    for day in range(1, 13):
        moment = datetime(2013, 2, day)
        shown = register + (3.0 if day >= 6 else 0.0) - (500.0 if day == 10 else 0.0)
        rows.append(_row("F1", REGISTER, moment, round(shown, 3), "AGG"))
        register += sum(values[m] for m in _slots(moment, moment + timedelta(days=1)))
    truth = {m: values[m] for m in missing}
    return rows, truth


def _row(meter: str, obis: str, moment: datetime, value: float, kind: str) -> str:
    return f"{meter};{obis};{moment:%Y-%m-%d %H:%M:%S};{value};;{kind}\n"


def _other_meters() -> list[str]:
    rows = [
        _row("F2", REGISTER, datetime(2013, 1, d), v, "AGG")
        for d, v in ((5, 999_990.0), (6, 4.0), (7, 12.0))
    ]
    rows += [_row("F3", IMPORT, m, _value(m), "INT") for m in _slots(FIRST, _at("2013-02-10"))]
    return rows


@pytest.fixture(scope="module")
def faulty_lake(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[MeterLake, dict[datetime, float]]:
    root: Path = tmp_path_factory.mktemp("vee") / "lake"
    lake = MeterLake(Settings(root=root, threads=1, memory_limit="1GB", progress=False))
    lake.generate(FleetSpec(meters=6, start=FIRST.date(), end=END.date(), outages=0))
    rows, truth = _faulty_meter()
    (root / "landing" / "faults.csv").write_text(HEADER + "".join(rows + _other_meters()))
    lake.ingest([root / "landing", root / "reference"])
    return lake, truth


def _flags(lake: MeterLake, meter: str) -> list[dict[str, object]]:
    return lake.vee().flags(meter, FIRST, datetime(2031, 1, 1), None, 100_000)


def test_every_fault_is_flagged_where_it_was_put(
    faulty_lake: tuple[MeterLake, dict[datetime, float]],
):
    lake, _ = faulty_lake
    report = lake.vee().validate_pending(now=NOW)
    assert report is not None
    daily_rows = lake.sql(
        "SELECT count(*) AS n FROM daily WHERE reading_type IN ('INT', 'AGG')"
    ).to_pylist()[0]["n"]
    assert report.reads == daily_rows  # every read of every validated day was looked at
    flags = _flags(lake, "F1")
    by_rule: dict[str, list[datetime]] = {}
    for flag in flags:
        by_rule.setdefault(str(flag["rule"]), []).append(flag["reading_date_time"])  # type: ignore[arg-type]
    assert by_rule["negative"] == [_at("2013-01-15", "12:00")]
    assert by_rule["max_value"] == [_at("2013-01-16", "12:00")]
    assert _at("2013-01-17", "18:00") in by_rule["spike"]
    assert len(by_rule["flat_line"]) == 14
    assert len(by_rule["zero_run"]) == 49
    assert by_rule["off_grid"] == [_at("2013-01-25", "10:07")]
    assert by_rule["future"] == [_at("2013-03-01")]
    assert by_rule["duplicate_conflict"] == [_at("2013-01-12", "09:00")]
    assert by_rule["register_backwards"] == [_at("2013-02-10")]
    assert by_rule["register_mismatch"] == [_at("2013-02-06"), _at("2013-02-11")]
    assert sorted(by_rule["gap"]) == [
        _at("2013-01-10", "03:00"),
        _at("2013-02-03", "10:00"),
        _at("2013-02-14"),
        _at("2013-02-15"),
        _at("2013-02-16"),
    ]
    resets = [f for f in _flags(lake, "F2") if f["rule"] == "register_reset"]
    assert [(f["reading_date_time"], f["severity"]) for f in resets] == [
        (datetime(2013, 1, 6), "info")
    ]
    assert not [f for f in _flags(lake, "MAC000002") if f["severity"] == "error"]


def test_estimates_fill_every_gap_by_its_length(
    faulty_lake: tuple[MeterLake, dict[datetime, float]],
):
    lake, truth = faulty_lake
    rows = lake.vee().readings("F1", FIRST, END)
    estimated = {r["reading_date_time"]: r for r in rows if r["status"] == "estimated"}
    assert set(truth) <= set(estimated)
    assert {estimated[_at("2013-01-10", c)]["method"] for c in ("03:00", "03:30")} == {"linear"}
    assert estimated[_at("2013-01-15", "12:00")]["method"] == "linear"  # the rejected negative
    assert estimated[_at("2013-01-15", "12:00")]["raw_value"] == -0.5  # kept beside
    feb3 = [m for m in truth if m.date() == date(2013, 2, 3)]
    assert {estimated[m]["method"] for m in feb3} == {"register_prorate"}
    assert sum(estimated[m]["value"] for m in feb3) == pytest.approx(sum(truth[m] for m in feb3))
    long_gap = [m for m in truth if m.date() >= date(2013, 2, 14)]
    assert {estimated[m]["method"] for m in long_gap} == {"weather_similar_day"}
    error = sum(abs(estimated[m]["value"] - truth[m]) for m in long_gap) / len(long_gap)
    assert error < 0.05  # the meter repeats its daily shape
    statuses = Counter(r["status"] for r in rows)
    assert statuses["suspect"] >= 14 + 49 + 1  # flat line, zero run, spike
    assert {r["status"] for r in rows} == {"actual", "estimated", "suspect"}


def test_totals_with_and_without_estimates_say_how_much_is_estimated(
    faulty_lake: tuple[MeterLake, dict[datetime, float]],
):
    lake, _ = faulty_lake
    vee = lake.vee()
    with_estimates = vee.consumption("F1", datetime(2013, 2, 1), END, "month", True)[0]
    without = vee.consumption("F1", datetime(2013, 2, 1), END, "month", False)[0]
    assert with_estimates["estimated_kwh"] > 10
    assert with_estimates["total_kwh"] - without["total_kwh"] == pytest.approx(
        with_estimates["estimated_kwh"]
    )
    assert 0 < with_estimates["estimated_share"] < 0.2


def test_the_quality_report_and_the_stopped_meters(
    faulty_lake: tuple[MeterLake, dict[datetime, float]],
):
    lake, _ = faulty_lake
    vee = lake.vee()
    report = {row["meter_id"]: row for row in vee.quality(FIRST.date(), END.date())}
    assert set(report) >= {"F1", "F3", "MAC000002"}
    faulty = report["F1"]
    assert faulty["flags"]["negative"] == 1 and faulty["flags"]["zero_run"] == 49
    assert faulty["longest_gap_hours"] == pytest.approx(72.0)
    assert 0.9 < faulty["completeness"] < 0.98
    assert faulty["estimated"] == 2 + 8 + 144 + 2  # gaps, negative and maximum
    assert not faulty["stopped"]
    stopped = {row["meter_id"]: row for row in vee.stopped(FIRST.date(), END.date())}
    assert stopped["F3"]["last_reading"] == _at("2013-02-09", "23:30")
    assert stopped["F3"]["longest_gap_hours"] > 24 * 18
    last_days = lake.sql(
        "SELECT meter_id, max(date_str) AS last FROM aggregated_daily GROUP BY 1"
    ).to_pylist()
    assert set(stopped) == {r["meter_id"] for r in last_days if r["last"] < "20130226"}
    clean = report["MAC000002"]
    assert clean["completeness"] > 0.95 and not clean["stopped"]


def test_edits_are_revalidated_logged_and_survive_new_ingests_and_runs(
    faulty_lake: tuple[MeterLake, dict[datetime, float]],
):
    lake, _ = faulty_lake
    vee = lake.vee()
    vee.validate_pending(now=NOW)  # the fixture's ingest, when this test runs on its own
    spike, flat, huge = (
        _at("2013-01-17", "18:00"),
        _at("2013-01-20", "10:00"),
        _at("2013-01-16", "12:00"),
    )
    refused = EditRequest("F1", spike, "override", "meter test", "ana", value=-2.0)
    with pytest.raises(InputError, match=r"breaks a rule \(negative: negative value -2\.0\)"):
        vee.edit(refused, now=NOW)
    assert vee.edits("F1", 10) == []  # refused: nothing logged
    done = vee.edit(EditRequest("F1", spike, "override", "kettle misread", "ana", 0.4), now=NOW)
    assert (done["status"], done["previous_value"], done["findings"]) == ("edited", 5.0, [])
    assert (
        vee.edit(EditRequest("F1", flat, "reject", "stuck", "ben"), now=NOW)["status"]
        == "estimated"
    )
    assert (
        vee.edit(EditRequest("F1", huge, "accept", "EV charger", "ben"), now=NOW)["status"]
        == "actual"
    )
    log = vee.edits("F1", 10)
    assert [(e["action"], e["user"]) for e in log] == [
        ("accept", "ben"),
        ("reject", "ben"),
        ("override", "ana"),
    ]

    late = lake.layout.landing / "late.csv"
    late.write_text(HEADER + _row("F1", IMPORT, _at("2013-01-17", "03:00"), 9.0, "INT"))
    lake.ingest([late])
    again = lake.vee().validate_pending(now=NOW)
    assert again is not None and again.dates == ["20130117", "20130118"]  # and the day after
    lake.vee().validate(FIRST.date(), END.date(), now=NOW)
    status = {
        r["reading_date_time"]: r
        for r in lake.vee().readings("F1", _at("2013-01-16"), _at("2013-01-21"))
    }
    assert (status[spike]["status"], status[spike]["value"]) == ("edited", 0.4)
    assert status[flat]["status"] == "estimated"
    assert (status[huge]["status"], status[huge]["value"]) == ("actual", 40.0)
    assert len(lake.vee().edits("F1", 10)) == 3
