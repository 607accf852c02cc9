"""Seasonal-naive baselines (lag 168 and lag 24) with empirical quantiles.

The point forecast repeats the last season (week or day) before the origin; the quantiles add
the meter's own seasonal differences ``y[t] - y[t - season]`` over the last four weeks, so the
interval is as wide as the meter's week-on-week (or day-on-day) changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from meterlake.analytics.forecast.calendar import Weather
from meterlake.analytics.forecast.features import CONTEXT
from meterlake.analytics.forecast.quantiles import Array, check_levels, finish
from meterlake.analytics.forecast.seasonal_naive import column_quantiles
from meterlake.analytics.forecast.series import HourlyPanel


@dataclass
class SeasonalNaive:
    """Repeat the last ``season`` hours; quantiles from seasonal differences."""

    season: int = 168

    @property
    def kind(self) -> str:
        """Registry kind, e.g. ``naive168``."""
        return f"naive{self.season}"

    def fit(self, train: HourlyPanel, weather: Weather | None = None) -> None:
        """Nothing to learn."""
        del train, weather

    def predict(
        self,
        context: HourlyPanel,
        horizon: int,
        levels: Sequence[float],
        weather: Weather | None = None,
    ) -> Array:
        """``meters x horizon x levels`` kWh from the hour after ``context`` ends."""
        del weather
        grid = np.asarray(check_levels(levels))
        recent = context.values[:, -CONTEXT:]
        points = self._points(recent, horizon)
        differences = recent[:, self.season :] - recent[:, : -self.season]
        if differences.shape[1] == 0:
            differences = np.zeros((recent.shape[0], 1))
        spread = column_quantiles(differences.T, grid).T  # meters x levels
        spread = np.nan_to_num(spread)
        return finish(points[:, :, None] + spread[:, None, :])

    def _points(self, recent: Array, horizon: int) -> Array:
        length = recent.shape[1]
        steps = np.arange(horizon) % self.season
        points = np.full((recent.shape[0], horizon), np.nan)
        for back in range(1, 5):  # last season first, then older ones where it is missing
            source = length - back * self.season + steps
            usable = source >= 0
            candidate = np.full_like(points, np.nan)
            candidate[:, usable] = recent[:, source[usable]]
            points = np.where(np.isnan(points), candidate, points)
        known = np.isfinite(recent).sum(axis=1)
        mean = np.where(known > 0, np.nansum(recent, axis=1) / np.maximum(known, 1), 0.0)
        return np.where(np.isnan(points), mean[:, None], points)

    def save(self, folder: Path) -> dict[str, Any]:
        """Parameters only (no artefact)."""
        del folder
        return {"season": self.season}

    @classmethod
    def load(cls, folder: Path, params: dict[str, Any]) -> SeasonalNaive:
        """From saved parameters."""
        del folder
        return cls(season=int(params["season"]))
