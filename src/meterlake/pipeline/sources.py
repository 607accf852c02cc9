"""Raw files as the engine reads them: compression by content, archives member by member.

Decompression streams to the run's scratch folder (never whole into memory); gzip is read by the
engine directly (it fails on a truncated stream).
"""

from __future__ import annotations

import bz2
import gzip
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO, cast

import zstandard

from meterlake.engines.base import RawSource
from meterlake.errors import RejectedFileError
from meterlake.lake.ledger import CHUNK, Readable, fingerprint, fingerprint_stream

HEAD_BYTES = 64 * 1024
MAGIC = {
    b"\x1f\x8b": "gzip",
    b"\x28\xb5\x2f\xfd": "zstd",
    b"BZh": "bz2",
    b"PK\x03\x04": "zip",
}


@dataclass(frozen=True)
class Source:
    """One readable stream of a landing file (a zip archive gives one per member)."""

    shown: str
    raw: RawSource
    head: bytes
    sha: str
    size: int


def compression_of(path: Path) -> str:
    """``none``, ``gzip``, ``zstd``, ``bz2`` or ``zip`` from the file's first bytes."""
    with path.open("rb") as handle:
        start = handle.read(4)
    return next((kind for magic, kind in MAGIC.items() if start.startswith(magic)), "none")


def open_sources(path: Path, shown: str, scratch: Path) -> Iterator[Source]:
    """The readable streams of ``path``; archives that cannot be read are rejected whole."""
    kind = compression_of(path)
    try:
        if kind == "zip":
            yield from _zip_members(path, shown, scratch)
        elif kind == "bz2":
            with bz2.open(path, "rb") as stream:
                yield _unpacked(stream, shown, scratch / f"{_safe(shown)}.csv")
        elif kind == "zstd":
            with path.open("rb") as packed:
                yield _unpacked(_ZstdStream(packed), shown, scratch / f"{_safe(shown)}.csv")
        else:
            printed = fingerprint(path)
            head = _head(path, kind)
            yield Source(shown, RawSource(path, kind), head, printed.sha, printed.size)
    except (OSError, EOFError, zipfile.BadZipFile, zstandard.ZstdError) as exc:
        raise RejectedFileError(path, f"unreadable {kind} data: {exc}") from exc


def _zip_members(path: Path, shown: str, scratch: Path) -> Iterator[Source]:
    with zipfile.ZipFile(path) as archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if not members:
            raise RejectedFileError(path, "zip archive without files")
        for member in members:
            with archive.open(member) as stream:
                name = f"{shown}:{member.filename}"
                yield _unpacked(stream, name, scratch / f"{_safe(name)}.csv")


def _unpacked(stream: Readable, shown: str, target: Path) -> Source:
    """Copy a decompressing stream to ``target`` in chunks, hashing what it writes."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as out:
        printed = fingerprint_stream(stream, copy_to=out)
    with target.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    return Source(shown, RawSource(target, "none"), head, printed.sha, printed.size)


def _head(path: Path, kind: str) -> bytes:
    if kind == "gzip":
        with gzip.open(path, "rb") as stream:
            return stream.read(HEAD_BYTES)
    with path.open("rb") as handle:
        return handle.read(HEAD_BYTES)


class _ZstdStream:
    """A zstd decompressing reader that fails on a truncated frame.

    The library's own stream reader returns what it has and stops, which would load half a file.
    """

    def __init__(self, packed: IO[bytes]) -> None:
        self.packed = packed
        self.inflate = zstandard.ZstdDecompressor().decompressobj()

    def read(self, size: int = CHUNK, /) -> bytes:
        while chunk := self.packed.read(size):
            if self.inflate.eof:  # the next frame of a multi-frame file
                chunk = self.inflate.unused_data + chunk
                self.inflate = zstandard.ZstdDecompressor().decompressobj()
            if out := self.inflate.decompress(chunk):
                return out
        if not self.inflate.eof:
            raise EOFError("truncated zstd stream")
        return b""


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)[-120:]


def mixed_line_endings(raw: RawSource) -> bool:
    """Whether the start of a file ends its lines in more than one way (LF, CRLF, CR)."""
    try:
        with _binary(raw) as stream:
            head = stream.read(HEAD_BYTES)
    except (OSError, EOFError):  # the engine reports an unreadable stream
        return False
    return b"\r" in head and head.count(b"\r\n") != head.count(b"\n")


def unify_line_endings(raw: RawSource, target: Path) -> RawSource | None:
    """A copy of ``raw`` whose lines all end in LF, or ``None`` when it has no CR to change.

    Exports that mix LF and CRLF (files appended to on two systems) stop DuckDB's CSV parser;
    CRLF and a lone CR both become LF, so lines keep the numbers the rescan gives them. A file
    that cannot be read again (a truncated gzip stream) is ``None`` too: its first error stands.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        seen = _copy_with_lf(raw, target)
    except (OSError, EOFError):
        seen = False
    if not seen:
        target.unlink(missing_ok=True)
        return None
    return RawSource(target)


def _copy_with_lf(raw: RawSource, target: Path) -> bool:
    """Copy ``raw`` to ``target`` with LF line ends; whether it had any CR."""
    seen = False
    with _binary(raw) as stream, target.open("wb") as out:
        carry = b""
        while chunk := stream.read(CHUNK):
            chunk, carry = carry + chunk, b""
            if chunk.endswith(b"\r"):  # its LF may start the next chunk
                chunk, carry = chunk[:-1], b"\r"
            seen = seen or b"\r" in chunk
            out.write(chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n"))
        if carry:
            out.write(b"\n")
    return seen or bool(carry)


def _binary(raw: RawSource) -> BinaryIO:
    """The decompressed bytes of a file the engine reads (plain or gzip)."""
    if raw.compression == "gzip":
        return cast("BinaryIO", gzip.open(raw.path, "rb"))
    return raw.path.open("rb")
