"""Line ends and stray quotes before the engine reads a file (pipeline.sources, staging)."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest

from meterlake.engines.base import RawSource
from meterlake.pipeline.reconcile import records
from meterlake.pipeline.sources import mixed_line_endings, unify_line_endings
from meterlake.pipeline.staging import UNBALANCED, _without_unbalanced_lines, ends_inside_quotes


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


def test_lines_that_end_inside_quotes_are_blanked_and_reported(tmp_path: Path):
    path = tmp_path / "f.csv"
    path.write_text('h\n"a,b\nc,"d"\ne"\nf,0",x,"\n')
    balanced, unread = _without_unbalanced_lines(RawSource(path), ",", tmp_path / "q.csv")
    assert balanced.path.read_text() == 'h\n\nc,"d"\ne"\n\n'  # e" is a plain field
    assert [(r.line, r.raw, r.reason) for r in unread] == [
        (2, '"a,b', UNBALANCED),
        (5, 'f,0",x,"', UNBALANCED),
    ]


def test_records_are_numbered_like_duckdb_numbers_its_rejects():
    text = 'a,b\n1,"x\ny"\n\n2,z\n'
    numbered = [(n, fields) for n, _, fields in records(io.StringIO(text, newline=""), ",")]
    assert numbered == [(1, ["a", "b"]), (2, ["1", "x\ny"]), (3, []), (4, ["2", "z"])]


@pytest.mark.parametrize(
    ("line", "inside"),
    [
        ("a|b|c", False),
        ('"a"|"b"|"c"', False),
        ('a|0"|b', False),  # a quote inside a plain field is a plain character
        ('a|0"|x|"|y', True),  # an even count, but the last quote opens a field (property test)
        ('a|"b|c', True),
        ('a|"b""c"|d', False),  # a doubled quote inside a quoted field
        ('a|"b""|c', True),
        ('"', True),
        ('a|""|b', False),
    ],
)
def test_a_line_ends_inside_quotes_as_a_csv_reader_reads_it(line: str, inside: bool):
    assert ends_inside_quotes(line, "|") is inside
