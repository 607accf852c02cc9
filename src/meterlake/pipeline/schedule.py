"""``meterlake schedule``: run the pipeline on a cron schedule (the reference: daily 09:00 UTC)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from meterlake.errors import InputError, MeterlakeError

#: The reference's workflow trigger: every day at 09:00 UTC.
DEFAULT_CRON = "0 9 * * *"


def next_times(cron: str, after: datetime) -> Callable[[datetime], datetime]:
    """A function giving the first time of ``cron`` (UTC) after a moment; bad syntax is an error."""
    from croniter import croniter  # noqa: PLC0415

    if not croniter.is_valid(cron):
        raise InputError(f"not a cron expression (minute hour day month weekday): {cron!r}")
    croniter(cron, after)  # fails early on expressions that never fire

    def following(moment: datetime) -> datetime:
        nxt: datetime = croniter(cron, moment).get_next(datetime)
        return nxt

    return following


def schedule(
    cron: str,
    run: Callable[[], dict[str, Any]],
    report: Callable[[str], None],
    *,
    max_runs: int | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Run ``run`` at each time of ``cron``; a failed run is reported and the schedule goes on."""
    following = next_times(cron, now())
    runs = 0
    while max_runs is None or runs < max_runs:
        due = following(now())
        report(f"next run at {due.isoformat()}")
        while (wait := (due - now()).total_seconds()) > 0:
            sleep(min(wait, 60.0))
        runs += 1
        try:
            record = run()
            report(f"pipeline run {record['run_id']}: {record['status']}")
        except MeterlakeError as exc:
            report(f"run failed, schedule goes on: {exc}")
    return runs
