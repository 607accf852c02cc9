"""Edits of single readings: override a value, accept or reject a suspect one.

An edit names the reading (meter, time, reading type, channel), the action, a reason and who
made it: the authenticated key's name and role (``local`` without keys), never a name a client
merely claims (that is kept as ``note``).
Before it is stored, an override's new value is validated again with the rules that judge a
single value (negative, physical maximum, spike against the meter's own history); a finding of
severity ``error`` refuses the edit unless it is forced. Stored edits are an append-only log:
one Parquet file per edit, never rewritten; the latest edit of a reading wins.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

import pyarrow as pa

from meterlake import schema
from meterlake.errors import InputError, NotFoundError
from meterlake.vee.queries import Query, ask
from meterlake.vee.settings import VeeSettings

Action = Literal["override", "accept", "reject"]
ACTIONS: tuple[Action, ...] = ("override", "accept", "reject")


@dataclass(frozen=True)
class EditRequest:
    """One edit as asked for."""

    meter_id: str
    reading_date_time: datetime
    action: str
    reason: str
    user: str
    value: float | None = None
    reading_type: str = "INT"
    obis_code: str | None = None
    force: bool = False
    role: str = "admin"
    note: str | None = None


@dataclass(frozen=True)
class Finding:
    """A rule that an edited value breaks."""

    rule: str
    severity: str
    detail: str


@dataclass(frozen=True)
class ReadingContext:
    """What re-validating an edit needs to know about the reading and its meter."""

    obis_code: str
    previous_value: float | None
    step_minutes: float
    p99: float | None


def check_request(request: EditRequest) -> None:
    """Raise ``InputError`` for an edit that cannot be stored as asked."""
    problems = []
    if request.action not in ACTIONS:
        problems.append(f"action must be one of {', '.join(ACTIONS)}, got {request.action!r}")
    if request.action == "override" and request.value is None:
        problems.append("an override needs a value")
    if request.action != "override" and request.value is not None:
        problems.append(f"a value is given only with override, not with {request.action}")
    if request.value is not None and not -1e9 < request.value < 1e9:
        problems.append(f"value {request.value} is not a finite meter value")
    if not request.reason.strip():
        problems.append("a reason is required")
    if not request.user.strip():
        problems.append("a user is required")
    if request.reading_type not in ("INT", "AGG"):
        problems.append(f"reading type must be INT or AGG, got {request.reading_type!r}")
    if request.reading_date_time.tzinfo is not None:
        problems.append("the reading time must be naive UTC")
    if problems:
        raise InputError("invalid edit: " + "; ".join(problems))


def calendar_day(moment: datetime, calendar_timezone: str) -> str:
    """``date_str`` of a naive UTC time on the lake's calendar."""
    local = moment.replace(tzinfo=UTC).astimezone(ZoneInfo(calendar_timezone))
    return f"{local:%Y%m%d}"


_READING = """
SELECT obis_code, reading_value, 0 AS estimate FROM daily
WHERE meter_id = $meter AND reading_type = $type AND reading_date_time = $time
    AND date_str = $day AND ($obis IS NULL OR obis_code = $obis)
UNION ALL
SELECT obis_code, NULL, 1 FROM reading_estimates
WHERE $type = 'INT' AND meter_id = $meter AND reading_date_time = $time AND date_str = $day
    AND ($obis IS NULL OR obis_code = $obis)
ORDER BY estimate, obis_code"""

_HISTORY = """
SELECT quantile_cont(reading_value, 0.99) FILTER (WHERE reading_value >= 0) AS p99,
    mode(step) AS step_us
FROM (SELECT reading_value, epoch_us(reading_date_time)
        - lag(epoch_us(reading_date_time)) OVER (ORDER BY reading_date_time) AS step
      FROM daily WHERE meter_id = $meter AND reading_type = 'INT' AND obis_code = $obis
        AND date_str BETWEEN $first AND $day AND reading_value IS NOT NULL)"""


def reading_context(
    query: Query, request: EditRequest, day: str, settings: VeeSettings
) -> ReadingContext:
    """The reading (or estimated slot) an edit is about, and its meter's recent history."""
    params: dict[str, object] = {
        "meter": request.meter_id,
        "type": request.reading_type,
        "time": request.reading_date_time,
        "day": day,
        "obis": request.obis_code,
    }
    found = ask(query, _READING, params).to_pylist()
    if not found or (found[0]["estimate"] and request.action != "override"):
        raise NotFoundError(
            f"no {request.reading_type} reading of meter {request.meter_id!r} at"
            f" {request.reading_date_time:%Y-%m-%d %H:%M}"
            + ("" if not found else " (only an estimate: override it instead)")
        )
    obis = str(found[0]["obis_code"])
    first = request.reading_date_time - timedelta(days=settings.history_days)
    history = ask(
        query,
        _HISTORY,
        {"meter": request.meter_id, "obis": obis, "first": f"{first:%Y%m%d}", "day": day},
    ).to_pylist()[0]
    step_us = history["step_us"] or settings.default_interval_minutes * 60_000_000
    return ReadingContext(
        obis_code=obis,
        previous_value=found[0]["reading_value"],
        step_minutes=step_us / 60_000_000,
        p99=history["p99"],
    )


def revalidate(
    value: float, meter_id: str, context: ReadingContext, settings: VeeSettings
) -> list[Finding]:
    """The single-value rules an interval value breaks (register values are not judged)."""
    rules = settings.rules
    findings = []
    if (
        rules.negative.enabled
        and value < 0
        and context.obis_code not in rules.negative.export_obis_codes
    ):
        findings.append(Finding("negative", rules.negative.severity, f"negative value {value}"))
    kw = rules.max_value.per_meter_kw.get(meter_id, rules.max_value.max_kw)
    limit = kw * context.step_minutes / 60
    if rules.max_value.enabled and value > limit:
        detail = f"{value} kWh above the maximum {limit:.3f} kWh"
        findings.append(Finding("max_value", rules.max_value.severity, detail))
    spike = rules.spike
    if (
        spike.enabled
        and context.p99
        and value >= spike.min_kwh
        and value > spike.factor * context.p99
    ):
        detail = f"{value} kWh is {value / context.p99:.1f}x the meter's 99th percentile"
        findings.append(Finding("spike", spike.severity, detail))
    return findings


def edit_row(
    request: EditRequest,
    context: ReadingContext,
    findings: list[Finding],
    edited_at: datetime | None = None,
) -> pa.Table:
    """The audit-log row of an accepted edit."""
    moment = edited_at or datetime.now(UTC).replace(tzinfo=None)
    row: dict[str, Any] = {
        "edit_id": f"{moment:%Y%m%dT%H%M%S%f}-{secrets.token_hex(4)}",
        "meter_id": request.meter_id,
        "obis_code": context.obis_code,
        "reading_type": request.reading_type,
        "reading_date_time": request.reading_date_time,
        "action": request.action,
        "value": request.value,
        "previous_value": context.previous_value,
        "reason": request.reason.strip(),
        "user": request.user.strip(),
        "edited_at": moment,
        "findings": json.dumps([asdict(f) for f in findings]),
        "role": request.role,
        "note": request.note.strip() if request.note else None,
    }
    return pa.Table.from_pylist([row], schema=schema.READING_EDITS)


def blocking(findings: list[Finding]) -> str:
    """Why an unforced edit is refused ("" when it is not)."""
    errors = [f"{f.rule}: {f.detail}" for f in findings if f.severity == "error"]
    return "; ".join(errors)
