"""The landing-folder watcher: settled changes start runs; failures do not stop it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from meterlake.errors import LakeError
from meterlake.pipeline.watch import WatchOptions, snapshot, watch


def test_a_run_per_settled_change_and_none_while_files_still_grow(tmp_path: Path):
    landing = tmp_path / "landing"
    landing.mkdir()
    runs: list[frozenset[tuple[str, int, int]]] = []
    script = iter(
        [
            lambda: (landing / "a.csv").write_text("1"),  # first batch arrives
            lambda: None,  # settle: unchanged -> run 1
            lambda: (landing / "b.csv").write_text("2"),  # interval
            lambda: (landing / "b.csv").write_text("22"),  # settle: still growing -> no run
            lambda: None,  # settle: unchanged -> run 2
        ]
    )

    def sleep(_: float) -> None:
        next(script)()

    def run() -> dict[str, Any]:
        runs.append(snapshot(landing))
        return {"run_id": str(len(runs)), "status": "succeeded"}

    (landing / "a.csv").write_text("")
    lines: list[str] = []
    assert watch(landing, run, WatchOptions(1, 1, max_runs=2), lines.append, sleep) == 2
    assert [sorted(name for name, _, _ in seen) for seen in runs] == [["a.csv"], ["a.csv", "b.csv"]]
    assert lines == ["pipeline run 1: succeeded", "pipeline run 2: succeeded"]


def test_a_failed_run_is_reported_and_watching_goes_on(tmp_path: Path):
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "a.csv").write_text("1")
    calls = iter([LakeError("disk full"), None])

    def run() -> dict[str, Any]:
        outcome = next(calls)
        if outcome is not None:
            raise outcome
        return {"run_id": "r2", "status": "succeeded"}

    def sleep(_: float) -> None:
        if lines and not (landing / "b.csv").exists():
            (landing / "b.csv").write_text("2")  # a new file after the failed run

    lines: list[str] = []
    assert watch(landing, run, WatchOptions(1, 0, max_runs=2), lines.append, sleep) == 2
    assert lines == ["run failed, watching on: disk full", "pipeline run r2: succeeded"]
