"""``meterlake watch``: run the pipeline when files land, once they have stopped changing.

The landing folder is polled; a change (a new, grown or touched file) starts a run only when two
polls ``settle`` seconds apart see the same files, so files still being copied and files that
arrive together go into one run. Ingest skips files its ledger knows, so a run after a change
reads just the new ones. A failed run is reported and the watcher goes on (the next change or
the next start resumes it); a rejected file is part of a run's report, never a reason to stop.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from meterlake.errors import MeterlakeError

#: Name, size and modification time of every file below the landing folder.
Snapshot = frozenset[tuple[str, int, int]]


def snapshot(landing: Path) -> Snapshot:
    """What the landing folder holds now (files only, recursively)."""
    if not landing.exists():
        return frozenset()
    found = set()
    for path in landing.rglob("*"):
        try:
            if path.is_file():
                stat = path.stat()
                found.add((str(path.relative_to(landing)), stat.st_size, stat.st_mtime_ns))
        except OSError:
            continue  # gone between listing and stat: the next poll sees it settled
    return frozenset(found)


@dataclass
class WatchOptions:
    """How often to look, how long files must be still, when to stop (tests, one-shots)."""

    interval: float = 5.0
    settle: float = 10.0
    max_runs: int | None = None


def watch(
    landing: Path,
    run: Callable[[], dict[str, Any]],
    options: WatchOptions,
    report: Callable[[str], None],
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Run ``run`` after each settled change of ``landing``; the number of runs started.

    The state found at start counts as a change, so files dropped while nobody watched are
    taken up at once.
    """
    done: Snapshot | None = None
    runs = 0
    while options.max_runs is None or runs < options.max_runs:
        seen = snapshot(landing)
        if seen != done and seen:
            sleep(options.settle)
            if snapshot(landing) != seen:
                continue  # still arriving
            runs += 1
            try:
                record = run()
                report(f"pipeline run {record['run_id']}: {record['status']}")
            except MeterlakeError as exc:
                report(f"run failed, watching on: {exc}")
            done = seen
            continue
        sleep(options.interval)
    return runs
