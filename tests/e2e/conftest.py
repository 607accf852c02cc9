"""One sample lake per session (a small generated fleet through ``meterlake run``), a real
``meterlake serve`` over it, and a headless Chromium: shared by the browser and notebook tests."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from cli_process import served
from sample_site import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SAMPLE_END,
    SAMPLE_METERS,
    SAMPLE_START,
    Dashboard,
    Server,
)

from meterlake.config import PipelineSettings, Settings
from meterlake.lake.keys import ROLES, add_key, keys_path
from meterlake.service import MeterLake
from meterlake.synth import FleetSpec


@pytest.fixture(scope="session")
def sample_lake(tmp_path_factory: pytest.TempPathFactory) -> MeterLake:
    """A lake holding a generated fleet after the whole pipeline (anomalies, forecasts, outages)."""
    root = tmp_path_factory.mktemp("sample") / "lake"
    lake = MeterLake(Settings(root=root, threads=1, progress=False))
    lake.generate(FleetSpec(meters=SAMPLE_METERS, start=SAMPLE_START, end=SAMPLE_END, seed=8))
    # One bad row, so that the data-quality panels have something to show.
    (lake.layout.landing / "late_delivery.csv").write_text(
        "LCLid,tstp,energy(kWh/hh)\nMAC000002,not a time,1\n"
    )
    params = PipelineSettings(
        data_start=SAMPLE_START,
        data_end=SAMPLE_END,
        training_samples=SAMPLE_METERS,
        meter_end=SAMPLE_METERS,
        batch_size=SAMPLE_METERS,
    )
    record = lake.run_pipeline(params)
    assert record["status"] == "succeeded", record
    return lake


@pytest.fixture(scope="session")
def sample_server(sample_lake: MeterLake) -> Iterator[Server]:
    """``meterlake serve`` in a subprocess over the sample lake, on a free loopback port."""
    with served(sample_lake.layout.root) as base:
        yield Server(base)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Headless Debian Chromium driven by Playwright."""
    if not CHROMIUM.exists():
        pytest.fail("the browser tests need Debian's chromium: apt-get install chromium")
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 (only the browser tests)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def dashboard(chromium: Any, sample_server: Server) -> Iterator[Dashboard]:
    """A fresh browser page; the test fails if the console shows an error."""
    yield from _dashboard(chromium, sample_server.base, lambda _: False)


@pytest.fixture(scope="session")
def lake_keys(sample_lake: MeterLake, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A copy of the sample lake with one key per role; the copy's root and the keys by role."""
    root = tmp_path_factory.mktemp("keyed") / "lake"
    shutil.copytree(sample_lake.layout.root, root)
    return root, {role: add_key(keys_path(root), f"{role}-key", role)[1] for role in ROLES}


@pytest.fixture(scope="session")
def keyed_server(lake_keys: Any) -> Iterator[Server]:
    """``meterlake serve`` over the keyed copy (edits there leave the sample lake alone)."""
    with served(lake_keys[0]) as base:
        yield Server(base, lake_keys[1]["admin"])


@pytest.fixture
def keyed_dashboard(chromium: Any, keyed_server: Server) -> Iterator[Dashboard]:
    """A fresh browser page on the keyed server; 401 and 403 answers are expected there."""
    yield from _dashboard(chromium, keyed_server.base, _refused)


def _refused(text: str) -> bool:
    return "status of 401" in text or "status of 403" in text


def _dashboard(chromium: Any, base: str, expected: Callable[[str], bool]) -> Iterator[Dashboard]:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    board = Dashboard(page, base)

    def console(message: Any) -> None:
        if message.type == "error" and not expected(message.text):
            board.problems.append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda error: board.problems.append(str(error)))
    page.on("requestfailed", lambda request: board.problems.append(f"failed: {request.url}"))
    yield board
    context.close()
    assert board.problems == [], board.problems
