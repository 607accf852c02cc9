"""The six steps of ``meterlake run``, each a call to the facade that reports a ``StepOutcome``.

Every step decides from the lake itself whether it has work left, so a run that follows a
failed one resumes where that one stopped:

* ``ingest`` skips files in the ledger (landing/ and reference/ when present);
* ``vee`` validates and estimates the days of the ingests no VEE run has covered yet;
* ``detect`` writes only meter-days newer than each meter's last stored day;
* ``train`` runs when no model is active or the retrain policy finds the active one stale
  (``pipeline/retrain.py``); a retrained model that does not promote stays inactive;
* ``forecast`` runs unless a forecast by the active model from ``data_end`` is newer than the
  last ingest that brought new days;
* ``outages`` infers events over the days of every ingest since the last pipeline run whose
  outage step succeeded (it replaces the events in that window, so repeating it is harmless).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from meterlake.analytics.anomaly.batches import MAX_BATCH_SIZE
from meterlake.config import PipelineSettings
from meterlake.errors import NotFoundError
from meterlake.lake.layout import LakeLayout
from meterlake.lake.runs import load_runs
from meterlake.pipeline.detect import DetectOptions, DetectReport
from meterlake.pipeline.orchestrate import Step, StepOutcome, load_records
from meterlake.pipeline.report import RunReport
from meterlake.pipeline.retrain import active_facts, promotion_refusal, retrain_reason
from meterlake.pipeline.window import Window

if TYPE_CHECKING:
    from pathlib import Path

    from meterlake.analytics.forecast.operations import Forecasting
    from meterlake.analytics.forecast.pipeline import TrainRequest
    from meterlake.pipeline.outages import OutageReport
    from meterlake.vee.operations import VeeOperations

#: Step names in the order they run.
STEP_NAMES = ("ingest", "vee", "detect", "train", "forecast", "outages")


class PipelineLake(Protocol):
    """The part of the ``MeterLake`` facade that the pipeline calls."""

    layout: LakeLayout

    def ingest(self, paths: list[Path] | None = None) -> RunReport:
        """Ingest new files."""

    def detect(self, options: DetectOptions | None = None) -> DetectReport:
        """Detect anomalies of meters with new days."""

    def vee(self) -> VeeOperations:
        """Validation, estimation and editing."""

    def forecasting(self) -> Forecasting:
        """The model store and forecasting operations."""

    def train(self, request: TrainRequest, *, activate: bool = True) -> dict[str, Any]:
        """Train a model; activate it when asked."""

    def forecast_batch(
        self, data_end: datetime, days: int, meters: tuple[int, int | None], batch_size: int
    ) -> dict[str, Any]:
        """Batch forecasts into the ``forecast`` table."""

    def detect_outages(self, start: datetime, end: datetime) -> OutageReport:
        """Infer and store outage events in a window."""

    def window(self, start: date | None = None, end: date | None = None) -> Window:
        """The given days, the missing ones from the lake's data."""


def pipeline_steps(
    lake: PipelineLake,
    params: PipelineSettings,
    on_window: Callable[[Window], None] = lambda window: None,
) -> list[tuple[str, Step]]:
    """The steps of one run, bound to ``lake`` and ``params``.

    A window that ``params`` leaves open is taken from the lake when a step first needs it,
    after the ingest step, so a first run on new files trains on those files' dates;
    ``on_window`` hears the window chosen.
    """
    window = _WindowOnce(lake, params, on_window)
    makers: dict[str, Callable[[PipelineLake, PipelineSettings, Window], StepOutcome]] = {
        "detect": detect_step,
        "train": train_step,
        "forecast": forecast_step,
    }
    steps: list[tuple[str, Step]] = [
        ("ingest", lambda: ingest_step(lake)),
        ("vee", lambda: vee_step(lake)),
    ]
    steps += [(name, _bind(maker, lake, params, window)) for name, maker in makers.items()]
    return [*steps, ("outages", lambda: outages_step(lake))]


class _WindowOnce:
    """The run's window, resolved from the lake on first use and then kept."""

    def __init__(
        self, lake: PipelineLake, params: PipelineSettings, tell: Callable[[Window], None]
    ) -> None:
        self.lake, self.params, self.tell = lake, params, tell
        self.window: Window | None = None

    def __call__(self) -> Window:
        if self.window is None:
            self.window = self.lake.window(self.params.data_start, self.params.data_end)
            self.tell(self.window)
        return self.window


def _bind(
    maker: Callable[[PipelineLake, PipelineSettings, Window], StepOutcome],
    lake: PipelineLake,
    params: PipelineSettings,
    window: Callable[[], Window],
) -> Step:
    return lambda: maker(lake, params, window())


def ingest_step(lake: PipelineLake) -> StepOutcome:
    """New files of landing/ (and reference/ when present) into the lake."""
    sources = [p for p in (lake.layout.landing, lake.layout.root / "reference") if p.exists()]
    if not sources:
        return StepOutcome(skipped="no landing/ or reference/ folder")
    report = lake.ingest(sources)
    record = report.to_json()
    warnings = [f"{f.file}: rejected: {f.reason}" for f in report.files if f.status == "rejected"]
    if record["totals"]["quarantined"]:
        warnings.append(f"{record['totals']['quarantined']} row(s) quarantined")
    outcome = StepOutcome(
        counts={**record["counts"], "days": len(report.dates), **record["totals"]},
        details={"ingest_run": report.run_id},
        warnings=warnings,
    )
    if not record["counts"]["ingested"]:
        outcome.skipped = "no new files"
    return outcome


