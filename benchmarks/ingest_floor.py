"""The floor of a de-duplicating ingest beside the plain copy, in one run.

Usage: ``python benchmarks/ingest_floor.py CSV [--repeat 3]`` (an LCL-format file, such as the
one ``benchmarks/ingest.py`` generates under ``bench-data/fleet-*/readings/``).

``floor`` is the least work an ingest that removes duplicates before it writes must do, as
bare DuckDB statements with the lake's settings in a fresh subprocess: parse the CSV into an
in-memory table (the rows must all be seen before any partition is written, since duplicates
can sit anywhere in the file), one meter-day pass (counts, exact sums, slot masks), an exact
decision for the meter-days that repeat a slot, the business ``daily`` write (every derived
column, integer day key, one partition key) and ``aggregated_daily``. Everything else
meterlake does (its imports, the file fingerprint and ledger, quarantine accounting, weekly
and monthly roll-ups, the atomic commit) is left out, so ``meterlake ingest`` cannot be faster
than ``floor``. ``plain`` is the side-by-side benchmark's plain copy, the same command.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ingest  # the sibling LCL benchmark; this folder is not a package

CALENDAR = (
    "weekofyear(ts)::INT AS week_of_year, day(ts)::INT AS day_of_month,"
    " month(ts)::INT AS month, year(ts)::INT AS year, hour(ts)::INT AS hour,"
    " minute(ts)::INT AS minute"
)
IN_DIRTY_DAY = "s.meter_id = dirty.meter_id AND s.ts::DATE = dirty.day"


def _statements(csv: Path, out: Path) -> list[tuple[str, str]]:
    source = (
        f"read_csv({ingest._literal(str(csv))}, header = true, columns = {ingest.CSV_COLUMNS},"
        " nullstr = ['Null', ''], auto_detect = false, parallel = true,"
        " store_rejects = true, rejects_table = 'rejects', rejects_scan = 'rejects_scan')"
    )
    daily, aggregate = ingest._literal(str(out / "daily")), ingest._literal(str(out / "agg"))
    return [
        (
            "parse into memory",
            f"CREATE TABLE s AS SELECT LCLid AS meter_id, DateTime AS ts, kwh AS v FROM {source}",
        ),
        (
            "meter-day pass",
            """CREATE TABLE days AS SELECT meter_id, ts::DATE AS day,
            count(*) AS n, sum(v::DECIMAL(18, 6)) AS total,
            bit_or(1::HUGEINT << (((epoch_us(ts) % 86400000000) // 900000000)::INTEGER)) AS mask
            FROM s GROUP BY ALL""",
        ),
        (
            "dirty meter-days",
            f"""CREATE TABLE dirty AS SELECT meter_id, day FROM days
            WHERE n <> bit_count(mask);
            CREATE TABLE kept AS SELECT s.* FROM s SEMI JOIN dirty ON {IN_DIRTY_DAY}
            QUALIFY row_number() OVER (PARTITION BY meter_id, ts ORDER BY v NULLS LAST) = 1""",
        ),
        (
            "business daily write",
            f"""COPY (SELECT meter_id, '' AS obis_code,
            ts AS reading_date_time, v AS reading_value, NULL::VARCHAR AS error_value,
            {CALENDAR}, (year(ts) * 10000 + month(ts) * 100 + day(ts))::INT AS date_str
            FROM (SELECT s.* FROM s ANTI JOIN dirty ON {IN_DIRTY_DAY}
                  UNION ALL SELECT * FROM kept))
            TO {daily} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (date_str))""",
        ),
        (
            "aggregated_daily",
            f"""COPY (SELECT meter_id, total::DOUBLE AS aggregated_consumption,
            strftime(day, '%Y%m%d') AS date_str FROM days)
            TO {aggregate} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (date_str))""",
        ),
    ]


def _floor_child(csv: Path, out: Path) -> None:
    """Run the floor's statements in this process and print each one's time."""
    out.mkdir(parents=True)
    con = duckdb.connect(
        config={
            "memory_limit": ingest.MEMORY_LIMIT,
            "preserve_insertion_order": False,
            "temp_directory": str(out / "spill"),
        }
    )
    for label, statement in _statements(csv, out):
        began = time.perf_counter()
        con.execute(statement).fetchall()
        print(f"{time.perf_counter() - began:6.2f} s  {label}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _floor_child(args.csv, args.child)
        return
    ingest._warm(args.csv)
    work = Path(tempfile.mkdtemp(prefix="meterlake-floor-"))
    plain: list[float] = []
    floor: list[float] = []
    try:
        for index in range(args.repeat):
            logs = work / f"logs-{index}"
            logs.mkdir()
            plain.append(ingest._plain(args.csv, work / f"plain-{index}", logs).seconds)
            argv = [
                sys.executable,
                __file__,
                str(args.csv),
                "--child",
                str(work / f"floor-{index}"),
            ]
            floor.append(ingest._run_child(argv, logs / "floor.log").seconds)
            print((logs / "floor.log").read_text(), end="")
            print(
                f"round {index + 1}: plain {plain[-1]:.2f} s, floor {floor[-1]:.2f} s,"
                f" ratio {floor[-1] / plain[-1]:.2f}",
                flush=True,
            )
            shutil.rmtree(work / f"plain-{index}")
            shutil.rmtree(work / f"floor-{index}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    ratios = [f / p for f, p in zip(floor, plain, strict=True)]
    print(
        f"median: plain {statistics.median(plain):.2f} s, floor {statistics.median(floor):.2f} s,"
        f" ratio {statistics.median(ratios):.2f}"
    )


if __name__ == "__main__":
    main()
