"""Ingest benchmark: a plain DuckDB CSV-to-Parquet COPY against the full meterlake ingest.

Usage: ``python benchmarks/ingest.py --meters N --days D [--seed 1] [--repeat R] [--workdir DIR]
[--keep] [--json OUT]``.

Each measured command runs in its own fresh subprocess, reaped with ``os.wait4`` so its peak RSS
(``ru_maxrss``, the child and the descendants it waited for) is per process. Times are wall-clock
from spawn to exit, so both sides pay their interpreter start-up. With ``--repeat`` the runs
alternate plain, meterlake, append; the table shows median seconds and the highest peak RSS.
Generated CSVs are kept in the work directory and reused by later runs with the same parameters.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb

from meterlake.synth import FleetSpec, generate_fleet

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
START = date(2012, 1, 1)
CHUNK = 1 << 24
MEMORY_LIMIT = "3GB"

CSV_COLUMNS = (
    "{'LCLid': 'VARCHAR', 'stdorToU': 'VARCHAR', 'DateTime': 'TIMESTAMP', 'kwh': 'DOUBLE', "
    "'Acorn': 'VARCHAR', 'Acorn_grouped': 'VARCHAR'}"
)
CANONICAL = """
    LCLid AS meter_id, '' AS obis_code, DateTime AS reading_date_time, kwh AS reading_value,
    NULL::VARCHAR AS error_value, weekofyear(DateTime)::INT AS week_of_year,
    day(DateTime)::INT AS day_of_month, month(DateTime)::INT AS month,
    year(DateTime)::INT AS year, hour(DateTime)::INT AS hour, minute(DateTime)::INT AS minute,
    'INT' AS reading_type, strftime(DateTime, '%Y%m%d') AS date_str
"""
PLAIN_CHILD = (
    "import sys, duckdb\n"
    "con = duckdb.connect()\n"
    "con.execute(f\"SET memory_limit = '{sys.argv[1]}'\")\n"
    "con.execute(sys.argv[2])\n"
)


@dataclass(frozen=True)
class Fleet:
    """One generated readings CSV and how long generating it took."""

    csv: Path
    rows: int
    seconds: float
    reused: bool


@dataclass(frozen=True)
class Child:
    """Wall time and peak resident memory of one finished subprocess."""

    seconds: float
    peak_rss_mb: float


@dataclass(frozen=True)
class Runs:
    """Every repetition of the three measured commands, and the lake's business/daily rows."""

    plain: list[Child]
    meterlake: list[Child]
    append: list[Child]
    daily_rows: int


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meters", type=int, required=True, help="households in the fleet")
    parser.add_argument("--days", type=int, required=True, help="days of readings from 2012-01-01")
    parser.add_argument("--seed", type=int, default=1, help="generator seed")
    parser.add_argument("--repeat", type=int, default=1, help="alternating runs of each side")
    parser.add_argument("--workdir", type=Path, default=REPO / "bench-data", help="data folder")
    parser.add_argument("--keep", action="store_true", help="keep the lakes after the run")
    parser.add_argument("--json", type=Path, default=None, help="also write the numbers here")
    args = parser.parse_args(argv)
    for name in ("meters", "days", "repeat"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    return args


def _spec_params(spec: FleetSpec) -> dict[str, Any]:
    return {
        "meters": spec.meters,
        "start": spec.start.isoformat(),
        "end": spec.end.isoformat(),
        "seed": spec.seed,
        "layout": spec.layout,
        "files": spec.files,
    }


def cached_output(folder: Path, params: dict[str, Any]) -> tuple[Path, int, float] | None:
    """The file, row count and seconds an earlier run with the same ``params`` left here."""
    marker = folder / "marker.json"
    if not marker.is_file():
        return None
    stored = json.loads(marker.read_text())
    path = folder / stored.get("csv", "")
    if stored.get("params") != params or not path.is_file():
        return None
    return path, int(stored["rows"]), float(stored["seconds"])


def _cached(folder: Path, params: dict[str, Any]) -> Fleet | None:
    found = cached_output(folder, params)
    return Fleet(*found, reused=True) if found else None


def _fleet(folder: Path, spec: FleetSpec) -> Fleet:
    """Generate the fleet into ``folder``, or reuse what an earlier run left there."""
    params = _spec_params(spec)
    cached = _cached(folder, params)
    if cached is not None:
        return cached
    shutil.rmtree(folder, ignore_errors=True)
    began = time.perf_counter()
    files = generate_fleet(spec, folder / "readings", folder / "reference", folder / "truth")
    seconds = time.perf_counter() - began
    csv = files.readings[0]
    marker = {
        "params": params,
        "csv": str(csv.relative_to(folder)),
        "rows": files.rows,
        "seconds": seconds,
    }
    (folder / "marker.json").write_text(json.dumps(marker, indent=2) + "\n")
    return Fleet(csv, files.rows, seconds, reused=False)


def _fleets(workdir: Path, meters: int, days: int, seed: int) -> tuple[Fleet, Fleet]:
    """The benchmark fleet and the same meters' next day, for the append test."""
    end = START + timedelta(days=days)
    tag = f"m{meters}-d{days}-s{seed}"
    main = FleetSpec(meters=meters, start=START, end=end, seed=seed, files=1)
    next_day = FleetSpec(meters=meters, start=end, end=end + timedelta(days=1), seed=seed, files=1)
    return _fleet(workdir / f"fleet-{tag}", main), _fleet(workdir / f"nextday-{tag}", next_day)


def _warm(path: Path) -> None:
    """Read the file once so both sides start with it in the page cache."""
    with path.open("rb") as handle:
        while handle.read(CHUNK):
            pass


def _peak_mb(maxrss: int) -> float:
    """``ru_maxrss`` is in KiB on Linux and in bytes on macOS."""
    return maxrss / (1024 * 1024) if sys.platform == "darwin" else maxrss / 1024


def _run_child(argv: list[str], log: Path, env: dict[str, str] | None = None) -> Child:
    """Run ``argv`` with output to ``log``; exit the benchmark with the log tail if it fails."""
    with log.open("wb") as out:
        began = time.perf_counter()
        with subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env) as process:
            _, status, usage = os.wait4(process.pid, 0)
            seconds = time.perf_counter() - began
            process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        tail = log.read_text(errors="replace")[-3000:]
        raise SystemExit(f"{' '.join(argv[:2])} failed (exit {process.returncode}):\n{tail}")
    return Child(seconds, _peak_mb(usage.ru_maxrss))


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _plain_sql(csv: Path, out: Path) -> str:
    source = (
        f"read_csv({_literal(str(csv))}, header = true, columns = {CSV_COLUMNS}, "
        "nullstr = ['Null', ''])"
    )
    return (
        f"COPY (SELECT {CANONICAL} FROM {source}) TO {_literal(str(out))} "
        "(FORMAT parquet, COMPRESSION zstd, PARTITION_BY (reading_type, date_str))"
    )


