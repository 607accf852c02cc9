"""``meterlake run`` on a small generated fleet: end to end, fail and resume, never two at once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from meterlake.config import PipelineSettings, Settings
from meterlake.errors import InputError, PipelineError
from meterlake.service import MeterLake
from meterlake.synth import FleetSpec

pytestmark = [pytest.mark.integration, pytest.mark.slow]

START, END = date(2013, 1, 1), date(2013, 3, 2)  # 8 meters x 60 days
PARAMS = PipelineSettings(data_start=START, data_end=END, training_samples=8, batch_size=4)
CLI = [sys.executable, "-c", "from meterlake.cli import run; run()"]
RUN_ARGS = ["--data-start", "2013-01-01", "--data-end", "2013-03-02", "--training-samples", "8"]


@pytest.fixture
def fleet_lake(tmp_path: Path) -> MeterLake:
    """A lake whose landing/ and reference/ hold a generated 8-meter, 60-day fleet."""
    lake = MeterLake(Settings(root=tmp_path / "lake", threads=1, progress=False))
    lake.generate(FleetSpec(meters=8, start=START, end=END, seed=3))
    return lake


def _count(lake: MeterLake, table: str) -> int:
    return int(lake.sql(f"SELECT count(*) FROM {table}").column(0)[0].as_py())


def _statuses(record: dict[str, Any]) -> dict[str, str]:
    return {step["name"]: step["status"] for step in record["steps"]}


def test_the_whole_pipeline_runs_end_to_end_and_a_rerun_finds_nothing_to_do(
    fleet_lake: MeterLake,
):
    record = fleet_lake.run_pipeline(PARAMS)
    assert record["status"] == "succeeded"
    assert set(_statuses(record).values()) == {"succeeded"}
    steps = {step["name"]: step for step in record["steps"]}
    assert steps["ingest"]["counts"]["days"] == 60
    assert steps["detect"]["counts"]["meters_written"] == 8
    assert steps["forecast"]["counts"] == {"meters": 8, "rows": 8 * 7 * 24}
    assert steps["outages"]["details"]["window"] == ["2013-01-01T00:00:00", "2013-03-02T00:00:00"]
    assert record["parameters"]["data_end"] == "2013-03-02"
    anomalies, forecasts = _count(fleet_lake, "anomaly"), _count(fleet_lake, "forecast")
    assert anomalies > 0
    assert forecasts == 8 * 7 * 24
    assert fleet_lake.forecasting().model(None)["kind"] == "gbm"

    again = fleet_lake.run_pipeline(PARAMS, trigger="schedule")
    assert set(_statuses(again).values()) == {"skipped"}
    assert (_count(fleet_lake, "anomaly"), _count(fleet_lake, "forecast")) == (anomalies, forecasts)

    stored = fleet_lake.pipeline_runs()
    assert [r["run_id"] for r in stored] == [again["run_id"], record["run_id"]]
    assert stored[0]["trigger"] == "schedule"
    path = fleet_lake.layout.pipeline_runs / f"{record['run_id']}.json"
    assert json.loads(path.read_text())["status"] == "succeeded"
    fleet_lake.close()


def test_the_retrain_policy_replaces_the_model_and_its_forecasts(fleet_lake: MeterLake):
    first = fleet_lake.run_pipeline(PARAMS)
    old = _steps(first)["train"]["details"]["model"]
    kept = fleet_lake.run_pipeline(PARAMS.model_copy(update={"retrain": "initial"}))
    assert "retrain policy (initial) keeps it" in _steps(kept)["train"]["note"]

    retrained = fleet_lake.run_pipeline(
        PARAMS.model_copy(update={"retrain": "always", "promote": "always"})
    )
    train, forecast = _steps(retrained)["train"], _steps(retrained)["forecast"]
    new = train["details"]["model"]
    assert (train["status"], train["details"]["active"]) == ("succeeded", new)
    assert new != old
    assert fleet_lake.forecasting().model(None)["version"] == new
    assert (forecast["status"], forecast["details"]["model"]) == ("succeeded", new)
    assert _count(fleet_lake, "forecast") == 8 * 7 * 24  # replaced, not added
    fleet_lake.close()


def _steps(record: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {step["name"]: step for step in record["steps"]}


def test_a_failed_step_stops_the_run_and_the_next_run_resumes_from_it(
    fleet_lake: MeterLake, monkeypatch: pytest.MonkeyPatch
):
    def broken_train(*args: object, **kwargs: object) -> dict[str, Any]:
        raise InputError("training broke on purpose")

    monkeypatch.setattr(MeterLake, "train", broken_train)
    with pytest.raises(PipelineError, match="stopped at step 'train'") as caught:
        fleet_lake.run_pipeline(PARAMS)
    assert caught.value.exit_code == InputError.exit_code
    failed = fleet_lake.pipeline_runs()[0]
    assert failed["status"] == "failed"
    assert _statuses(failed) == {
        "ingest": "succeeded",
        "detect": "succeeded",
        "train": "failed",
        "forecast": "pending",
        "outages": "pending",
    }
    assert "training broke on purpose" in failed["error"]
    anomalies = _count(fleet_lake, "anomaly")
    monkeypatch.undo()

    resumed = fleet_lake.run_pipeline(PARAMS)
    assert resumed["status"] == "succeeded"
    assert _statuses(resumed) == {
        "ingest": "skipped",
        "detect": "skipped",
        "train": "succeeded",
        "forecast": "succeeded",
        "outages": "succeeded",
    }
    assert _count(fleet_lake, "anomaly") == anomalies  # finished work was not redone
    ingests = [r for r in fleet_lake.runs() if "first_run" in r and r["counts"]["ingested"]]
    assert len(ingests) == 1
    assert _count(fleet_lake, "forecast") == 8 * 7 * 24
    fleet_lake.close()


def _env() -> dict[str, str]:
    return {**os.environ, "MLK_PROGRESS": "false", "MLK_THREADS": "1"}


def _hold_lock(root: Path, ready: Path) -> subprocess.Popen[bytes]:
    """A process that holds the pipeline lock until killed."""
    code = (
        "import sys, time, pathlib\n"
        "from meterlake.lake.layout import LakeLayout\n"
        "from meterlake.lake.lock import pipeline_lock\n"
        "with pipeline_lock(LakeLayout(pathlib.Path(sys.argv[1]))):\n"
        "    pathlib.Path(sys.argv[2]).touch()\n"
        "    time.sleep(600)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", code, str(root), str(ready)], env=_env())
    deadline = time.monotonic() + 60
    while not ready.exists():
        assert holder.poll() is None, "the lock holder died"
        assert time.monotonic() < deadline, "the lock holder never took the lock"
        time.sleep(0.05)
    return holder


def _run(root: Path, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*CLI, "run", "--root", str(root), *RUN_ARGS, *extra],
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_a_second_run_exits_clearly_and_a_crashed_holder_frees_the_lock(
    fleet_lake: MeterLake, tmp_path: Path
):
    root = fleet_lake.layout.root
    holder = _hold_lock(root, tmp_path / "ready")
    try:
        refused = _run(root)
        _, err = refused.communicate(timeout=120)
        assert refused.returncode == 4
        assert "a pipeline run is already in progress" in " ".join(err.decode().split())
        assert fleet_lake.pipeline_runs() == []  # the refused run recorded nothing
    finally:
        holder.send_signal(signal.SIGKILL)  # a crash: the OS drops the lock
        holder.wait()
    after = _run(root)
    _, err = after.communicate(timeout=300)
    assert after.returncode == 0, err.decode()
    assert fleet_lake.pipeline_runs()[0]["status"] == "succeeded"


def test_two_concurrent_waiting_runs_never_overlap(fleet_lake: MeterLake, tmp_path: Path):
    root = fleet_lake.layout.root
    holder = _hold_lock(root, tmp_path / "ready")
    first, second = _run(root, "--wait"), _run(root, "--wait")
    time.sleep(1.0)
    assert first.poll() is None  # both queue behind the holder
    assert second.poll() is None
    assert fleet_lake.pipeline_runs() == []
    holder.send_signal(signal.SIGTERM)
    holder.wait()
    for process in (first, second):
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err.decode()
    later, earlier = fleet_lake.pipeline_runs()
    assert earlier["status"] == later["status"] == "succeeded"
    assert earlier["finished"] <= later["started"]
    assert "succeeded" in _statuses(earlier).values()
    assert set(_statuses(later).values()) == {"skipped"}  # the second found the work done
