"""A lake on object storage (``s3://bucket/prefix``, any S3-compatible store), published atomically.

Object stores have no rename, so the local lake's commit (a rename of every staged file) cannot
be repeated there. Instead, every publish is a *snapshot*:

1. each file that is new or changed since the current snapshot is uploaded under a key of its
   own: its Hive folder is kept (``business/daily/reading_type=INT/date_str=20130101/``) and the
   snapshot number is added to its name (``part-0.s000007.parquet``), so no object a reader may
   be reading is ever overwritten;
2. the snapshot's manifest (``_meterlake/snapshots/s000007.json``: logical path -> object key
   and content hash of every file of the lake) is written;
3. ``_meterlake/CURRENT`` is overwritten with the snapshot's name: a single PUT, which S3 makes
   visible whole or not at all.

A reader reads ``CURRENT``, then that manifest, then exactly the objects it lists: it sees the
lake as of one publish, never a partition half-written or a run half-published. Objects of old
snapshots stay until ``vacuum`` removes those no recent snapshot lists. One writer publishes at
a time (the local lake's writer lock); readers need no lock.

DuckDB cannot load its ``httpfs`` extension offline, so reads go through fsspec (``s3fs``),
registered with DuckDB as a filesystem; the same ``storage_options`` reach every call.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from meterlake.errors import LakeError, MissingExtraError
from meterlake.lake.catalog import VIEWS, view_over_files
from meterlake.lake.layout import TABLE_DIRS, LakeLayout

CURRENT = "_meterlake/CURRENT"
SNAPSHOTS = "_meterlake/snapshots"
#: Local files that are never published: transactions, scratch space (and lock files).
PRIVATE = ("_meterlake/txn/", "_meterlake/tmp/")


@dataclass(frozen=True)
class Snapshot:
    """One published state: its name and ``logical path -> (object key, sha256)``."""

    name: str
    files: dict[str, tuple[str, str]]


class ObjectStoreLake:
    """A published lake under ``url`` (``s3://bucket/prefix``)."""

    def __init__(self, url: str, storage_options: Mapping[str, Any] | None = None) -> None:
        """Bind to ``url``; ``storage_options`` go to s3fs (endpoint, credentials)."""
        if not url.startswith("s3://"):
            raise LakeError(f"object-store lakes are s3:// URLs, not {url!r}")
        try:
            import s3fs  # noqa: PLC0415 (optional extra)
        except ImportError as exc:
            raise MissingExtraError("s3", "a lake on object storage") from exc
        self.url = url.rstrip("/")
        self.prefix = self.url.removeprefix("s3://")
        self.fs = s3fs.S3FileSystem(**dict(storage_options or {}))

    def snapshot(self) -> Snapshot | None:
        """The current snapshot (``None`` before the first publish)."""
        self.fs.invalidate_cache()
        try:
            name = self.fs.cat_file(f"{self.prefix}/{CURRENT}").decode().strip()
        except FileNotFoundError:
            return None
        manifest = json.loads(self.fs.cat_file(f"{self.prefix}/{SNAPSHOTS}/{name}.json"))
        return Snapshot(name, {k: (v[0], v[1]) for k, v in manifest["files"].items()})

    def publish(self, local: LakeLayout) -> Snapshot:
        """Upload what changed in the local lake and make it the current snapshot at once."""
        current = self.snapshot()
        number = int(current.name.removeprefix("s")) + 1 if current else 1
        name = f"s{number:06d}"
        known = current.files if current else {}
        files: dict[str, tuple[str, str]] = {}
        for relative, path in _published_files(local):
            digest = _sha256(path)
            if relative in known and known[relative][1] == digest:
                files[relative] = known[relative]
                continue
            key = _versioned(relative, name)
            self.fs.put_file(str(path), f"{self.prefix}/{key}")
            files[relative] = (key, digest)
        manifest = json.dumps({"snapshot": name, "files": files}, indent=1, sort_keys=True)
        self.fs.pipe_file(f"{self.prefix}/{SNAPSHOTS}/{name}.json", manifest.encode())
        self.fs.pipe_file(f"{self.prefix}/{CURRENT}", name.encode())  # the atomic switch
        return Snapshot(name, files)

    def pull(self, local: LakeLayout) -> Snapshot | None:
        """Make the local lake equal to the current snapshot (for a writer on a new machine)."""
        current = self.snapshot()
        for relative, (key, digest) in (current.files if current else {}).items():
            target = local.root / relative
            if target.exists() and _sha256(target) == digest:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            self.fs.get_file(f"{self.prefix}/{key}", str(target))
        return current

    def table_urls(self, table: str, snapshot: Snapshot) -> list[str]:
        """URLs of the files of a catalog table in ``snapshot``."""
        folder, pattern, _ = VIEWS[table]
        root = TABLE_DIRS[folder] + "/"
        return sorted(
            f"s3://{self.prefix}/{key}"
            for relative, (key, _) in snapshot.files.items()
            if relative.startswith(root) and fnmatch(relative.removeprefix(root), pattern)
        )

    def sql(self, query: str) -> pa.Table:
        """Run ``query`` over the catalog's views of the current snapshot (one consistent read)."""
        current = self.snapshot()
        con = duckdb.connect()
        try:
            con.register_filesystem(self.fs)
            for table in VIEWS:
                files = self.table_urls(table, current) if current else []
                con.execute(view_over_files(table, files))
            result: pa.Table = con.sql(query).to_arrow_table()
        finally:
            con.close()
        return result

    def vacuum(self, keep: int = 2) -> int:
        """Delete objects that none of the last ``keep`` snapshots lists; returns how many."""
        names = sorted(p.rsplit("/", 1)[1].removesuffix(".json") for p in self._snapshot_files())
        kept: set[str] = set()
        for name in names[-keep:]:
            manifest = json.loads(self.fs.cat_file(f"{self.prefix}/{SNAPSHOTS}/{name}.json"))
            kept |= {key for key, _ in manifest["files"].values()}
        removed = 0
        for path in self.fs.find(self.prefix):
            relative = path.removeprefix(self.prefix + "/")
            if relative.startswith("_meterlake/") or relative in kept:
                continue
            self.fs.rm_file(path)
            removed += 1
        for name in names[:-keep]:
            self.fs.rm_file(f"{self.prefix}/{SNAPSHOTS}/{name}.json")
        return removed

    def _snapshot_files(self) -> list[str]:
        try:
            return [str(p) for p in self.fs.ls(f"{self.prefix}/{SNAPSHOTS}", detail=False)]
        except FileNotFoundError:
            return []


def _published_files(local: LakeLayout) -> Iterator[tuple[str, Path]]:
    for path in sorted(local.root.rglob("*")):
        relative = path.relative_to(local.root).as_posix()
        hidden = (
            relative.startswith(PRIVATE) or relative.endswith(".lock") or "/." in f"/{relative}"
        )
        if path.is_file() and not hidden:
            yield relative, path


def _versioned(relative: str, snapshot: str) -> str:
    stem, dot, suffix = relative.rpartition(".")
    return f"{stem}.{snapshot}.{suffix}" if dot and "/" not in suffix else f"{relative}.{snapshot}"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
