"""The ``meterlake`` CLI run as a user runs it: a real subprocess, in a chosen folder."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

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


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def served(root: Path, seconds: float = 60, stderr: IO[str] | None = None) -> Iterator[str]:
    """``meterlake serve`` over ``root`` in a subprocess; yields its base URL once it answers.

    Its log (stderr) is dropped unless ``stderr`` is a file to write it to.
    """
    port = free_port()
    server = subprocess.Popen(
        [*CLI, "serve", "--root", str(root), "--port", str(port)],
        env={**cli_env(), "MLK_THREADS": "1"},
        stdout=subprocess.DEVNULL,
        stderr=stderr or subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + seconds
        while True:
            try:
                with urllib.request.urlopen(f"{base}/health", timeout=5):  # noqa: S310
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)
