"""Line ends and stray quotes before the engine reads a file (pipeline.sources, staging)."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest

from meterlake.engines.base import RawSource
from meterlake.pipeline.reconcile import records
from meterlake.pipeline.sources import mixed_line_endings, unify_line_endings
from meterlake.pipeline.staging import UNBALANCED, _without_unbalanced_lines


@pytest.mark.parametrize(
    ("content", "mixed"),
    [(b"a\nb\n", False), (b"a\r\nb\r\n", False), (b"a\r\nb\n", True), (b"a\rb\n", True)],
)
def test_mixed_line_endings_are_seen_in_the_head(tmp_path: Path, content: bytes, mixed: bool):
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    assert mixed_line_endings(RawSource(path)) is mixed


@pytest.mark.parametrize("compression", ["none", "gzip"])
def test_unified_copies_end_every_line_in_lf(tmp_path: Path, compression: str):
    text = b"h\r\na\nb\r\nc\rd\r"
    path = tmp_path / "f.csv"
    path.write_bytes(gzip.compress(text) if compression == "gzip" else text)
    unified = unify_line_endings(RawSource(path, compression), tmp_path / "lf.csv")
    assert unified is not None
    assert unified.path.read_bytes() == b"h\na\nb\nc\nd\n"


def test_files_without_cr_are_not_copied(tmp_path: Path):
    path = tmp_path / "f.csv"
    path.write_bytes(b"a\nb\n")
    assert unify_line_endings(RawSource(path), tmp_path / "lf.csv") is None
    assert not (tmp_path / "lf.csv").exists()


def test_lines_with_an_odd_number_of_quotes_are_blanked_and_reported(tmp_path: Path):
    path = tmp_path / "f.csv"
    path.write_text('h\n"a,b\nc,"d"\ne"\n')
    balanced, unread = _without_unbalanced_lines(RawSource(path), tmp_path / "q.csv")
    assert balanced.path.read_text() == 'h\n\nc,"d"\n\n'
    assert [(r.line, r.raw, r.reason) for r in unread] == [
        (2, '"a,b', UNBALANCED),
        (4, 'e"', UNBALANCED),
    ]


def test_records_are_numbered_like_duckdb_numbers_its_rejects():
    text = 'a,b\n1,"x\ny"\n\n2,z\n'
    numbered = [(n, fields) for n, _, fields in records(io.StringIO(text, newline=""), ",")]
    assert numbered == [(1, ["a", "b"]), (2, ["1", "x\ny"]), (3, []), (4, ["2", "z"])]
