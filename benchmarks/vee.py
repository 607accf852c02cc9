"""VEE benchmark: estimation accuracy on removed reads, and throughput on a full-size lake.

Usage::

    python benchmarks/vee.py accuracy --meters 200 --days 120 --seed 1 [--gaps-per-meter 6]
        [--workdir bench-data] [--json OUT]
    python benchmarks/vee.py throughput --lake LAKE [--start 2013-01-01] [--days 56]
        [--threads 2] [--memory 6GB] [--json OUT]

``accuracy`` generates a fleet without defects (seeded LCL-like households with weather),
ingests it, removes gaps of 1 to 144 half-hours at random places (the same places for every
method), runs one VEE pass per gap length on what is left and compares the estimates with the
removed values: MAE of the chosen methods, beside a naive fill (the last value before the gap
carried forward), and again with daily register reads (computed from the true values) so that
register prorating applies. Lakes are cached under ``--workdir``.

``throughput`` validates ``--days`` days of an existing lake (read only: results go to a
scratch lake whose ``daily`` and weather folders link to it) and reports reads per second.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from meterlake.config import Settings
from meterlake.service import MeterLake
from meterlake.synth import FleetSpec
from meterlake.vee.settings import VeeSettings
from meterlake.vee.vee_pass import run_on_tables
from meterlake.vee.working_set import READS, TEMPERATURE

GAP_LENGTHS = (1, 2, 4, 8, 48, 144)  # half-hours: 30 min .. 3 days
MARGIN_DAYS = 8  # no gap this close to either end (similar days exist on both sides)


def _lake(args: argparse.Namespace) -> MeterLake:
    root = args.workdir / f"vee-m{args.meters}-d{args.days}-s{args.seed}"
    lake = MeterLake(Settings(root=root, threads=2, progress=False))
    if not (root / "marker.json").exists():
        spec = FleetSpec(
            meters=args.meters,
            start=date(2013, 1, 1),
            end=date(2013, 1, 1) + timedelta(days=args.days),
            seed=args.seed,
            null_rate=0.0,
            duplicate_rate=0.0,
            missing_rate=0.0,
            outages=0,
        )
        lake.generate(spec)
        lake.ingest([root / "landing", root / "reference"])
        (root / "marker.json").write_text(json.dumps({"meters": args.meters, "days": args.days}))
    return lake


def _inputs(lake: MeterLake) -> tuple[pa.Table, pa.Table]:
    reads = lake.sql(
        """SELECT meter_id, obis_code, reading_type, reading_date_time, reading_value FROM daily
        WHERE reading_type = 'INT' AND reading_value IS NOT NULL
        ORDER BY meter_id, reading_date_time"""
    ).cast(READS)
    weather = lake.sql(
        "SELECT time::DATE AS day, avg(temperature) AS temperature FROM weather GROUP BY 1"
    ).cast(TEMPERATURE)
    return reads, weather


def _gap_mask(reads: pa.Table, length: int, per_meter: int, seed: int) -> np.ndarray:
    """True for the reads removed: ``per_meter`` gaps of ``length`` per meter, apart."""
    rng = np.random.default_rng(seed * 1000 + length)
    meters = reads["meter_id"].to_numpy(zero_copy_only=False)
    starts = np.flatnonzero(np.r_[True, meters[1:] != meters[:-1]])
    ends = np.r_[starts[1:], len(meters)]
    mask = np.zeros(len(meters), dtype=bool)
    margin = MARGIN_DAYS * 48
    for first, end in zip(starts, ends, strict=True):
        room = end - first - 2 * margin - length
        if room <= per_meter * (length + 48):
            continue
        slots = np.sort(rng.choice(room // (length + 48), per_meter, replace=False))
        for slot in slots * (length + 48) + first + margin:
            mask[slot : slot + length] = True
    return mask


def _registers(reads: pa.Table) -> pa.Table:
    """Daily midnight register reads from the true values (cumulative kWh per meter)."""
    meters = reads["meter_id"].to_numpy(zero_copy_only=False)
    times = reads["reading_date_time"].to_numpy()
    values = reads["reading_value"].to_numpy()
    rows = []
    for meter in np.unique(meters):
        here = meters == meter
        stamps, kwh = times[here], np.cumsum(values[here])
        midnights = np.flatnonzero(stamps.astype("datetime64[D]") == stamps)
        before = np.r_[0.0, kwh][midnights]  # the register counts what came before the read
        rows += [
            {"meter_id": str(meter), "obis_code": "1-0:1.8.0", "reading_type": "AGG",
             "reading_date_time": stamps[i].astype(datetime), "reading_value": 1000.0 + total}
            for i, total in zip(midnights, before, strict=True)
        ]  # fmt: skip
    return pa.Table.from_pylist(rows, schema=READS)


def _naive(reads: pa.Table, mask: np.ndarray) -> np.ndarray:
    """Last value before each removed read (carried forward within the meter)."""
    values = reads["reading_value"].to_numpy().copy()
    index = np.where(~mask, np.arange(len(values)), 0)
    np.maximum.accumulate(index, out=index)
    return values[index][mask]


def _score(
    reads: pa.Table, mask: np.ndarray, extra: pa.Table | None, weather: pa.Table | None
) -> tuple[dict[str, Any], float]:
    kept = reads.filter(pa.array(~mask))
    if extra is not None:
        kept = pa.concat_tables([kept, extra])
    began = time.perf_counter()
    found = run_on_tables(kept, VeeSettings(), datetime(2100, 1, 1), temperature=weather)
    seconds = time.perf_counter() - began
    removed = reads.filter(pa.array(mask)).select(
        ["meter_id", "reading_date_time", "reading_value"]
    )
    joined = removed.join(
        found.estimates, ["meter_id", "reading_date_time"], join_type="left outer"
    )
    truth = joined["reading_value"].to_numpy()
    estimate = joined["estimated_value"].to_numpy(zero_copy_only=False).astype(float)
    methods = pc.fill_null(joined["method"], "none").to_numpy(zero_copy_only=False)
    covered = ~np.isnan(estimate)
    result: dict[str, Any] = {
        "estimated": int(covered.sum()),
        "mae": float(np.abs(estimate[covered] - truth[covered]).mean()) if covered.any() else None,
        "methods": {str(m): int((methods == m).sum()) for m in np.unique(methods)},
    }
    return result, seconds


def accuracy(args: argparse.Namespace) -> dict[str, Any]:
    """MAE by gap length: VEE, VEE with daily registers, and a naive fill."""
    lake = _lake(args)
    reads, weather = _inputs(lake)
    registers = _registers(reads)
    mean = float(pc.mean(reads["reading_value"]).as_py())
    rows = []
    for length in GAP_LENGTHS:
        mask = _gap_mask(reads, length, args.gaps_per_meter, args.seed)
        truth = reads["reading_value"].to_numpy()[mask]
        naive = float(np.abs(_naive(reads, mask) - truth).mean())
        vee, seconds = _score(reads, mask, None, weather)
        no_weather, _ = _score(reads, mask, None, None)
        with_registers, _ = _score(reads, mask, registers, weather)
        rows.append(
            {"gap_half_hours": length, "removed": int(mask.sum()), "naive_mae": naive,
             "vee": vee, "vee_without_weather": no_weather, "vee_with_registers": with_registers,
             "pass_seconds": round(seconds, 2)}
        )  # fmt: skip
        print(
            f"gap {length:>3} x 30 min: removed {mask.sum():>6,}  naive MAE {naive:.4f}"
            f"  VEE MAE {vee['mae']:.4f} {vee['methods']}"
            f"  without weather {no_weather['mae']:.4f} {no_weather['methods']}"
            f"  with registers {with_registers['mae']:.4f} {with_registers['methods']}"
            f"  ({seconds:.1f} s, {kept_rows(reads, mask):,} reads)"
        )
    return {"meters": args.meters, "days": args.days, "seed": args.seed,
            "reads": reads.num_rows, "mean_kwh": mean, "by_gap": rows}  # fmt: skip


def kept_rows(reads: pa.Table, mask: np.ndarray) -> int:
    """Reads left after removing the gaps."""
    return int(reads.num_rows - mask.sum())


def throughput(args: argparse.Namespace) -> dict[str, Any]:
    """Validate days of an existing lake into a scratch lake; reads per second."""
    source = Path(args.lake).resolve()
    with tempfile.TemporaryDirectory(prefix="vee-bench-", dir=args.scratch) as scratch:
        root = Path(scratch)
        for folder in ("business/daily", "business/aggregated/daily", "business/reference/weather"):
            if (source / folder).exists():
                (root / folder).parent.mkdir(parents=True, exist_ok=True)
                (root / folder).symlink_to(source / folder)
        settings = Settings(root=root, threads=args.threads, memory_limit=args.memory)
        lake = MeterLake(settings.model_copy(update={"progress": False}))
        start = date.fromisoformat(args.start)
        began = time.perf_counter()
        report = lake.vee().validate(start, start + timedelta(days=args.days))
        seconds = time.perf_counter() - began
    result = {
        "lake": str(source), "days": len(report.dates), "reads": report.reads,
        "seconds": round(seconds, 2), "reads_per_second": round(report.reads / seconds),
        "flags": report.flags, "estimates": report.estimates, "timings": report.timings,
        "batches": report.batches, "threads": args.threads,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }  # fmt: skip
    print(json.dumps(result, indent=1))
    return result


def main() -> None:
    """Parse arguments, run one benchmark, print (and optionally save) its results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    acc = commands.add_parser("accuracy")
    acc.add_argument("--meters", type=int, default=200)
    acc.add_argument("--days", type=int, default=120)
    acc.add_argument("--seed", type=int, default=1)
    acc.add_argument("--gaps-per-meter", type=int, default=6)
    acc.add_argument("--workdir", type=Path, default=Path("bench-data"))
    speed = commands.add_parser("throughput")
    speed.add_argument("--lake", required=True)
    speed.add_argument("--start", default="2013-01-01")
    speed.add_argument("--days", type=int, default=56)
    speed.add_argument("--threads", type=int, default=2)
    speed.add_argument("--memory", default="6GB")
    speed.add_argument("--scratch", default=None)
    for sub in (acc, speed):
        sub.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores,"
        f" python {platform.python_version()}"
    )
    result = accuracy(args) if args.command == "accuracy" else throughput(args)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, default=str) + "\n")


if __name__ == "__main__":
    main()
