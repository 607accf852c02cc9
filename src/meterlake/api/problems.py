"""Errors as RFC 9457 problem responses, mapped by error class in one table.

No response carries an engine's or Python's own message: a ``QueryError`` (DuckDB refused a
query built from validated values) and any unexpected exception are logged with their cause
and answered with a fixed detail, so that hostile input learns nothing about the engine, the
files or the code.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from meterlake.errors import InputError, LakeError, MeterlakeError, NotFoundError, QueryError

log = logging.getLogger("meterlake.api")

#: Error class -> (status, title); the first matching class wins.
STATUS = (
    (NotFoundError, 404, "Not found"),
    (InputError, 400, "Bad request"),
    (QueryError, 400, "Bad query"),
    (LakeError, 503, "Lake unavailable"),
    (MeterlakeError, 400, "Bad request"),
)
#: The details of problems whose cause must not be shown (it is logged instead).
HIDDEN = {
    QueryError: "the lake could not answer this request; the server log has the cause",
    Exception: "an unexpected error; the server log has the cause",
}

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


class Problem(BaseModel):
    """An RFC 9457 problem, as every error response of the API is."""

    type: str
    title: str
    status: int
    detail: str
    instance: str


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
        if isinstance(exc, QueryError):
            log.warning("%s %s: query failed: %s", request.method, request.url.path, exc)
            return problem(status, title, HIDDEN[QueryError], request.url.path)
        return problem(status, title, str(exc), request.url.path)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, _: Exception) -> JSONResponse:
        # Starlette logs the traceback after this answer is sent; the client sees none of it.
        return problem(500, "Internal error", HIDDEN[Exception], request.url.path)


def _describe(error: dict[str, object]) -> str:
    location = ".".join(str(part) for part in error.get("loc", ()) if part not in ("path", "query"))  # type: ignore[attr-defined]
    return f"{location}: {error.get('msg')}"


def document(spec: dict[str, Any]) -> dict[str, Any]:
    """``spec`` with the problems each operation can answer in place of FastAPI's 422.

    Validation errors are 400 problems here, never 422; 401/403 come with API keys (every
    route but health), 404 with an id in the path, 503 when the lake cannot be read.
    """
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    schemas["Problem"] = Problem.model_json_schema()
    for path, operations in spec.get("paths", {}).items():
        for operation in operations.values():
            operation["responses"].pop("422", None)
            operation["responses"].update(_problems(path))
    return spec


def _problems(path: str) -> dict[str, Any]:
    health = path in ("/health", "/v1/health")
    statuses = [] if health else [400, 401, 403, *([404] if "{" in path else []), 503]
    content = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    return {
        str(status): {"description": _DESCRIPTIONS[status], "content": content}
        for status in statuses
    }


_DESCRIPTIONS = {
    400: "a missing or malformed parameter, or a value the lake cannot use",
    401: "an API key is required (when keys are configured), or the key is not valid",
    403: "the key's role may not do this (reader: reads; editor: also edits; admin: all)",
    404: "no such meter, run, event or reading",
    503: "the lake cannot be read right now",
}
