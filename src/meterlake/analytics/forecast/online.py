"""The online forecast of one meter from a window of its hourly history (used by the API)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from meterlake.analytics.forecast.backtest import HORIZON, Forecaster
from meterlake.analytics.forecast.calendar import Weather
from meterlake.analytics.forecast.quantiles import Array, check_levels
from meterlake.analytics.forecast.series import HourlyHistory, single_series


def online_forecast(
    model: Forecaster,
    history: HourlyHistory,
    levels: Sequence[float],
    weather: Weather | None = None,
    *,
    horizon: int = HORIZON,
    attributes: Array | None = None,
) -> tuple[datetime, Array]:
    """``horizon x levels`` kWh from the hour after the last observed one.

    Hours between the observed ones that are absent stay missing rather than 0 kWh.
    ``attributes``: the meter's row of ``attributes.matrix`` (``None``: not looked up).
    """
    panel = replace(single_series(history), attributes=attributes)
    values = model.predict(panel, horizon, check_levels(levels), weather)
    return panel.end, values[0]
