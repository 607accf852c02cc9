"""Outage inference benchmark: accuracy on a generated fleet and time on a full-size lake.

Usage::

    python benchmarks/outage.py evaluate --meters 1000 --days 365 --seeds 1,2,3 [--outages 150]
        [--idle-share 0.05] [--away-per-year 1.0] [--workdir bench-data] [--json OUT]
    python benchmarks/outage.py time --lake LAKE --start 2012-01-01 --end 2013-11-22
        [--truth TRUTH_DIR] [--copy] [--threads 2] [--json OUT]

``evaluate`` generates a fleet per seed with clustered outages (``--outages``) and ordinary
zero-usage periods (meters idle at night, away periods with the main switched off), ingests it,
runs ``outages detect`` over the whole span and scores the events against the fleet's ground
truth (``meterlake evaluate outages``). Lakes are cached under ``--workdir`` by their parameters.

``time`` runs the detection over an existing lake (``--copy`` copies it to a temporary folder
first, so a lake that must not be written stays untouched) in a fresh process per run, and
reports the wall time, the read/infer split and the peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from meterlake.config import Settings
from meterlake.service import MeterLake
from meterlake.synth import FleetSpec

_DETECT = """
import json, sys, time, resource
from datetime import datetime
from meterlake.config import Settings
from meterlake.service import MeterLake
root, start, end, threads = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
lake = MeterLake(Settings(root=root, threads=threads, progress=False))
began = time.perf_counter()
report = lake.detect_outages(datetime.fromisoformat(start), datetime.fromisoformat(end))
seconds = time.perf_counter() - began
print(json.dumps({"seconds": round(seconds, 2), "timings": report.timings,
    "meters": report.meters, "candidate_runs": report.candidate_runs, "events": report.events,
    "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))
"""


def _fleet_lake(args: argparse.Namespace, seed: int) -> Path:
    """A generated, ingested lake for these parameters (cached)."""
    name = f"outage-m{args.meters}-d{args.days}-s{seed}-o{args.outages}"
    root = args.workdir / f"{name}-i{args.idle_share}-a{args.away_per_year}"
    if (root / "marker.json").exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    lake = MeterLake(Settings(root=root, progress=False))
    start = date(2013, 1, 1)
    spec = FleetSpec(
        meters=args.meters,
        start=start,
        end=start + timedelta(days=args.days),
        seed=seed,
        outages=args.outages,
        idle_share=args.idle_share,
        away_per_meter_year=args.away_per_year,
    )
    lake.generate(spec)
    lake.ingest([lake.layout.landing, root / "reference"])
    lake.close()
    (root / "marker.json").write_text(json.dumps({"spec": str(spec)}))
    return root


def _detect(root: Path, start: str, end: str, threads: int) -> dict[str, Any]:
    """One detection in a fresh process (cold caches, its own peak RSS)."""
    done = subprocess.run(
        [sys.executable, "-c", _DETECT, str(root), start, end, str(threads)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "MLK_PROGRESS": "false"},
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def evaluate(args: argparse.Namespace) -> dict[str, Any]:
    """Detect and score on one generated fleet per seed."""
    rows = {}
    for seed in (int(s) for s in args.seeds.split(",")):
        root = _fleet_lake(args, seed)
        end = (date(2013, 1, 1) + timedelta(days=args.days)).isoformat()
        timing = _detect(root, "2013-01-01", end, args.threads)
        score = MeterLake(Settings(root=root, progress=False)).evaluate_outages()
        rows[seed] = {"score": asdict(score), "detect": timing}
    print(
        f"| seed ({args.meters} meters x {args.days} days, {args.outages} outages) | true | found"
        " | precision | recall | median start error (min) | p90 start error (min)"
        " | median restoration error (min) | meter recall | zero-usage false / periods"
        " | detect s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for seed, row in rows.items():
        s, t = row["score"], row["detect"]
        print(
            f"| {seed} | {s['true_events']} | {s['predicted_events']} | {s['precision']:.3f}"
            f" | {s['recall']:.3f} | {s['median_start_error_minutes']}"
            f" | {s['p90_start_error_minutes']} | {s['median_restoration_error_minutes']}"
            f" | {s['meter_recall']:.3f} | {s['zero_usage_false_memberships']} /"
            f" {s['zero_usage_periods']} | {t['seconds']} |"
        )
    return {"evaluate": vars(args) | {"workdir": str(args.workdir), "json": None}, "seeds": rows}


def timed(args: argparse.Namespace) -> dict[str, Any]:
    """Detection time over an existing lake (a copy with ``--copy``)."""
    with tempfile.TemporaryDirectory(dir=args.workdir) as scratch:
        root = args.lake
        if args.copy:
            root = Path(scratch) / "lake"
            shutil.copytree(args.lake, root, ignore=shutil.ignore_patterns("*.lock", "txn"))
        runs = [_detect(root, args.start, args.end, args.threads) for _ in range(args.repeat)]
        result: dict[str, Any] = {"lake": str(args.lake), "runs": runs}
        if args.truth is not None:
            lake = MeterLake(Settings(root=root, progress=False))
            window = (datetime.fromisoformat(args.start), datetime.fromisoformat(args.end))
            result["score"] = asdict(lake.evaluate_outages(args.truth, window))
            lake.close()
    print("| run | seconds | read s | infer s | meters | candidate runs | events | peak RSS MB |")
    print("|---|---|---|---|---|---|---|---|")
    for number, run in enumerate(runs, 1):
        print(
            f"| {number} | {run['seconds']} | {run['timings']['read']} | {run['timings']['infer']}"
            f" | {run['meters']:,} | {run['candidate_runs']:,} | {run['events']}"
            f" | {run['peak_rss_mb']:,} |"
        )
    if "score" in result:
        print("score against the fleet's truth:", json.dumps(result["score"]))
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    accuracy = commands.add_parser("evaluate")
    accuracy.add_argument("--meters", type=int, default=1000)
    accuracy.add_argument("--days", type=int, default=365)
    accuracy.add_argument("--seeds", default="1")
    accuracy.add_argument("--outages", type=int, default=150)
    accuracy.add_argument("--idle-share", type=float, default=0.05)
    accuracy.add_argument("--away-per-year", type=float, default=1.0)
    speed = commands.add_parser("time")
    speed.add_argument("--lake", type=Path, required=True)
    speed.add_argument("--start", required=True)
    speed.add_argument("--end", required=True)
    speed.add_argument("--truth", type=Path, default=None)
    speed.add_argument("--copy", action="store_true")
    speed.add_argument("--repeat", type=int, default=1)
    for sub in (accuracy, speed):
        sub.add_argument("--threads", type=int, default=2)
        sub.add_argument("--workdir", type=Path, default=Path("bench-data"))
        sub.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    began = time.time()
    result = evaluate(args) if args.command == "evaluate" else timed(args)
    result["machine"] = {"cpus": os.cpu_count(), "wall_s": round(time.time() - began, 1)}
    print(f"machine: {os.cpu_count()} CPUs, total wall {result['machine']['wall_s']} s")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
