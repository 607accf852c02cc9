"""MDM ingest benchmark: a plain DuckDB COPY of a "default" MDM file against the meterlake ingest.

Usage: ``python benchmarks/ingest_mdm.py --meters N --days D [--seed 1] [--repeat R]
[--workdir DIR] [--keep] [--json OUT]``.

The LCL fleet of ``benchmarks/ingest.py`` (same generator, same cache) is converted once with
DuckDB into the reference's "default" MDM layout (reference spec section 2.2): ``;`` delimited,
a header, 16-digit ``yyyyMMddHH24mmss`` reading times with the literal "24", OBIS ``1.8.0``, an
empty error code and reading type ``INT``. The converted file is cached next to the LCL file.
Each measured command then runs in its own fresh subprocess, reaped with ``os.wait4`` for its
peak RSS; with ``--repeat`` the runs alternate plain and meterlake, and the table shows median
seconds and the highest peak RSS.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb

from meterlake.synth import FleetSpec

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ingest  # the sibling LCL benchmark; this folder is not a package

MDM_FORMAT = "mdm-default-v1"  # bump when the conversion below changes, to void the cache
HEADER = "meter_id;obis_code;reading_time;reading_value;error_code;reading_type"
TIME_FORMAT = "%Y%m%d%H24%M%S"
MDM_COLUMNS = (
    "{'meter_id': 'VARCHAR', 'obis_code': 'VARCHAR', 'reading_time': 'TIMESTAMP', "
    "'reading_value': 'DOUBLE', 'error_code': 'VARCHAR', 'reading_type': 'VARCHAR'}"
)
TO_MDM = f"""
    LCLid AS meter_id, '1.8.0' AS obis_code, strftime(DateTime, '{TIME_FORMAT}') AS reading_time,
    printf('%.3f', kwh) AS reading_value, NULL::VARCHAR AS error_code, 'INT' AS reading_type
"""
CANONICAL = """
    meter_id, obis_code, reading_time AS reading_date_time, reading_value,
    nullif(error_code, '') AS error_value, weekofyear(reading_time)::INT AS week_of_year,
    day(reading_time)::INT AS day_of_month, month(reading_time)::INT AS month,
    year(reading_time)::INT AS year, hour(reading_time)::INT AS hour,
    minute(reading_time)::INT AS minute, reading_type,
    strftime(reading_time, '%Y%m%d') AS date_str
