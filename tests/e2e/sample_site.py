"""What the browser and notebook tests share: the sample fleet's shape, the server and a page."""

from __future__ import annotations

import json
import os
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

#: Two calendar years (for the year pickers and year-over-year panels), 12 meters, 3 months.
SAMPLE_START, SAMPLE_END, SAMPLE_METERS = date(2012, 11, 1), date(2013, 2, 1), 12
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass(frozen=True)
class Server:
    """A running ``meterlake serve``: its base URL and a JSON getter (with ``key``, if any)."""

    base: str
    key: str | None = None

    def get(self, path: str, **params: object) -> Any:
        """GET ``path`` with query parameters; the decoded JSON body."""
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        headers = {"X-API-Key": self.key} if self.key else {}
        request = urllib.request.Request(f"{self.base}{path}{query}", headers=headers)  # noqa: S310
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return json.loads(response.read())


@dataclass
class Dashboard:
    """A browser page on the sample server that records console errors and failed requests."""

    page: Any
    base: str
    problems: list[str] = field(default_factory=list)

    def open(self, path: str) -> float:
        """Load a dashboard page and wait until it shows its data; seconds until then."""
        started = time.perf_counter()
        self.page.goto(f"{self.base}{path}")
        self.wait_ready()
        seconds = time.perf_counter() - started
        print(f"{path}: complete after {self.ready_ms()} ms ({seconds:.2f} s with the driver)")
        assert self.ready_ms() < 5_000  # < 1 s on a quiet machine (docs/web.md); CI is shared
        return seconds

    def screenshot(self, name: str) -> None:
        """Save the whole page as ``<name>.png`` in ``$MLK_SCREENSHOTS`` (when it is set)."""
        folder = os.environ.get("MLK_SCREENSHOTS")
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)

    def ready_ms(self) -> int:
        """Milliseconds from navigation to the page's first complete render."""
        return int(self.page.evaluate("document.body.dataset.readyAt"))

    def wait_ready(self) -> None:
        """Wait until the page's latest refresh finished (``data-ready``), failing on an error."""
        self.page.wait_for_function(
            "document.body.dataset.ready === '1' || document.body.dataset.ready === 'error'",
            timeout=20_000,
        )
        assert self.page.evaluate("document.body.dataset.ready") == "1", self.problems

    def series(self, chart_id: str) -> dict[str, list[Any]]:
        """The data of every series of an ECharts chart, by series name."""
        return dict(
            self.page.evaluate(
                """id => Object.fromEntries(echarts.getInstanceByDom(document.getElementById(id))
                    .getOption().series.map(s => [s.name, s.data]))""",
                chart_id,
            )
        )

    def categories(self, chart_id: str, axis: str = "xAxis") -> list[Any]:
        """The categories of a chart's first x (or y) axis."""
        return list(
            self.page.evaluate(
                f"""id => echarts.getInstanceByDom(document.getElementById(id))
                    .getOption().{axis}[0].data""",
                chart_id,
            )
        )

    def tiles(self, box_id: str) -> dict[str, str]:
        """The values of a tile box, by tile key."""
        return dict(
            self.page.evaluate(
                """id => Object.fromEntries([...document.querySelectorAll(`#${id} .tile`)]
                    .map(t => [t.dataset.key, t.querySelector('.value').textContent]))""",
                box_id,
            )
        )

    def table(self, table_id: str) -> list[list[str]]:
        """The body cells of a table, row by row."""
        return list(
            self.page.evaluate(
                """id => [...document.querySelectorAll(`#${id} tbody tr`)]
                    .map(r => [...r.cells].map(c => c.textContent))""",
                table_id,
            )
        )

    def choose(self, select_id: str, value: str) -> None:
        """Choose an option of a select and wait for the page to show it."""
        self.page.select_option(f"#{select_id}", value)
        self.wait_ready()
