"""Regressions of issue 20: hostile requests that reached a path, the engine or a bare 500.

Each answer must be a 400 problem (or the documented fallback) and carry no engine, file
system or Python error text.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from meterlake.api.app import create_app
from meterlake.config import Settings
from meterlake.errors import QueryError
from meterlake.service import MeterLake
from meterlake.synth import FleetSpec

FORECAST = "/forecast/MAC000002?data_start=2013-01-01&data_end=2013-02-01"
ERROR_TEXT = ("Conversion Error", "duckdb", "OSError", "Errno", "File name too long", "Traceback")


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile") / "lake"
    lake = MeterLake(Settings(root=root, threads=1, progress=False))
    lake.generate(FleetSpec(meters=3, start=date(2013, 1, 1), end=date(2013, 2, 1), seed=8))
    lake.ingest([lake.layout.landing, root / "reference"])
    lake.detect_outages(datetime(2013, 1, 1), datetime(2013, 2, 1))
    lake.close()
    return root


@pytest.fixture(scope="module")
def client(root: Path) -> TestClient:
    return TestClient(create_app(Settings(root=root)))


def _assert_clean_problem(response: Any, status: int = 400) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == status
    leaked = [text for text in ERROR_TEXT if text.lower() in response.text.lower()]
    assert not leaked, response.text


def test_a_model_name_too_long_for_a_file_is_a_400_not_a_path(client: TestClient):
    response = client.get(f"{FORECAST}&ml_endpoint_name={'m' * 300}")
    _assert_clean_problem(response)
    assert "ml_endpoint_name" in response.json()["detail"]


@pytest.mark.parametrize("name", ["../models", "..", "a/b", "model-x/../../x", "~root", " active"])
def test_model_names_outside_the_store_pattern_are_400s(client: TestClient, name: str):
    response = client.get(f"{FORECAST}&ml_endpoint_name={quote(name)}")
    _assert_clean_problem(response)
    assert "ml_endpoint_name" in response.json()["detail"]


@pytest.mark.parametrize(
    "url",
    [
        "/v1/meters?offset=99999999999999999999",
        "/v1/meters?offset=9223372036854775808",
        "/v1/outages?start=2013-01-01&end=2013-02-01&offset=99999999999999999999",
        "/v1/outages?start=2013-01-01&end=2013-02-01&offset=9223372036854775808",
    ],
)
def test_out_of_range_offsets_are_validation_errors_at_the_edge(client: TestClient, url: str):
    response = client.get(url)
    _assert_clean_problem(response)
    assert response.json()["title"] == "Bad request"  # the edge's, not the engine's "Bad query"
    assert "offset" in response.json()["detail"]


def test_the_largest_offset_allowed_answers_an_empty_page(client: TestClient):
    page = client.get("/v1/meters?offset=1000000000")
    assert page.status_code == 200
    assert page.json()["items"] == []


def test_an_unknown_model_name_is_served_by_the_active_model_and_said_so(client: TestClient):
    asked = client.get(f"{FORECAST}&ml_endpoint_name=ml-endpoint-weather-0731")
    plain = client.get(FORECAST)
    assert asked.status_code == 200
    assert asked.json() == plain.json()
    assert len(asked.json()["consumption"]) == 168
    assert asked.headers["x-meterlake-model"] == plain.headers["x-meterlake-model"]
    assert asked.headers["x-meterlake-model"] == "seasonal_naive"  # nothing trained here
    fallback = asked.headers["x-meterlake-model-fallback"]
    assert "ml-endpoint-weather-0731" in fallback
    assert "active model" in fallback
    assert "x-meterlake-model-fallback" not in plain.headers


def test_unknown_model_names_are_400s_when_the_setting_says_error(root: Path):
    strict = TestClient(create_app(Settings(root=root, unknown_model_name="error")))
    response = strict.get(f"{FORECAST}&ml_endpoint_name=ml-endpoint-weather-0731")
    _assert_clean_problem(response)
    assert "unknown model 'ml-endpoint-weather-0731'" in response.json()["detail"]
    assert strict.get(f"{FORECAST}&ml_endpoint_name=seasonal_naive").status_code == 200


def test_an_engine_error_is_a_problem_without_the_engines_message(
    root: Path, monkeypatch: pytest.MonkeyPatch
):
    def refuse(*_: object) -> None:
        raise QueryError("Conversion Error: Type INT128 with value 99999 can't be cast to BIGINT")

    monkeypatch.setattr(MeterLake, "meters", refuse)
    response = TestClient(create_app(Settings(root=root))).get("/v1/meters")
    _assert_clean_problem(response)
    assert "server log" in response.json()["detail"]


def test_an_unexpected_error_is_a_500_problem_without_its_message(
    root: Path, monkeypatch: pytest.MonkeyPatch
):
    def fail(*_: object) -> None:
        raise OSError(36, "File name too long", "/lake/models/" + "m" * 300)

    monkeypatch.setattr(MeterLake, "meters", fail)
    app = create_app(Settings(root=root))
    response = TestClient(app, raise_server_exceptions=False).get("/v1/meters")
    _assert_clean_problem(response, 500)
    assert response.json()["title"] == "Internal error"


def test_with_api_keys_every_operation_answers_401_problems(root: Path):
    keyed = TestClient(create_app(Settings(root=root, api_keys=["s3cret"])))
    spec = keyed.get("/openapi.json").json()
    for path, methods in spec["paths"].items():
        url = re.sub(r"\{[^}]+\}", "MAC000002", path)
        for method in methods:
            if path in ("/health", "/v1/health"):
                assert keyed.request(method, url).status_code == 200
                continue
            missing = keyed.request(method, url)
            _assert_clean_problem(missing, 401)
            assert missing.headers["www-authenticate"] == "Bearer"
            _assert_clean_problem(keyed.request(method, url, headers={"X-API-Key": "guess"}), 401)
            wrong = keyed.request(method, url, headers={"Authorization": "Bearer guess"})
            _assert_clean_problem(wrong, 401)


@pytest.mark.parametrize(
    "url",
    [
        "/v1/meters/MAC000002/readings?start=0001-01-01&end=2013-02-01",
        "/v1/meters/MAC000002/forecast?start=2013-01-01&end=0001-01-01",
        "/v1/meters/MAC000002/validated-readings?start=0001-01-01&end=2013-02-01",
        "/v1/meters/MAC000002/flags?start=0001-01-01&end=2013-02-01",
        "/forecast/MAC000002?data_start=2012-12-01&data_end=0001-01-01",
        "/v1/meters/MAC000002/readings?start=2013-01-01&end=9999-12-31T23:59:59",
        "/v1/quality/meters?start=0001-01-01&end=2013-02-01",
    ],
)
def test_times_at_the_ends_of_the_calendar_are_400s_not_overflows(client: TestClient, url: str):
    # Found by tests/e2e/test_api_fuzz.py: widening such a window by a day overflowed (a 500).
    response = client.get(url)
    _assert_clean_problem(response)
    assert "1900 to 2200" in response.json()["detail"]


def test_a_long_value_is_not_echoed_whole(client: TestClient):
    response = client.get(f"/v1/meters/MAC000002/readings?start={'9' * 300}&end=2013-02-01")
    _assert_clean_problem(response)
    assert len(response.json()["detail"]) < 200


@pytest.mark.parametrize(
    "url",
    [
        "/v1/meters?offset=%5B%5D&offset=0",
        "/v1/meters?limit=5&limit=10",
        f"{FORECAST}&data_end=2013-01-15",
        f"{FORECAST}&ml_endpoint_name=a&ml_endpoint_name=b",
    ],
)
def test_a_parameter_given_twice_is_a_400(client: TestClient, url: str):
    # Found by tests/e2e/test_api_fuzz.py: FastAPI silently took the last of the values.
    response = client.get(url)
    _assert_clean_problem(response)
    assert "give each parameter once" in response.json()["detail"]
