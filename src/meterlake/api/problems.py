"""Errors as RFC 9457 problem responses, mapped by error class in one table."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from meterlake.errors import InputError, LakeError, MeterlakeError, NotFoundError, QueryError

#: Error class -> (status, title); the first matching class wins.
STATUS = (
    (NotFoundError, 404, "Not found"),
    (InputError, 400, "Bad request"),
    (QueryError, 400, "Bad query"),
    (LakeError, 503, "Lake unavailable"),
    (MeterlakeError, 400, "Bad request"),
)

_TITLES = {401: "Unauthorized", 403: "Forbidden", 404: "Not found", 405: "Method not allowed"}

#: The reference's message for a request missing parameters, by the route's first segment.
MISSING = {
    "consumption": "error: meter_id, year and aggregation type needs to be provided.",
    "anomaly": "error: meter_id, data_start, data_end and outlier_only needs to be provided.",
    "forecast": "error: meter_id, data_start, and data_end needs to be provided.",
    "outage": (
        "Query parameter couldn't be found in event. "
        "One of [error_code, start_date_time, end_date_time] is missing"
    ),
}


def problem(status: int, title: str, detail: str, instance: str) -> JSONResponse:
    """A ``application/problem+json`` response."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    body["instance"] = instance
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def install(app: FastAPI) -> None:
    """Register the handlers that turn errors into problems (never a bare 500)."""

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        missing = [e for e in exc.errors() if e.get("type") == "missing"]
        segment = request.url.path.strip("/").split("/")[0]
        if missing and segment in MISSING:
            names = ", ".join(str(e["loc"][-1]) for e in missing)
            detail = f"{MISSING[segment]} (missing: {names})"
        else:
            detail = "; ".join(_describe(e) for e in exc.errors())
        return problem(400, "Bad request", detail, request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        response = problem(
            exc.status_code,
            _TITLES.get(exc.status_code, "Error"),
            str(exc.detail),
            request.url.path,
        )
        response.headers.update(exc.headers or {})
        return response

    @app.exception_handler(MeterlakeError)
    async def known(request: Request, exc: MeterlakeError) -> JSONResponse:
        status, title = next((s, t) for kind, s, t in STATUS if isinstance(exc, kind))
        return problem(status, title, str(exc), request.url.path)


def _describe(error: dict[str, object]) -> str:
    location = ".".join(str(part) for part in error.get("loc", ()) if part not in ("path", "query"))  # type: ignore[attr-defined]
    return f"{location}: {error.get('msg')}"
