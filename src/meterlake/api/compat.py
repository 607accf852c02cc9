"""The reference's four routes (reference section 5): same paths, parameters and JSON shapes.

Intended behaviour where the reference erred: client mistakes are 400 problems (never 500),
every value is validated before any query and bound as a parameter, ``/consumption`` sums
interval reads only and rejects unknown aggregations, ``/outage`` lists ERR reads and the
meters of inferred outage events (``source``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse

from meterlake.api.lanes import in_lookup_lane
from meterlake.errors import InputError
from meterlake.schema import SERVED_YEARS
from meterlake.service import MODEL_NAME, MeterLake

METER_ID = r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,63}$"
MeterId = Annotated[str, Path(pattern=METER_ID, description="meter id, e.g. MAC000002")]


def lake_of(request: Request) -> MeterLake:
    """The lake the app serves."""
    lake: MeterLake = request.app.state.lake
    return lake


#: The years a time may lie in, as for ``/consumption``'s year: the lookups widen a window by
#: days or weeks, which at year 1 or 9999 overflowed into a 500 (issue 20's fuzzing).
FIRST_YEAR, LAST_YEAR = SERVED_YEARS


def moment(name: str, text: str) -> datetime:
    """``yyyy-MM-dd`` or ``yyyy-MM-dd HH:mm:ss`` (``T`` allowed) as a naive UTC datetime."""
    shown = repr(text if len(text) <= 64 else f"{text[:64]}...")
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise InputError(
            f"{name}: not a date or timestamp (yyyy-MM-dd[ HH:mm:ss]): {shown}"
        ) from exc
    if value.tzinfo is not None:
        raise InputError(f"{name}: give UTC times without an offset: {shown}")
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise InputError(f"{name}: give a time in the years {FIRST_YEAR} to {LAST_YEAR}: {shown}")
    return value


#: The headers of a forecast: which model answered, and why not the one asked for.
MODEL_HEADERS = {
    "X-Meterlake-Model": {
        "description": "the model version that answered (or seasonal_naive)",
        "schema": {"type": "string"},
    },
    "X-Meterlake-Model-Fallback": {
        "description": "present when ml_endpoint_name named no model: what answered instead",
        "schema": {"type": "string"},
    },
}


def model_headers(version: str, unknown: str | None) -> dict[str, str]:
    """``X-Meterlake-Model`` and, after an unknown name, ``X-Meterlake-Model-Fallback``."""
    headers = {"X-Meterlake-Model": version}
    if unknown is not None:  # the name matched MODEL_NAME at the edge: safe in a header
        headers["X-Meterlake-Model-Fallback"] = (
            f"unknown model {unknown!r}; answered with the active model"
        )
    return headers


#: The bodies are plain JSON built by the service; returning them as ``JSONResponse`` skips
#: a second validation pass that cost more than the query itself. The work runs in the lookup
#: lane (``lanes``): on the event loop it saturated one core under load, in the whole thread
#: pool the threads fought over the GIL.
router = APIRouter(tags=["reference-compatible"])


@router.get("/consumption/{requested_aggregation}/{year}/{meter_id}")
async def consumption(
    request: Request,
    requested_aggregation: str,
    year: Annotated[int, Path(ge=FIRST_YEAR, le=LAST_YEAR)],
    meter_id: MeterId,
) -> JSONResponse:
    """Per-period kWh of one meter and year, ordered by period.

    Daily ``[id, "yyyyMMdd", kWh]``, weekly ``[id, year, week, kWh]``, monthly
    ``[id, year, month, kWh]``.
    """
    lake = lake_of(request)
    return await in_lookup_lane(
        request, lambda: JSONResponse(lake.consumption(requested_aggregation, year, meter_id))
    )


@router.get("/anomaly/{meter_id}")
async def anomaly(
    request: Request,
    meter_id: MeterId,
    data_start: Annotated[str, Query()],
    data_end: Annotated[str, Query()],
    outlier_only: Annotated[str, Query()],
) -> JSONResponse:
    """Column-oriented anomaly rows in ``[data_start, data_end)``.

    ``outlier_only=1`` keeps anomalies only.
    """
    start, end = moment("data_start", data_start), moment("data_end", data_end)
    lake, outliers = lake_of(request), outlier_only.strip() == "1"
    return await in_lookup_lane(
        request, lambda: JSONResponse(lake.anomalies(meter_id, start, end, outliers))
    )


@router.get(
    "/forecast/{meter_id}",
    responses={200: {"headers": MODEL_HEADERS, "description": "the forecast"}},
)
async def forecast(
    request: Request,
    meter_id: MeterId,
    data_start: Annotated[str, Query()],
    data_end: Annotated[str, Query()],
    ml_endpoint_name: Annotated[
        str | None, Query(pattern=MODEL_NAME, description="model version or alias")
    ] = None,
) -> JSONResponse:
    """P90 kWh for the 168 hours after the last observed hour, keyed by epoch milliseconds.

    An ``ml_endpoint_name`` that names no model is answered by the active model (the
    reference ignored the name) unless ``unknown_model_name = "error"``; the headers say which.
    """
    start, end = moment("data_start", data_start), moment("data_end", data_end)
    lake = lake_of(request)

    def answer() -> JSONResponse:
        choice = lake.forecast_model(ml_endpoint_name)
        body = lake.forecast(meter_id, start, end, choice.version)
        return JSONResponse(body, headers=model_headers(choice.version, choice.unknown))

    return await in_lookup_lane(request, answer)


@router.get("/outage")
async def outage(
    request: Request,
    start_date_time: Annotated[str, Query()],
    end_date_time: Annotated[str, Query()],
    error_code: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_\-]{1,32}$")] = None,
    source: Annotated[
        Literal["err", "inferred", "all"],
        Query(description="ERR reads, meters of inferred outage events, or both (the default)"),
    ] = "all",
) -> JSONResponse:
    """ERR reads, and meters of inferred outage events, in the inclusive window; nulls omitted.

    ERR items are as the reference lists them. A meter of an inferred outage event that
    overlaps the window is an item with ``error_value`` ``OUTAGE`` and ``reading_date_time``
    the start of that meter's outage: lakes whose exports carry no error codes see their
    outages too. ``error_code=OUTAGE`` selects those only.
    """
    start = moment("start_date_time", start_date_time)
    end = moment("end_date_time", end_date_time)
    lake = lake_of(request)
    return await in_lookup_lane(
        request, lambda: JSONResponse(lake.outages(start, end, error_code, source))
    )
