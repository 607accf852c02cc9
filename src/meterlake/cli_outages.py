"""``meterlake outages ...`` and ``meterlake evaluate outages`` (registered in meterlake.cli)."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime, time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from meterlake.analytics.outage import OutageParams
from meterlake.cli_output import FormatOption, document, output_format, render
from meterlake.config import load_settings
from meterlake.errors import InputError
from meterlake.service import MeterLake
from meterlake.serving.outages import parse_bbox

outages_app = typer.Typer(no_args_is_help=True, help="Outage events: detect, list, show, counts.")
console = Console()

RootOption = Annotated[
    Path | None, typer.Option("--root", help="lake root (default: MLK_ROOT or the current folder)")
]
StartOption = Annotated[
    str | None,
    typer.Option(
        help="window start, YYYY-MM-DD[THH:MM] (default: 214 days before the end, not before"
        " the first read)"
    ),
]
EndOption = Annotated[
    str | None,
    typer.Option(help="window end (excluded), YYYY-MM-DD[THH:MM] (default: after the last read)"),
]
_DEFAULTS = OutageParams()


def _lake(root: Path | None) -> MeterLake:
    return MeterLake(load_settings(root=root))


def _moment(name: str, text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError as exc:
        raise InputError(f"--{name}: not an ISO date or time: {text!r}") from exc


def _window(lake: MeterLake, start: str | None, end: str | None) -> tuple[datetime, datetime]:
    """The given window; a missing end from ``[pipeline]``, else from the lake's data."""
    first = None if start is None else _moment("start", start)
    last = None if end is None else _moment("end", end)
    if first is None or last is None:
        days = lake.window(first and first.date(), last and last.date())
        first = first or datetime.combine(days.start, time.min)
        last = last or datetime.combine(days.end, time.min)
    return first, last


@outages_app.command()
def detect(  # noqa: PLR0917 (Typer maps each option to a parameter)
    start: StartOption = None,
    end: EndOption = None,
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
    """Find outages: meters that go silent or read zero together, and ERR records.

    Events starting in [start, end) replace the stored ones of that window.
    """
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
    lake = _lake(root)
    report = lake.detect_outages(*_window(lake, start, end), params)
    console.print(
        f"run {report.run_id}: {report.events} event(s) {report.by_source} from"
        f" {report.candidate_runs:,} candidate run(s) on {report.meters:,} meters and"
        f" {report.err_reads:,} ERR read(s); timings {report.timings}"
    )


@outages_app.command("list")
def list_events(  # noqa: PLR0917 (Typer maps each option to a parameter)
    start: StartOption = None,
    end: EndOption = None,
    root: RootOption = None,
    source: Annotated[str | None, typer.Option(help="err, inferred or both")] = None,
    limit: Annotated[int, typer.Option(help="most events shown")] = 100,
    output: FormatOption = "table",
) -> None:
    """Stored outage events overlapping [start, end)."""
    output_format(output)
    lake = _lake(root)
    rows = lake.outage_events(*_window(lake, start, end), source, page=(limit, 0))
    columns = ("event_id", "start", "restoration", "meters_affected", "customers_affected")
    render(rows, (*columns, "source", "confidence"), output, f"{len(rows)} event(s)")


@outages_app.command()
def show(
    event_id: Annotated[str, typer.Argument(help="e.g. 20130103T0930-9f2c41ab")],
    root: RootOption = None,
    output: FormatOption = "table",
) -> None:
    """One outage event and its meters."""
    output_format(output)
    event = _lake(root).outage_event(event_id)
    if document(event, output):
        return
    meters = event.pop("meters")
    if output == "table":
        for name, value in event.items():
            typer.echo(f"{name}: {value}")
    columns = ("meter_id", "start", "restoration", "customers", "source", "lat", "long")
    render(meters, columns, output)


@outages_app.command()
def counts(  # noqa: PLR0917 (Typer maps each option to a parameter)
    start: StartOption = None,
    end: EndOption = None,
    root: RootOption = None,
    period: Annotated[str, typer.Option(help="day, week or month")] = "month",
    meter_id: Annotated[str | None, typer.Option(help="one meter only")] = None,
    output: FormatOption = "table",
) -> None:
    """Outages and outage minutes per meter and day, week or month."""
    output_format(output)
    lake = _lake(root)
    rows = lake.outage_counts(period, *_window(lake, start, end), meter_id)
    render(rows, ("meter_id", "period_start", "outages", "minutes"), output)


@outages_app.command()
def reliability(
    start: StartOption = None,
    end: EndOption = None,
    root: RootOption = None,
    bbox: Annotated[str | None, typer.Option(help="area: south,west,north,east")] = None,
) -> None:
    """SAIFI, SAIDI, CAIDI and MAIFI (IEEE 1366) of a period and area, as JSON."""
    lake = _lake(root)
    indices = lake.reliability(*_window(lake, start, end), parse_bbox(bbox))
    typer.echo(json.dumps(indices, default=str))


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
    typer.echo(json.dumps(asdict(score)))
