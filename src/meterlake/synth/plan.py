"""Fleet-wide facts drawn before any reading is written: weather, households, geo, outages."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from meterlake.synth.geo import GeoLayout, place_meters
from meterlake.synth.households import Household, draw_household
from meterlake.synth.outages import ActiveSpans, Outage, plan_outages
from meterlake.synth.spec import FleetSpec
from meterlake.synth.streams import Stream, fleet_rng, meter_rng
from meterlake.synth.timeline import Timeline, stamp_matrix
from meterlake.synth.weather import (
    WeatherModel,
    daily_mean_temperature,
    draw_weather_model,
    hourly_temperature,
)
from meterlake.synth.writer import STAMP_FRACTION


@dataclass(frozen=True, eq=False)
class FleetPlan:
    """Small per-fleet state; readings are derived from it one meter at a time."""

    spec: FleetSpec
    timeline: Timeline
    weather: WeatherModel
    daily_temperature: npt.NDArray[np.float64]
    weekend: npt.NDArray[np.bool_]
    households: tuple[Household, ...]
    geo: GeoLayout
    outages: tuple[Outage, ...]
    stamps: npt.NDArray[np.uint8]


def draw_households(spec: FleetSpec, timeline: Timeline) -> tuple[Household, ...]:
    """Every meter's household, each from its own stream."""
    return tuple(
        draw_household(meter_rng(spec.seed, index, Stream.HOUSEHOLD), index, timeline.intervals)
        for index in range(spec.meters)
    )


def active_spans(households: tuple[Household, ...]) -> ActiveSpans:
    """First and last active interval of every household."""
    first = np.array([household.first for household in households], dtype=np.int64)
    last = np.array([household.last for household in households], dtype=np.int64)
    return ActiveSpans(first, last)


def plan_fleet(spec: FleetSpec) -> FleetPlan:
    """Draw the fleet-wide state of a (validated) spec."""
    timeline = Timeline.between(spec.start, spec.end)
    weather = draw_weather_model(fleet_rng(spec.seed, Stream.WEATHER))
    households = draw_households(spec, timeline)
    geo = place_meters(spec.meters, fleet_rng(spec.seed, Stream.GEO))
    outage_rng = fleet_rng(spec.seed, Stream.OUTAGES)
    outages = plan_outages(
        spec.outages, geo, active_spans(households), timeline.intervals, outage_rng
    )
    return FleetPlan(
        spec=spec,
        timeline=timeline,
        weather=weather,
        daily_temperature=daily_mean_temperature(hourly_temperature(weather, timeline)),
        weekend=timeline.weekend_days(),
        households=households,
        geo=geo,
        outages=tuple(outages),
        stamps=stamp_matrix(timeline.interval_times(), STAMP_FRACTION),
    )
