"""Kill a real ingest process at many moments: the lake is always before or after each run.

``meterlake ingest`` commits two runs, the ingest and then VEE on its new days, so a kill may
also leave the lake between them; every zone and record is compared, not only the business
tables (see ``lake_snapshot.full_snapshot``).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from lake_snapshot import full_snapshot

from meterlake.config import Settings
from meterlake.service import MeterLake
from meterlake.synth import FleetSpec

pytestmark = [pytest.mark.integration, pytest.mark.slow]

INGEST = [sys.executable, "-c", "from meterlake.cli import run; run()", "ingest"]
#: The state file holds the last ingest's days: none when a rerun found its file already in.
NOTHING_NEW = {"dates": [], "first_run": False}


def _ingest_process(file: Path, root: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "MLK_PROGRESS": "false", "MLK_THREADS": "1"}
    return subprocess.Popen(
        [*INGEST, str(file), "--root", str(root)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_killed_ingest_leaves_the_lake_before_or_after_and_rerun_completes(tmp_path: Path):
    source = MeterLake(Settings(root=tmp_path / "source"))
    base = source.generate(FleetSpec(meters=20, end=date(2013, 2, 1), seed=7)).readings[0]
    spec = FleetSpec(meters=40, start=date(2013, 1, 25), end=date(2013, 4, 15), seed=8)
    source_new = MeterLake(Settings(root=tmp_path / "source_new"))
    new = source_new.generate(spec).readings[0]
    with new.open("a") as rows:  # two rows for quarantine, one found only by the rescan
        rows.write("MAC000002,Std,not a time, 0.1 ,ACORN-D,Affluent\n")
        rows.write(",Std,2013-02-01 00:00:00.0000000, 0.1 ,ACORN-D,Affluent\n")

    before_root = tmp_path / "before"
    MeterLake(Settings(root=before_root, threads=1)).ingest([base])
    before = full_snapshot(MeterLake(Settings(root=before_root)))
    between_root = tmp_path / "between"  # the ingest committed, its VEE run not yet
    shutil.copytree(before_root, between_root)
    MeterLake(Settings(root=between_root, threads=1)).ingest([new])
    between = full_snapshot(MeterLake(Settings(root=between_root)))

    after_root = tmp_path / "after"
    shutil.copytree(before_root, after_root)
    started = time.perf_counter()
    assert _ingest_process(new, after_root).wait() == 0
    duration = time.perf_counter() - started
    after = full_snapshot(MeterLake(Settings(root=after_root)))
    assert before != between != after
    assert all(after[t].num_rows for t in ("quarantine", "reading_flags", "reading_estimates"))
    states = {"before": before, "between": between, "after": after}

    outcomes = set()
    for step in range(8):
        root = tmp_path / f"killed{step}"
        shutil.copytree(before_root, root)
        process = _ingest_process(new, root)
        time.sleep(duration * (0.25 + 0.1 * step))
        process.send_signal(signal.SIGKILL)
        process.wait()
        seen = full_snapshot(MeterLake(Settings(root=root)))
        found = [name for name, state in states.items() if seen == state]
        assert found, f"half-written lake after kill at step {step}"
        outcomes.add(found[0])
        assert _ingest_process(new, root).wait() == 0
        expected = after if found[0] == "before" else {**after, "state": NOTHING_NEW}
        assert full_snapshot(MeterLake(Settings(root=root))) == expected
    assert "before" in outcomes
