"""The detector contract and the registry the CLI and service choose from."""

from __future__ import annotations

from typing import Protocol

from meterlake.analytics.anomaly.matrix import Band, DailyMatrix, DailyWeather
from meterlake.analytics.anomaly.robust_band import RobustDetector
from meterlake.errors import InputError

#: Detector names; the default comes first.
DETECTORS = ("default", "prophet")


class Detector(Protocol):
    """Anything that turns daily consumption into an expected band."""

    name: str

    def band(self, matrix: DailyMatrix, weather: DailyWeather | None = None) -> Band:
        """Expected kWh and interval for every meter and day of ``matrix``."""
        ...


def make_detector(name: str, seed: int = 0) -> Detector:
    """The detector called ``name`` (``prophet`` needs the prophet extra)."""
    if name == "default":
        return RobustDetector()
    if name == "prophet":
        from meterlake.analytics.anomaly.prophet_band import (  # noqa: PLC0415 (optional extra)
            ProphetDetector,
        )

        return ProphetDetector(seed)
    raise InputError(f"unknown detector {name!r}; choose one of {', '.join(DETECTORS)}")
