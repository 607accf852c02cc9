"""Dashboard page-load benchmark: first contentful paint and time until each page drew its data.

Usage: ``python benchmarks/page_load.py [--root demo-lake] [--rounds 2]``. Serves the lake with
``meterlake serve`` on a free port, opens every page in a fresh headless Chromium context (Debian's
``/usr/bin/chromium`` through Playwright) and prints, per page and round, the first contentful
paint and ``document.body.dataset.readyAt`` (milliseconds from navigation until the page's first
complete render with its data). The lake must hold a fleet after ``meterlake run`` (``make demo``
makes one); pages that name a meter use the one with the most days.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait(url: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310 (loopback only)
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _busiest_meter(base: str) -> str:
    with urllib.request.urlopen(f"{base}/v1/meters?limit=1000", timeout=30) as response:  # noqa: S310
        items = json.loads(response.read())["items"]
    return str(max(items, key=lambda m: m["days"])["meter_id"])


def measure(base: str, rounds: int) -> None:
    """Print first contentful paint and data-drawn times of every page, ``rounds`` times."""
    meter = _busiest_meter(base)
    paths = ["/", "/meters", f"/anomalies?meter={meter}", f"/forecast?meter={meter}", "/outages"]
    paths.append(f"/weather?meter={meter}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=ARGS
        )
        for round_ in range(1, rounds + 1):
            for path in paths:
                context = browser.new_context()
                page = context.new_page()
                page.goto(f"{base}{path}")
                page.wait_for_function("document.body.dataset.ready === '1'", timeout=30_000)
                paint = page.evaluate(
                    "performance.getEntriesByName('first-contentful-paint')[0].startTime"
                )
                drawn = page.evaluate("document.body.dataset.readyAt")
                print(f"round {round_} {path:<32} paint {paint:6.0f} ms   data drawn {drawn:>5} ms")
                context.close()
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--root", type=Path, default=Path("demo-lake"))
    parser.add_argument("--rounds", type=int, default=2)
    options = parser.parse_args()
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", "from meterlake.cli import run; run()", "serve", "--root",
         str(options.root), "--port", str(port)],
        env={**os.environ, "MLK_PROGRESS": "false"},
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        _wait(f"{base}/health")
        measure(base, options.rounds)
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
