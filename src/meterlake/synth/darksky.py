"""The hourly weather table in the Dark Sky schema of ``weather_hourly_darksky.csv``."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from meterlake.synth.timeline import HOURS_PER_DAY, Timeline, hours_since_epoch
from meterlake.synth.weather import Floats, WeatherModel, diurnal, season, temperature

DARKSKY_COLUMNS = (
    "visibility", "windBearing", "temperature", "time", "dewPoint", "pressure",
    "apparentTemperature", "windSpeed", "precipType", "icon", "humidity", "summary",
)  # fmt: skip
_RAIN_CLOUD = 0.93
_SNOW_BELOW_C = 1.0
_MAX_VISIBILITY_KM = 16.09
# (icon, summary) of each sky in the order _sky tests them; {} is day or night
_SKIES = (
    ("snow", "Light Snow"), ("rain", "Light Rain"), ("fog", "Foggy"), ("cloudy", "Overcast"),
    ("cloudy", "Mostly Cloudy"), ("partly-cloudy-{}", "Partly Cloudy"), ("wind", "Breezy"),
    ("clear-{}", "Clear"),
)  # fmt: skip
_DAY_ICONS = np.array([icon.format("day") for icon, _ in _SKIES])
_NIGHT_ICONS = np.array([icon.format("night") for icon, _ in _SKIES])
_SUMMARIES = np.array([summary for _, summary in _SKIES])


def _floats(values: Floats) -> Floats:
    return np.asarray(np.round(values, 2), dtype=np.float64)


def _daylight(hours: Floats) -> npt.NDArray[np.bool_]:
    """Whether the sun is up (about 7.8 h in December, 16.5 h in June)."""
    half_day = (12.15 + 4.35 * season(hours + 30.0 * HOURS_PER_DAY)) / 2.0
    return np.asarray(np.abs((hours % HOURS_PER_DAY) - 12.0) < half_day)


def _apparent(temp: Floats, wind: Floats) -> Floats:
    """Wind chill below 10 C with wind above 4.8 km/h, else the air temperature."""
    kmh = (wind * 3.6) ** 0.16
    chill = 13.12 + 0.6215 * temp - 11.37 * kmh + 0.3965 * temp * kmh
    return _floats(np.where((temp <= 10.0) & (wind * 3.6 > 4.8), chill, temp))


def _dew_point(temp: Floats, humidity: Floats) -> Floats:
    """Magnus formula."""
    gamma = np.log(np.maximum(humidity, 0.01)) + 17.62 * temp / (243.12 + temp)
    return _floats(243.12 * gamma / (17.62 - gamma))


def _sky(temp: Floats, cloud: Floats, humidity: Floats, wind: Floats) -> npt.NDArray[np.int64]:
    """Index into ``_SKIES`` of each hour's sky."""
    rain = cloud > _RAIN_CLOUD
    conditions = [
        rain & (temp < _SNOW_BELOW_C),
        rain,
        (humidity >= 0.97) & (wind < 2.5),
        cloud > 0.86,
        cloud > 0.65,
        cloud > 0.35,
        wind > 9.0,
    ]
    return np.asarray(np.select(conditions, range(len(conditions)), default=len(conditions)))


def darksky_frame(model: WeatherModel, timeline: Timeline) -> pd.DataFrame:
    """One row per hour of the timeline, columns in the Dark Sky file order."""
    times = timeline.hour_times()
    hours = hours_since_epoch(times)
    temp = temperature(model, hours)
    cloud = 1.0 / (1.0 + np.exp(-(model.cloud.at(hours) + 0.6)))
    humidity = _floats(np.clip(0.78 + 0.3 * (cloud - 0.5) - 0.1 * diurnal(hours), 0.3, 1.0))
    wind = _floats(np.clip(3.8 + 2.0 * model.wind.at(hours) + 2.5 * (cloud - 0.5), 0.1, None))
    sky = _sky(temp, cloud, humidity, wind)
    fog_loss = 60.0 * np.maximum(humidity - 0.85, 0.0) + 3.0 * (cloud > _RAIN_CLOUD)
    stamps = np.datetime_as_string(times, unit="s").astype("U19")
    columns = {
        "visibility": _floats(np.clip(13.5 - fog_loss, 0.2, _MAX_VISIBILITY_KM)),
        "windBearing": np.rint(225.0 + 70.0 * model.bearing.at(hours)).astype(np.int64) % 360,
        "temperature": temp,
        "time": np.char.replace(stamps, "T", " "),
        "dewPoint": _dew_point(temp, humidity),
        "pressure": _floats(1013.0 + model.pressure.at(hours) - 6.0 * (cloud - 0.5)),
        "apparentTemperature": _apparent(temp, wind),
        "windSpeed": wind,
        "precipType": np.where(temp < _SNOW_BELOW_C, "snow", "rain"),
        "icon": np.where(_daylight(hours), _DAY_ICONS[sky], _NIGHT_ICONS[sky]),
        "humidity": humidity,
        "summary": _SUMMARIES[sky],
    }
    return pd.DataFrame(columns, columns=list(DARKSKY_COLUMNS))
