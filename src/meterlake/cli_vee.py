"""``meterlake vee``, ``edit``, ``edits`` and ``quality`` (registered by ``meterlake.cli``)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from meterlake.cli_output import FormatOption, output_format, render
from meterlake.config import load_settings
from meterlake.errors import InputError
from meterlake.service import MeterLake
from meterlake.vee.edits import EditRequest
from meterlake.vee.run import VeeReport

console = Console()

RootOption = Annotated[
    Path | None, typer.Option("--root", help="lake root (default: MLK_ROOT or the current folder)")
]
JsonOption = Annotated[bool, typer.Option("--json", help="the same as --format json")]


def _lake(root: Path | None) -> MeterLake:
    return MeterLake(load_settings(root=root))


def _day(name: str, text: str | None) -> date | None:
    return None if text is None else _date(name, text)


def _date(name: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InputError(f"--{name}: not a date (YYYY-MM-DD): {text!r}") from exc


def _moment(name: str, text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError as exc:
        raise InputError(f"{name}: not an ISO date or time: {text!r}") from exc


def print_vee_report(report: VeeReport | None, aside: bool = False) -> None:
    """One line about a VEE run (or that there was nothing new to validate).

    ``aside`` sends it to stderr, beside a CSV or JSON document on stdout.
    """
    out = Console(stderr=True) if aside else console
    if report is None:
        out.print("vee: no new days to validate")
        return
    out.print(
        f"vee run {report.run_id}: {len(report.dates)} day(s), {report.reads:,} reads,"
        f" {report.flags:,} flags {report.flags_by_rule}, {report.estimates:,} estimates"
        f" {report.estimates_by_method}, {report.targets - report.estimates:,} unestimated,"
        f" weather={report.weather}, {report.timings.get('total', 0.0):.2f} s"
    )


def vee_command(
    root: RootOption = None,
    start: Annotated[str | None, typer.Option(help="first day to validate again")] = None,
    end: Annotated[str | None, typer.Option(help="day after the last to validate again")] = None,
    pending: Annotated[
        bool, typer.Option(help="only the days of ingests not validated yet (the default)")
    ] = True,
) -> None:
    """Validate readings and estimate gaps: the days of new ingests, or --start .. --end."""
    vee = _lake(root).vee()
    if start is None and end is None and pending:
        print_vee_report(vee.validate_pending(trigger="manual"))
        return
    print_vee_report(vee.validate(_day("start", start), _day("end", end)))


def edit_command(  # noqa: PLR0917 (Typer maps each option to a parameter)
    meter_id: Annotated[str, typer.Argument(help="meter id")],
    time: Annotated[str, typer.Argument(help="reading time, UTC, YYYY-MM-DDTHH:MM")],
    action: Annotated[str, typer.Option(help="override, accept or reject")],
    reason: Annotated[str, typer.Option(help="why (kept in the audit log)")],
    user: Annotated[
        str | None, typer.Option(help="a name noted beside the edit (the log's user is local)")
    ] = None,
    value: Annotated[float | None, typer.Option(help="the new value (override only)")] = None,
    reading_type: Annotated[str, typer.Option(help="INT or AGG")] = "INT",
    obis_code: Annotated[str | None, typer.Option(help="channel, when a meter has several")] = None,
    force: Annotated[bool, typer.Option(help="keep a value that breaks an error rule")] = False,
    root: RootOption = None,
) -> None:
    """Override a reading, or accept or reject a suspect one; its day is validated again."""
    request = EditRequest(
        meter_id=meter_id,
        reading_date_time=_moment("time", time),
        action=action,
        reason=reason,
        user="local",
        note=user,
        value=value,
        reading_type=reading_type.upper(),
        obis_code=obis_code,
        force=force,
    )
    stored = _lake(root).vee().edit(request)
    console.print(
        f"edit {stored['edit_id']}: {stored['action']} {meter_id} {stored['reading_date_time']}"
        f" (was {stored['previous_value']}) -> status {stored['status']};"
        f" findings {stored['findings'] or 'none'}; vee run {stored['vee_run']}"
    )


def edits_command(
    root: RootOption = None,
    meter: Annotated[str | None, typer.Option(help="only this meter")] = None,
    limit: Annotated[int, typer.Option(help="newest edits shown")] = 50,
    output: FormatOption = "table",
    as_json: JsonOption = False,
) -> None:
    """The audit log of edits, newest first."""
    output = "json" if as_json else output_format(output)
    rows = _lake(root).vee().edits(meter, limit)
    columns = (
        "edited_at",
        "user",
        "role",
        "note",
        "meter_id",
        "reading_date_time",
        "action",
        "value",
        "reason",
    )
    render(rows, columns, output, f"{len(rows)} edits")


def quality_command(  # noqa: PLR0917 (Typer maps each option to a parameter)
    start: Annotated[
        str | None,
        typer.Option(
            help="first day, YYYY-MM-DD (default: 214 days before --end, not before the first read)"
        ),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option(help="day after the last, YYYY-MM-DD (default: after the last read)"),
    ] = None,
    root: RootOption = None,
    meter: Annotated[str | None, typer.Option(help="only this meter")] = None,
    stopped: Annotated[bool, typer.Option(help="only meters that stopped reporting")] = False,
    output: FormatOption = "table",
    as_json: JsonOption = False,
) -> None:
    """Data quality per meter: completeness, flags, estimates, longest gap, last read."""
    output = "json" if as_json else output_format(output)
    lake = _lake(root)
    window = lake.window(_day("start", start), _day("end", end))
    first, last = window.start, window.end
    vee = lake.vee()
    rows = vee.stopped(first, last) if stopped else vee.quality(first, last, meter)
    columns = (
        "meter_id",
        "completeness",
        "readings",
        "expected",
        "estimated",
        "share_estimated",
        "longest_gap_hours",
        "last_reading",
        "stopped",
        "flags",
    )
    render(rows, columns, output, f"{len(rows)} meters")
