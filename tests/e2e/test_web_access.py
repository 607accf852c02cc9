"""The dashboard on a server with API keys, in Chromium: sign in, every page, roles, sign out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sample_site import Dashboard, Server

from meterlake.service import MeterLake
from meterlake.web.pages import PAGES

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def _wait_refused(board: Dashboard) -> None:
    board.page.wait_for_function("document.body.dataset.ready === 'error'", timeout=20_000)


def _sign_in(board: Dashboard, key: str) -> None:
    board.page.goto(f"{board.base}/")
    _wait_refused(board)
    board.page.fill("#api-key", key)
    board.page.click("#sign-in button")
    board.wait_ready()


def test_sign_in_every_page_shows_its_data_and_sign_out_forgets_the_key(
    keyed_dashboard: Dashboard, lake_keys: tuple[Path, dict[str, str]]
):
    page, key = keyed_dashboard.page, lake_keys[1]["reader"]
    page.goto(f"{keyed_dashboard.base}/")
    _wait_refused(keyed_dashboard)
    assert "an API key is required" in page.inner_text("#error")
    assert page.is_visible("#sign-in")
    assert not page.is_visible("#quality-empty")  # a failed call is not "no quarantined rows"
    assert "not loaded: /v1/" in page.inner_text("section.panel")

    _sign_in(keyed_dashboard, key)
    page.wait_for_function("document.getElementById('signed-in').textContent !== ''")
    assert page.inner_text("#signed-in") == "reader-key (reader)"
    assert keyed_dashboard.tiles("fleet-tiles")["meters"] == "12"
    for each in PAGES:
        keyed_dashboard.open(each.path)
        assert page.locator(".panel-error").count() == 0, each.path
        assert page.is_visible("#sign-out")
    stored = page.evaluate(
        "[JSON.stringify(localStorage), sessionStorage.getItem('meterlake.apiKey')]"
    )
    assert key not in stored[0]  # the tab keeps it, not the browser
    assert stored[1] == key

    page.click("#sign-out")
    _wait_refused(keyed_dashboard)
    assert page.is_visible("#sign-in")
    assert page.evaluate("sessionStorage.getItem('meterlake.apiKey')") is None


def _post_edit(page: Any, meter: str, moment: str) -> Any:
    return page.evaluate(
        """([meter, moment]) => ML.api(`/v1/meters/${meter}/edits`, null, { method: "POST",
              body: { reading_date_time: moment, action: "accept", reason: "checked on site",
                      user: "someone else" } })
            .then((edit) => ({ ok: edit }), (error) => ({ status: error.status,
              message: error.message }))""",
        [meter, moment],
    )


def test_a_reader_key_is_refused_an_edit_and_the_log_names_the_editor_key(
    keyed_dashboard: Dashboard,
    keyed_server: Server,
    lake_keys: tuple[Path, dict[str, str]],
    sample_lake: MeterLake,
):
    reading = sample_lake.sql(
        "SELECT meter_id, strftime(reading_date_time, '%Y-%m-%dT%H:%M:%S') AS moment FROM daily"
        " WHERE reading_type = 'INT' AND reading_value IS NOT NULL"
        " ORDER BY meter_id, reading_date_time LIMIT 1"
    ).to_pylist()[0]
    page = keyed_dashboard.page
    _sign_in(keyed_dashboard, lake_keys[1]["reader"])
    refused = _post_edit(page, reading["meter_id"], reading["moment"])
    assert refused["status"] == 403
    assert "needs the editor role" in refused["message"]
    page.evaluate(
        """([meter, moment]) => ML.refresh(() => ML.api(`/v1/meters/${meter}/edits`, null,
              { method: "POST", body: { reading_date_time: moment, action: "accept",
                                        reason: "r" } }))""",
        [reading["meter_id"], reading["moment"]],
    )
    _wait_refused(keyed_dashboard)
    assert "needs the editor role; key 'reader-key' is a reader" in page.inner_text("#error")

    page.click("#sign-out")
    _wait_refused(keyed_dashboard)
    page.fill("#api-key", lake_keys[1]["editor"])
    page.click("#sign-in button")
    keyed_dashboard.wait_ready()
    edited = _post_edit(page, reading["meter_id"], reading["moment"])
    assert edited["ok"]["user"] == "editor-key", edited
    logged = keyed_server.get("/v1/edits", meter_id=reading["meter_id"])[0]
    assert (logged["user"], logged["role"], logged["note"]) == (
        "editor-key",
        "editor",
        "someone else",
    )
