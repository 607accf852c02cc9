"""The one facade every front end calls (CLI now; API, dashboard and notebooks later)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from meterlake.analytics.anomaly.evaluate import Score
from meterlake.analytics.forecast import names
from meterlake.analytics.outage import OutageParams
from meterlake.config import PipelineSettings, Settings
from meterlake.engines.base import Engine
from meterlake.engines.duckdb_engine import DuckDBEngine
from meterlake.errors import InputError, LakeError, NotFoundError
from meterlake.lake.layout import LakeLayout
from meterlake.lake.ledger import Ledger
from meterlake.lake.lock import pipeline_busy, pipeline_lock, writer_lock
from meterlake.lake.reader import LakeReader
from meterlake.lake.reading_store import IntervalReads
from meterlake.lake.runs import load_runs, new_run_id
from meterlake.lake.transaction import recover
from meterlake.pipeline.choose import FormatChoice, check_format_name
from meterlake.pipeline.detect import DetectOptions, DetectReport, detect
from meterlake.pipeline.evaluate_anomalies import EvaluateOptions, evaluate_anomalies
from meterlake.pipeline.ingest import Progress, ingest, no_progress
from meterlake.pipeline.report import RunReport
from meterlake.pipeline.window import DataSpan, Window, default_window
from meterlake.serving import compat, dashboard, v1
from meterlake.serving import outages as outage_queries
from meterlake.serving.anomaly_weather import anomalies_with_weather
from meterlake.serving.meter_reads import UNITS
from meterlake.serving.outage_index import OutageIndex

if TYPE_CHECKING:
    from meterlake.analytics.forecast.operations import Forecasting, ModelChoice
    from meterlake.analytics.forecast.pipeline import TrainRequest
    from meterlake.analytics.outage.evaluate import OutageScore
    from meterlake.lake.object_store import ObjectStoreLake
    from meterlake.pipeline.outages import OutageReport
    from meterlake.synth import FleetFiles, FleetSpec
    from meterlake.vee.operations import VeeOperations


#: What a model version or alias looks like, for front ends to check a name before asking.
MODEL_NAME = names.MODEL_NAME


@dataclass(frozen=True)
class LakeStatus:
    """A summary of what a lake holds."""

    root: str
    files_ingested: int
    files_rejected: int
    meters: int
    first_date: str | None
    last_date: str | None
    daily_rows: int
    quarantined_rows: int
    runs: list[dict[str, Any]]


class MeterLake:
    """Operations on one lake."""

    def __init__(
        self, settings: Settings, cached: tuple[str, ...] = (), clustered: bool = False
    ) -> None:
        """Bind to the lake at ``settings.root``.

        ``cached`` tables are held in memory by the reader and ``clustered`` keeps a
        meter-clustered store of the interval reads (both for servers).
        """
        self.settings = settings
        self.cached = cached
        self.clustered = clustered
        self.layout = LakeLayout(settings.root)
        self._reader: LakeReader | None = None
        self._forecasting: Forecasting | None = None

    def engine(self) -> Engine:
        """A fresh engine configured from settings (``engine = "spark"`` needs the extra)."""
        if self.settings.engine == "spark":
            from meterlake.engines.spark_engine import SparkEngine  # noqa: PLC0415 (extra)

            return SparkEngine(
                self.layout.scratch, self.settings.spark_master, self.settings.spark_conf
            )
        return DuckDBEngine(self.settings.memory_limit, self.settings.threads, self.layout.scratch)

    def generate(self, spec: FleetSpec, progress: Progress = no_progress) -> FleetFiles:
        """Write a synthetic fleet: readings to landing/, companions to reference/ and truth/."""
        from meterlake.synth import expected_rows, generate_fleet  # noqa: PLC0415 (numpy, pandas)

        try:
            expected = expected_rows(spec)
            advance = progress("generating fleet", expected)
            files = generate_fleet(
                spec,
                self.layout.landing,
                self.layout.root / "reference",
                self.layout.root / "truth",
                advance,
            )
        except ValueError as exc:
            raise InputError(f"invalid fleet: {exc}") from exc
        advance(max(0, expected - files.rows))  # the estimate, not the bar, was short
        return files

    def ingest(
        self,
        paths: Sequence[Path] | None = None,
        progress: Progress = no_progress,
        file_format: str | None = None,
    ) -> RunReport:
        """Ingest new files (default: the landing folder), sniffing formats unless one is named."""
        for name in [file_format, *self.settings.formats.values()]:
            problem = name and check_format_name(name, self.settings.mappings)
            if problem:
                raise InputError(problem)
        formats = FormatChoice(
            file_format,
            self.settings.formats,
            self.settings.mappings,
            self.settings.source_timezones,
            self.settings.calendar_timezone,
        )
        store = self.object_store()
        if store is not None and not self.layout.ledger.exists():
            store.pull(self.layout)  # a writer's first run on this machine starts from the store
        engine = self.engine()
        try:
            report = ingest(self.layout, engine, new_run_id(), paths, progress, formats)
        finally:
            engine.close()
        if store is not None:
            store.publish(self.layout)
        return report

    def object_store(self) -> ObjectStoreLake | None:
        """The object-store lake this lake publishes to (``lake_url``), if any."""
        if self.settings.lake_url is None:
            return None
        from meterlake.lake.object_store import ObjectStoreLake  # noqa: PLC0415 (s3 extra)

        return ObjectStoreLake(self.settings.lake_url, self.settings.storage_options)

    def sql(self, query: str, params: Sequence[object] | None = None) -> pa.Table:
        """Run parameterised DuckDB SQL over views named like the reference tables."""
        return self._open_reader().query(query, params)

    def _meter_reads(self, meter_id: str, start: datetime, end: datetime) -> pa.Table:
        return self._open_reader().meter_reads(meter_id, start, end)

    def _interval_reads(self, meter_id: str, start: datetime, end: datetime) -> IntervalReads:
        return self._open_reader().interval_reads(meter_id, start, end)

    def _open_reader(self) -> LakeReader:
        if self._reader is None:
            self._recover_if_idle()
            self._reader = LakeReader(
                self.layout,
                self.settings.memory_limit,
                self.settings.threads,
                self.cached,
                clustered=self.clustered,
            )
        return self._reader

    def open(self) -> None:
        """Open the long-lived reader and fill its in-memory tables now (a server's start)."""
        self._open_reader().refresh()

    def serving_state(self) -> str:
        """The reads store's state: ``current``, ``updating`` or ``off``."""
        return self._reader.store_state if self._reader is not None else "off"

    def close(self) -> None:
        """Release the long-lived reader, if one was opened."""
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def consumption(self, aggregation: str, year: int, meter_id: str) -> list[list[Any]]:
        """The reference ``/consumption`` body: per-period kWh of one meter in one year."""
        if aggregation not in compat.AGGREGATIONS:
            allowed = ", ".join(compat.AGGREGATIONS)
            raise InputError(f"unknown aggregation {aggregation!r}; allowed: {allowed}")
        rows = self._open_reader().meter_rows(f"aggregated_{aggregation}", meter_id)
        if rows is not None:
            return compat.consumption_of_rows(aggregation, year, rows)
        return compat.consumption(self.sql, aggregation, year, meter_id)

    def anomalies(
        self, meter_id: str, start: datetime, end: datetime, outlier_only: bool
    ) -> dict[str, dict[str, Any]]:
        """The reference ``/anomaly`` body (``end`` exclusive)."""
        rows = self._open_reader().meter_rows("anomaly", meter_id)
        if rows is not None:
            return compat.anomalies_of_rows(rows, start, end, outlier_only)
        return compat.anomalies(self.sql, meter_id, start, end, outlier_only)

    def anomalies_with_weather(
        self, meter_id: str, start: datetime, end: datetime, outlier_only: bool
    ) -> dict[str, dict[str, Any]]:
        """The ``/anomaly`` body joined with the day's mean temperature and apparent temperature."""
        return anomalies_with_weather(self.sql, meter_id, start, end, outlier_only)

    def detect(
        self, options: DetectOptions | None = None, progress: Progress = no_progress
    ) -> DetectReport:
        """Detect anomalies of meters with new days and append them to the ``anomaly`` table."""
        self._open_reader()  # before the writer lock: opening may recover a crashed run
        options = replace(options or DetectOptions(), on_spark=self.settings.engine == "spark")
        return detect(self.layout, self.sql, new_run_id(), options, progress)

    def evaluate_anomalies(self, options: EvaluateOptions) -> list[Score]:
        """Score detectors against ground-truth labels on the same meters (writes nothing)."""
        return evaluate_anomalies(self.sql, options)

    def forecast(
        self, meter_id: str, start: datetime, end: datetime, model: str | None = None
    ) -> dict[str, Any]:
        """The reference ``/forecast`` body from the named model (default: the active one)."""
        predict = self.forecasting().predictor(model, meter_id)
        recent_from, recent = self._open_reader().recent_hours(meter_id)
        return compat.forecast(
            self._interval_reads, meter_id, start, end, recent_from, predict=predict, recent=recent
        )

    def forecast_model(self, name: str | None) -> ModelChoice:
        """The model an API forecast asked for by ``name`` uses.

        ``unknown_model_name`` decides whether an unknown name gets the active model or an
        ``InputError``.
        """
        fallback = self.settings.unknown_model_name == "active"
        return self.forecasting().choose(name, fallback)

    def outages(
        self, start: datetime, end: datetime, error_code: str | None, source: str = "all"
    ) -> dict[str, Any]:
        """The reference ``/outage`` body (inclusive window): ERR reads, inferred outages or all."""
        if source not in compat.OUTAGE_SOURCES:
            raise InputError(f"unknown source {source!r}; allowed: err, inferred, all")
        if self.cached:  # a server: an in-memory index, rebuilt after each commit
            index = self._open_reader().derived("outages", OutageIndex)
            return index.answer(start, end, error_code, source)
        return compat.outages(self.sql, start, end, error_code, source)

    def meters(self, search: str = "", limit: int = 100, offset: int = 0) -> dict[str, Any]:
        """A page of meters whose id starts with ``search``, with their coverage."""
        return v1.meters(self.sql, search, limit, offset)

    def meter(self, meter_id: str) -> dict[str, Any]:
        """One meter's coverage, total kWh and coordinates."""
        found = v1.meter(self.sql, meter_id)
        if found is None:
            raise NotFoundError(f"no readings for meter {meter_id!r}")
        return found

    def readings(
        self, meter_id: str, start: datetime, end: datetime, resolution: str, limit: int
    ) -> list[dict[str, Any]]:
        """One meter's readings in ``[start, end)`` at ``resolution``."""
        if resolution not in UNITS:
            allowed = ", ".join(UNITS)
            raise InputError(f"unknown resolution {resolution!r}; allowed: {allowed}")
        if end <= start:
            raise InputError("end must be after start")
        return v1.readings(
            self._meter_reads, meter_id, start=start, end=end, resolution=resolution, limit=limit
        )

    def forecasts(
        self, meter_id: str, start: datetime, end: datetime, quantiles: tuple[float, ...]
    ) -> list[dict[str, Any]]:
        """168 hourly forecasts with the chosen quantiles (active model, else seasonal naive)."""
        recent_from, recent = self._open_reader().recent_hours(meter_id)
        return v1.forecasts(
            self._interval_reads,
            meter_id,
            window=(start, end),
            quantiles=quantiles,
            recent_from=recent_from,
            predict=self.forecasting().predictor(None, meter_id),
            recent=recent,
        )

    def vee(self) -> VeeOperations:
        """Validation, estimation, editing and the data-quality report (docs/vee.md)."""
        from meterlake.vee.operations import VeeOperations  # noqa: PLC0415

        self._open_reader()  # before a writer lock: opening may recover a crashed run
        return VeeOperations(self.layout, self.settings, self.sql)

    def forecasting(self) -> Forecasting:
        """Training, batch forecasts and the model store of this lake."""
        if self._forecasting is None:
            from meterlake.analytics.forecast.operations import Forecasting  # noqa: PLC0415

            self._forecasting = Forecasting(
                self.layout,
                self.sql,
                self.settings.ml_endpoint_name,
                on_spark=self.settings.engine == "spark",
            )
        return self._forecasting

    def train(
        self, request: TrainRequest, progress: Progress = no_progress, activate: bool = True
    ) -> dict[str, Any]:
        """Train and backtest a forecast model, store it and (by default) make it active."""
        return self.forecasting().train(request, progress, activate)

    def forecast_batch(
        self,
        data_end: datetime,
        days: int,
        meters: tuple[int, int | None] = (1, None),
        batch_size: int = 500,
        progress: Progress = no_progress,
    ) -> dict[str, Any]:
        """Forecast every meter (or 1-based positions) from ``data_end`` into ``forecast``."""
        return self.forecasting().forecast(data_end, days, meters, batch_size, progress)

    def consumption_v1(
        self, meter_id: str, start: datetime, end: datetime, period: str
    ) -> list[dict[str, Any]]:
        """Interval kWh per day, week or month between two days."""
        if period not in ("day", "week", "month"):
            raise InputError(f"unknown period {period!r}; allowed: day, week, month")
        return v1.consumption(self.sql, meter_id, start=start, end=end, period=period)

    def anomalies_v1(
        self, meter_id: str, start: datetime, end: datetime, outliers_only: bool
    ) -> list[dict[str, Any]]:
        """Anomaly rows of one meter as objects."""
        return v1.anomalies(self.sql, meter_id, start=start, end=end, outliers_only=outliers_only)

    def outages_v1(
        self, start: datetime, end: datetime, error_code: str | None, limit: int
    ) -> list[dict[str, Any]]:
        """ERR reads in a window, as objects."""
        if end < start:
            raise InputError("end must not be before start")
        return v1.outages(self.sql, start=start, end=end, error_code=error_code, limit=limit)

    def detect_outages(
        self, start: datetime, end: datetime, params: OutageParams | None = None
    ) -> OutageReport:
        """Infer outage events starting in ``[start, end)`` and store them (replacing the old)."""
        from meterlake.pipeline.outages import (  # noqa: PLC0415 (numpy and pandas load only here)
            OutageReport,
            infer_events,
            store_events,
        )

        _check_window(start, end)
        params = params or OutageParams()
        report = OutageReport(new_run_id(), start, end, asdict(params))
        events, meters = infer_events(self.sql, start, end, params, report)
        store_events(self.layout, events, meters, report)
        return report

    def outage_events(
        self,
        start: datetime,
        end: datetime,
        source: str | None = None,
        min_confidence: float = 0.0,
        page: tuple[int, int] = (1000, 0),
    ) -> list[dict[str, Any]]:
        """Stored outage events overlapping ``[start, end)``; ``page`` is (limit, offset)."""
        _check_window(start, end)
        if source not in (None, *outage_queries.SOURCES):
            raise InputError(f"unknown source {source!r}; allowed: err, inferred, both")
        return outage_queries.events(
            self.sql,
            window=(start, end),
            source=source,
            min_confidence=min_confidence,
            page=page,
        )

    def outage_event(self, event_id: str) -> dict[str, Any]:
        """One outage event with its meters."""
        found = outage_queries.event(self.sql, event_id)
        if found is None:
            raise NotFoundError(f"no outage event {event_id!r}")
        return found

    def outage_counts(
        self, period: str, start: datetime, end: datetime, meter_id: str | None = None
    ) -> list[dict[str, Any]]:
        """Outages per meter and day, week or month, from the stored events."""
        _check_window(start, end)
        if period not in outage_queries.PERIODS:
            raise InputError(f"unknown period {period!r}; allowed: day, week, month")
        return outage_queries.counts(
            self.sql, period=period, window=(start, end), meter_id=meter_id
        )

    def reliability(
        self,
        start: datetime,
        end: datetime,
        bbox: outage_queries.BBox | None = None,
        min_confidence: float = 0.0,
    ) -> dict[str, Any]:
        """SAIFI, SAIDI and CAIDI of a period (and area: south, west, north, east)."""
        _check_window(start, end)
        if bbox is not None and not (bbox[0] <= bbox[2] and bbox[1] <= bbox[3]):
            raise InputError("bbox must be south,west,north,east with south <= north, west <= east")
        return outage_queries.reliability(
            self.sql, window=(start, end), bbox=bbox, min_confidence=min_confidence
        )

    def evaluate_outages(
        self, truth: Path | None = None, window: tuple[datetime, datetime] | None = None
    ) -> OutageScore:
        """Score the stored events against a generated fleet's ground truth (``truth/``)."""
        from meterlake.analytics.outage.truth import load_truth  # noqa: PLC0415 (pandas)

        if window is None:
            span = self.data_span()
            if span is None:
                raise InputError("the lake has no readings to evaluate")
            first = datetime.combine(span.first, datetime.min.time())
            window = (first, datetime.combine(span.last, datetime.min.time()) + timedelta(days=1))
        _check_window(*window)
        events = self.sql(
            "SELECT * FROM outage_events WHERE start >= ? AND start < ?", list(window)
        )
        members = self.sql(
            """SELECT * FROM outage_meters WHERE event_id IN
                (SELECT event_id FROM outage_events WHERE start >= ? AND start < ?)""",
            list(window),
        )
        return load_truth(truth or self.layout.root / "truth", window).score(events, members)

    def quality(self) -> list[dict[str, Any]]:
        """Quarantined rows per run, file and reason."""
        return v1.quality(self.sql)

    def run(self, run_id: str) -> dict[str, Any]:
        """One run record."""
        found = [r for r in self.runs() if r["run_id"] == run_id]
        if not found:
            raise NotFoundError(f"no run {run_id!r}")
        return found[0]

    def runs(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Run records, newest first."""
        return load_runs(self.layout.runs, limit)

    def run_pipeline(
        self, params: PipelineSettings | None = None, trigger: str = "manual", wait: bool = False
    ) -> dict[str, Any]:
        """Run ingest -> vee -> detect -> train -> forecast -> outages under the pipeline lock.

        A failing step raises ``PipelineError`` after its record is saved; the next run resumes.
        """
        from meterlake.pipeline import orchestrate  # noqa: PLC0415
        from meterlake.pipeline.steps import STEP_NAMES, pipeline_steps  # noqa: PLC0415

        params = params or self.settings.pipeline
        with pipeline_lock(self.layout, wait=wait):
            record = orchestrate.PipelineRecord(
                new_run_id(),
                trigger,
                params.model_dump(mode="json"),
                [orchestrate.StepRecord(name) for name in STEP_NAMES],
            )
            folder = self.layout.pipeline_runs

            def chosen(window: Window) -> None:  # the record keeps the window the run used
                record.parameters.update(data_start=str(window.start), data_end=str(window.end))

            orchestrate.run_steps(
                record,
                pipeline_steps(self, params, chosen),
                lambda current: orchestrate.save_record(folder, current),
            )
        return record.to_json()

    def pipeline_runs(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Pipeline run records, newest first; a "running" one whose process died is "crashed"."""
        from meterlake.pipeline.orchestrate import load_records  # noqa: PLC0415

        records = load_records(self.layout.pipeline_runs, limit)
        if any(r["status"] == "running" for r in records) and not pipeline_busy(self.layout):
            for record in records:
                if record["status"] == "running":
                    record["status"] = "crashed"
        return records

    def data_span(self) -> DataSpan | None:
        """The first and last day with readings (``None`` for a lake without any)."""
        dates = self._days()
        if not dates:
            return None
        return DataSpan(*(datetime.strptime(d, "%Y%m%d").date() for d in (dates[0], dates[-1])))

    def window(self, start: date | None = None, end: date | None = None) -> Window:
        """``start`` .. ``end``; a missing end from ``[pipeline]``, else from the lake's data."""
        pipeline = self.settings.pipeline
        return default_window(
            self.data_span(), start or pipeline.data_start, end or pipeline.data_end
        )

    def _days(self) -> list[str]:
        """Every day (``yyyyMMdd``) of the daily aggregate, in order."""
        return sorted(
            p.name.removeprefix("date_str=")
            for p in self.layout.table("aggregated_daily").glob("date_str=*")
        )

    def status(self, last_runs: int = 5) -> LakeStatus:
        """Files, meters, date range, rows, quarantine and the last runs."""
        self._recover_if_idle()
        ledger = Ledger.load(self.layout.ledger)
        statuses = [e.status for e in ledger.entries.values()]
        dates = self._days()
        counts = self.sql(
            "SELECT (SELECT count(DISTINCT meter_id) FROM aggregated_monthly),"
            " (SELECT count(*) FROM quarantine)"
        ).to_pylist()[0]
        meters, quarantined = counts.values()
        return LakeStatus(
            root=str(self.layout.root),
            files_ingested=statuses.count("ingested"),
            files_rejected=statuses.count("rejected"),
            meters=int(meters),
            first_date=dates[0] if dates else None,
            last_date=dates[-1] if dates else None,
            daily_rows=_parquet_rows(self.layout.table("daily")),
            quarantined_rows=int(quarantined),
            runs=self.runs(last_runs),
        )

    def overview(self) -> dict[str, Any]:
        """Fleet size, coverage per day and counts of anomalies, forecasts, outages, quarantine."""
        return dashboard.overview(self.sql)

    def stored_forecast(self, meter_id: str) -> list[dict[str, Any]]:
        """The meter's latest pre-computed hourly forecast (P10, P50, P90)."""
        return dashboard.stored_forecast(self.sql, meter_id)

    def weather(self, start: datetime, end: datetime, period: str) -> list[dict[str, Any]]:
        """Mean (apparent) temperature per day, ISO week or month in ``[start, end)``."""
        _check_window(start, end)
        if period not in dashboard.WEATHER_PERIODS:
            raise InputError(f"unknown period {period!r}; allowed: day, week, month")
        return dashboard.weather(self.sql, start=start, end=end, period=period)

    def meter_positions(self) -> list[dict[str, Any]]:
        """Every meter's latitude and longitude."""
        return dashboard.positions(self.sql)

    def _recover_if_idle(self) -> None:
        """Finish or discard a crashed run, unless a writer is at work (it recovers itself)."""
        if not self.layout.transactions.exists():
            return
        try:
            with writer_lock(self.layout):
                recover(self.layout)
        except LakeError:
            return


def _check_window(start: datetime, end: datetime) -> None:
    if end <= start:
        raise InputError("end must be after start")


def _parquet_rows(folder: Path) -> int:
    return sum(pq.ParquetFile(p).metadata.num_rows for p in folder.rglob("*.parquet"))
