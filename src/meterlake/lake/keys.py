"""Named API keys with roles, stored hashed in ``_meterlake/keys.json``.

A key reads ``mlk_<key id>_<secret>``: the id finds the one record to check, so a request pays
one slow hash at most, and only the first time (``KeyRing`` remembers a verified key by a fast
keyed digest). The file holds the id, a per-key salt, the scrypt parameters and the hash, never
the key; it is written to a temporary file and renamed into place, readable by its owner only.
Revoking a key deletes its record; a server notices by the file's mtime, without a restart.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from meterlake.errors import InputError, NotFoundError

Role = Literal["reader", "editor", "admin"]
ROLES: tuple[Role, ...] = ("reader", "editor", "admin")
KEYS_FILE = Path("_meterlake") / "keys.json"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_KEY = re.compile(r"^mlk_([0-9a-f]{12})_([A-Za-z0-9_-]{20,100})$")
#: scrypt at n=2**14, r=8: about 16 MiB and tens of ms per check (the OWASP minimum).
SCRYPT = {"n": 2**14, "r": 8, "p": 1}


@dataclass(frozen=True)
class KeyRecord:
    """One stored key: who it is, what it may do, and how to check it."""

    name: str
    role: Role
    key_id: str
    salt: str
    hash: str
    created_at: str
    algorithm: str = "scrypt"
    n: int = SCRYPT["n"]
    r: int = SCRYPT["r"]
    p: int = SCRYPT["p"]


@dataclass(frozen=True)
class Principal:
    """Whoever a request was authenticated as (``local`` when no keys are configured)."""

    name: str
    role: Role


LOCAL = Principal("local", "admin")


def keys_path(root: Path) -> Path:
    """Where the lake at ``root`` keeps its keys."""
    return root / KEYS_FILE


def role_of(text: str) -> Role:
    """``text`` as a role, checked."""
    for role in ROLES:
        if text == role:
            return role
    raise InputError(f"role must be one of {', '.join(ROLES)}, not {text!r}")


def read_records(path: Path) -> list[KeyRecord]:
    """The records in ``path`` (none when the file does not exist)."""
    if not path.exists():
        return []
    stored = json.loads(path.read_text(encoding="utf-8"))
    return [KeyRecord(**entry) for entry in stored["keys"]]


def _write(path: Path, records: list[KeyRecord]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    body = json.dumps({"version": 1, "keys": [asdict(r) for r in records]}, indent=2)
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(body + "\n")
    temporary.replace(path)


def _hash(secret: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(secret.encode(), salt=salt, n=n, r=r, p=p, maxmem=64 * 2**20, dklen=32)


def add_key(path: Path, name: str, role: str) -> tuple[KeyRecord, str]:
    """Store a new key named ``name``; the record and the key, which is shown only now."""
    if not NAME.match(name):
        raise InputError(f"a key name is 1-64 letters, digits, '.', '_' or '-', not {name!r}")
    records = read_records(path)
    if any(r.name == name for r in records):
        raise InputError(f"a key named {name!r} exists: revoke it first, or choose another name")
    key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    salt = secrets.token_bytes(16)
    record = KeyRecord(
        name=name,
        role=role_of(role),
        key_id=key_id,
        salt=salt.hex(),
        hash=_hash(secret, salt, **SCRYPT).hex(),
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    _write(path, [*records, record])
    return record, f"mlk_{key_id}_{secret}"


def revoke_key(path: Path, name: str) -> KeyRecord:
    """Delete the key named ``name``; its record."""
    records = read_records(path)
    found = [r for r in records if r.name == name]
    if not found:
        raise NotFoundError(f"no key named {name!r}")
    _write(path, [r for r in records if r.name != name])
    return found[0]


def verify(records: list[KeyRecord], key: str) -> KeyRecord | None:
    """The record ``key`` belongs to, or ``None`` (one slow hash at most)."""
    parts = _KEY.match(key)
    if not parts:
        return None
    record = next((r for r in records if r.key_id == parts[1]), None)
    if record is None or record.algorithm != "scrypt":
        return None
    digest = _hash(parts[2], bytes.fromhex(record.salt), record.n, record.r, record.p)
    return record if hmac.compare_digest(digest.hex(), record.hash) else None


class KeyRing:
    """The keys a server accepts: the lake's named keys and the deprecated flat ``api_keys``.

    Reads the keys file again when its mtime or inode changes, and remembers verified keys by
    an HMAC of the key under a secret made at start: a request costs one ``stat`` and one HMAC.
    """

    def __init__(self, path: Path, legacy: tuple[str, ...] = ()) -> None:
        self.path = path
        self._pepper = secrets.token_bytes(32)
        self._legacy = {
            self._digest(key): Principal(f"api_keys[{i}]", "admin") for i, key in enumerate(legacy)
        }
        self._seen: tuple[int, int] | None = None
        self._records: list[KeyRecord] = []
        self._verified: dict[bytes, Principal] = {}

    def _digest(self, key: str) -> bytes:
        return hmac.digest(self._pepper, key.encode(), "sha256")

    def _refresh(self) -> None:
        try:
            stat = self.path.stat()
            # Each write renames a new file into place: a new inode even within one mtime tick.
            mtime: tuple[int, int] | None = (stat.st_mtime_ns, stat.st_ino)
        except FileNotFoundError:
            mtime = None
        if mtime != self._seen:
            self._records = read_records(self.path) if mtime is not None else []
            self._verified = {}
            self._seen = mtime

    @property
    def configured(self) -> bool:
        """Whether keys are on: a keys file exists (even with every key revoked) or ``api_keys``."""
        self._refresh()
        return self._seen is not None or bool(self._legacy)

    def principal(self, key: str) -> Principal | None:
        """Whom ``key`` authenticates, or ``None``."""
        self._refresh()
        digest = self._digest(key)
        known = self._legacy.get(digest) or self._verified.get(digest)
        if known:
            return known
        record = verify(self._records, key)
        if record is None:
            return None
        self._verified[digest] = Principal(record.name, role_of(record.role))
        return self._verified[digest]
