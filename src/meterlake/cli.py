"""The ``meterlake`` command: each command parses its options, calls the service, renders.

Windows left open default to the lake's own data (``pipeline/window.py``); every error is one
line and an exit code (``run``), listings take ``--format`` (``cli_output``).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.console import Console

from meterlake.cli_anomaly import detect_command, evaluate_app
from meterlake.cli_keys import keys_app
from meterlake.cli_outages import evaluate_outages, outages_app
from meterlake.cli_output import (
    FormatOption,
    OutputOption,
    document,
    output_format,
    render,
    table,
)
from meterlake.cli_run import (
    print_steps,
    run_command,
    runs_command,
    schedule_command,
    watch_command,
)
from meterlake.cli_vee import (
    edit_command,
    edits_command,
    print_vee_report,
    quality_command,
    vee_command,
)
from meterlake.config import load_settings
from meterlake.errors import MeterlakeError
from meterlake.formats.mrasco import convert_mrasco, write_mdm
from meterlake.pipeline.report import RunReport
from meterlake.progress import rich_progress
from meterlake.service import LakeStatus, MeterLake

HELP = """Smart-meter data analytics: turn MDMS exports into a partitioned Parquet lake with daily,
weekly and monthly consumption, anomalies, forecasts and outages, queried with SQL and served
over a REST API and a dashboard.

