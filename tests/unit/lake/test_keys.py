"""Named API keys: stored hashed with a per-key salt, found by id, revoked without a restart."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from meterlake.errors import InputError, NotFoundError
from meterlake.lake.keys import KeyRing, add_key, keys_path, read_records, revoke_key, verify


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return keys_path(tmp_path)


def test_a_key_is_shown_once_and_stored_only_as_a_salted_hash(path: Path):
    record, key = add_key(path, "billing", "editor")
    other, second = add_key(path, "ops", "editor")
    text = path.read_text()
    assert key.startswith(f"mlk_{record.key_id}_")
    assert key not in text
    assert key.split("_")[2] not in text
    assert record.salt != other.salt
    stored = json.loads(text)["keys"][0]
    assert (stored["name"], stored["role"], stored["algorithm"]) == ("billing", "editor", "scrypt")
    assert {"n", "r", "p", "created_at"} <= stored.keys()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert verify(read_records(path), key) == record
    assert verify(read_records(path), second) == other
    assert verify(read_records(path), key[:-1] + ("A" if key[-1] != "A" else "B")) is None
    assert verify(read_records(path), "s3cret") is None
    assert not list(path.parent.glob("*.tmp"))


def test_names_and_roles_are_checked(path: Path):
    add_key(path, "billing", "reader")
    with pytest.raises(InputError, match="exists"):
        add_key(path, "billing", "reader")
    with pytest.raises(InputError, match="role must be one of"):
        add_key(path, "ops", "root")
    with pytest.raises(InputError, match="key name"):
        add_key(path, "no spaces", "reader")
    with pytest.raises(NotFoundError):
        revoke_key(path, "nobody")


def test_the_ring_sees_added_and_revoked_keys_without_a_restart(path: Path):
    ring = KeyRing(path)
    assert not ring.configured
    _, key = add_key(path, "billing", "reader")
    assert ring.configured
    principal = ring.principal(key)
    assert principal is not None
    assert (principal.name, principal.role) == ("billing", "reader")
    assert ring.principal(key) is principal  # remembered: no second slow hash
    revoke_key(path, "billing")
    assert ring.principal(key) is None
    assert ring.configured  # revoking the last key does not open the API


def test_flat_api_keys_are_unnamed_admin_keys(path: Path):
    ring = KeyRing(path, ("s3cret",))
    assert ring.configured
    principal = ring.principal("s3cret")
    assert principal is not None
    assert (principal.name, principal.role) == ("api_keys[0]", "admin")
    assert ring.principal("guess") is None
