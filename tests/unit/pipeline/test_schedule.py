"""The cron trigger: runs at each due time, survives a failed run, rejects bad expressions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from meterlake.errors import InputError, LakeError
from meterlake.pipeline.schedule import DEFAULT_CRON, schedule


def test_runs_at_each_due_time_and_goes_on_after_a_failure():
    clock = [datetime(2026, 11, 28, 7, 30, tzinfo=UTC)]
    started: list[datetime] = []
    outcomes = iter([LakeError("disk full"), None])

    def sleep(seconds: float) -> None:
        clock[0] += timedelta(seconds=seconds)

    def run() -> dict[str, Any]:
        started.append(clock[0])
        if (failure := next(outcomes)) is not None:
            raise failure
        return {"run_id": "r2", "status": "succeeded"}

    lines: list[str] = []
    count = schedule(DEFAULT_CRON, run, lines.append, max_runs=2, now=lambda: clock[0], sleep=sleep)
    assert count == 2
    assert started == [
        datetime(2026, 11, 28, 9, 0, tzinfo=UTC),
        datetime(2026, 11, 29, 9, 0, tzinfo=UTC),
    ]
    assert "run failed, schedule goes on: disk full" in lines
    assert lines[-1] == "pipeline run r2: succeeded"


def test_a_bad_expression_is_an_input_error():
    with pytest.raises(InputError, match="cron"):
        schedule("every day at nine", dict, print, max_runs=1)
