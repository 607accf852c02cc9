"""API latency benchmark: the real server on loopback at a fixed request rate, side by side with a
naive baseline that answers the same queries with a fresh DuckDB scan of the Parquet lake.

Usage: ``python benchmarks/api.py --meters N --days D [--rate 200] [--seconds 10] [--seed 1]``.

The lake is built once per scale (generated fleet, ``meterlake ingest``) under ``bench-data/`` and
reused. The load generator is open-loop: request *i* is due at ``i / rate`` seconds and its
latency counts from that moment (so a slow server cannot hide queueing). Four threads keep one
HTTP/1.1 keep-alive connection each.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from meterlake.config import Settings
from meterlake.service import MeterLake
from meterlake.synth import FleetSpec

REPO = Path(__file__).resolve().parents[1]
START = date(2013, 1, 1)
WORKERS = 4


def _lake(meters: int, days: int, seed: int) -> Path:
    root = REPO / "bench-data" / f"api-lake-m{meters}-d{days}-s{seed}"
    if not (root / "_meterlake" / "runs").exists():
        lake = MeterLake(Settings(root=root))
        lake.generate(
            FleetSpec(meters=meters, start=START, end=START + timedelta(days=days), seed=seed)
        )
        lake.ingest([root / "landing", root / "reference"])
        lake.close()
    return root


def _add_error_reads(root: Path, meter_ids: list[str], count: int, seed: int) -> None:
    """Ingest ``count`` ERR reads (default MDM layout) spread over the benchmark's days.

    Deterministic content, so a second run finds the file in the ledger and changes nothing.
    """
    rng = random.Random(seed)  # noqa: S311 (test data, not security)
    path = root / "extra" / f"err-reads-{count}-s{seed}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["meter_id;obis_code;reading_time;reading_value;error_code;reading_type"]
    for _ in range(count):
        moment = datetime.combine(START, datetime.min.time()) + timedelta(
            minutes=15 * rng.randrange(96 * 365)
        )
        code = f"ERR0{rng.randrange(1, 6)}"
        lines.append(f"{rng.choice(meter_ids)};1.8.0;{moment:%Y%m%d%H}24{moment:%M%S};;{code};ERR")
    path.write_text("\n".join(lines) + "\n")
    lake = MeterLake(Settings(root=root))
    lake.ingest([path])
    lake.close()


def _urls(meter_ids: list[str], days: int, rng: random.Random) -> dict[str, Callable[[], str]]:
    def meter() -> str:
        return rng.choice(meter_ids)

    def day() -> date:
        return START + timedelta(days=rng.randrange(max(days - 8, 1)))

    return {
        "consumption": lambda: f"/consumption/daily/{START.year}/{meter()}",
        "anomaly": lambda: (
            f"/anomaly/{meter()}?data_start=2013-01-01&data_end=2014-01-01&outlier_only=1"
        ),
        "outage (1 h)": lambda: (
            f"/outage?start_date_time={(d := day())}+09:00:00&end_date_time={d}+10:00:00"
        ),
        "v1 readings (week)": lambda: (
            f"/v1/meters/{meter()}/readings?start={(d := day())}&end={d + timedelta(days=7)}"
        ),
        "forecast": lambda: (
            f"/forecast/{meter()}?data_start={START}&data_end={START + timedelta(days=days)}"
        ),
    }


def _drive(port: int, make_url: Callable[[], str], rate: float, seconds: float) -> dict[str, Any]:
    total = int(rate * seconds)
    due = [i / rate for i in range(total)]
    urls = [make_url() for _ in range(total)]
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = time.perf_counter() + 0.2
    cursor = iter(range(total))

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                index = next(cursor, None)
            if index is None:
                break
            wait = start + due[index] - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            try:
                connection.request("GET", urls[index])
                response = connection.getresponse()
                response.read()
                status = response.status
            except OSError as exc:
                status, connection = 0, http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                errors.append(str(exc))
            elapsed = time.perf_counter() - (start + due[index])
            with lock:
                latencies.append(elapsed * 1000)
                if status != 200:
                    errors.append(f"{status} {urls[index]}")

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    return {
        "requests": total,
        "p50_ms": round(latencies[len(latencies) // 2], 1),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 1),
        "errors": len(errors),
        "first_error": errors[0] if errors else "",
    }


#: The same questions answered naively: a fresh DuckDB connection scanning the Parquet lake.
NAIVE = {
    "consumption": (
        "aggregated/daily/*/*.parquet",
        "SELECT meter_id, date_str, aggregated_consumption FROM lake WHERE meter_id = $meter"
        " AND date_str LIKE '2013%' ORDER BY date_str",
    ),
    "anomaly": (
        "anomaly/*.parquet",
        "SELECT * FROM lake WHERE meter_id = $meter AND ds >= '2013-01-01' AND ds < '2014-01-01'"
        " AND anomaly <> 0 ORDER BY ds",
    ),
    "outage (1 h)": (
        "daily/*/*/*.parquet",
        "SELECT * FROM lake WHERE reading_type = 'ERR' AND reading_date_time"
        " BETWEEN $day::TIMESTAMP + INTERVAL 9 HOUR AND $day::TIMESTAMP + INTERVAL 10 HOUR",
    ),
    "v1 readings (week)": (
        "daily/*/*/*.parquet",
        "SELECT reading_date_time, reading_value FROM lake WHERE meter_id = $meter"
        " AND reading_date_time >= $day::TIMESTAMP"
        " AND reading_date_time < $day::TIMESTAMP + INTERVAL 7 DAY ORDER BY 1",
    ),
    "forecast": (
        "daily/*/*/*.parquet",
        "SELECT date_trunc('hour', reading_date_time), sum(reading_value) FROM lake"
        " WHERE meter_id = $meter AND reading_type = 'INT'"
        " AND reading_date_time >= $day::TIMESTAMP - INTERVAL 28 DAY"
        " AND reading_date_time < $day::TIMESTAMP GROUP BY 1 ORDER BY 1",
    ),
}


def _naive(root: Path, name: str, meter_ids: list[str], days: int, runs: int) -> float | None:
    """Median ms of the endpoint's query answered by a fresh DuckDB scan of the lake."""
    if name not in NAIVE:
        return None
    pattern, query = NAIVE[name]
    if not any((root / "business").glob(pattern)):
        return None  # an empty table: nothing to scan
    source = str(root / "business" / pattern)
    rng = random.Random(7)  # noqa: S311 (load shape, not security)
    times = []
    for _ in range(runs):
        day = START + timedelta(days=rng.randrange(max(days - 8, 1)))
        begin = time.perf_counter()
        con = duckdb.connect()
        con.execute(
            f"CREATE VIEW lake AS SELECT * FROM read_parquet('{source}', hive_partitioning=true,"
            " hive_types_autocast=false)"
        )
        params = {"meter": rng.choice(meter_ids), "day": str(day)}
        con.execute(query, {k: v for k, v in params.items() if f"${k}" in query}).fetchall()
        con.close()
        times.append((time.perf_counter() - begin) * 1000)
    return round(sorted(times)[len(times) // 2], 1)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds the process has used so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _server(root: Path, port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [sys.executable, "-c", "from meterlake.cli import run; run()", "serve", "--root", str(root),
         "--port", str(port)],
        env={**os.environ, "MLK_PROGRESS": "false"},
    )  # fmt: skip
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/health")
            response = connection.getresponse()
            # Measure the steady state: the meter-clustered reads store filled.
            if response.status == 200 and json.loads(response.read())["reading_store"] == "current":
                # The store's files were just written: let the kernel write them back first, so
                # the run measures the steady state, not a server's first minute (writeback).
                os.sync()
                return server
        except OSError:
            pass
        time.sleep(0.5)
    server.kill()
    raise SystemExit("the server did not start (or its reads store did not fill in 10 min)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meters", type=int, required=True)
    parser.add_argument("--days", type=int, required=True)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--warmup", type=float, default=1.0, help="seconds at the rate before each measurement"
    )
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--lake", type=Path, default=None, help="use this existing lake")
    parser.add_argument("--only", default="", help="comma-separated endpoint names to drive")
    parser.add_argument(
        "--error-reads", type=int, default=0, help="first ingest this many ERR reads (MDM layout)"
    )
    args = parser.parse_args()
    root = args.lake or _lake(args.meters, args.days, args.seed)
    lake = MeterLake(Settings(root=root))
    meter_ids = [r["meter_id"] for r in lake.meters(limit=10_000)["items"]]
    lake.close()
    if args.error_reads:
        _add_error_reads(root, meter_ids, args.error_reads, args.seed)
    rng = random.Random(args.seed)  # noqa: S311 (load shape, not security)
    port = _free_port()
    server = _server(root, port)
    results: dict[str, Any] = {
        "scale": vars(args) | {"json": None, "lake": str(root)},
        "endpoints": {},
    }
    try:
        chosen = {n.strip() for n in args.only.split(",") if n.strip()}
        for name, make_url in _urls(meter_ids, args.days, rng).items():
            if chosen and name.split(" ")[0] not in chosen:
                continue
            _drive(port, make_url, args.rate, args.warmup)  # warm caches, results discarded
            before = _cpu_seconds(server.pid)
            row = _drive(port, make_url, args.rate, args.seconds)
            row["server_cpu_ms"] = round(
                (_cpu_seconds(server.pid) - before) * 1000 / max(row["requests"], 1), 2
            )
            results["endpoints"][name] = row
    finally:
        server.terminate()
        server.wait(timeout=10)
    for name, row in results["endpoints"].items():
        row["naive_median_ms"] = _naive(root, name, meter_ids, args.days, 10)
    scale = f"{args.meters} meters x {args.days} days, {args.rate:.0f} req/s"
    print(
        f"| endpoint ({scale}) | requests | p50 ms | p99 ms | errors | server CPU ms/request"
        " | naive scan, median ms |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, row in results["endpoints"].items():
        naive = row["naive_median_ms"] if row["naive_median_ms"] is not None else "n/a"
        print(
            f"| {name} | {row['requests']} | {row['p50_ms']} | {row['p99_ms']} | {row['errors']}"
            f" | {row['server_cpu_ms']} | {naive} |"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