"""


@dataclass(frozen=True)
class Mdm:
    """One converted MDM file and how long converting it took."""

    path: Path
    rows: int
    seconds: float
    reused: bool


@dataclass(frozen=True)
class Runs:
    """Every repetition of both measured commands, and what the last lake holds."""

    plain: list[ingest.Child]
    meterlake: list[ingest.Child]
    daily_rows: int
    reader: str


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meters", type=int, required=True, help="households in the fleet")
    parser.add_argument("--days", type=int, required=True, help="days of readings from 2012-01-01")
    parser.add_argument("--seed", type=int, default=1, help="generator seed")
    parser.add_argument("--repeat", type=int, default=1, help="alternating runs of each side")
    parser.add_argument("--workdir", type=Path, default=ingest.REPO / "bench-data", help="data")
    parser.add_argument("--keep", action="store_true", help="keep the lakes after the run")
    parser.add_argument("--json", type=Path, default=None, help="also write the numbers here")
    args = parser.parse_args(argv)
    for name in ("meters", "days", "repeat"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    return args


def _lcl_fleet(workdir: Path, meters: int, days: int, seed: int) -> ingest.Fleet:
    """The LCL fleet, in the same folder and cache as ``benchmarks/ingest.py`` uses."""
    end = ingest.START + timedelta(days=days)
    spec = FleetSpec(meters=meters, start=ingest.START, end=end, seed=seed, files=1)
    return ingest._fleet(workdir / f"fleet-m{meters}-d{days}-s{seed}", spec)


def _mdm_params(fleet: ingest.Fleet) -> dict[str, Any]:
    stat = fleet.csv.stat()
    return {
        "format": MDM_FORMAT,
        "lcl": fleet.csv.name,
        "lcl_bytes": stat.st_size,
        "lcl_mtime_ns": stat.st_mtime_ns,
    }


def _cached_mdm(folder: Path, params: dict[str, Any]) -> Mdm | None:
    found = ingest.cached_output(folder, params)
    return Mdm(*found, reused=True) if found else None


def _convert_sql(lcl: Path, out: Path) -> str:
    source = (
        f"read_csv({ingest._literal(str(lcl))}, header = true, columns = {ingest.CSV_COLUMNS}, "
        "nullstr = ['Null', ''])"
    )
    return (
        f"COPY (SELECT {TO_MDM} FROM {source}) TO {ingest._literal(str(out))} "
        "(FORMAT csv, DELIMITER ';', HEADER true)"
    )


def _convert(lcl: Path, out: Path) -> int:
    """Write the MDM file and return its data rows."""
    with duckdb.connect() as con:
        con.execute(f"SET memory_limit = '{ingest.MEMORY_LIMIT}'")
        row = con.execute(_convert_sql(lcl, out)).fetchone()
    with out.open() as handle:
        header = handle.readline().rstrip("\n")
    if header != HEADER:
        raise SystemExit(f"{out}: unexpected MDM header {header!r}")
    return int(row[0]) if row else 0


def _mdm(fleet: ingest.Fleet) -> Mdm:
    """Convert the LCL file into ``<fleet>/mdm``, or reuse what an earlier run left there."""
    folder = fleet.csv.parent.parent / "mdm"
    params = _mdm_params(fleet)
    cached = _cached_mdm(folder, params)
    if cached is not None:
        return cached
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    path = folder / "mdm-readings.csv"
    began = time.perf_counter()
    rows = _convert(fleet.csv, path)
    seconds = time.perf_counter() - began
    marker = {"params": params, "csv": path.name, "rows": rows, "seconds": seconds}
    (folder / "marker.json").write_text(json.dumps(marker, indent=2) + "\n")
    return Mdm(path, rows, seconds, reused=False)


def _plain_sql(mdm: Path, out: Path) -> str:
    source = (
        f"read_csv({ingest._literal(str(mdm))}, delim = ';', header = true, "
        f"columns = {MDM_COLUMNS}, timestampformat = '{TIME_FORMAT}')"
    )
    return (
        f"COPY (SELECT {CANONICAL} FROM {source}) TO {ingest._literal(str(out))} "
        "(FORMAT parquet, COMPRESSION zstd, PARTITION_BY (reading_type, date_str))"
    )


def _plain(mdm: Path, out: Path, logs: Path) -> ingest.Child:
    argv = [sys.executable, "-c", ingest.PLAIN_CHILD, ingest.MEMORY_LIMIT, _plain_sql(mdm, out)]
    return ingest._run_child(argv, logs / f"{out.name}.log")


def _reader(lake: Path) -> str:
    """The reader the newest run record names for its first file."""
    records = sorted((lake / "_meterlake" / "runs").glob("*.json"))
    if not records:
        raise SystemExit(f"{lake}: no run record under _meterlake/runs")
    files = json.loads(records[-1].read_text()).get("files") or [{}]
    return str(files[0].get("reader", ""))


def _check_lake(lake: Path) -> tuple[int, str]:
    daily_rows = ingest._daily_rows(lake)
    if daily_rows <= 0:
        raise SystemExit(f"{lake}/business/daily is empty after the ingest")
    reader = _reader(lake)
    if reader != "mdm":
        raise SystemExit(f"{lake}: the run record's reader is {reader!r}, not 'mdm'")
    return daily_rows, reader


def _bench(mdm: Mdm, lakes: Path, repeat: int) -> Runs:
    """Alternate plain and meterlake, each in a fresh subprocess."""
    logs = lakes / "logs"
    logs.mkdir(parents=True)
    plain: list[ingest.Child] = []
    full: list[ingest.Child] = []
    daily_rows, reader = 0, ""
    for index in range(repeat):
        step = f"run {index + 1}/{repeat}:"
        print(f"{step} plain", flush=True)
        plain.append(_plain(mdm.path, lakes / f"plain-{index}", logs))
        lake = lakes / f"lake-{index}"
        print(f"{step} meterlake", flush=True)
        full.append(ingest._meterlake(mdm.path, lake, logs / f"lake-{index}.log"))
        daily_rows, reader = _check_lake(lake)
    return Runs(plain, full, daily_rows, reader)


def _results(args: argparse.Namespace, fleet: ingest.Fleet, mdm: Mdm, runs: Runs) -> dict[str, Any]:
    plain, full = ingest._side(runs.plain, mdm.rows), ingest._side(runs.meterlake, mdm.rows)
    return {
        "scale": {
            "meters": args.meters,
            "days": args.days,
            "seed": args.seed,
            "rows": mdm.rows,
            "csv_gb": round(mdm.path.stat().st_size / 1e9, 3),
            "lcl_csv_gb": round(fleet.csv.stat().st_size / 1e9, 3),
        },
        "plain": plain,
        "meterlake": full,
        "ratio": round(full["seconds"] / plain["seconds"], 2),
        "conversion": {"seconds": round(mdm.seconds, 2), "reused": mdm.reused},
        "generation": {"seconds": round(fleet.seconds, 2), "reused": fleet.reused},
        "business_daily_rows": runs.daily_rows,
        "reader": runs.reader,
        "repeat": args.repeat,
        "machine": ingest._machine(),
    }


def _table(result: dict[str, Any]) -> str:
    scale, plain, full = result["scale"], result["plain"], result["meterlake"]
    header = (
        "| meters | days | rows | CSV GB | plain s | plain rows/s | plain RSS MB "
        "| meterlake s | meterlake rows/s | meterlake RSS MB | ratio |"
    )
    cells = [
        scale["meters"], scale["days"], f"{scale['rows']:,}", f"{scale['csv_gb']:.3f}",
        f"{plain['seconds']:.2f}", f"{plain['rows_per_s']:,}", f"{plain['peak_rss_mb']:.0f}",
        f"{full['seconds']:.2f}", f"{full['rows_per_s']:,}", f"{full['peak_rss_mb']:.0f}",
        f"{result['ratio']:.2f}",
    ]  # fmt: skip
    return ingest.markdown_table(header, cells)


def _report(result: dict[str, Any]) -> None:
    ingest.print_table_and_machine(_table(result), result["machine"])
    conversion = result["conversion"]
    cached = " (cached from an earlier run)" if conversion["reused"] else ""
    print(f"LCL to MDM conversion: {conversion['seconds']} s{cached}")
    print(
        f"business/daily rows after the ingest: {result['business_daily_rows']:,}; "
        f"reader: {result['reader']}"
    )
    print(f"median of {result['repeat']} run(s); RSS is the highest peak")


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    workdir: Path = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"generating or reusing {args.meters} meters x {args.days} days in {workdir}", flush=True)
    fleet = _lcl_fleet(workdir, args.meters, args.days, args.seed)
    mdm = _mdm(fleet)
    ingest._warm(mdm.path)
    lakes = Path(tempfile.mkdtemp(prefix="lakes-mdm-", dir=workdir))
    try:
        runs = _bench(mdm, lakes, args.repeat)
    finally:
        if not args.keep:
            shutil.rmtree(lakes, ignore_errors=True)
    result = _results(args, fleet, mdm, runs)
    _report(result)
    if args.keep:
        print(f"lakes kept in {lakes}")
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
