"""The v1 VEE routes: validated readings and totals, flags, edits with an audit log, quality."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from meterlake.api.auth import principal_of
from meterlake.api.compat import FIRST_YEAR, LAST_YEAR, METER_ID, lake_of, moment
from meterlake.api.times import UtcTime
from meterlake.errors import InputError
from meterlake.vee.edits import EditRequest

router = APIRouter(prefix="/v1", tags=["v1 vee"])
MeterId = Annotated[str, Path(pattern=METER_ID)]
Limit = Annotated[int, Query(ge=1, le=100_000)]
RULE = r"^[a-z_]{1,32}$"


class ValidatedReading(BaseModel):
    """A reading, or an estimated missing interval, with its status and the value used."""

    reading_date_time: UtcTime
    reading_type: str
    obis_code: str
    raw_value: float | None
    value: float | None
    status: Literal["actual", "estimated", "edited", "suspect"]
    method: str | None
    estimated_value: float | None
    rules: str


class ValidatedConsumption(BaseModel):
    """Interval kWh of one period, split by status, with or without the estimated part."""

    period_start: UtcTime
    actual_kwh: float
    edited_kwh: float
    estimated_kwh: float
    estimated_intervals: int
    intervals: int
    total_kwh: float
    estimated_share: float
    with_estimates: bool


class Flag(BaseModel):
    """A rule a reading (or a missing interval) broke."""

    reading_date_time: UtcTime
    reading_type: str
    obis_code: str
    rule: str
    severity: str
    detail: str
    measure: float | None


class EditBody(BaseModel):
    """An edit: override a value, or accept or reject a suspect reading."""

    reading_date_time: datetime = Field(description="reading time, naive UTC")
    action: Literal["override", "accept", "reject"]
    reason: str = Field(min_length=1, max_length=500)
    user: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="a name to note beside the edit; the log's user is the API key's name",
    )
    value: float | None = None
    reading_type: Literal["INT", "AGG"] = "INT"
    obis_code: str | None = Field(default=None, max_length=64)
    force: bool = False


class EditFinding(BaseModel):
    """A rule the edited value breaks."""

    rule: str
    severity: str
    detail: str


class Edit(BaseModel):
    """An edit as stored in the audit log."""

    edit_id: str
    meter_id: str
    obis_code: str
    reading_type: str
    reading_date_time: UtcTime
    action: str
    value: float | None
    previous_value: float | None
    reason: str
    user: str = Field(description="the API key's name that made the edit (local: no keys)")
    role: str | None = Field(description="that key's role (null on edits older than roles)")
    note: str | None = Field(description="the name the client gave, as a note")
    edited_at: UtcTime
    findings: str


class EditResult(Edit):
    """A stored edit, its findings, the VEE run that followed and the reading's new status."""

    findings: list[EditFinding]  # type: ignore[assignment]
    vee_run: str
    status: str | None


class MeterQuality(BaseModel):
    """Data quality of one meter over a period."""

    meter_id: str
    readings: int
    expected: int
    completeness: float
    rejected: int
    estimated: int
    share_estimated: float
    flags: dict[str, int]
    longest_gap_hours: float
    last_reading: UtcTime
    stopped: bool


def _window(start: str, end: str) -> tuple[datetime, datetime]:
    return moment("start", start), moment("end", end)


def _days(start: date, end: date) -> tuple[date, date]:
    if not all(FIRST_YEAR <= day.year <= LAST_YEAR for day in (start, end)):
        raise InputError(f"give days in the years {FIRST_YEAR} to {LAST_YEAR}")
    if end <= start:
        raise InputError("end must be after start")
    return start, end


@router.get("/meters/{meter_id}/validated-readings")
def validated_readings(
    request: Request, meter_id: MeterId, *, start: str, end: str
) -> list[ValidatedReading]:
    """Readings and estimated intervals in ``[start, end)`` with their status."""
    rows = lake_of(request).vee().readings(meter_id, *_window(start, end))
    return [ValidatedReading.model_validate(row) for row in rows]


@router.get("/meters/{meter_id}/validated-consumption")
def validated_consumption(  # noqa: PLR0917 (FastAPI maps each parameter)
    request: Request,
    meter_id: MeterId,
    start: str,
    end: str,
    period: str = "day",
    estimates: bool = True,
) -> list[ValidatedConsumption]:
    """Interval kWh per hour, day, week or month, with or without estimates."""
    rows = lake_of(request).vee().consumption(meter_id, *_window(start, end), period, estimates)
    return [ValidatedConsumption.model_validate(row) for row in rows]


@router.get("/meters/{meter_id}/flags")
def meter_flags(  # noqa: PLR0917 (FastAPI maps each parameter)
    request: Request,
    meter_id: MeterId,
    start: str,
    end: str,
    rule: Annotated[str | None, Query(pattern=RULE)] = None,
    limit: Limit = 10_000,
) -> list[Flag]:
    """The VEE flags of one meter in ``[start, end)``."""
    rows = lake_of(request).vee().flags(meter_id, *_window(start, end), rule, limit)
    return [Flag.model_validate(row) for row in rows]


@router.post("/meters/{meter_id}/edits", status_code=201)
def edit(request: Request, meter_id: MeterId, body: EditBody) -> EditResult:
    """Override a reading or accept/reject a suspect one; the day is validated again."""
    if body.reading_date_time.tzinfo is not None:
        raise InputError("reading_date_time must be naive UTC (no offset)")
    principal = principal_of(request)
    stored = (
        lake_of(request)
        .vee()
        .edit(
            EditRequest(
                meter_id=meter_id,
                reading_date_time=body.reading_date_time,
                action=body.action,
                reason=body.reason,
                user=principal.name,
                role=principal.role,
                note=body.user,
                value=body.value,
                reading_type=body.reading_type,
                obis_code=body.obis_code,
                force=body.force,
            )
        )
    )
    return EditResult.model_validate(stored)


@router.get("/edits")
def edits(
    request: Request,
    meter_id: Annotated[str | None, Query(pattern=METER_ID)] = None,
    limit: Limit = 100,
) -> list[Edit]:
    """The append-only audit log of edits, newest first."""
    return [Edit.model_validate(row) for row in lake_of(request).vee().edits(meter_id, limit)]


@router.get("/quality/meters")
def quality_meters(
    request: Request,
    start: date,
    end: date,
    meter_id: Annotated[str | None, Query(pattern=METER_ID)] = None,
) -> list[MeterQuality]:
    """Data quality per meter for the days ``[start, end)``."""
    rows = lake_of(request).vee().quality(*_days(start, end), meter_id)
    return [MeterQuality.model_validate(row) for row in rows]


@router.get("/quality/stopped")
def quality_stopped(request: Request, start: date, end: date) -> list[MeterQuality]:
    """Meters that stopped reporting, longest silent first."""
    rows = lake_of(request).vee().stopped(*_days(start, end))
    return [MeterQuality.model_validate(row) for row in rows]
