"""Seeded hourly London weather processes; their temperature drives consumption."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from meterlake.synth.smooth_noise import SmoothNoise, draw_smooth_noise
from meterlake.synth.timeline import HOURS_PER_DAY, Timeline, hours_since_epoch

Floats = npt.NDArray[np.float64]
_YEAR_H = 365.2425 * 24.0
_COLDEST_H = 20.0 * 24.0  # around 20 January (hour 0 is 2000-01-01)
_WARMEST_HOUR = 15.0


@dataclass(frozen=True, eq=False)
class WeatherModel:
    """The seeded processes behind every weather column (pure functions of absolute time)."""

    synoptic: SmoothNoise
    jitter: SmoothNoise
    cloud: SmoothNoise
    pressure: SmoothNoise
    wind: SmoothNoise
    bearing: SmoothNoise


def draw_weather_model(rng: np.random.Generator) -> WeatherModel:
    """Draw the processes (periods in hours) in a fixed order."""
    return WeatherModel(
        synoptic=draw_smooth_noise(rng, 60.0, 480.0, 2.8),
        jitter=draw_smooth_noise(rng, 3.0, 18.0, 0.5),
        cloud=draw_smooth_noise(rng, 6.0, 120.0, 1.6),
        pressure=draw_smooth_noise(rng, 24.0, 240.0, 9.0),
        wind=draw_smooth_noise(rng, 6.0, 96.0, 1.0),
        bearing=draw_smooth_noise(rng, 12.0, 240.0, 1.0),
    )


def season(hours: Floats) -> Floats:
    """-1 in late January, +1 in late July."""
    return np.asarray(-np.cos(2.0 * np.pi * (hours - _COLDEST_H) / _YEAR_H), dtype=np.float64)


def diurnal(hours: Floats) -> Floats:
    """+1 at the warmest hour of the day (15:00), -1 twelve hours later."""
    phase = ((hours % HOURS_PER_DAY) - _WARMEST_HOUR) / HOURS_PER_DAY
    return np.asarray(np.cos(2.0 * np.pi * phase), dtype=np.float64)


def temperature(model: WeatherModel, hours: Floats) -> Floats:
    """Air temperature in degrees C, rounded to 2 decimals as written."""
    yearly = season(hours)
    daily = (3.3 + 1.0 * yearly) * diurnal(hours)
    value = 10.8 + 6.8 * yearly + daily + model.synoptic.at(hours) + model.jitter.at(hours)
    return np.asarray(np.round(value, 2), dtype=np.float64)


def hourly_temperature(model: WeatherModel, timeline: Timeline) -> Floats:
    """Temperature of every hour of the timeline."""
    return temperature(model, hours_since_epoch(timeline.hour_times()))


def daily_mean_temperature(hourly: Floats) -> Floats:
    """Mean of each day's 24 hourly temperatures."""
    return np.asarray(hourly.reshape(-1, HOURS_PER_DAY).mean(axis=1), dtype=np.float64)
