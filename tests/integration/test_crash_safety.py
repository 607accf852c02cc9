"""Kill a real ingest process at many moments: the lake is always before or after the run."""

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
from lake_snapshot import snapshot

from meterlake.config import Settings
from meterlake.service import MeterLake
from meterlake.synth import FleetSpec

pytestmark = [pytest.mark.integration, pytest.mark.slow]

INGEST = [sys.executable, "-c", "from meterlake.cli import run; run()", "ingest"]


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

    before_root = tmp_path / "before"
    MeterLake(Settings(root=before_root, threads=1)).ingest([base])
    before = snapshot(MeterLake(Settings(root=before_root)))

    after_root = tmp_path / "after"
    shutil.copytree(before_root, after_root)
    started = time.perf_counter()
    assert _ingest_process(new, after_root).wait() == 0
    duration = time.perf_counter() - started
    after = snapshot(MeterLake(Settings(root=after_root)))
    assert after != before

    outcomes = set()
    for step in range(8):
        root = tmp_path / f"killed{step}"
        shutil.copytree(before_root, root)
        process = _ingest_process(new, root)
        time.sleep(duration * (0.25 + 0.1 * step))
        process.send_signal(signal.SIGKILL)
        process.wait()
        seen = snapshot(MeterLake(Settings(root=root)))
        assert seen in (before, after), f"half-written lake after kill at step {step}"
        outcomes.add("after" if seen == after else "before")
        assert _ingest_process(new, root).wait() == 0
        assert snapshot(MeterLake(Settings(root=root))) == after
    assert "before" in outcomes
