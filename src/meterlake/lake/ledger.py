"""The ledger of ingested files by content hash (the reference's job bookmarks, made exact)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO, Literal, Protocol

import xxhash

from meterlake.errors import LakeError

CHUNK = 8 * 1024 * 1024
Status = Literal["ingested", "rejected"]


@dataclass(frozen=True)
class FileFingerprint:
    """Content hash and size of a raw file."""

    sha: str
    size: int


@dataclass(frozen=True)
class LedgerEntry:
    """One raw file the lake has seen."""

    sha: str
    file: str
    size: int
    status: Status
    run_id: str
    reader: str
    rows_read: int = 0
    rows_clean: int = 0
    duplicates: int = 0
    quarantined: int = 0
    null_values: int = 0
    reason: str = ""


class Readable(Protocol):
    """Anything with ``read(size) -> bytes`` (files, decompressing streams)."""

    def read(self, size: int = ..., /) -> bytes: ...


def fingerprint(path: Path) -> FileFingerprint:
    """Hash ``path`` (xxh3-128, several GB/s) in one streaming pass with bounded memory."""
    with path.open("rb") as handle:
        return fingerprint_stream(handle)


def fingerprint_stream(stream: Readable, copy_to: BinaryIO | None = None) -> FileFingerprint:
    """Hash a stream chunk by chunk, optionally writing every chunk to ``copy_to`` as well."""
    digest = xxhash.xxh3_128()
    size = 0
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        if copy_to is not None:
            copy_to.write(chunk)
    return FileFingerprint(digest.hexdigest(), size)


class Ledger:
    """Entries by hash, persisted as one JSON document."""

    def __init__(self, entries: dict[str, LedgerEntry]) -> None:
        """Wrap loaded entries."""
        self.entries = entries

    @classmethod
    def load(cls, path: Path) -> Ledger:
        """Read the ledger, empty when the lake is new."""
        if not path.exists():
            return cls({})
        try:
            rows = json.loads(path.read_text())
            return cls({row["sha"]: LedgerEntry(**row) for row in rows})
        except (ValueError, TypeError, KeyError) as exc:
            raise LakeError(f"{path}: unreadable ledger ({exc})") from exc

    def ingested(self, sha: str) -> LedgerEntry | None:
        """The entry of an already ingested file with this content."""
        entry = self.entries.get(sha)
        return entry if entry is not None and entry.status == "ingested" else None

    def add(self, entry: LedgerEntry) -> None:
        """Record a file (a later rejection of the same content is replaced by success)."""
        self.entries[entry.sha] = entry

    def to_json(self) -> list[dict[str, object]]:
        """Serialisable rows in a stable order."""
        return [asdict(e) for e in sorted(self.entries.values(), key=lambda e: (e.run_id, e.file))]