def _plain(csv: Path, out: Path, logs: Path) -> Child:
    argv = [sys.executable, "-c", PLAIN_CHILD, MEMORY_LIMIT, _plain_sql(csv, out)]
    return _run_child(argv, logs / f"{out.name}.log")


def _meterlake(csv: Path, lake: Path, log: Path) -> Child:
    # The ingest as the foundation issue defines it (business zone and aggregates); the VEE pass
    # that `meterlake ingest` runs after it by default is measured by benchmarks/vee.py.
    env = {**os.environ, "MLK_PROGRESS": "false", "MLK_VEE__ON_INGEST": "false"}
    return _run_child([str(BIN / "meterlake"), "ingest", str(csv), "--root", str(lake)], log, env)


def _daily_rows(lake: Path) -> int:
    pattern = str(lake / "business" / "daily" / "*" / "*" / "*.parquet")
    with duckdb.connect() as con:
        row = con.execute(f"SELECT count(*) FROM read_parquet({_literal(pattern)})").fetchone()
    return int(row[0]) if row else 0


def _bench(fleet: Fleet, next_day: Fleet, lakes: Path, repeat: int) -> Runs:
    """Alternate plain, meterlake and the one-day append, each in a fresh subprocess."""
    logs = lakes / "logs"
    logs.mkdir(parents=True)
    plain: list[Child] = []
    full: list[Child] = []
    append: list[Child] = []
    daily_rows = 0
    for index in range(repeat):
        step = f"run {index + 1}/{repeat}:"
        print(f"{step} plain", flush=True)
        plain.append(_plain(fleet.csv, lakes / f"plain-{index}", logs))
        lake = lakes / f"lake-{index}"
        print(f"{step} meterlake", flush=True)
        full.append(_meterlake(fleet.csv, lake, logs / f"lake-{index}.log"))
        daily_rows = _daily_rows(lake)
        if daily_rows <= 0:
            raise SystemExit(f"{lake}/business/daily is empty after the ingest")
        print(f"{step} append one day", flush=True)
        append.append(_meterlake(next_day.csv, lake, logs / f"append-{index}.log"))
    return Runs(plain, full, append, daily_rows)


