"""``meterlake run`` and ``meterlake runs``: the whole pipeline and its run records."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from meterlake.cli_output import FormatOption, document, output_format, render
from meterlake.config import load_settings
from meterlake.errors import ConfigError, InputError
from meterlake.service import MeterLake

console = Console()
#: Compact step states for the runs table.
_MARKS = {"succeeded": "ok", "skipped": "-", "failed": "FAILED", "running": "..", "pending": ""}
RootOption = Annotated[
    Path | None, typer.Option("--root", help="lake root (default: MLK_ROOT or the current folder)")
]


def run_command(  # noqa: PLR0917 (Typer maps each option to a parameter)
    root: RootOption = None,
    data_start: Annotated[str | None, typer.Option(help="first day of history, YYYY-MM-DD")] = None,
    data_end: Annotated[
        str | None, typer.Option(help="end of history (exclusive); forecasts start here")
    ] = None,
    forecast_period: Annotated[int | None, typer.Option(help="forecast horizon in days")] = None,
    training_samples: Annotated[int | None, typer.Option(help="meters used to train")] = None,
    meter_start: Annotated[int | None, typer.Option(help="1-based first meter position")] = None,
    meter_end: Annotated[int | None, typer.Option(help="1-based last meter position")] = None,
    batch_size: Annotated[int | None, typer.Option(help="meters per batch (<= 100)")] = None,
    model: Annotated[str | None, typer.Option(help="model kind trained")] = None,
    retrain: Annotated[
        str | None, typer.Option(help="retrain policy: initial, stale or always")
    ] = None,
    wait: Annotated[bool, typer.Option(help="wait for a run in progress, not exit")] = False,
    trigger: Annotated[str, typer.Option(hidden=True)] = "manual",
    output: FormatOption = "table",
) -> None:
    """The whole pipeline: ingest new files, validate, find anomalies, train, forecast, outages.

    Options default to [pipeline] in meterlake.toml, else the reference's values; the window
    defaults to the lake's own data: --data-end to the day after the last read, --data-start
    to 214 days (the reference's span) before it, but not before the first read. A model is
    trained when none is active or the active one is stale. A failed step stops the run; the
    next run resumes from it.
    """
    output_format(output)
    settings = load_settings(root=root)
    overrides: dict[str, Any] = {
        "data_start": data_start and _day(data_start),
        "data_end": data_end and _day(data_end),
        "forecast_period": forecast_period,
        "training_samples": training_samples,
        "meter_start": meter_start,
        "meter_end": meter_end,
        "batch_size": batch_size,
        "model": model,
        "retrain": retrain,
    }
    try:
        params = settings.pipeline.model_validate(
            settings.pipeline.model_dump() | {k: v for k, v in overrides.items() if v is not None}
        )
    except ValueError as exc:
        raise ConfigError(f"invalid pipeline parameters: {exc}") from exc
    record = MeterLake(settings).run_pipeline(params, trigger, wait)
    print_steps(record, output)


def watch_command(  # noqa: PLR0917 (Typer maps each option to a parameter)
    root: RootOption = None,
    data_start: Annotated[str | None, typer.Option(help="first day of history, YYYY-MM-DD")] = None,
    data_end: Annotated[str | None, typer.Option(help="end of history (exclusive)")] = None,
    interval: Annotated[float, typer.Option(help="seconds between looks at landing/")] = 5.0,
    settle: Annotated[float, typer.Option(help="seconds files must stay unchanged")] = 10.0,
    max_runs: Annotated[int | None, typer.Option(help="stop after this many runs")] = None,
) -> None:
    """Run the pipeline whenever files land in landing/ (long-running; Ctrl-C stops)."""
    from meterlake.pipeline.watch import WatchOptions, watch  # noqa: PLC0415

    settings = load_settings(root=root)
    overrides = {
        "data_start": data_start and _day(data_start),
        "data_end": data_end and _day(data_end),
    }
    params = settings.pipeline.model_copy(update={k: v for k, v in overrides.items() if v})
    lake = MeterLake(settings)
    console.print(f"watching {lake.layout.landing} (Ctrl-C stops)")
    try:
        watch(
            lake.layout.landing,
            lambda: lake.run_pipeline(params, trigger="watch", wait=True),
            WatchOptions(interval, settle, max_runs),
            lambda line: console.print(line, highlight=False),
        )
    except KeyboardInterrupt:
        console.print("stopped")


def schedule_command(
    root: RootOption = None,
    cron: Annotated[str, typer.Option(help="cron expression in UTC")] = "0 9 * * *",
    max_runs: Annotated[int | None, typer.Option(help="stop after this many runs")] = None,
) -> None:
    """Run the pipeline on a cron schedule, by default daily at 09:00 UTC (Ctrl-C stops)."""
    from meterlake.pipeline.schedule import schedule  # noqa: PLC0415

    settings = load_settings(root=root)
    lake = MeterLake(settings)
    try:
        schedule(
            cron,
            lambda: lake.run_pipeline(settings.pipeline, trigger="schedule", wait=True),
            lambda line: console.print(line, highlight=False),
            max_runs=max_runs,
        )
    except KeyboardInterrupt:
        console.print("stopped")


def runs_command(
    root: RootOption = None,
    limit: Annotated[int, typer.Option(help="how many runs, newest first")] = 10,
    output: FormatOption = "table",
) -> None:
    """Pipeline runs, newest first: trigger, status, each step's outcome, time taken."""
    output_format(output)
    records = MeterLake(load_settings(root=root)).pipeline_runs(limit)
    if document(records, output):
        return
    rows = [
        {
            **record,
            "steps": " ".join(
                f"{s['name']}:{_MARKS.get(s['status'], '?')}" for s in record["steps"]
            ),
        }
        for record in records
    ]
    render(rows, ("run_id", "trigger", "status", "seconds", "steps", "error"), output)


def _marks(steps: list[dict[str, Any]]) -> str:
    return " ".join(f"{s['name']}:{_MARKS.get(s['status'], '?')}" for s in steps)


def print_steps(record: dict[str, Any], output: str = "table") -> None:
    """A pipeline run's steps as a table, its warnings and its outcome."""
    if document(record, output):
        return
    rows = [
        {**step, "counts": ", ".join(f"{k} {v:,}" for k, v in step["counts"].items() if v)}
        for step in record["steps"]
    ]
    render(rows, ("name", "status", "seconds", "counts", "note"), output)
    if output != "table":
        return
    for warning in record["warnings"]:
        console.print(f"[yellow]warning:[/yellow] {warning}", highlight=False, soft_wrap=True)
    typer.echo(f"pipeline run {record['run_id']}: {record['status']} in {record['seconds']}s")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InputError(f"not a date (YYYY-MM-DD): {text!r}") from exc
