"""Ground-truth tables (anomalies, outages), the geo and the households table, as frames."""

from __future__ import annotations

import numpy as np
import pandas as pd

from meterlake.synth.anomalies import Anomaly
from meterlake.synth.geo import GeoLayout
from meterlake.synth.households import Household, meter_id
from meterlake.synth.outages import Outage
from meterlake.synth.timeline import Timeline
from meterlake.synth.zero_usage import ZeroUsage

ANOMALY_COLUMNS = ["meter_id", "start", "end", "kind"]
OUTAGE_COLUMNS = ["outage_id", "meter_id", "start", "end", "kind"]
ZERO_USAGE_COLUMNS = ["meter_id", "start", "end", "kind"]
#: The header of the London data set's ``informations_households.csv``.
HOUSEHOLD_COLUMNS = ["LCLid", "stdorToU", "Acorn", "Acorn_grouped", "file"]


def _stamps(timeline: Timeline, intervals: list[int]) -> list[str]:
    return timeline.interval_stamps(np.array(intervals, dtype=np.int64))


def anomalies_frame(anomalies: list[Anomaly], timeline: Timeline) -> pd.DataFrame:
    """One row per anomaly; ISO start and (exclusive) end."""
    return pd.DataFrame(
        {
            "meter_id": [meter_id(anomaly.meter_index) for anomaly in anomalies],
            "start": _stamps(timeline, [anomaly.start for anomaly in anomalies]),
            "end": _stamps(timeline, [anomaly.end for anomaly in anomalies]),
            "kind": [anomaly.kind for anomaly in anomalies],
        },
        columns=ANOMALY_COLUMNS,
    )


def outages_frame(outages: tuple[Outage, ...], timeline: Timeline) -> pd.DataFrame:
    """One row per meter of each outage; ISO start and (exclusive) end."""
    pairs = [(outage, meter) for outage in outages for meter in outage.meters]
    return pd.DataFrame(
        {
            "outage_id": [outage.outage_id for outage, _ in pairs],
            "meter_id": [meter_id(meter) for _, meter in pairs],
            "start": _stamps(timeline, [outage.start for outage, _ in pairs]),
            "end": _stamps(timeline, [outage.end for outage, _ in pairs]),
            "kind": [outage.kind for outage, _ in pairs],
        },
        columns=OUTAGE_COLUMNS,
    )


def zero_usage_frame(periods: list[ZeroUsage], timeline: Timeline) -> pd.DataFrame:
    """One row per zero-usage period; ``night_idle`` rows span the meter's active range."""
    return pd.DataFrame(
        {
            "meter_id": [meter_id(period.meter_index) for period in periods],
            "start": _stamps(timeline, [period.start for period in periods]),
            "end": _stamps(timeline, [period.end for period in periods]),
            "kind": [period.kind for period in periods],
        },
        columns=ZERO_USAGE_COLUMNS,
    )


def geo_frame(geo: GeoLayout) -> pd.DataFrame:
    """``meter_id, lat, long`` of every meter, rounded to 8 decimals."""
    return pd.DataFrame(
        {
            "meter_id": [meter_id(index) for index in range(len(geo.latitude))],
            "lat": np.round(geo.latitude, 8),
            "long": np.round(geo.longitude, 8),
        }
    )


def households_frame(households: tuple[Household, ...], files: list[str]) -> pd.DataFrame:
    """Each meter's tariff, Acorn category and group, and the readings file (stem) holding it."""
    return pd.DataFrame(
        {
            "LCLid": [household.meter_id for household in households],
            "stdorToU": [household.tariff for household in households],
            "Acorn": [household.acorn.acorn for household in households],
            "Acorn_grouped": [household.acorn.grouped for household in households],
            "file": files,
        },
        columns=HOUSEHOLD_COLUMNS,
    )
