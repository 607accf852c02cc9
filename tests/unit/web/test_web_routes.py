"""The dashboard's pages and assets through FastAPI's test client: served offline, no CDN."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from meterlake.api.app import create_app
from meterlake.config import Settings
from meterlake.web.pages import PAGES
from meterlake.web.routes import STATIC


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    root = tmp_path_factory.mktemp("web") / "lake"
    return TestClient(create_app(Settings(root=root, api_keys=["secret"])))


@pytest.mark.parametrize("page", PAGES, ids=[p.script for p in PAGES])
def test_every_page_is_served_without_a_key_and_links_every_other(client: TestClient, page):
    response = client.get(page.path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert f"<title>{page.title} - meterlake</title>" in html
    assert f'src="/static/{page.script}.js?v=' in html
    assert all(f'href="{other.path}"' in html for other in PAGES)
    assert 'value="0.11"' in html  # the default cost per kWh
    assert '<button id="sign-out" type="button" hidden>' in html
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert all(src.startswith("/static/") for src in scripts)  # nothing from the internet
    assert client.get(scripts[-1]).status_code == 200


def test_the_data_still_needs_the_key(client: TestClient):
    assert client.get("/v1/overview").status_code == 401
    assert client.get("/v1/overview", headers={"X-API-Key": "secret"}).status_code == 200


def test_echarts_ships_with_its_licence(client: TestClient):
    response = client.get("/static/echarts.min.js")
    assert response.status_code == 200
    assert "Apache" in response.text[:1000]
    assert "Apache License" in (STATIC / "ECHARTS-LICENSE").read_text()
    assert client.get("/static/nothing.js").status_code == 404


def test_page_scripts_fetch_only_this_server():
    for script in Path(STATIC).glob("*.js"):
        if script.name == "echarts.min.js":
            continue
        text = script.read_text()
        assert "http://" not in text
        assert "https://" not in text, script.name


def test_pages_are_left_out_of_the_openapi_document(client: TestClient):
    paths = client.get("/openapi.json", headers={"X-API-Key": "secret"}).json()["paths"]
    assert not any(page.path in paths for page in PAGES)
    assert "/v1/overview" in paths
