"""Engines side by side: the same ingest of one generated fleet on DuckDB and on Spark.

Usage: ``python benchmarks/engines.py [--meters 557] [--days 830] [--files 8] [--seed 1]
[--workdir DIR] [--spark-master local[*]] [--spark-memory 6g] [--json OUT]``.

The default fleet is 1/10 of the LCL data set (5,567 meters x about 830 days): 557 meters x 830
days of half-hourly readings in the LCL layout, split over ``--files`` files (LCL ships in
blocks). Each engine ingests the same files into a fresh lake with ``meterlake ingest`` in its
own subprocess, timed from spawn to exit, so each side pays its start-up (Spark: the JVM and the
session). Both lakes are then compared table by table (row counts and consumption totals) so
that the two timings measure the same work.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb

from meterlake.synth import FleetSpec, generate_fleet

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
START = date(2012, 1, 1)
TABLES = {
    "daily": "business/daily/*/*/*.parquet",
    "aggregated_daily": "business/aggregated/daily/*/*.parquet",
    "aggregated_weekly": "business/aggregated/weekly/*/*/*.parquet",
    "aggregated_monthly": "business/aggregated/monthly/*/*/*.parquet",
}


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meters", type=int, default=557, help="households in the fleet")
    parser.add_argument("--days", type=int, default=830, help="days of readings from 2012-01-01")
    parser.add_argument("--files", type=int, default=8, help="readings files (LCL blocks)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed")
    parser.add_argument("--workdir", type=Path, default=REPO / "bench-data", help="data folder")
    parser.add_argument("--spark-master", default="local[*]", help="Spark master URL")
    parser.add_argument("--spark-memory", default="6g", help="spark.driver.memory (local mode)")
    parser.add_argument("--json", type=Path, default=None, help="also write the numbers here")
    return parser.parse_args(argv)


def _fleet(folder: Path, spec: FleetSpec) -> tuple[list[Path], int]:
    """Generated readings files and their rows (reused when the same fleet is already there)."""
    marker = folder / "marker.json"
    params = {"meters": spec.meters, "days": (spec.end - spec.start).days, "files": spec.files}
    if marker.is_file() and json.loads(marker.read_text())["params"] == params:
        stored = json.loads(marker.read_text())
        return [folder / name for name in stored["files"]], int(stored["rows"])
    shutil.rmtree(folder, ignore_errors=True)
    files = generate_fleet(spec, folder / "readings", folder / "reference", folder / "truth")
    names = [str(p.relative_to(folder)) for p in files.readings]
    marker.write_text(json.dumps({"params": params, "files": names, "rows": files.rows}))
    return list(files.readings), files.rows


def _ingest(engine: str, lake: Path, files: list[Path], env: dict[str, str]) -> float:
    shutil.rmtree(lake, ignore_errors=True)
    lake.mkdir(parents=True)
    argv = [str(BIN / "meterlake"), "ingest", *map(str, files), "--root", str(lake)]
    argv += ["--engine", engine]
    log = lake.parent / f"{lake.name}.log"
    began = time.perf_counter()
    with log.open("wb") as out:
        done = subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT, env=env, check=False)
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"{engine} ingest failed:\n{log.read_text(errors='replace')[-3000:]}")
    return seconds


def _summary(lake: Path) -> dict[str, tuple[int, float]]:
    """Rows and consumption total of each table (the check that both engines did the same work)."""
    con = duckdb.connect()
    found = {}
    for table, pattern in TABLES.items():
        column = "reading_value" if table == "daily" else "aggregated_consumption"
        rows, total = con.execute(
            f"SELECT count(*), sum({column}) FROM read_parquet('{lake / pattern}')"
        ).fetchone() or (0, 0.0)
        found[table] = (int(rows), round(float(total or 0.0), 3))
    return found


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Generate (or reuse) the fleet, ingest it with both engines, print and return the figures."""
    args = _arguments(argv)
    spec = FleetSpec(
        meters=args.meters,
        start=START,
        end=START + timedelta(days=args.days),
        seed=args.seed,
        files=args.files,
    )
    tag = f"engines-m{args.meters}-d{args.days}-f{args.files}-s{args.seed}"
    files, rows = _fleet(args.workdir / tag, spec)
    size = sum(p.stat().st_size for p in files)
    env = {**os.environ, "MLK_PROGRESS": "false", "MLK_SPARK_MASTER": args.spark_master}
    env["MLK_VEE__ON_INGEST"] = "false"  # both engines' ingest alone; VEE runs on DuckDB either way
    env["MLK_SPARK_CONF"] = json.dumps({"spark.driver.memory": args.spark_memory})
    seconds = {
        engine: _ingest(engine, args.workdir / f"{tag}-lake-{engine}", files, env)
        for engine in ("duckdb", "spark")
    }
    summaries = {e: _summary(args.workdir / f"{tag}-lake-{e}") for e in seconds}
    if summaries["duckdb"] != summaries["spark"]:
        raise SystemExit(f"the engines built different lakes: {summaries}")
    figures = {
        "meters": args.meters,
        "days": args.days,
        "files": len(files),
        "rows": rows,
        "csv_bytes": size,
        "seconds": {e: round(s, 2) for e, s in seconds.items()},
        "rows_per_second": {e: round(rows / s) for e, s in seconds.items()},
        "ratio_spark_to_duckdb": round(seconds["spark"] / seconds["duckdb"], 2),
        "tables": summaries["duckdb"],
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
        "spark_master": args.spark_master,
    }
    print(json.dumps(figures, indent=1))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n")
    return figures


if __name__ == "__main__":
    main()
