"""The ``meterlake`` CLI run as a user runs it: a real subprocess, in a chosen folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CLI = [sys.executable, "-c", "from meterlake.cli import run; run()"]


def cli_env() -> dict[str, str]:
    """The test process's environment without progress bars, wide output, no inherited root."""
    env = {**os.environ, "MLK_PROGRESS": "false", "COLUMNS": "200", "OMP_WAIT_POLICY": "passive"}
    env.pop("MLK_ROOT", None)
    return env


def run_cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``meterlake *args`` in ``cwd``; output captured as text, the exit code not checked."""
    return subprocess.run(
        [*CLI, *args], cwd=cwd, env=cli_env(), capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip
