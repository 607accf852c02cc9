"""Step sequencing of ``meterlake run``: order, stop at the first failure, records saved."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from meterlake.config import PipelineSettings, load_settings
from meterlake.errors import ConfigError, InputError, LakeError, PipelineError
from meterlake.lake.layout import LakeLayout
from meterlake.lake.lock import pipeline_busy, pipeline_lock
from meterlake.pipeline.orchestrate import (
    PipelineRecord,
    StepOutcome,
    StepRecord,
    load_records,
    run_steps,
    save_record,
)


def _record(*names: str) -> PipelineRecord:
    return PipelineRecord("20260101T000000Z-abcdef", "manual", {}, [StepRecord(n) for n in names])


def test_steps_run_in_order_and_the_record_tracks_each():
    calls: list[str] = []
    saved: list[list[str]] = []

    def step(name: str, skipped: str = "") -> StepOutcome:
        calls.append(name)
        return StepOutcome(
            counts={"rows": 3}, warnings=["w"] if name == "b" else [], skipped=skipped
        )

    record = run_steps(
        _record("a", "b", "c"),
        [("a", lambda: step("a")), ("b", lambda: step("b")), ("c", lambda: step("c", "idle"))],
        lambda r: saved.append([s.status for s in r.steps]),
    )
    assert calls == ["a", "b", "c"]
    assert record.status == "succeeded"
    assert [s.status for s in record.steps] == ["succeeded", "succeeded", "skipped"]
    assert record.steps[2].note == "idle"
    assert record.warnings == ["b: w"]
    assert saved[0] == ["pending"] * 3
    assert ["succeeded", "running", "pending"] in saved
    assert record.finished


def test_a_failing_step_stops_the_run_with_its_exit_code():
    calls: list[str] = []
    saved: list[dict[str, object]] = []

    def fail() -> StepOutcome:
        calls.append("b")
        raise LakeError("disk on fire")

    with pytest.raises(PipelineError) as caught:
        run_steps(
            _record("a", "b", "c"),
            [("a", StepOutcome), ("b", fail), ("c", lambda: calls.append("c") or StepOutcome())],
            lambda r: saved.append(r.to_json()),
        )
    assert caught.value.exit_code == LakeError.exit_code
    assert caught.value.step == "b"
    assert "stopped at step 'b': disk on fire" in str(caught.value)
    assert calls == ["b"]
    last = saved[-1]
    assert last["status"] == "failed"
    assert [s["status"] for s in last["steps"]] == ["succeeded", "failed", "pending"]  # type: ignore[attr-defined]
    assert last["error"] == "b: disk on fire"


def test_an_unexpected_error_is_recorded_and_raised_unchanged():
    saved: list[PipelineRecord] = []

    def bug() -> StepOutcome:
        raise ZeroDivisionError("oops")

    with pytest.raises(ZeroDivisionError):
        run_steps(_record("a"), [("a", bug)], saved.append)
    assert saved[-1].status == "failed"
    assert saved[-1].steps[0].note == "ZeroDivisionError: oops"


def test_records_are_written_atomically_and_read_newest_first(tmp_path: Path):
    older, newer = _record("a"), _record("a")
    newer.run_id = "20260102T000000Z-abcdef"
    save_record(tmp_path, older)
    save_record(tmp_path, newer)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f"{older.run_id}.json",
        f"{newer.run_id}.json",
    ]
    assert [r["run_id"] for r in load_records(tmp_path)] == [newer.run_id, older.run_id]
    assert json.loads((tmp_path / f"{older.run_id}.json").read_text())["trigger"] == "manual"


def test_an_unreadable_record_is_a_lake_error(tmp_path: Path):
    (tmp_path / "x.json").write_text("{")
    with pytest.raises(LakeError):
        load_records(tmp_path)


def test_pipeline_parameters_keep_the_reference_names_and_defaults_but_the_lakes_window(
    tmp_path: Path,
):
    params = load_settings(root=tmp_path).pipeline
    assert params == PipelineSettings()
    assert params.model_dump(mode="json") == {
        "data_start": None,  # the lake's own window (pipeline/window.py), not 2013-06-01
        "data_end": None,  # nor 2014-01-01
        "forecast_period": 7,
        "training_samples": 50,
        "meter_start": 1,
        "meter_end": 100,
        "batch_size": 25,
        "model": "gbm",
        "retrain": "stale",
        "retrain_after_days": 30,
        "retrain_max_age_days": None,
        "promote": "beats_baseline",
    }


def test_pipeline_parameters_come_from_the_settings_file_and_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    (tmp_path / "meterlake.toml").write_text(
        '[pipeline]\ndata_end = "2013-10-01"\nbatch_size = 50\n'
    )
    monkeypatch.setenv("MLK_PIPELINE__FORECAST_PERIOD", "3")
    params = load_settings(root=tmp_path).pipeline
    assert (str(params.data_end), params.batch_size, params.forecast_period) == (
        "2013-10-01",
        50,
        3,
    )
    (tmp_path / "meterlake.toml").write_text("[pipeline]\nbatch_size = 101\n")
    with pytest.raises(ConfigError):
        load_settings(root=tmp_path)


def test_the_pipeline_lock_refuses_a_second_holder(tmp_path: Path):
    layout = LakeLayout(tmp_path)
    assert not pipeline_busy(layout)
    with pipeline_lock(layout):
        assert pipeline_busy(layout)
        with pytest.raises(LakeError, match="already in progress"), pipeline_lock(layout):
            pass
    assert not pipeline_busy(layout)
    with pipeline_lock(layout):  # released: free again
        pass


def test_input_errors_keep_their_exit_code():
    error = PipelineError("r", "detect", InputError("bad"))
    assert error.exit_code == InputError.exit_code
