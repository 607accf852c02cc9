"""The lane the single-meter lookups run in: one thread, not the whole thread pool.

The lookups are short and almost all Python (in-memory slices, Arrow, numpy, one LightGBM
call), so they hold the GIL. FastAPI runs plain ``def`` routes in a pool of up to 40 threads;
under load dozens of them then take turns on the GIL, and every numpy or LightGBM call that
releases it hands it over: measured in process, an online forecast cost 1.9 ms of CPU on one
thread and 5.0 ms with eight at once, 3.0 ms with two (``docs/benchmarks.md``). Queuing them
for a lane of ``LOOKUP_THREADS`` threads keeps the CPU per request at its single-thread cost;
other routes (SQL over the lake, reports) keep the default pool, so a slow one never blocks a
lookup.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import anyio
from fastapi import Request

T = TypeVar("T")
LOOKUP_THREADS = 1


async def in_lookup_lane(request: Request, work: Callable[[], T]) -> T:
    """Run ``work`` on one of the app's lookup threads (created on first use, in the loop)."""
    state = request.app.state
    limiter = getattr(state, "lookup_lane", None)
    if limiter is None:
        limiter = state.lookup_lane = anyio.CapacityLimiter(LOOKUP_THREADS)
    return await anyio.to_thread.run_sync(work, limiter=limiter)