Start with `meterlake generate` (a sample fleet into ./landing) and `meterlake run` (the whole
pipeline, over the dates the lake holds); then `meterlake serve` for the dashboard and API.
"""

app = typer.Typer(no_args_is_help=True, add_completion=False, help=HELP, rich_markup_mode=None)
app.add_typer(outages_app, name="outages")
app.add_typer(keys_app, name="keys")
console = Console()
errors = Console(stderr=True)

RootOption = Annotated[
    Path | None, typer.Option("--root", help="lake root (default: MLK_ROOT or the current folder)")
]
DataStartOption = typer.Option(
    help="first day of history, YYYY-MM-DD (default: [pipeline] data_start, else 214 days"
    " before --data-end, but not before the first read)"
)
DataEndOption = typer.Option(
    help="end of history (exclusive), YYYY-MM-DD (default: [pipeline] data_end, else the day"
    " after the last read)"
)


class _State:
    debug = False


@app.callback()
def main(debug: Annotated[bool, typer.Option(help="show tracebacks")] = False) -> None:
    # No docstring: Typer would show it instead of HELP.
    _State.debug = debug


def _lake(root: Path | None, engine: str | None = None) -> MeterLake:
    return MeterLake(load_settings(root=root, engine=engine))


@app.command()
def generate(  # noqa: PLR0917 (Typer maps each option to a parameter)
    root: RootOption = None,
    meters: Annotated[int, typer.Option(help="number of households")] = 50,
    start: Annotated[str, typer.Option(help="first day, YYYY-MM-DD")] = "2013-01-01",
    end: Annotated[str, typer.Option(help="day after the last, YYYY-MM-DD")] = "2013-03-01",
    seed: Annotated[int, typer.Option(help="random seed")] = 42,
    layout: Annotated[str, typer.Option(help="lcl (6 columns) or kaggle (3 columns)")] = "lcl",
    files: Annotated[int, typer.Option(help="split readings over this many files")] = 1,
    outages: Annotated[int, typer.Option(help="clustered outages to inject")] = 3,
    idle_share: Annotated[float, typer.Option(help="share of meters reading 0 at night")] = 0.0,
    away_per_year: Annotated[
        float, typer.Option(help="zero-reading away periods per meter-year")
    ] = 0.0,
) -> None:
    """Write a sample fleet of London households to try meterlake on.

    Half-hourly readings go into landing/, weather and geo data into reference/, and the
    injected anomalies and outages into truth/ (for `meterlake evaluate`).
    """
    from meterlake.synth import FleetSpec  # noqa: PLC0415 (numpy and pandas load only here)

    lake = _lake(root)
    spec = FleetSpec(
        meters=meters,
        start=_day(start),
        end=_day(end),
        seed=seed,
        layout=_layout(layout),
        files=files,
        outages=outages,
        idle_share=idle_share,
        away_per_meter_year=away_per_year,
    )
    with rich_progress(errors, lake.settings.progress) as progress:
        written = lake.generate(spec, progress)
    console.print(
        f"wrote {written.rows:,} rows in {len(written.readings)} file(s) to {lake.layout.landing}"
    )


@app.command("ingest")
def ingest_command(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="files or folders (default: landing/)")
    ] = None,
    root: RootOption = None,
    file_format: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="read every file as this format (london, london_kaggle, mdm, mdm_cn,"
            " mdm_generator, mrasco, or a mapping name) instead of sniffing",
        ),
    ] = None,
    engine: Annotated[
        str | None, typer.Option(help="duckdb or spark (default: the engine setting)")
    ] = None,
    output: OutputOption = "table",
) -> None:
    """Load new files into the lake: readings are checked, de-duplicated and aggregated.

    Files already loaded are skipped; bad rows are kept in quarantine with their reason. New
    days are then validated and gaps estimated (VEE; `vee.on_ingest` in meterlake.toml).
    """
    output_format(output)
    lake = _lake(root, engine)
    with rich_progress(errors, lake.settings.progress) as progress:
        report = lake.ingest(paths or None, progress, file_format)
    _print_report(report, output)
    if lake.settings.vee.on_ingest:  # validation and estimation of the new days (docs/vee.md)
        print_vee_report(lake.vee().validate_pending(), aside=output != "table")


@app.command()
def convert(
    kind: Annotated[str, typer.Argument(help="what to convert: mrasco")],
    files: Annotated[list[Path], typer.Argument(help="D0275 / D0010 flow files")],
    out: Annotated[Path, typer.Option(help="folder for the converted files")] = Path("landing"),
) -> None:
    """Convert MRASCo D0275/D0010 flows to default MDM files (ingest also reads them directly)."""
    if kind != "mrasco":
        raise MeterlakeError(f"can only convert mrasco flows, not {kind!r}")
    for source in files:
        target = out / f"{source.stem}.mdm.csv"
        rows = convert_mrasco(source)
        out.mkdir(parents=True, exist_ok=True)
        write_mdm(rows, target)
        console.print(f"{source} -> {target} ({len(rows)} rows)")


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="DuckDB SQL over daily, aggregated_*, quarantine")],
    root: RootOption = None,
    output: FormatOption = "table",
) -> None:
    """Query the lake with SQL: views named like the reference tables (daily, aggregated_*, ...)."""
    output_format(output)
    answer = _lake(root).sql(query)
    render(answer.to_pylist(), answer.column_names, output)


@app.command()
def status(root: RootOption = None, output: FormatOption = "table") -> None:
    """What the lake holds: files, meters, days, rows, quarantined rows and the last runs."""
    output_format(output)
    _print_status(_lake(root).status(), output)


@app.command()
def serve(
    root: RootOption = None,
    host: Annotated[str, typer.Option(help="address to bind (loopback by default)")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
) -> None:
    """Serve the dashboard (at /) and the REST API over the lake."""
    try:
        import uvicorn  # noqa: PLC0415 (optional extra)

        from meterlake.api.app import create_app  # noqa: PLC0415
    except ImportError as exc:
        raise MeterlakeError("the API needs the api extra: pip install 'meterlake[api]'") from exc
    uvicorn.run(create_app(load_settings(root=root)), host=host, port=port, log_level="warning")


@app.command()
def demo(
    root: RootOption = None,
    meters: Annotated[int, typer.Option(help="number of households")] = 30,
    days: Annotated[int, typer.Option(help="days of readings")] = 90,
    serve_api: Annotated[
        bool, typer.Option("--serve/--no-serve", help="serve the API after")
    ] = True,
    port: Annotated[int, typer.Option(help="API port")] = 8000,
) -> None:
    """Try meterlake in one command: a sample fleet, the whole pipeline, then the dashboard.

    The dashboard and the API are served on http://127.0.0.1:8000/ until Ctrl-C.
    """
    from meterlake.synth import FleetSpec  # noqa: PLC0415

    lake = _lake(root)
    start = date(2013, 1, 1)
    spec = FleetSpec(meters=meters, start=start, end=date.fromordinal(start.toordinal() + days))
    if not any(lake.layout.landing.glob("*")):
        with rich_progress(errors, lake.settings.progress) as progress:
            lake.generate(spec, progress)
    params = lake.settings.pipeline.model_copy(
        update={
            "data_start": spec.start,
            "data_end": spec.end,
            "training_samples": meters,
            "meter_start": 1,
            "meter_end": meters,
        }
    )
    print_steps(lake.run_pipeline(params, trigger="demo"))
    _print_status(lake.status())
    if serve_api:
        console.print(
            f"Dashboard on http://127.0.0.1:{port}/ (API: /v1, /consumption/monthly/2013/MAC000002,"
            " /docs); Ctrl-C stops"
        )
        serve(root=root, host="127.0.0.1", port=port)


# Anomaly detection and evaluation live in their own module.
app.command("detect")(detect_command)
app.command("run")(run_command)
app.command("runs")(runs_command)
app.command("watch")(watch_command)
app.command("schedule")(schedule_command)
app.command("vee")(vee_command)
app.command("edit")(edit_command)
app.command("edits")(edits_command)
app.command("quality")(quality_command)
evaluate_app.command("outages")(evaluate_outages)
app.add_typer(evaluate_app, name="evaluate")


models_app = typer.Typer(no_args_is_help=True, help="The forecast model store.")
app.add_typer(models_app, name="models")


@app.command("train")
def train_command(  # noqa: PLR0917 (Typer maps each option to a parameter)
    root: RootOption = None,
    data_start: Annotated[str | None, DataStartOption] = None,
    data_end: Annotated[str | None, DataEndOption] = None,
    training_samples: Annotated[int, typer.Option(help="meters in the training sample")] = 500,
    model: Annotated[str, typer.Option(help="gbm (default), deepar, naive168, naive24")] = "gbm",
    test_windows: Annotated[int, typer.Option(help="rolling test windows of 168 h")] = 2,
    epochs: Annotated[int | None, typer.Option(help="DeepAR epochs (default 400)")] = None,
    activate: Annotated[bool, typer.Option(help="make the new model active")] = True,
) -> None:
    """Train a forecast model on the lake's history, score it beside seasonal naive, store it.

    The history defaults to the lake's own: up to the day after its last read, at most 214 days
    (the reference's span) back. The new model becomes the active one unless --no-activate.
    """
    from meterlake.analytics.forecast.pipeline import TrainRequest  # noqa: PLC0415

    lake = _lake(root)
    window = lake.window(_optional_day(data_start), _optional_day(data_end))
    request = TrainRequest(
        _moment(window.start), _moment(window.end), training_samples, model, test_windows,
        epochs=epochs,
    )  # fmt: skip
    with rich_progress(errors, lake.settings.progress) as progress:
        meta = lake.train(request, progress, activate)
    _print_model(meta)


@app.command("forecast")
def forecast_command(  # noqa: PLR0917
    root: RootOption = None,
    data_end: Annotated[
        str | None,
        typer.Option(
            help="forecasts start here, YYYY-MM-DD (default: the day after the last read)"
        ),
    ] = None,
    forecast_period: Annotated[int, typer.Option(help="days to forecast")] = 7,
    meter_start: Annotated[int, typer.Option(help="1-based position of the first meter")] = 1,
    meter_end: Annotated[int | None, typer.Option(help="1-based last position (inclusive)")] = None,
    batch_size: Annotated[int, typer.Option(help="meters per batch")] = 500,
) -> None:
    """Forecast each meter's next days (P10..P90 per hour) with the active model.

    Forecasts start on the day after the lake's last read unless --data-end says otherwise, and
    go into the forecast table.
    """
    lake = _lake(root)
    start = _moment(lake.window(end=_optional_day(data_end)).end)
    with rich_progress(errors, lake.settings.progress) as progress:
        done = lake.forecast_batch(
            start, forecast_period, (meter_start, meter_end), batch_size, progress
        )
    console.print(
        f"{done['rows']:,} forecast rows for {done['meters']:,} meters from {done['data_end']}"
        f" by {done['model']}"
    )


@models_app.command("list")
def models_list(root: RootOption = None, output: FormatOption = "table") -> None:
    """Stored versions, newest first, with their aliases and backtest metrics."""
    output_format(output)
    rows = [
        {
            "version": meta["version"], "kind": meta["kind"], "aliases": meta["aliases"],
            "data_start": meta["data_start"][:10], "data_end": meta["data_end"][:10],
            "meters": meta["meters"], **_scores(meta["metrics"][meta["kind"]]),
        }
        for meta in _lake(root).forecasting().models()
    ]  # fmt: skip
    columns = ("version", "kind", "aliases", "data_start", "data_end", "meters", "mase", "wql")
    render(rows, (*columns, "coverage_80"), output)


def _scores(scores: dict[str, float]) -> dict[str, float]:
    return {name: round(scores[name], 3) for name in ("mase", "wql", "coverage_80")}


@models_app.command("show")
def models_show(
    name: Annotated[str | None, typer.Argument(help="version or alias (default: active)")] = None,
    root: RootOption = None,
) -> None:
    """One version's parameters, data window and metrics as JSON."""
    console.print_json(json.dumps(_lake(root).forecasting().model(name), default=str))


@models_app.command("activate")
def models_activate(
    version: Annotated[str, typer.Argument(help="version (or alias) to make active")],
    root: RootOption = None,
    alias: Annotated[str | None, typer.Option(help="alias to move (default: the endpoint)")] = None,
) -> None:
    """Move the active alias (the reference's endpoint name) to a version."""
    meta = _lake(root).forecasting().activate(version, alias)
    console.print(f"{alias or 'endpoint alias'} -> {meta['version']}")


def _print_model(meta: dict[str, Any]) -> None:
    typer.echo(f"{meta['version']} ({meta['kind']}), aliases: {meta['aliases']}")
    rows = [
        [
            name,
            f"{s['mase']:.3f}",
            f"{s['wql']:.3f}",
            f"{s['coverage_80']:.3f}",
            f"{s['seconds']:.1f}",
        ]
        for name, s in meta["metrics"].items()
    ]
    table(rows, ("model", "MASE", "wQL", "80% coverage", "predict s"))


def _moment(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time())


def _optional_day(text: str | None) -> date | None:
    return None if text is None else _day(text)


#: Columns of the ingest report, one row per file; a table lists the reasons below it.
REPORT_COLUMNS = (
    "file", "status", "reader", "rows_read", "rows_clean", "duplicates", "quarantined",
    "null_values",
)  # fmt: skip
STATUS_COLUMNS = (
    "root", "files_ingested", "files_rejected", "meters", "first_date", "last_date",
    "daily_rows", "quarantined_rows",
)  # fmt: skip


def _print_report(report: RunReport, output: str) -> None:
    if document(report.to_json(), output):
        return
    rows = [asdict(f) for f in report.files]
    if output == "csv":
        render(rows, (*REPORT_COLUMNS, "reason"), output)
        return
    render(rows, REPORT_COLUMNS, output)
    for outcome in report.files:
        if outcome.reason:
            console.print(f"{outcome.file}: {outcome.reason}", highlight=False, soft_wrap=True)
    typer.echo(
        f"run {report.run_id}: {len(report.dates)} day(s) touched, first_run={report.first_run},"
        f" timings {report.timings}"
    )


def _print_status(lake: LakeStatus, output: str = "table") -> None:
    if document(asdict(lake), output):
        return
    if output == "csv":
        render([asdict(lake)], STATUS_COLUMNS, output)
        return
    typer.echo(f"lake {lake.root}")
    typer.echo(
        f"files: {lake.files_ingested} ingested, {lake.files_rejected} rejected | meters:"
        f" {lake.meters:,} | days: {lake.first_date} .. {lake.last_date} | daily rows:"
        f" {lake.daily_rows:,} | quarantined rows: {lake.quarantined_rows:,}"
    )
    for run in lake.runs:
        totals = run.get("totals", {})
        typer.echo(
            f"  run {run['run_id']}: {run['counts']} read {totals.get('rows_read', 0):,}"
            f" clean {totals.get('rows_clean', 0):,} dup {totals.get('duplicates', 0):,}"
            f" quarantined {totals.get('quarantined', 0):,}"
        )


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise MeterlakeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def _layout(text: str) -> Literal["lcl", "kaggle"]:
    if text not in ("lcl", "kaggle"):
        raise MeterlakeError(f"--layout must be lcl or kaggle, not {text!r}")
    return "lcl" if text == "lcl" else "kaggle"


#: Exit code of an error meterlake did not foresee (a bug): EX_SOFTWARE of sysexits.h.
UNEXPECTED_EXIT = 70


def run() -> None:
    """Console-script entry point: one line and an exit code per error, never a traceback.

    Usage mistakes get click's usage message and exit 2; meterlake's errors one line and their
    own exit code; anything else one line naming the error, exit 70. ``--debug`` re-raises.
    """
    _State.debug = False  # until the --debug option is parsed
    try:
        app(prog_name="meterlake")  # standalone: Typer prints usage errors itself (exit 2)
    except MeterlakeError as exc:
        _fail(exc, f"[red]error:[/red] {exc}", exc.exit_code)
    except Exception as exc:  # the one place that turns any other failure into a line
        line = f"[red]error:[/red] unexpected {type(exc).__name__}: {exc} (--debug shows where)"
        _fail(exc, line, UNEXPECTED_EXIT)


def _fail(exc: Exception, line: str, code: int) -> None:
    if _State.debug:
        raise exc
    errors.print(" ".join(line.split()), highlight=False, soft_wrap=True)
    raise SystemExit(code) from None
