"""Forecast benchmark: every model on the same meters, split and windows, in one run.

Usage::

    python benchmarks/forecast.py --lake PATH [--samples 500] [--data-start 2013-01-01]
        [--data-end 2014-01-01] [--deepar-epochs 20] [--full-lake PATH --full-data-end DAY]
        [--households METERS,DAYS,SEED,START]

``--lake`` is read only but for ``--households`` (an ingested lake, e.g. one ``benchmarks/api.py``
built, or ``meterlake generate`` + ``meterlake ingest``; ``--meters/--days`` build one under bench-
data/). Part 1 scores the default model, DeepAR (at the epoch budget given) and the seasonal-naive
baselines (lag 168 and lag 24) on a deterministic sample, trained before the two rolling test
windows of 168 h that end at ``--data-end``: MASE (seasonality 24), mean weighted quantile loss
over 0.1..0.9, 80 % interval coverage, fit and predict wall time; ``gbm_plain`` is the default
model without the tariff/Acorn attributes; ``--new-meter-hours N`` scores every model again as if
each meter had joined N hours before each origin (where the attributes matter). ``--households``
first loads the households table of the generated fleet the lakes came from into any lake that
lacks one (lakes built before the generator wrote it). Part 2 (``--full-lake``) times ``train``
plus a 7-day ``forecast`` of every meter of a full-size lake through the service, in a scratch lake
that links the full lake's tables read-only; ``--latency`` then times 300 online forecasts (the
``/forecast`` body, in process) with the trained model and the built-in fallback.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from meterlake.analytics.forecast import data
from meterlake.analytics.forecast.attributes import matrix
from meterlake.analytics.forecast.backtest import (
    Forecaster,
    Scores,
    Windows,
    evaluate,
    naive_scale,
    rolling_windows,
    score,
)
from meterlake.analytics.forecast.calendar import Weather
from meterlake.analytics.forecast.gbm import GlobalGBM
from meterlake.analytics.forecast.kinds import new_model
from meterlake.analytics.forecast.pipeline import TrainRequest
from meterlake.analytics.forecast.quantiles import SCORED_LEVELS
from meterlake.analytics.forecast.series import HourlyPanel
from meterlake.config import Settings
from meterlake.service import MeterLake
from meterlake.synth import FleetSpec
from meterlake.synth.fleet import HOUSEHOLDS_FILE, SINGLE_FILE
from meterlake.synth.plan import plan_fleet
from meterlake.synth.truth import households_frame

REPO = Path(__file__).resolve().parents[1]


def _day(text: str) -> datetime:
    return datetime.combine(date.fromisoformat(text), datetime.min.time())


def _built_lake(meters: int, days: int) -> Path:
    root = REPO / "bench-data" / f"forecast-lake-m{meters}-d{days}"
    if not (root / "_meterlake" / "runs").exists():
        lake = MeterLake(Settings(root=root, progress=False))
        start = date(2013, 1, 1)
        lake.generate(FleetSpec(meters=meters, start=start, end=start + timedelta(days=days)))
        lake.ingest([root / "landing", root / "reference"])
        lake.close()
    return root


def accuracy(args: argparse.Namespace) -> dict[str, Any]:
    """Part 1: same sample, same split, same run for every model."""
    lake = MeterLake(Settings(root=args.lake, progress=False))
    start, end = _day(args.data_start), _day(args.data_end)
    began = time.perf_counter()
    meters = data.training_sample(lake.sql, args.samples)
    panel = data.hourly_panel(lake.sql, meters, start, end)
    lookup = data.attributes(lake.sql)
    panel = replace(panel, attributes=matrix(lookup, panel.meter_ids))
    weather = data.weather(lake.sql)
    load_s = time.perf_counter() - began
    windows = rolling_windows(end)
    train = panel.until(windows.train_end)
    results: dict[str, Any] = {}
    for kind in args.models.split(","):
        model = _model(kind, args)
        began = time.perf_counter()
        model.fit(train, weather)
        fit_s = time.perf_counter() - began
        scores = evaluate(model, panel, windows, weather).as_dict()
        results[kind] = {**scores, "fit_s": round(fit_s, 1)}
        if args.new_meter_hours:
            fresh = _new_meters(model, panel, windows, weather, args.new_meter_hours)
            results[kind]["new_meters"] = fresh.as_dict()
        print(kind, results[kind], flush=True)
    lake.close()
    return {
        "meters": len(meters),
        "hours": panel.hours,
        "data_start": args.data_start,
        "data_end": args.data_end,
        "load_s": round(load_s, 1),
        "meters_with_attributes": sum(meter in lookup for meter in meters),
        "deepar_epochs": args.deepar_epochs,
        "models": results,
    }


def _new_meters(
    model: Forecaster, panel: HourlyPanel, windows: Windows, weather: Weather | None, hours: int
) -> Scores:
    """Scores when every meter shows only its last ``hours`` before each origin (new meters).

    MASE keeps each meter's scale from its whole history, so the figures compare with the
    full-history ones.
    """
    actual, predicted, scales = [], [], []
    for origin in windows.origins:
        context = panel.until(origin)
        recent = context.values.copy()
        recent[:, : max(0, context.hours - hours)] = np.nan
        fresh = replace(context, values=recent)
        predicted.append(model.predict(fresh, windows.horizon, SCORED_LEVELS, weather))
        actual.append(panel.between(*windows.span(origin)).values)
        scales.append(naive_scale(context.values))
    return score(actual, predicted, scales, 0.0)


def _model(kind: str, args: argparse.Namespace) -> Forecaster:
    variants = {  # the default model without attributes, or without new-meter examples
        "gbm_plain": {"attributes": False},
        "gbm_old": {"new_meter_share": 0.0},
        "gbm_plain_old": {"attributes": False, "new_meter_share": 0.0},
    }
    if kind in variants:
        default = new_model("gbm", threads=args.threads)
        if isinstance(default, GlobalGBM):
            return GlobalGBM(replace(default.params, **variants[kind]))
    return new_model(kind, args.deepar_epochs if kind == "deepar" else None, args.threads)


def _add_households(root: Path, fleet: str) -> None:
    """Load the households of the fleet ``meters,days,seed,start`` when ``root`` has none."""
    lake = MeterLake(Settings(root=root, progress=False))
    found = lake.sql("SELECT count(*) AS n FROM households", []).column("n")[0].as_py()
    if not found:
        meters, days, seed, start = fleet.split(",")
        first = date.fromisoformat(start)
        spec = FleetSpec(int(meters), first, first + timedelta(days=int(days)), seed=int(seed))
        files = [Path(SINGLE_FILE).stem] * spec.meters
        frame = households_frame(plan_fleet(spec).households, files)
        with tempfile.TemporaryDirectory() as scratch:
            path = Path(scratch) / HOUSEHOLDS_FILE
            frame.to_csv(path, index=False, lineterminator="\n")
            lake.ingest([path])
    lake.close()


def full_size(args: argparse.Namespace) -> dict[str, Any]:
    """Part 2: ``train`` + 7-day ``forecast`` of every meter, timed through the service."""
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        for table in ("daily", "aggregated", "reference"):
            (root / "business").mkdir(exist_ok=True)
            (root / "business" / table).symlink_to(args.full_lake.resolve() / "business" / table)
        lake = MeterLake(Settings(root=root, progress=False, threads=args.threads))
        end = _day(args.full_data_end)
        began = time.perf_counter()
        request = TrainRequest(end - timedelta(days=365), end, args.samples, threads=args.threads)
        meta = lake.train(request)
        train_s = time.perf_counter() - began
        done = lake.forecast_batch(end, 7)
        total_s = time.perf_counter() - began
        lake.close()
        latency = _latency(root, end, args.threads) if args.latency else {}
    return {
        **latency,
        "train_s": round(train_s, 1),
        "forecast_s": round(total_s - train_s, 1),
        "total_s": round(total_s, 1),
        "meters_forecast": done["meters"],
        "rows": done["rows"],
        "backtest": meta["metrics"],
    }


def _latency(root: Path, end: datetime, threads: int) -> dict[str, Any]:
    """Online ``/forecast`` bodies through the service as the server holds it (in-process)."""
    lake = MeterLake(
        Settings(root=root, progress=False, threads=threads), cached=("recent_hourly",)
    )
    lake.open()
    meters = data.all_meters(lake.sql)[:300]
    found: dict[str, Any] = {}
    for label, model in (("online_gbm", None), ("online_seasonal_naive", "seasonal_naive")):
        times = []
        for meter in meters:
            began = time.perf_counter()
            lake.forecast(meter, end - timedelta(days=28), end, model)
            times.append(1000 * (time.perf_counter() - began))
        times.sort()
        found[label] = {"p50_ms": round(times[len(times) // 2], 1), "p99_ms": round(times[-3], 1)}
    lake.close()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lake", type=Path)
    parser.add_argument("--meters", type=int, default=1000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--data-start", default="2013-01-01")
    parser.add_argument("--data-end", default="2014-01-01")
    parser.add_argument("--models", default="gbm,gbm_plain,naive168,naive24,deepar")
    parser.add_argument("--deepar-epochs", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--full-lake", type=Path)
    parser.add_argument("--full-data-end", default="2013-11-21")
    parser.add_argument("--skip-accuracy", action="store_true")
    parser.add_argument("--latency", action="store_true", help="time online forecasts too")
    parser.add_argument(
        "--new-meter-hours", type=int, default=0, help="also score meters showing only N hours"
    )
    parser.add_argument("--households", help="METERS,DAYS,SEED,START of the lakes' fleet")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if args.lake is None:
        args.lake = _built_lake(args.meters, args.days)
    for lake in (args.lake, args.full_lake):
        if args.households and lake is not None:
            _add_households(lake, args.households)
    report: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}"
    }
    if not args.skip_accuracy:
        report["accuracy"] = accuracy(args)
    if args.full_lake is not None:
        report["full_size"] = full_size(args)
    print(json.dumps(report, indent=1))
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
