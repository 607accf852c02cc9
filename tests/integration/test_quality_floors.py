"""Quality floors on small seeded fleets: a detector or forecaster made worse fails here.

Each floor sits a little under the figure measured on the same fleet when it was set (written
beside it), so an accidental regression fails CI while a harmless change in the last digits
does not. The figures in docs/benchmarks.md come from larger fleets; these guard the same code.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from meterlake.analytics.forecast.pipeline import TrainRequest
from meterlake.config import Settings
from meterlake.pipeline.evaluate_anomalies import EvaluateOptions
from meterlake.service import MeterLake
from meterlake.synth import FleetSpec

pytestmark = pytest.mark.integration


def _lake(root: Path, spec: FleetSpec) -> MeterLake:
    lake = MeterLake(Settings(root=root, threads=1, memory_limit="1GB", progress=False))
    lake.generate(spec)
    lake.ingest([lake.layout.landing, root / "reference"])
    return lake


@pytest.fixture(scope="module")
def anomaly_lake(tmp_path_factory: pytest.TempPathFactory) -> MeterLake:
    """20 meters, six months, about one injected event per meter and month."""
    spec = FleetSpec(
        meters=20, start=date(2013, 1, 1), end=date(2013, 7, 1), seed=3, anomalies_per_meter_year=12
    )
    return _lake(tmp_path_factory.mktemp("anomaly_floor") / "lake", spec)


@pytest.fixture(scope="module")
def forecast_metrics(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, float]]:
    """The backtest stored with a default model trained on 24 meters and three months."""
    spec = FleetSpec(meters=24, start=date(2013, 7, 1), end=date(2013, 10, 1), seed=5)
    lake = _lake(tmp_path_factory.mktemp("forecast_floor") / "lake", spec)
    request = TrainRequest(datetime(2013, 7, 1), datetime(2013, 10, 1), 24, threads=1)
    lake.train(request)
    metrics: dict[str, dict[str, float]] = lake.forecasting().model(None)["metrics"]
    lake.close()
    return metrics


def test_the_default_detector_finds_the_injected_anomalies(anomaly_lake: MeterLake):
    truth = anomaly_lake.layout.root / "truth"
    (score,) = anomaly_lake.evaluate_anomalies(EvaluateOptions(truth=truth, detectors=["default"]))
    assert (score.meters, score.labelled) == (20, 489)  # the fleet the floors were measured on
    assert score.f1 >= 0.80  # measured 0.870 (precision 0.911, recall 0.832)
    assert score.precision >= 0.85  # measured 0.911
    assert score.event_recall >= 0.85  # measured 0.908


def test_the_default_forecaster_beats_seasonal_naive(forecast_metrics: dict[str, dict[str, float]]):
    gbm, naive = forecast_metrics["gbm"], forecast_metrics["naive168"]
    assert naive["mase"] == pytest.approx(1.008, abs=0.01)  # the fleet is the one measured
    assert gbm["mase"] <= 0.80  # measured 0.734
    assert gbm["mase"] <= 0.80 * naive["mase"]  # measured 0.734 / 1.008: 27 % lower
    assert gbm["wql"] <= 0.75 * naive["wql"]  # measured 0.180 / 0.264: 32 % lower
    assert gbm["coverage_80"] >= 0.70  # measured 0.766
