"""The v1 outage routes: events, one event, per-meter counts and reliability indices."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from meterlake.api.compat import METER_ID, lake_of, moment
from meterlake.api.times import UtcTime
from meterlake.api.v1 import Offset
from meterlake.serving.outages import parse_bbox

router = APIRouter(prefix="/v1", tags=["v1 outages"])
EVENT_ID = r"^\d{8}T\d{4}-[0-9a-f]{8}$"
Confidence = Annotated[float, Query(ge=0.0, le=1.0, description="lowest confidence kept")]


class OutageEvent(BaseModel):
    """One outage event: when, how many meters and customers, where, from what evidence."""

    event_id: str
    start: UtcTime
    restoration: UtcTime
    duration_minutes: float
    meters_affected: int
    customers_affected: int
    centroid_lat: float | None
    centroid_long: float | None
    min_lat: float | None
    max_lat: float | None
    min_long: float | None
    max_long: float | None
    source: str
    confidence: float


class OutageMeter(BaseModel):
    """A meter in an event with its own start and restoration."""

    meter_id: str
    start: UtcTime
    restoration: UtcTime
    customers: int
    source: str
    lat: float | None
    long: float | None


class OutageEventDetail(OutageEvent):
    """An event with its meters."""

    meters: list[OutageMeter]


class OutageCount(BaseModel):
    """Outages of one meter in one day, ISO week or month, and their minutes."""

    meter_id: str
    period_start: date
    outages: int
    minutes: float


class ReliabilityIndices(BaseModel):
    """IEEE 1366 indices of a period and area (minutes for SAIDI and CAIDI).

    Interruptions of 5 minutes or less are momentary: counted in MAIFI, not in SAIFI and SAIDI.
    """

    start: UtcTime
    end: UtcTime
    #: south, west, north, east. A list of four rather than a tuple: the same JSON, and a
    #: schema (``items``) that every validator reads, not only JSON Schema 2020-12 ones.
    bbox: Annotated[list[float], Field(min_length=4, max_length=4)] | None
    customers_served: int
    customer_interruptions: int
    customer_minutes: float
    momentary_interruptions: int
    events: int
    saifi: float | None
    saidi: float | None
    caidi: float | None
    maifi: float | None


@router.get("/outages")
def outages(
    request: Request,
    *,
    start: str,
    end: str,
    source: Annotated[str | None, Query(pattern=r"^(err|inferred|both)$")] = None,
    min_confidence: Confidence = 0.0,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1_000,
    offset: Offset = 0,
) -> list[OutageEvent]:
    """Outage events overlapping ``[start, end)``, oldest first."""
    rows = lake_of(request).outage_events(
        moment("start", start), moment("end", end), source, min_confidence, (limit, offset)
    )
    return [OutageEvent.model_validate(row) for row in rows]


@router.get("/outages/counts")
def outage_counts(
    request: Request,
    *,
    start: str,
    end: str,
    period: Annotated[str, Query(pattern=r"^(day|week|month)$")] = "month",
    meter_id: Annotated[str | None, Query(pattern=METER_ID)] = None,
) -> list[OutageCount]:
    """Outages per meter and ``day``, ``week`` or ``month`` starting in ``[start, end)``."""
    rows = lake_of(request).outage_counts(
        period, moment("start", start), moment("end", end), meter_id
    )
    return [OutageCount.model_validate(row) for row in rows]


@router.get("/outages/{event_id}")
def outage(request: Request, event_id: Annotated[str, Path(pattern=EVENT_ID)]) -> OutageEventDetail:
    """One outage event and its meters (404 when unknown)."""
    return OutageEventDetail.model_validate(lake_of(request).outage_event(event_id))


@router.get("/reliability")
def reliability(
    request: Request,
    *,
    start: str,
    end: str,
    bbox: Annotated[
        str | None, Query(pattern=r"^[0-9eE.,+\-]{1,100}$", description="south,west,north,east")
    ] = None,
    min_confidence: Confidence = 0.0,
) -> ReliabilityIndices:
    """SAIFI, SAIDI, CAIDI and MAIFI of events starting in ``[start, end)`` (area optional)."""
    indices = lake_of(request).reliability(
        moment("start", start), moment("end", end), parse_bbox(bbox), min_confidence
    )
    return ReliabilityIndices.model_validate(indices)
