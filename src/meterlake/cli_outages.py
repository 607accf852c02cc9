"""``meterlake outages ...`` and ``meterlake evaluate outages`` (registered in meterlake.cli)."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from meterlake.analytics.outage import OutageParams
from meterlake.config import load_settings
from meterlake.errors import InputError
from meterlake.service import MeterLake
from meterlake.serving.outages import parse_bbox

outages_app = typer.Typer(no_args_is_help=True, help="Outage events: detect, list, show, counts.")
console = Console()

RootOption = Annotated[
    Path | None, typer.Option("--root", help="lake root (default: MLK_ROOT or the current folder)")
]
StartOption = Annotated[str, typer.Option(help="window start, YYYY-MM-DD[THH:MM]")]
EndOption = Annotated[str, typer.Option(help="window end (excluded), YYYY-MM-DD[THH:MM]")]
_DEFAULTS = OutageParams()


def _lake(root: Path | None) -> MeterLake:
    return MeterLake(load_settings(root=root))


def _moment(name: str, text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError as exc:
        raise InputError(f"--{name}: not an ISO date or time: {text!r}") from exc


@outages_app.command()
def detect(  # noqa: PLR0917 (Typer maps each option to a parameter)
    start: StartOption,
    end: EndOption,
    root: RootOption = None,
    min_meters: Annotated[int, typer.Option(help="meters an inferred event needs")] = (
        _DEFAULTS.min_meters
    ),
    radius_km: Annotated[float, typer.Option(help="link meters this close")] = _DEFAULTS.radius_km,
    tolerance: Annotated[
        int, typer.Option(help="intervals by which starts and restorations may differ")
    ] = _DEFAULTS.tolerance,
    max_chance: Annotated[
        float, typer.Option(help="largest accepted chance of a coincidence")
    ] = _DEFAULTS.max_chance,
    interval_minutes: Annotated[int, typer.Option(help="reading interval")] = (
        _DEFAULTS.interval_minutes
    ),
) -> None:
    """Infer outage events starting in [start, end) from the readings and ERR records."""
    try:
        params = OutageParams(
            interval_minutes=interval_minutes,
            min_meters=min_meters,
            tolerance=tolerance,
            radius_km=radius_km,
            max_chance=max_chance,
        )
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    report = _lake(root).detect_outages(_moment("start", start), _moment("end", end), params)
    console.print(
        f"run {report.run_id}: {report.events} event(s) {report.by_source} from"
        f" {report.candidate_runs:,} candidate run(s) on {report.meters:,} meters and"
        f" {report.err_reads:,} ERR read(s); timings {report.timings}"
    )


@outages_app.command("list")
def list_events(
    start: StartOption,
    end: EndOption,
    root: RootOption = None,
    source: Annotated[str | None, typer.Option(help="err, inferred or both")] = None,
    limit: Annotated[int, typer.Option(help="most events shown")] = 100,
) -> None:
    """Stored events overlapping [start, end)."""
    rows = _lake(root).outage_events(
        _moment("start", start), _moment("end", end), source, page=(limit, 0)
    )
    columns = ["event_id", "start", "restoration", "meters_affected", "customers_affected"]
    _print_rows(rows, [*columns, "source", "confidence"])


@outages_app.command()
def show(
    event_id: Annotated[str, typer.Argument(help="e.g. 20130103T0930-9f2c41ab")],
    root: RootOption = None,
) -> None:
    """One event and its meters."""
    event = _lake(root).outage_event(event_id)
    meters = event.pop("meters")
    for name, value in event.items():
        console.print(f"[bold]{name}[/bold]: {value}")
    _print_rows(meters, ["meter_id", "start", "restoration", "customers", "source", "lat", "long"])


@outages_app.command()
def counts(
    start: StartOption,
    end: EndOption,
    root: RootOption = None,
    period: Annotated[str, typer.Option(help="day, week or month")] = "month",
    meter_id: Annotated[str | None, typer.Option(help="one meter only")] = None,
) -> None:
    """Outages per meter and day, week or month."""
    rows = _lake(root).outage_counts(period, _moment("start", start), _moment("end", end), meter_id)
    _print_rows(rows, ["meter_id", "period_start", "outages", "minutes"])


@outages_app.command()
def reliability(
    start: StartOption,
    end: EndOption,
    root: RootOption = None,
    bbox: Annotated[str | None, typer.Option(help="area: south,west,north,east")] = None,
) -> None:
    """SAIFI, SAIDI, CAIDI and MAIFI (IEEE 1366) of a period and area."""
    indices = _lake(root).reliability(
        _moment("start", start), _moment("end", end), parse_bbox(bbox)
    )
    console.print_json(json.dumps(indices, default=str))


def evaluate_outages(
    root: RootOption = None,
    truth: Annotated[
        Path | None, typer.Option(help="ground-truth folder (default: truth/)")
    ] = None,
    start: Annotated[str | None, typer.Option(help="window start (default: first day)")] = None,
    end: Annotated[str | None, typer.Option(help="window end (default: after last day)")] = None,
) -> None:
    """Event precision and recall, timing errors and zero-usage false events of stored events."""
    window = None
    if start is not None and end is not None:
        window = (_moment("start", start), _moment("end", end))
    elif start is not None or end is not None:
        raise InputError("give both --start and --end, or neither")
    score = _lake(root).evaluate_outages(truth, window)
    console.print_json(json.dumps(asdict(score)))


def _print_rows(rows: list[dict[str, Any]], columns: list[str]) -> None:
    view = Table(*columns)
    for row in rows:
        view.add_row(*("" if row.get(c) is None else str(row.get(c)) for c in columns))
    console.print(view)
