"""Every route against the role table: readers read, editors also edit, admins do anything.

The OpenAPI document is enumerated by method, so a write route added later is checked too.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from meterlake.api.app import create_app
from meterlake.api.auth import EDITOR_WRITES, READS, required_role
from meterlake.config import Settings
from meterlake.lake.keys import ROLES, add_key, keys_path, revoke_key


@pytest.fixture(scope="module")
def keyed(tmp_path_factory: pytest.TempPathFactory) -> tuple[TestClient, dict[str, str]]:
    root = tmp_path_factory.mktemp("roles") / "lake"
    keys = {role: add_key(keys_path(root), f"{role}-key", role)[1] for role in ROLES}
    return TestClient(create_app(Settings(root=root))), keys


def _operations(client: TestClient) -> list[tuple[str, str]]:
    spec = client.get("/openapi.json").json()
    return [(method.upper(), path) for path, ops in spec["paths"].items() for method in ops]


def test_the_role_table_gives_no_write_to_a_reader():
    assert required_role("GET", "/v1/overview") == "reader"
    assert required_role("POST", "/v1/meters/{meter_id}/edits") == "editor"
    assert required_role("POST", "/v1/anything-new") == "admin"
    assert required_role("DELETE", "/v1/meters/{meter_id}/edits") == "admin"
    assert all(method not in READS for method, _ in EDITOR_WRITES)


def test_every_operation_answers_each_role_as_the_table_says(
    keyed: tuple[TestClient, dict[str, str]],
):
    client, keys = keyed
    operations = _operations(client)
    assert ("POST", "/v1/meters/{meter_id}/edits") in operations
    for method, path in operations:
        url = re.sub(r"\{[^}]+\}", "MAC000002", path)
        for role, key in keys.items():
            response = client.request(method, url, headers={"X-API-Key": key}, json={})
            allowed = ROLES.index(role) >= ROLES.index(required_role(method, path))
            assert (response.status_code != 403) == allowed, (method, path, role, response.text)
            assert response.status_code != 401, (method, path, role)
            if not allowed:
                needed = required_role(method, path)
                assert f"needs the {needed} role" in response.json()["detail"]


def test_no_route_that_changes_data_is_reachable_with_a_reader_key(
    keyed: tuple[TestClient, dict[str, str]],
):
    client, keys = keyed
    writes = [(m, p) for m, p in _operations(client) if m not in READS]
    assert writes  # the edits route at least
    for method, path in writes:
        url = re.sub(r"\{[^}]+\}", "MAC000002", path)
        response = client.request(method, url, headers={"X-API-Key": keys["reader"]}, json={})
        assert response.status_code == 403, (method, path)
        assert response.headers["content-type"] == "application/problem+json"


def test_without_a_key_or_with_a_revoked_one_the_answer_is_401(
    keyed: tuple[TestClient, dict[str, str]],
):
    client, keys = keyed
    assert client.get("/v1/overview").status_code == 401
    bad = client.get("/v1/overview", headers={"X-API-Key": keys["reader"][:-2] + "xx"})
    assert (bad.status_code, bad.json()["detail"]) == (401, "the API key is not valid")
    assert client.get("/health").status_code == 200


def test_a_key_added_or_revoked_while_serving_counts_at_once(tmp_path: Path):
    root = tmp_path / "lake"
    path = keys_path(root)
    client = TestClient(create_app(Settings(root=root)))
    assert client.get("/v1/overview").status_code != 401  # no keys: local use
    _, key = add_key(path, "late", "reader")
    assert client.get("/v1/overview").status_code == 401
    assert client.get("/v1/overview", headers={"Authorization": f"Bearer {key}"}).status_code != 401
    revoke_key(path, "late")
    assert client.get("/v1/overview", headers={"X-API-Key": key}).status_code == 401


def test_me_names_the_key_and_its_role(keyed: tuple[TestClient, dict[str, str]]):
    client, keys = keyed
    me = client.get("/v1/me", headers={"X-API-Key": keys["editor"]}).json()
    assert me == {"name": "editor-key", "role": "editor"}


def test_without_keys_everyone_is_local(tmp_path: Path):
    client = TestClient(create_app(Settings(root=tmp_path / "lake")))
    assert client.get("/v1/me").json() == {"name": "local", "role": "admin"}
