"""Anomaly benchmark: the default detector against Prophet on the same meters, and at full size.

Usage: ``python benchmarks/anomaly.py [--meters 500] [--seed 11] [--full-meters 5566]
[--repeat 5] [--workdir bench-data] [--skip-prophet]``.

1. A fleet of ``--meters`` households over 2013 (spikes, dips, vacancies, level shifts, outages,
   missing and duplicate reads, as the generator makes them) is generated and ingested with its
   weather into ``<workdir>/anomaly-<meters>-<seed>`` (reused by later runs).
2. ``evaluate anomalies`` scores both detectors on the same meters in the same run (default with
   weather, as ``detect`` runs it, then default without weather for comparison).
3. ``detect`` runs end to end on that lake (read, model, write through a transaction), timed;
   its rows are removed again so the next run measures the same work.
4. The default detector alone on ``--full-meters`` meters x 365 days, built in memory from the
   generator's own daily series (no CSV, no ingest), best and median of ``--repeat`` runs.
5. ``detect`` end to end at that size, on a lake that holds those daily series as its
   ``aggregated_daily`` partitions and the fleet's hourly temperature as ``weather`` (made once
   under ``<workdir>``; ingesting 5,566 x 365 half-hourly reads would take minutes and test ingest,
   not detection).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from meterlake.analytics.anomaly.evaluate import Score, score, truth_events
from meterlake.analytics.anomaly.matrix import DailyMatrix, DailyWeather
from meterlake.analytics.anomaly.robust_band import RobustDetector
from meterlake.config import Settings
from meterlake.pipeline.detect import DetectOptions
from meterlake.pipeline.evaluate_anomalies import EvaluateOptions
from meterlake.reference import REFERENCE_TABLES
from meterlake.service import MeterLake
from meterlake.synth import FleetSpec
from meterlake.synth.plan import plan_fleet
from meterlake.synth.readings import meter_values
from meterlake.synth.timeline import SLOTS_PER_DAY
from meterlake.synth.truth import anomalies_frame
from meterlake.synth.weather import hourly_temperature

START, END = date(2013, 1, 1), date(2014, 1, 1)


def fleet_lake(workdir: Path, meters: int, seed: int) -> MeterLake:
    """The generated and ingested fleet, made once."""
    lake = MeterLake(Settings(root=workdir / f"anomaly-{meters}-{seed}", progress=False))
    if not lake.runs():
        started = time.perf_counter()
        lake.generate(FleetSpec(meters=meters, start=START, end=END, seed=seed))
        lake.ingest([lake.layout.landing, lake.layout.root / "reference"])
        print(f"generated and ingested {meters} meters in {time.perf_counter() - started:.1f} s")
    return lake


def markdown(scores: list[Score], labels: list[str]) -> None:
    """The scores as a markdown table."""
    print("| detector | meters | meter-days | precision | recall | F1 | event recall |"
          " coverage | seconds | ms per meter |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, s in zip(labels, scores, strict=True):
        print(
            f"| {label} | {s.meters} | {s.days:,} | {s.precision:.3f} | {s.recall:.3f} |"
            f" {s.f1:.3f} | {s.event_recall:.3f} | {s.coverage:.4f} | {s.seconds:.3f} |"
            f" {s.ms_per_meter:.3f} |"
        )
    for label, s in zip(labels, scores, strict=True):
        kinds = ", ".join(f"{kind} {value:.2f}" for kind, value in s.recall_by_kind.items())
        print(f"- {label} event recall by kind: {kinds}")


def compare(lake: MeterLake, skip_prophet: bool) -> None:
    """Both detectors on the same meters in one evaluation run, then default without weather."""
    truth = lake.layout.root / "truth"
    detectors = ("default",) if skip_prophet else ("default", "prophet")
    scores = lake.evaluate_anomalies(EvaluateOptions(truth=truth, detectors=detectors, seed=1))
    plain = lake.evaluate_anomalies(
        EvaluateOptions(truth=truth, detectors=("default",), use_weather=False)
    )
    labels = [*["default (weather)", "prophet"][: len(scores)], "default (no weather)"]
    markdown([*scores, *plain], labels)
    if len(scores) == 2:
        ratio = scores[1].ms_per_meter / scores[0].ms_per_meter
        print(f"\nspeed: default {ratio:,.0f}x faster than prophet per meter;"
              f" F1 default {scores[0].f1:.3f} vs prophet {scores[1].f1:.3f}")  # fmt: skip


def detect_end_to_end(lake: MeterLake) -> None:
    """``detect`` over the lake, timed, then its rows removed again."""
    started = time.perf_counter()
    report = lake.detect(DetectOptions(data_end=END))
    seconds = time.perf_counter() - started
    print(f"\ndetect end to end: {report.meters} meters, {report.batches} batches,"
          f" {report.rows_written:,} rows in {seconds:.2f} s")  # fmt: skip
    for relative in report.files:
        (lake.layout.root / relative).unlink()
    (lake.layout.runs / f"{report.run_id}.json").unlink(missing_ok=True)


def daily_fleet(meters: int, seed: int) -> tuple[DailyMatrix, DailyWeather, list[dict[str, str]]]:
    """The generator's daily kWh of every meter (anomalies injected), its weather and truth."""
    plan = plan_fleet(FleetSpec(meters=meters, start=START, end=END, seed=seed))
    values = np.full((meters, plan.timeline.days), np.nan)
    found = []
    for household in plan.households:
        kwh, anomalies = meter_values(plan, household)
        days = slice(household.first // SLOTS_PER_DAY, household.last // SLOTS_PER_DAY)
        values[household.index, days] = kwh.reshape(-1, SLOTS_PER_DAY).sum(axis=1)
        found.extend(anomalies)
    first = np.datetime64(START, "D")
    matrix = DailyMatrix(
        [h.meter_id for h in plan.households], first + np.arange(plan.timeline.days), values
    )
    weather = DailyWeather(plan.daily_temperature, plan.daily_temperature)
    return matrix, weather, anomalies_frame(found, plan.timeline).to_dict("records")


def full_size(meters: int, seed: int, repeat: int) -> DailyMatrix:
    """The default detector alone on a full-size fleet, one year."""
    matrix, weather, truth = daily_fleet(meters, seed)
    times = []
    for _ in range(max(repeat, 1)):
        started = time.perf_counter()
        band = RobustDetector().band(matrix, weather)
        times.append(time.perf_counter() - started)
    result = score("default", matrix, band, truth_events(truth), min(times))
    print(f"\nfull size: {meters} meters x {matrix.days.size} days, default detector with weather:"
          f" best {min(times):.3f} s, median {statistics.median(times):.3f} s of {repeat}"
          f" (F1 {result.f1:.3f}, event recall {result.event_recall:.3f})")  # fmt: skip
    return matrix


def daily_lake(workdir: Path, matrix: DailyMatrix, seed: int) -> MeterLake:
    """A lake holding only ``aggregated_daily`` and ``weather``, made once."""
    lake = MeterLake(Settings(root=workdir / f"anomaly-daily-{len(matrix.meter_ids)}-{seed}",
                              progress=False))  # fmt: skip
    folder = lake.layout.table("aggregated_daily")
    if folder.exists():
        return lake
    ids = pa.array(matrix.meter_ids)
    for column, day in enumerate(matrix.days):
        known = np.isfinite(matrix.values[:, column])
        part = folder / f"date_str={str(day).replace('-', '')}" / "part-0.parquet"
        part.parent.mkdir(parents=True, exist_ok=True)
        table = pa.table({"meter_id": ids.filter(pa.array(known)),
                          "aggregated_consumption": matrix.values[known, column]})  # fmt: skip
        pq.write_table(table, part)
    plan = plan_fleet(FleetSpec(meters=1, start=START, end=END, seed=seed))
    temperature = hourly_temperature(plan.weather, plan.timeline)
    columns = {
        "time": pa.array(plan.timeline.hour_times().astype("datetime64[us]")),
        "temperature": pa.array(temperature), "apparenttemperature": pa.array(temperature - 1.0),
    }  # fmt: skip
    schema = REFERENCE_TABLES["weather"]
    weather = pa.table({f.name: columns.get(f.name, pa.nulls(temperature.size, f.type))
                        for f in schema})  # fmt: skip
    lake.layout.table("weather").mkdir(parents=True, exist_ok=True)
    pq.write_table(weather.cast(schema), lake.layout.table("weather") / "part-0.parquet")
    return lake


def main() -> None:
    """Parse arguments and run the four parts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meters", type=int, default=500)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--full-meters", type=int, default=5566)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=Path("bench-data"))
    parser.add_argument("--skip-prophet", action="store_true")
    args = parser.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores,"
          f" load {os.getloadavg()[0]:.1f}")  # fmt: skip
    lake = fleet_lake(args.workdir, args.meters, args.seed)
    compare(lake, args.skip_prophet)
    detect_end_to_end(lake)
    matrix = full_size(args.full_meters, args.seed, args.repeat)
    detect_end_to_end(daily_lake(args.workdir, matrix, args.seed))


if __name__ == "__main__":
    main()
