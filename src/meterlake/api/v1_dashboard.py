"""The v1 routes the dashboard adds: fleet overview, stored forecasts, weather, meter positions."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel

from meterlake.api.compat import METER_ID, lake_of, moment
from meterlake.api.times import UtcTime

router = APIRouter(prefix="/v1", tags=["v1 dashboard"])


class CoverageDay(BaseModel):
    """How many meters reported on one day, and their interval kWh."""

    day: date
    meters: int
    kwh: float | None


class Overview(BaseModel):
    """The fleet at a glance: size, coverage and the counts of every derived table."""

    meters: int
    first_day: str | None
    last_day: str | None
    days: int
    meter_days: int
    kwh: float
    spikes: int
    dips: int
    anomaly_rows: int
    forecast_rows: int
    outage_events: int
    quarantined_rows: int
    coverage: list[CoverageDay]


class StoredForecast(BaseModel):
    """One hour of a pre-computed forecast (``consumption`` is the reference's P90 column)."""

    time: UtcTime
    p10: float | None
    p50: float | None
    p90: float | None
    consumption: float | None
    model: str
    data_end: str


class Weather(BaseModel):
    """Mean temperatures (degrees C) of one day, ISO week or month and the hours behind them."""

    start: date
    temperature: float | None
    apparenttemperature: float | None
    hours: int


class Position(BaseModel):
    """A meter's coordinates."""

    meter_id: str
    lat: float | None
    long: float | None


@router.get("/overview")
def overview(request: Request) -> Overview:
    """Meters, days covered, meters reporting per day, anomaly/forecast/outage/quarantine counts."""
    return Overview.model_validate(lake_of(request).overview())


@router.get("/meters/{meter_id}/precomputed-forecast")
def precomputed_forecast(
    request: Request, meter_id: Annotated[str, Path(pattern=METER_ID)]
) -> list[StoredForecast]:
    """The meter's latest batch forecast (``meterlake forecast``), hour by hour."""
    return [
        StoredForecast.model_validate(row) for row in lake_of(request).stored_forecast(meter_id)
    ]


@router.get("/weather")
def weather(
    request: Request,
    *,
    start: str,
    end: str,
    period: Annotated[str, Query(pattern=r"^(day|week|month)$")] = "week",
) -> list[Weather]:
    """Mean temperature and apparent temperature per ``day``, ``week`` or ``month``."""
    rows = lake_of(request).weather(moment("start", start), moment("end", end), period)
    return [Weather.model_validate(row) for row in rows]


@router.get("/geo")
def geo(request: Request) -> list[Position]:
    """Every meter's latitude and longitude (``geodata``)."""
    return [Position.model_validate(row) for row in lake_of(request).meter_positions()]
