"""Generate a synthetic fleet: readings (streamed meter by meter), weather, geo, ground truth."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from meterlake.synth.anomalies import Anomaly
from meterlake.synth.csv_files import atomic_binary, write_frame
from meterlake.synth.darksky import darksky_frame
from meterlake.synth.households import Household
from meterlake.synth.outages import outages_by_meter
from meterlake.synth.plan import FleetPlan, draw_households, plan_fleet
from meterlake.synth.readings import MeterReadings, render_meter
from meterlake.synth.spec import FleetFiles, FleetSpec, validate_spec
from meterlake.synth.timeline import Timeline
from meterlake.synth.truth import (
    anomalies_frame,
    geo_frame,
    households_frame,
    outages_frame,
    zero_usage_frame,
)
from meterlake.synth.writer import HEADERS
from meterlake.synth.zero_usage import ZeroUsage

Progress = Callable[[int], None]
SINGLE_FILE = "CC_LCL-FullData.csv"
WEATHER_FILE = "weather_hourly_darksky.csv"
GEO_FILE = "meter-geo-data.csv"
HOUSEHOLDS_FILE = "informations_households.csv"
ANOMALIES_FILE = "anomalies.csv"
OUTAGES_FILE = "outages.csv"
ZERO_USAGE_FILE = "zero_usage.csv"
_WORKERS = 2  # numpy releases the GIL for most of a meter's work
_IN_FLIGHT = 4  # meters rendered ahead of the writer; bounds memory


def expected_rows(spec: FleetSpec) -> int:
    """Approximate number of reading rows, for progress bars."""
    validate_spec(spec)
    households = draw_households(spec, Timeline.between(spec.start, spec.end))
    active = sum(household.last - household.first for household in households)
    return round(active * (1.0 - spec.missing_rate + spec.duplicate_rate))


def reading_paths(spec: FleetSpec, readings_dir: Path) -> list[Path]:
    """``CC_LCL-FullData.csv`` for one file, else ``block_0.csv`` ... like the LCL release."""
    if spec.files == 1:
        return [readings_dir / SINGLE_FILE]
    return [readings_dir / f"block_{number}.csv" for number in range(spec.files)]


def _rendered(plan: FleetPlan, households: Iterable[Household]) -> Iterator[MeterReadings]:
    """Meters rendered on worker threads, yielded in order, a few in flight at a time."""
    by_meter = outages_by_meter(list(plan.outages))
    with ThreadPoolExecutor(_WORKERS, thread_name_prefix="synth") as pool:
        pending: deque[Future[MeterReadings]] = deque()
        for household in households:
            outages = by_meter.get(household.index, [])
            pending.append(pool.submit(render_meter, plan, household, outages))
            if len(pending) > _IN_FLIGHT:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


@dataclass
class _Written:
    """Rows written and the ground truth drawn while rendering meters."""

    rows: int = 0
    anomalies: list[Anomaly] = field(default_factory=list)
    zero_usage: list[ZeroUsage] = field(default_factory=list)


def _write_block(
    plan: FleetPlan,
    path: Path,
    households: Iterable[Household],
    progress: Progress | None,
    written: _Written,
) -> None:
    """Write one readings file; add its rows and ground truth to ``written``."""
    with atomic_binary(path) as handle:
        handle.write(HEADERS[plan.spec.layout])
        for meter in _rendered(plan, households):
            handle.write(meter.text.data)
            written.rows += meter.rows
            written.anomalies.extend(meter.anomalies)
            written.zero_usage.extend(meter.zero_usage)
            if progress is not None:
                progress(meter.rows)


def _blocks(plan: FleetPlan, paths: list[Path]) -> list[npt.NDArray[np.int64]]:
    """Meters split into contiguous blocks, one per file."""
    return np.array_split(np.arange(plan.spec.meters), len(paths))


def _file_of_each_meter(plan: FleetPlan, paths: list[Path]) -> list[str]:
    return [
        path.stem for path, block in zip(paths, _blocks(plan, paths), strict=True) for _ in block
    ]


def _write_readings(plan: FleetPlan, paths: list[Path], progress: Progress | None) -> _Written:
    """Write each block of meters into its own file."""
    written = _Written()
    for path, block in zip(paths, _blocks(plan, paths), strict=True):
        households = (plan.households[int(index)] for index in block)
        _write_block(plan, path, households, progress, written)
    return written


def generate_fleet(
    spec: FleetSpec,
    readings_dir: Path,
    reference_dir: Path,
    truth_dir: Path,
    progress: Progress | None = None,
) -> FleetFiles:
    """Write the fleet's readings, weather, geo and ground-truth files; same spec, same bytes."""
    validate_spec(spec)
    plan = plan_fleet(spec)
    hourly = darksky_frame(plan.weather, plan.timeline)
    weather = write_frame(hourly, reference_dir / WEATHER_FILE, decimals=2)
    geo = write_frame(geo_frame(plan.geo), reference_dir / GEO_FILE, header=False, decimals=8)
    paths = reading_paths(spec, readings_dir)
    households = write_frame(
        households_frame(plan.households, _file_of_each_meter(plan, paths)),
        reference_dir / HOUSEHOLDS_FILE,
    )
    written = _write_readings(plan, paths, progress)
    anomalies = anomalies_frame(written.anomalies, plan.timeline)
    zero_usage = zero_usage_frame(written.zero_usage, plan.timeline)
    return FleetFiles(
        readings=paths,
        weather=weather,
        geo=geo,
        households=households,
        anomalies=write_frame(anomalies, truth_dir / ANOMALIES_FILE),
        outages=write_frame(outages_frame(plan.outages, plan.timeline), truth_dir / OUTAGES_FILE),
        zero_usage=write_frame(zero_usage, truth_dir / ZERO_USAGE_FILE),
        rows=written.rows,
    )
