"""``detect`` on a real lake: complete, incremental, idempotent, atomic, batch by batch."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from meterlake.analytics.anomaly import robust_band
from meterlake.errors import InputError
from meterlake.pipeline.detect import DetectOptions
from meterlake.pipeline.evaluate_anomalies import EvaluateOptions
from meterlake.service import MeterLake
from meterlake.synth import FleetSpec

pytestmark = pytest.mark.integration

SPEC = FleetSpec(meters=5, start=date(2013, 1, 1), end=date(2013, 5, 1), seed=3)
END = date(2013, 5, 1)


@pytest.fixture
def fleet_lake(lake: MeterLake) -> MeterLake:
    lake.generate(SPEC)
    lake.ingest([lake.layout.landing, lake.layout.root / "reference"])
    return lake


def _rows(lake: MeterLake, where: str = "true") -> list[dict[str, object]]:
    return lake.sql(f"SELECT * FROM anomaly WHERE {where} ORDER BY meter_id, ds").to_pylist()


def _files(lake: MeterLake) -> dict[str, bytes]:
    root = lake.layout.root
    folders = [lake.layout.table("anomaly"), lake.layout.runs]
    return {str(p.relative_to(root)): p.read_bytes() for f in folders for p in f.glob("*")}


def test_every_observed_meter_day_once_and_readers_see_it(fleet_lake: MeterLake):
    report = fleet_lake.detect(DetectOptions(data_end=END, batch_size=2))
    days = fleet_lake.sql("SELECT count(*) AS n FROM aggregated_daily").to_pylist()[0]["n"]
    assert (report.batches, len(report.files), report.meters_written) == (3, 3, 5)
    assert report.rows_written == days
    assert report.weather
    rows = _rows(fleet_lake)
    assert len(rows) == len({(r["meter_id"], r["ds"]) for r in rows}) == days
    assert report.spikes + report.dips == sum(r["anomaly"] != 0 for r in rows)
    assert all(r["yhat_lower"] <= r["yhat_upper"] for r in rows)
    body = fleet_lake.anomalies("MAC000002", datetime(2013, 1, 1), datetime(2013, 5, 1), False)
    assert len(body["ds"]) == sum(r["meter_id"] == "MAC000002" for r in rows)
    assert fleet_lake.run(report.run_id)["kind"] == "detect"


def test_rerun_with_the_same_data_end_changes_nothing(fleet_lake: MeterLake):
    fleet_lake.detect(DetectOptions(data_end=END))
    before = _files(fleet_lake)
    again = fleet_lake.detect(DetectOptions(data_end=END))
    assert (again.rows_written, again.meters_skipped, again.files) == (0, 5, [])
    assert _files(fleet_lake) == before


def test_a_later_data_end_appends_only_newer_days(fleet_lake: MeterLake):
    fleet_lake.detect(DetectOptions(data_end=date(2013, 3, 1)))
    first = _rows(fleet_lake)
    assert max(r["ds"] for r in first) == "2013-02-28"
    later = fleet_lake.detect(DetectOptions(data_end=END))
    stopped = fleet_lake.sql(
        "SELECT count(*) AS n FROM (SELECT meter_id FROM aggregated_daily GROUP BY 1"
        " HAVING max(date_str) < '20130301')"
    ).to_pylist()[0]["n"]
    assert stopped == 1  # this fleet has a meter that left in February: it is skipped
    assert (later.meters_written, later.meters_skipped) == (5 - stopped, stopped)
    assert _rows(fleet_lake, "ds < '2013-03-01'") == first
    newer = _rows(fleet_lake, "ds >= '2013-03-01'")
    assert len(newer) == later.rows_written
    assert min(r["ds"] for r in newer) == "2013-03-01"
    assert len(_rows(fleet_lake)) == len({(r["meter_id"], r["ds"]) for r in _rows(fleet_lake)})
    earlier = fleet_lake.detect(DetectOptions(data_end=date(2013, 4, 1)))
    assert earlier.rows_written == 0


def test_a_failing_batch_leaves_the_table_as_it_was(
    fleet_lake: MeterLake, monkeypatch: pytest.MonkeyPatch
):
    calls = []
    real = robust_band.RobustDetector.band

    def flaky(self, matrix, weather=None):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(self, matrix, weather)

    monkeypatch.setattr(robust_band.RobustDetector, "band", flaky)
    with pytest.raises(RuntimeError):
        fleet_lake.detect(DetectOptions(data_end=END, batch_size=2))
    assert _rows(fleet_lake) == []
    assert not list(fleet_lake.layout.transactions.glob("*"))


def test_anomaly_rows_joined_with_the_days_weather(fleet_lake: MeterLake):
    fleet_lake.detect(DetectOptions(data_end=END))
    body = fleet_lake.anomalies_with_weather(
        "MAC000003", datetime(2013, 2, 1), datetime(2013, 2, 8), outlier_only=False
    )
    assert list(body["ds"].values()) == [f"2013-02-0{d}" for d in range(1, 8)]
    assert all(isinstance(t, float) for t in body["temperature"].values())
    assert all(isinstance(t, float) for t in body["apparenttemperature"].values())


def test_prophet_detector_writes_the_same_table(fleet_lake: MeterLake):
    pytest.importorskip("prophet")
    report = fleet_lake.detect(DetectOptions("prophet", data_end=END, batch_size=100, seed=1))
    assert report.detector == "prophet"
    assert len(_rows(fleet_lake)) == report.rows_written > 0


def test_evaluation_needs_ground_truth(fleet_lake: MeterLake, tmp_path: Path):
    with pytest.raises(InputError, match="no ground-truth file"):
        fleet_lake.evaluate_anomalies(EvaluateOptions(truth=tmp_path / "nowhere"))
    truth = fleet_lake.layout.root / "truth"
    (score,) = fleet_lake.evaluate_anomalies(EvaluateOptions(truth=truth, detectors=["default"]))
    assert score.meters == 5
    assert score.f1 >= 0.70  # measured 0.765; larger-fleet floors: test_quality_floors.py
    assert score.event_recall >= 0.80  # measured 0.857 (6 of 7 events)
    kinds = ("spike", "dip", "vacancy", "level_shift")
    options = EvaluateOptions(truth=truth, detectors=["default"], exclude_kinds=kinds)
    (unlabelled,) = fleet_lake.evaluate_anomalies(options)
    assert (unlabelled.labelled, unlabelled.recall_by_kind) == (0, {})
    assert unlabelled.days <= score.days


def test_an_empty_lake_says_what_is_missing(lake: MeterLake):
    with pytest.raises(InputError, match="no interval reads yet"):
        lake.detect()
