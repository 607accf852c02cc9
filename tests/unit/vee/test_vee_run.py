"""Which days a VEE run validates, in what batches, and what it records."""

from __future__ import annotations

import json
from pathlib import Path

from meterlake.lake.layout import LakeLayout
from meterlake.vee.run import VeeReport, batches, pending_dates


def test_batches_span_at_most_the_given_days():
    days = ["20130101", "20130102", "20130115", "20130128", "20130129", "20130301"]
    assert list(batches(days, 28)) == [
        ["20130101", "20130102", "20130115", "20130128"],
        ["20130129"],
        ["20130301"],
    ]
    assert list(batches([], 28)) == []


def _record(layout: LakeLayout, run_id: str, payload: dict[str, object]) -> None:
    layout.runs.mkdir(parents=True, exist_ok=True)
    (layout.runs / f"{run_id}.json").write_text(json.dumps({"run_id": run_id, **payload}))


def test_pending_days_are_those_of_ingests_after_the_last_vee_run(tmp_path: Path):
    layout = LakeLayout(tmp_path)
    assert pending_dates(layout) == (set(), "")
    _record(layout, "20260101T000000Z-aaaaaa", {"first_run": True, "dates": ["20130101"]})
    _record(layout, "20260102T000000Z-bbbbbb", {"first_run": False, "dates": []})
    _record(layout, "20260103T000000Z-cccccc", {"kind": "outages", "dates": ["20130109"]})
    assert pending_dates(layout) == ({"20130101"}, "20260101T000000Z-aaaaaa")
    vee = {"kind": "vee", "ingest_runs_through": "20260101T000000Z-aaaaaa", "dates": []}
    _record(layout, "20260104T000000Z-dddddd", vee)
    assert pending_dates(layout) == (set(), "20260101T000000Z-aaaaaa")
    _record(layout, "20260105T000000Z-eeeeee", {"first_run": False, "dates": ["20130102"]})
    _record(
        layout, "20260106T000000Z-ffffff", {"first_run": False, "dates": ["20130102", "20130103"]}
    )
    assert pending_dates(layout) == ({"20130102", "20130103"}, "20260106T000000Z-ffffff")
    after = layout.table("daily") / "reading_type=INT" / "date_str=20130104" / "part-0.parquet"
    after.parent.mkdir(parents=True)
    after.touch()  # the day after has reads: it is judged again too
    assert pending_dates(layout)[0] == {"20130102", "20130103", "20130104"}


def test_the_record_counts_flags_estimates_and_what_could_not_be_estimated():
    report = VeeReport("R", "ingest", ["20130101"], reads=96, targets=5)
    report.flags_by_rule = {"gap": 2, "spike": 1}
    report.estimates_by_method = {"linear": 4}
    record = report.to_json()
    assert record["kind"] == "vee"
    assert record["counts"] == {"days": 1, "flags": 3}
    assert record["totals"] == {"reads": 96, "estimates": 4, "unestimated": 1}
