"""A lake opened as ``meterlake serve`` opens it, for comparing served answers with plain ones."""

from __future__ import annotations

import time

from meterlake.api.app import SERVED_FROM_MEMORY
from meterlake.config import Settings
from meterlake.service import MeterLake


def open_served(settings: Settings) -> MeterLake:
    """Recent hours and aggregates in memory, and the meter-clustered reads store filled."""
    served = MeterLake(settings, cached=SERVED_FROM_MEMORY, clustered=True)
    served.open()
    deadline = time.monotonic() + 60
    while served.serving_state() != "current":
        assert time.monotonic() < deadline, "the reads store did not fill"
        time.sleep(0.05)
    return served
