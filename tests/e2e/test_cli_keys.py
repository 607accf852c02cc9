"""``meterlake keys`` as an operator runs it: the key printed once, only its hash kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_process import run_cli

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
