"""``meterlake keys`` as an operator runs it: the key printed once, only its hash kept."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from cli_process import run_cli, served

from meterlake.lake.keys import keys_path

pytestmark = pytest.mark.integration


def test_add_list_and_revoke_keep_the_key_out_of_every_file_and_log(tmp_path: Path):
    added = run_cli(tmp_path, "keys", "add", "billing-etl", "--role", "editor")
    assert added.returncode == 0, added.stderr
    key = added.stdout.strip()
    assert key.startswith("mlk_")
    assert "shown only now" in added.stderr
    assert key not in added.stderr
    stored = keys_path(tmp_path).read_text()
    assert key not in stored
    assert json.loads(stored)["keys"][0]["role"] == "editor"
    assert not (tmp_path / "meterlake.toml").exists()

    listed = run_cli(tmp_path, "keys", "list", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    [row] = json.loads(listed.stdout)
    assert (row["name"], row["role"]) == ("billing-etl", "editor")
    assert key not in listed.stdout

    again = run_cli(tmp_path, "keys", "add", "billing-etl")
    assert again.returncode != 0
    assert "exists" in again.stderr
    revoked = run_cli(tmp_path, "keys", "revoke", "billing-etl")
    assert revoked.returncode == 0, revoked.stderr
    assert json.loads(run_cli(tmp_path, "keys", "list", "--format", "json").stdout) == []
    assert run_cli(tmp_path, "keys", "revoke", "billing-etl").returncode != 0


def test_a_served_key_never_reaches_the_server_log(tmp_path: Path):
    added = run_cli(tmp_path, "keys", "add", "ops", "--role", "reader")
    key = added.stdout.strip()
    (tmp_path / "meterlake.toml").write_text('api_keys = ["old-flat-key"]\n')
    log = tmp_path / "server.log"
    with log.open("w") as sink, served(tmp_path, stderr=sink) as base:
        for offered in (key, key[:-3] + "xyz", "old-flat-key"):
            request = urllib.request.Request(f"{base}/v1/me", headers={"X-API-Key": offered})  # noqa: S310
            try:
                urllib.request.urlopen(request, timeout=10).close()  # noqa: S310
            except urllib.error.HTTPError as refused:
                assert refused.code == 401
    text = log.read_text()
    assert "api_keys is deprecated" in text
    assert key not in text
    assert key.split("_")[2] not in text
    assert "old-flat-key" not in text
