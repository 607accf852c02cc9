"""`meterlake demo` (the README's main command) ends with the dashboard served on its fleet."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from cli_process import free_port
from sample_site import Dashboard

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.slow]


def _wait_for_line(process: subprocess.Popen[str], text: str, seconds: float) -> str:
    deadline = time.monotonic() + seconds
    assert process.stdout is not None
    seen = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        seen.append(line)
        if text in line:
            return line
    raise AssertionError(f"{text!r} never printed: {''.join(seen)}")


def _wait_for_health(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310 (loopback only)
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_demo_ends_with_the_dashboard_on_the_sample_fleet(tmp_path: Path, chromium: Any):
    port = free_port()
    demo = subprocess.Popen(
        [sys.executable, "-c", "from meterlake.cli import run; run()", "demo", "--meters", "4",
         "--days", "45", "--port", str(port)],
        cwd=tmp_path,
        env={**os.environ, "MLK_PROGRESS": "false", "MLK_THREADS": "1", "COLUMNS": "200"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    try:
        line = _wait_for_line(demo, "Dashboard on", 240)
        assert f"http://127.0.0.1:{port}/" in line
        _wait_for_health(f"http://127.0.0.1:{port}/health", 30)
        context = chromium.new_context()
        board = Dashboard(context.new_page(), f"http://127.0.0.1:{port}")
        board.page.on(
            "console", lambda m: board.problems.append(m.text) if m.type == "error" else None
        )
        board.open("/")
        assert board.tiles("fleet-tiles")["meters"] == "4"
        assert board.tiles("fleet-tiles")["span"] == "2013-01-01 to 2013-02-14"
        assert board.problems == []
        context.close()
    finally:
        demo.terminate()
        demo.wait(timeout=20)
        assert demo.stdout is not None
        demo.stdout.close()
