"""The dashboard's pages and the HTML shell each is served in."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from meterlake import __version__


@dataclass(frozen=True)
class Page:
    """One dashboard page: its URL path, title and script (``static/<script>.js``)."""

    path: str
    title: str
    script: str
    summary: str


PAGES = (
    Page("/", "Overview", "overview", "fleet size, data coverage, latest runs and data quality"),
    Page("/meters", "Meter explorer", "meters", "one meter's readings, consumption and cost"),
    Page("/anomalies", "Anomalies", "anomalies", "dips and spikes against the expected band"),
    Page("/forecast", "Forecast", "forecast", "the P10-P90 forecast band and weekly cost"),
    Page("/outages", "Outages", "outages", "outage events on a map and reliability indices"),
    Page("/weather", "Usage vs weather", "weather", "weekly cost against temperature, by year"),
    Page(
        "/quality",
        "Data quality",
        "quality",
        "completeness, VEE flags, estimates and meters that stopped reporting",
    ),
)

_SHELL = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - meterlake</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/app.css?v={version}">
<script src="/static/echarts.min.js?v={version}" defer></script>
<script src="/static/common.js?v={version}" defer></script>
<script src="/static/{script}.js?v={version}" defer></script>
</head>
<body data-page="{script}" data-ready="0">
<header>
<a class="brand" href="/">meterlake</a>
<nav>{nav}</nav>
<label class="cost">cost per kWh <input id="cost-per-kwh" type="number" min="0" step="0.01"
 value="0.11"></label>
<span id="signed-in" class="signed-in"></span>
<button id="sign-out" type="button" hidden>Sign out</button>
</header>
<main>
<h1>{title}</h1>
<p class="summary">{summary}</p>
<div id="error" class="error" hidden></div>
<div id="content"></div>
</main>
</body>
</html>
"""


def render(page: Page) -> str:
    """The page's HTML: navigation, the shared cost-per-kWh control and an empty content area."""
    nav = "".join(
        f'<a href="{p.path}"{" class=current" if p is page else ""}>{escape(p.title)}</a>'
        for p in PAGES
    )
    return _SHELL.format(
        title=escape(page.title),
        summary=escape(page.summary),
        script=page.script,
        nav=nav,
        version=__version__,
    )
