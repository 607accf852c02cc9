"""One meter's readings, from its household profile to the bytes of its CSV rows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from meterlake.synth.anomalies import Anomaly, apply_anomalies, draw_anomalies
from meterlake.synth.defects import null_mask, row_counts
from meterlake.synth.households import Household, consumption
from meterlake.synth.outages import Outage
from meterlake.synth.plan import FleetPlan
from meterlake.synth.streams import Stream, meter_rng
from meterlake.synth.timeline import SLOTS_PER_DAY
from meterlake.synth.writer import render_rows, row_template
from meterlake.synth.zero_usage import ZeroUsage, apply_zero_usage, draw_zero_usage


@dataclass(frozen=True, eq=False)
class MeterReadings:
    """The CSV bytes of one meter, its row count, its injected anomalies and zero usage."""

    text: npt.NDArray[np.uint8]
    rows: int
    anomalies: list[Anomaly]
    zero_usage: list[ZeroUsage]


def meter_values(
    plan: FleetPlan, household: Household
) -> tuple[npt.NDArray[np.float64], list[Anomaly]]:
    """kWh of every active interval with anomalies injected, and those anomalies."""
    days = slice(household.first // SLOTS_PER_DAY, household.last // SLOTS_PER_DAY)
    rng = meter_rng(plan.spec.seed, household.index, Stream.CONSUMPTION)
    values = consumption(household, plan.daily_temperature[days], plan.weekend[days], rng)
    anomaly_rng = meter_rng(plan.spec.seed, household.index, Stream.ANOMALIES)
    anomalies = draw_anomalies(household, plan.spec.anomalies_per_meter_year, anomaly_rng)
    return apply_anomalies(values, household, anomalies, anomaly_rng), anomalies


def _apply_outages(
    household: Household,
    outages: list[Outage],
    values: npt.NDArray[np.float64],
    counts: npt.NDArray[np.int64],
    null: npt.NDArray[np.bool_],
) -> None:
    """Zero outages read 0 (never ``Null``); missing outages have no rows (in place)."""
    for outage in outages:
        window = slice(outage.start - household.first, outage.end - household.first)
        if outage.kind == "zero":
            values[window] = 0.0
            null[window] = False
        else:
            counts[window] = 0


def render_meter(plan: FleetPlan, household: Household, outages: list[Outage]) -> MeterReadings:
    """All rows of one meter in time order (duplicates adjacent), as CSV bytes."""
    spec = plan.spec
    values, anomalies = meter_values(plan, household)
    zero_rng = meter_rng(spec.seed, household.index, Stream.ZERO_USAGE)
    zero_usage = draw_zero_usage(household, spec.idle_share, spec.away_per_meter_year, zero_rng)
    apply_zero_usage(values, household, zero_usage)
    rng = meter_rng(spec.seed, household.index, Stream.DEFECTS)
    counts = row_counts(values.size, spec.missing_rate, spec.duplicate_rate, rng)
    null = null_mask(values.size, spec.null_rate, rng)
    _apply_outages(household, outages, values, counts, null)
    rows = np.repeat(np.arange(values.size), counts)
    milli = np.rint(values * 1000.0).astype(np.int64)[rows]
    stamps = plan.stamps[household.first + rows]
    text = render_rows(row_template(spec.layout, household), stamps, milli, null[rows])
    return MeterReadings(text, int(rows.size), anomalies, zero_usage)
