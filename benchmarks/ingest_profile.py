"""Where one ``meterlake ingest`` spends its time: every engine statement timed.

Usage: ``python benchmarks/ingest_profile.py FILE [--root LAKE]`` (default: a fresh temporary
lake, removed afterwards).

Runs the ingest in this process (the service's ingest: no VEE pass, as ``benchmarks/ingest.py``
measures it) and prints one
line per DuckDB statement of the engine (and one for each file's staging read), then the whole
ingest's wall time. The file is read once first so that the page cache is warm, as in the
side-by-side benchmark. Import time is not included: the statements start after it.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from meterlake.config import load_settings
from meterlake.engines import duckdb_engine
from meterlake.service import MeterLake

CHUNK = 1 << 24


def _timed(label: Callable[..., str], method: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        result = method(*args, **kwargs)
        print(f"{time.perf_counter() - began:7.2f} s  {label(*args, **kwargs)}", flush=True)
        return result

    return wrapper


def _statement(_engine: object, statement: str, *_: object) -> str:
    return " ".join(statement.split())[:100]


def _warm(path: Path) -> None:
    with path.open("rb") as handle:
        while handle.read(CHUNK):
            pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--root", type=Path, help="lake to ingest into (default: a fresh one)")
    args = parser.parse_args()
    engine = duckdb_engine.DuckDBEngine
    engine._run = _timed(_statement, engine._run)  # type: ignore[method-assign]
    engine.stage_file = _timed(  # type: ignore[method-assign]
        lambda _engine, source, *_: f"stage_file {source.path.name}", engine.stage_file
    )
    _warm(args.file)
    scratch = Path(tempfile.mkdtemp(prefix="meterlake-profile-"))
    root = args.root or scratch / "lake"
    try:
        lake = MeterLake(load_settings(root=root, progress=False))
        began = time.perf_counter()
        report = lake.ingest([args.file])
        print(f"{time.perf_counter() - began:7.2f} s  ingest total; steps: {report.timings}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
