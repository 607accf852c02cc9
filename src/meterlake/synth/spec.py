"""What fleet to generate (``FleetSpec``) and where it was written (``FleetFiles``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

MAX_METERS = 999_998  # MAC000002 .. MAC999999


@dataclass(frozen=True)
class FleetSpec:
    """A seeded synthetic fleet shaped like the London LCL data set."""

    meters: int = 50
    start: dt.date = dt.date(2013, 1, 1)
    end: dt.date = dt.date(2013, 3, 1)  # exclusive
    seed: int = 42
    layout: Literal["lcl", "kaggle"] = "lcl"
    files: int = 1
    null_rate: float = 0.0005
    duplicate_rate: float = 0.0002
    missing_rate: float = 0.002
    anomalies_per_meter_year: float = 6.0
    outages: int = 3
    idle_share: float = 0.0  # meters with no standby load: read 0 every night
    away_per_meter_year: float = 0.0  # days with the main switched off: read 0


@dataclass(frozen=True)
class FleetFiles:
    """Paths of everything a fleet generation wrote, and the number of reading rows."""

    readings: list[Path]
    weather: Path
    geo: Path
    households: Path
    anomalies: Path
    outages: Path
    zero_usage: Path
    rows: int


def _problems(spec: FleetSpec) -> list[str]:
    rates = {
        "null_rate": spec.null_rate,
        "duplicate_rate": spec.duplicate_rate,
        "missing_rate": spec.missing_rate,
    }
    problems = [
        f"{name} must be in [0, 1), got {rate}"
        for name, rate in rates.items()
        if not 0.0 <= rate < 1.0
    ]
    checks = [
        (1 <= spec.meters <= MAX_METERS, f"meters must be in 1..{MAX_METERS}, got {spec.meters}"),
        (spec.end > spec.start, f"end ({spec.end}) must be after start ({spec.start})"),
        (spec.files >= 1, f"files must be >= 1, got {spec.files}"),
        (spec.seed >= 0, f"seed must be >= 0, got {spec.seed}"),
        (
            spec.layout in ("lcl", "kaggle"),
            f"layout must be 'lcl' or 'kaggle', got {spec.layout!r}",
        ),
        (spec.anomalies_per_meter_year >= 0, "anomalies_per_meter_year must be >= 0"),
        (spec.outages >= 0, f"outages must be >= 0, got {spec.outages}"),
        (0.0 <= spec.idle_share <= 1.0, f"idle_share must be in [0, 1], got {spec.idle_share}"),
        (spec.away_per_meter_year >= 0, "away_per_meter_year must be >= 0"),
    ]
    return problems + [message for ok, message in checks if not ok]


def validate_spec(spec: FleetSpec) -> None:
    """Raise ``ValueError`` naming every invalid field of ``spec``."""
    problems = _problems(spec)
    if problems:
        raise ValueError("invalid fleet spec: " + "; ".join(problems))
