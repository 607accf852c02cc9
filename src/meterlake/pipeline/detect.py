"""``meterlake detect``: anomaly detection over meter batches, appended to the ``anomaly`` table.

Each batch (section 4.6, inclusive ranges, at most 100 meters) is modelled on the 12 months
before ``data_end``; only meter-days newer than the meter's last stored day are written (section
4.3 step 4). Every batch with new rows stages one Parquet file; the run commits them with its run
record in one transaction, so readers see all of a run or none of it. A run with nothing new
commits nothing: re-running with the same ``data_end`` changes nothing and loses nothing.
"""

from __future__ import annotations

import re
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import pyarrow.parquet as pq

from meterlake.analytics.anomaly.batches import MAX_BATCH_SIZE, MeterBatch, split_batches
from meterlake.analytics.anomaly.detectors import Detector, make_detector
from meterlake.analytics.anomaly.incremental import days_to_write
from meterlake.analytics.anomaly.matrix import DailyMatrix, DailyWeather, anomaly_table
from meterlake.lake.layout import LakeLayout
from meterlake.lake.lock import writer_lock
from meterlake.lake.transaction import Transaction, recover
from meterlake.pipeline.daily_inputs import (
    Query,
    default_data_end,
    last_stored_days,
    load_matrix,
    load_weather,
    window,
)
from meterlake.pipeline.ingest import Progress, no_progress

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


@dataclass(frozen=True)
class DetectOptions:
    """What ``detect`` is asked to do."""

    detector: str = "default"
    data_end: date | None = None
    batch_size: int = MAX_BATCH_SIZE
    seed: int = 0
    #: Model each batch's meters on Spark (``engine = "spark"``), one task per meter group.
    on_spark: bool = False


@dataclass
class DetectReport:
    """What a detection run did (stored as its run record when it wrote rows)."""

    run_id: str
    detector: str
    data_end: str
    first_day: str
    batches: int = 0
    meters: int = 0
    meters_written: int = 0
    meters_skipped: int = 0
    rows_written: int = 0
    spikes: int = 0
    dips: int = 0
    weather: bool = False
    seconds: float = 0.0
    files: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The run record (``counts``/``totals`` keep it readable next to ingest runs)."""
        record = asdict(self)
        record["kind"] = "detect"
        record["counts"] = {"batches": self.batches, "files": len(self.files)}
        record["totals"] = {"rows_written": self.rows_written}
        record["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
        return record


def detect(
    layout: LakeLayout,
    query: Query,
    run_id: str,
    options: DetectOptions,
    progress: Progress = no_progress,
) -> DetectReport:
    """Detect anomalies for every meter with new days, in one atomic run."""
    started = time.perf_counter()
    detector = make_detector(options.detector, options.seed)
    with writer_lock(layout):
        recover(layout)
        data_end = options.data_end or default_data_end(query)
        first, last = window(data_end)
        matrix = load_matrix(query, first, last)
        weather = load_weather(query, matrix.days)
        batches = split_batches(matrix.meter_ids, options.batch_size)
        report = DetectReport(
            run_id,
            detector.name,
            data_end.isoformat(),
            first.isoformat(),
            batches=len(batches),
            meters=len(matrix.meter_ids),
            weather=weather is not None,
        )
        keep = days_to_write(matrix, last_stored_days(query))
        txn = Transaction(layout, run_id)
        try:
            advance = progress(f"detecting anomalies ({detector.name})", len(matrix.meter_ids))
            model = (detector, weather, options.on_spark)
            offset = 0
            for batch in batches:
                rows = np.arange(offset, offset + batch.size)
                _run_batch(layout, txn, report, model, matrix, keep, rows, batch)
                offset += batch.size
                advance(batch.size)
            report.seconds = round(time.perf_counter() - started, 3)
            if report.rows_written:
                txn.write_json(layout.runs / f"{run_id}.json", report.to_json())
                txn.commit()
            else:
                txn.abort()
        except BaseException:
            txn.abort()
            raise
    return report


def _run_batch(  # noqa: PLR0917 (one batch needs the run's whole context)
    layout: LakeLayout,
    txn: Transaction,
    report: DetectReport,
    model: tuple[Detector, DailyWeather | None, bool],
    matrix: DailyMatrix,
    keep: np.ndarray,
    rows: np.ndarray,
    batch: MeterBatch,
) -> None:
    """Model the batch's meters that have new days and stage their new rows."""
    detector, weather, on_spark = model
    work = rows[keep[rows].any(axis=1)]
    report.meters_skipped += rows.size - work.size
    if work.size == 0:
        return
    subset = matrix.take(work)
    if on_spark:
        from meterlake.engines.spark_analytics import detect_anomalies  # noqa: PLC0415 (extra)

        table = detect_anomalies(subset, detector, weather, keep[work])
    else:
        table = anomaly_table(subset, detector.band(subset, weather), keep[work])
    if table.num_rows == 0:
        return
    name = _UNSAFE.sub("_", f"{report.data_end}_{batch.name}_{report.run_id}") + ".parquet"
    target = layout.table("anomaly") / name
    staged = txn.stage(target)
    staged.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, staged, compression="zstd")
    flags = table.column("anomaly").to_numpy()
    report.meters_written += work.size
    report.rows_written += table.num_rows
    report.spikes += int((flags == 1).sum())
    report.dips += int((flags == -1).sum())
    report.files.append(str(layout.relative(target)))