def _median(children: list[Child]) -> float:
    return statistics.median(child.seconds for child in children)


def _peak(children: list[Child]) -> float:
    return max(child.peak_rss_mb for child in children)


def _machine() -> dict[str, Any]:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {
        "cpus": os.cpu_count(),
        "ram_gb": round(memory / 1024**3, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
    }


def _side(children: list[Child], rows: int) -> dict[str, Any]:
    seconds = _median(children)
    return {
        "seconds": round(seconds, 3),
        "rows_per_s": round(rows / seconds),
        "peak_rss_mb": round(_peak(children), 1),
        "runs": [round(child.seconds, 3) for child in children],
    }


def _results(args: argparse.Namespace, fleet: Fleet, next_day: Fleet, runs: Runs) -> dict[str, Any]:
    plain, full = _side(runs.plain, fleet.rows), _side(runs.meterlake, fleet.rows)
    return {
        "scale": {
            "meters": args.meters,
            "days": args.days,
            "seed": args.seed,
            "rows": fleet.rows,
            "csv_gb": round(fleet.csv.stat().st_size / 1e9, 3),
        },
        "plain": plain,
        "meterlake": full,
        "ratio": round(full["seconds"] / plain["seconds"], 2),
        "append_one_day": {**_side(runs.append, next_day.rows), "rows": next_day.rows},
        "generation": {
            "seconds": round(fleet.seconds, 2),
            "rows_per_s": round(fleet.rows / fleet.seconds),
            "reused": fleet.reused,
        },
        "business_daily_rows": runs.daily_rows,
        "repeat": args.repeat,
        "machine": _machine(),
    }


def _table(result: dict[str, Any]) -> str:
    scale, plain, full = result["scale"], result["plain"], result["meterlake"]
    header = (
        "| meters | days | rows | CSV GB | plain s | plain rows/s | plain RSS MB "
        "| meterlake s | meterlake rows/s | meterlake RSS MB | ratio | append 1 day s "
        "| generation rows/s |"
    )
    cells = [
        scale["meters"], scale["days"], f"{scale['rows']:,}", f"{scale['csv_gb']:.3f}",
        f"{plain['seconds']:.2f}", f"{plain['rows_per_s']:,}", f"{plain['peak_rss_mb']:.0f}",
        f"{full['seconds']:.2f}", f"{full['rows_per_s']:,}", f"{full['peak_rss_mb']:.0f}",
        f"{result['ratio']:.2f}", f"{result['append_one_day']['seconds']:.2f}",
        f"{result['generation']['rows_per_s']:,}",
    ]  # fmt: skip
    return markdown_table(header, cells)


def markdown_table(header: str, cells: list[Any]) -> str:
    """A one-row markdown table under ``header``."""
    divider = "|" + "---|" * len(cells)
    return "\n".join([header, divider, "| " + " | ".join(str(cell) for cell in cells) + " |"])


def print_table_and_machine(table: str, machine: dict[str, Any]) -> None:
    """The result table and the machine it ran on."""
    print()
    print(table)
    print()
    print(
        f"machine: {machine['cpus']} CPUs, {machine['ram_gb']} GiB RAM, {machine['platform']}, "
        f"Python {machine['python']}, DuckDB {machine['duckdb']}"
    )


def _report(result: dict[str, Any]) -> None:
    print_table_and_machine(_table(result), result["machine"])
    cached = " (cached from an earlier run)" if result["generation"]["reused"] else ""
    print(f"generation: {result['generation']['seconds']} s{cached}")
    print(f"business/daily rows after the ingest: {result['business_daily_rows']:,}")
    print(f"median of {result['repeat']} run(s); RSS is the highest peak")


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    workdir: Path = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"generating or reusing {args.meters} meters x {args.days} days in {workdir}", flush=True)
    fleet, next_day = _fleets(workdir, args.meters, args.days, args.seed)
    _warm(fleet.csv)
    _warm(next_day.csv)
    lakes = Path(tempfile.mkdtemp(prefix="lakes-", dir=workdir))
    try:
        runs = _bench(fleet, next_day, lakes, args.repeat)
    finally:
        if not args.keep:
            shutil.rmtree(lakes, ignore_errors=True)
    result = _results(args, fleet, next_day, runs)
    _report(result)
    if args.keep:
        print(f"lakes kept in {lakes}")
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
