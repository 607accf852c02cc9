"""The FastAPI application factory."""

from __future__ import annotations

import contextlib
import gc
import logging
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware

from meterlake import __version__, web
from meterlake.api import compat, problems, v1, v1_dashboard, v1_outages, v1_vee
from meterlake.api.auth import authenticate, principal_of
from meterlake.config import Settings
from meterlake.errors import InputError
from meterlake.lake.keys import KeyRing, keys_path
from meterlake.service import MeterLake

#: Tables the server keeps in memory, sorted by meter: every single-meter aggregate lookup.
SERVED_FROM_MEMORY = (
    "aggregated_daily",
    "aggregated_weekly",
    "aggregated_monthly",
    "anomaly",
    "err_readings",
    "geodata",
    "recent_hourly",
)


def create_app(settings: Settings) -> FastAPI:
    """An app serving the lake at ``settings.root``."""
    ring = KeyRing(keys_path(settings.root), tuple(settings.api_keys))
    if settings.api_keys:
        logging.getLogger("meterlake.api").warning(
            "api_keys is deprecated: its keys are unnamed admin keys; use `meterlake keys add`"
        )

    async def require_key(request: Request) -> None:  # async: no thread-pool hop per request
        request.state.principal = authenticate(request, ring)

    guards = [Depends(require_key), Depends(given_once)]

    # Many small queries at once: each on one DuckDB thread costs a third less CPU than on two
    # (docs/benchmarks.md), unless the threads are set explicitly.
    served = settings.model_copy(update={"threads": settings.threads or 1})
    lake = MeterLake(served, cached=SERVED_FROM_MEMORY, clustered=True)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        lake.open()
        # Objects made at start (modules, caches) never die: moving them out of the collector's
        # sight keeps full collections short (they paused requests for tens of ms under load).
        gc.freeze()
        try:
            yield
        finally:
            lake.close()

    app = FastAPI(title="meterlake", version=__version__, lifespan=lifespan)
    app.state.lake = lake
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.cors_origins),
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type", "Authorization", "X-API-Key"],
    )
    problems.install(app)
    plain_openapi = app.openapi

    def documented_openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = problems.document(plain_openapi())
        return app.openapi_schema

    app.openapi = documented_openapi  # type: ignore[method-assign]  # FastAPI's documented hook
    app.include_router(compat.router, dependencies=guards)
    app.include_router(v1.router, dependencies=guards)
    app.include_router(v1_outages.router, dependencies=guards)
    app.include_router(v1_dashboard.router, dependencies=guards)
    app.include_router(v1_vee.router, dependencies=guards)
    web.mount(app)  # the dashboard pages at / (static shells; their data comes from v1)

    @app.get("/v1/me", tags=["operations"], dependencies=guards)
    def me(request: Request) -> dict[str, str]:
        """Whom the key authenticates: its name and role (``local``/``admin`` without keys)."""
        principal = principal_of(request)
        return {"name": principal.name, "role": principal.role}

    @app.get("/v1/health", tags=["operations"])
    @app.get("/health", tags=["operations"])
    def health() -> dict[str, str]:
        """Liveness (no key needed), and whether single-meter reads come from the fast store."""
        return {"status": "ok", "version": __version__, "reading_store": lake.serving_state()}

    return app


async def given_once(request: Request) -> None:
    """Refuse a query parameter given more than once.

    FastAPI would take the last, a proxy or a log may have looked at the first, and which one
    counts should not be a guess (found by fuzzing: ``offset=[]&...&offset=0`` was a 200).
    """
    counts = Counter(key for key, _ in request.query_params.multi_items())
    repeated = [key[:64] for key, count in counts.items() if count > 1]
    if repeated:
        raise InputError(f"give each parameter once: {', '.join(repeated[:5])}")
