"""Serving the pages and the static assets (scripts, styles, the bundled ECharts)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from meterlake.web.pages import PAGES, Page, render

STATIC = Path(__file__).parent / "static"


def mount(app: FastAPI) -> None:
    """Add every page (``/``, ``/meters``...) and ``/static`` to ``app``; pages need no key."""
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for page in PAGES:
        app.add_api_route(
            page.path,
            _handler(page),
            methods=["GET"],
            response_class=HTMLResponse,
            include_in_schema=False,
            name=f"page_{page.script}",
        )


def _handler(page: Page) -> Callable[[], Awaitable[HTMLResponse]]:
    html = render(page)

    async def serve_page() -> HTMLResponse:
        return HTMLResponse(html, headers={"Cache-Control": "no-cache"})

    serve_page.__doc__ = f"The {page.title} page."
    return serve_page
