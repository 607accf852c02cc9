"""No traceback in any CLI output: ``meterlake ingest`` over folders of generated hostile files.

Each example is one subprocess over a folder holding a file of every reader (delimited, JSON
lines, Parquet, ORC, Avro, compressed) and one of random bytes, so that a few examples cover
every reader; the exit code must be 0 (bad rows and bad files are data, not errors).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hostile import (
    TEXT_FORMATS,
    Landing,
    compressed,
    json_files,
    mrasco_files,
    scaled,
    text_files,
    typed_files,
)
from hypothesis import given, settings
from hypothesis import strategies as st

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CLI = [sys.executable, "-c", "from meterlake.cli import run; run()"]


@st.composite
def landing_folders(draw: st.DrawFn) -> list[Landing]:
    """One hostile file per reader (MRASCo too), one compressed, one of random bytes."""
    files = [draw(text_files(name, f"F{n}")) for n, name in enumerate(sorted(TEXT_FORMATS))]
    files += [draw(json_files("J")), *(draw(typed_files(k, k)) for k in ("parquet", "orc", "avro"))]
    kind = draw(st.sampled_from(["gz", "bz2", "zst", "zip"]))
    files.append(compressed(draw(text_files("london", "Z")), kind))
    files.append(draw(mrasco_files()))
    files.append(Landing("noise.bin", draw(st.binary(max_size=200)), frozenset()))
    return files


@settings(max_examples=scaled(8))
@given(files=landing_folders())
def test_ingest_prints_no_traceback_and_exits_0(files: list[Landing]):
    with tempfile.TemporaryDirectory() as folder:
        landing = Path(folder) / "landing"
        landing.mkdir()
        for number, file in enumerate(files):
            (landing / f"{number}-{file.name}").write_bytes(file.content)
        env = {**os.environ, "MLK_PROGRESS": "false", "COLUMNS": "200"}
        env.pop("MLK_ROOT", None)
        done = subprocess.run(
            [*CLI, "ingest", "--root", folder], capture_output=True, text=True, env=env,
            timeout=300, check=False, cwd=folder,
        )  # fmt: skip
    output = done.stdout + done.stderr
    assert "Traceback" not in output, output[-3000:]
    assert done.returncode == 0, output[-3000:]