def vee_step(lake: PipelineLake) -> StepOutcome:
    """Validation and estimation of the days of new ingests (docs/vee.md)."""
    vee = lake.vee()
    if not vee.settings.vee.on_ingest:
        return StepOutcome(skipped="vee.on_ingest is off")
    report = vee.validate_pending(trigger="pipeline")
    if report is None:
        return StepOutcome(skipped="no new days")
    unestimated = report.targets - report.estimates
    return StepOutcome(
        counts={
            "days": len(report.dates),
            "reads": report.reads,
            "flags": report.flags,
            "estimates": report.estimates,
        },
        details={"vee_run": report.run_id, "ingest_runs_through": report.ingest_runs_through},
        warnings=[f"{unestimated} interval(s) could not be estimated"] if unestimated else [],
    )


def detect_step(lake: PipelineLake, params: PipelineSettings, window: Window) -> StepOutcome:
    """Anomalies of meters with new days, up to the window's end."""
    batch = min(params.batch_size, MAX_BATCH_SIZE)
    report = lake.detect(DetectOptions(data_end=window.end, batch_size=batch))
    outcome = StepOutcome(
        counts={
            "meters": report.meters,
            "meters_written": report.meters_written,
            "rows_written": report.rows_written,
            "spikes": report.spikes,
            "dips": report.dips,
        },
        details={"detect_run": report.run_id},
    )
    if not report.rows_written:
        outcome.skipped = "no new meter-days"
    return outcome


def train_step(lake: PipelineLake, params: PipelineSettings, window: Window) -> StepOutcome:
    """Train a model when the retrain policy asks; activate it if it promotes."""
    from meterlake.analytics.forecast.pipeline import TrainRequest  # noqa: PLC0415 (numpy)

    forecasting = lake.forecasting()
    active = _active_model(lake)
    facts = active_facts(forecasting.store.show(active)) if active is not None else None
    reason = retrain_reason(params, window.end, facts, datetime.now(UTC))
    if reason is None:
        return StepOutcome(
            details={"model": active, "retrain": params.retrain},
            skipped=f"model {active} is active and the retrain policy ({params.retrain}) keeps it",
        )
    request = TrainRequest(
        _moment(window.start),
        _moment(window.end),
        training_samples=params.training_samples,
        model=params.model,
    )
    meta = lake.train(request, activate=False)
    refusal = promotion_refusal(params, meta) if active is not None else None
    if refusal is None:
        forecasting.store.activate(meta["version"], forecasting.endpoint)
    return StepOutcome(
        counts={"meters": int(meta.get("meters", 0))},
        details={
            "model": meta["version"],
            "kind": meta["kind"],
            "reason": reason,
            "active": active if refusal else meta["version"],
        },
        warnings=[f"model {meta['version']} not activated: {refusal}"] if refusal else [],
    )


def forecast_step(lake: PipelineLake, params: PipelineSettings, window: Window) -> StepOutcome:
    """Batch forecasts of the active model from the window's end, unless they are up to date."""
    model = _active_model(lake)
    partition = f"{window.end:%Y%m%d}"
    runs = load_runs(lake.layout.runs)
    done = [
        r["run_id"]
        for r in runs
        if r.get("kind") == "forecast" and r.get("model") == model and r["data_end"] == partition
    ]
    if done and done[0] > _last_ingest_with_days(runs):
        return StepOutcome(
            details={"forecast_run": done[0], "model": model},
            skipped=f"forecasts by {model} from {window.end} are up to date",
        )
    answer = lake.forecast_batch(
        _moment(window.end),
        params.forecast_period,
        (params.meter_start, params.meter_end),
        params.batch_size,
    )
    return StepOutcome(
        counts={"meters": int(answer["meters"]), "rows": int(answer["rows"])},
        details={"model": answer["model"]},
    )


def outages_step(lake: PipelineLake) -> StepOutcome:
    """Outage events over the days of the ingests since the last successful outage step."""
    runs = load_runs(lake.layout.runs)
    through = _outages_through(lake.layout)
    pending = [r for r in runs if "first_run" in r and r["run_id"] > through and r["dates"]]
    if not pending:
        return StepOutcome(details={"ingest_runs_through": through}, skipped="no new days")
    days = sorted(day for r in pending for day in r["dates"])
    start = datetime.strptime(days[0], "%Y%m%d")
    end = datetime.strptime(days[-1], "%Y%m%d") + timedelta(days=1)
    report = lake.detect_outages(start, end)
    return StepOutcome(
        counts={"events": report.events, "meters": report.meters, "err_reads": report.err_reads},
        details={
            "window": [start.isoformat(), end.isoformat()],
            "ingest_runs_through": pending[0]["run_id"],
            "outage_run": report.run_id,
        },
    )


def _outages_through(layout: LakeLayout) -> str:
    """The newest ingest run covered by a successful outage step ("" when none)."""
    for record in load_records(layout.pipeline_runs):
        for step in record["steps"]:
            if step["name"] == "outages" and step["status"] in ("succeeded", "skipped"):
                return str(step["details"].get("ingest_runs_through", ""))
    return ""


def _last_ingest_with_days(runs: list[dict[str, Any]]) -> str:
    return max((r["run_id"] for r in runs if "first_run" in r and r["dates"]), default="")


def _active_model(lake: PipelineLake) -> str | None:
    forecasting = lake.forecasting()
    try:
        return forecasting.store.resolve(forecasting.endpoint)
    except NotFoundError:
        return None


def _moment(day: date) -> datetime:
    return datetime.combine(day, time.min)
