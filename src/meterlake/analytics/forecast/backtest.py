"""Rolling-origin backtests: train once, score k shifted windows of one horizon each.

With ``data_end`` E, horizon H and k windows, window i (1..k) starts at ``E - (k - i + 1) H``
and the training panel ends where the first window starts. Each window is forecast from all
history before its own origin (never from its own hours); the reference scored two identical
windows (section 9 #15).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from meterlake.analytics.forecast.calendar import Weather
from meterlake.analytics.forecast.quantiles import SCORED_LEVELS, Array
from meterlake.analytics.forecast.series import HourlyPanel

HORIZON = 168
MASE_SEASON = 24
INTERVAL = (0.1, 0.9)


class Forecaster(Protocol):
    """What every model offers (see ``quantiles`` for the contract of ``predict``)."""

    @property
    def kind(self) -> str:
        """Registry kind."""
        ...

    def fit(self, train: HourlyPanel, weather: Weather | None = None) -> None:
        """Learn from ``train`` only."""
        ...

    def predict(
        self,
        context: HourlyPanel,
        horizon: int,
        levels: Sequence[float],
        weather: Weather | None = None,
    ) -> Array:
        """``meters x horizon x levels`` kWh from the hour after ``context`` ends."""
        ...

    def save(self, folder: Path) -> dict[str, Any]:
        """Write the model's files into ``folder``; returns its parameters (JSON-ready)."""
        ...


@dataclass(frozen=True)
class Windows:
    """Where training ends and each test window starts."""

    train_end: datetime
    origins: tuple[datetime, ...]
    horizon: int

    def span(self, origin: datetime) -> tuple[datetime, datetime]:
        """First hour and exclusive end of the window starting at ``origin``."""
        return origin, origin + timedelta(hours=self.horizon)


def rolling_windows(data_end: datetime, horizon: int = HORIZON, count: int = 2) -> Windows:
    """``count`` back-to-back windows of ``horizon`` hours ending at ``data_end`` (exclusive)."""
    step = timedelta(hours=horizon)
    origins = tuple(data_end - (count - i) * step for i in range(count))
    return Windows(origins[0], origins, horizon)


@dataclass(frozen=True)
class Scores:
    """Accuracy of one model over all windows."""

    mase: float
    wql: float
    coverage: float
    seconds: float

    def as_dict(self) -> dict[str, float]:
        """JSON-ready, rounded."""
        return {
            "mase": round(self.mase, 4),
            "wql": round(self.wql, 4),
            "coverage_80": round(self.coverage, 4),
            "seconds": round(self.seconds, 2),
        }


def evaluate(
    model: Forecaster,
    panel: HourlyPanel,
    windows: Windows,
    weather: Weather | None = None,
    clock: Callable[[], float] | None = None,
) -> Scores:
    """Score a fitted ``model`` on every window of ``panel`` (prediction time in ``seconds``)."""
    import time  # noqa: PLC0415

    tick = clock or time.perf_counter
    began = tick()
    actual, predicted, scales = [], [], []
    for origin in windows.origins:
        context = panel.until(origin)
        predicted.append(model.predict(context, windows.horizon, SCORED_LEVELS, weather))
        actual.append(panel.between(*windows.span(origin)).values)
        scales.append(naive_scale(context.values))
    seconds = tick() - began
    return score(actual, predicted, scales, seconds)


def naive_scale(history: Array) -> Array:
    """Per meter: mean absolute 24-hour difference of the history (MASE's denominator)."""
    differences = np.abs(history[:, MASE_SEASON:] - history[:, :-MASE_SEASON])
    return _row_mean(differences)


def score(
    actual: list[Array], predicted: list[Array], scales: list[Array], seconds: float
) -> Scores:
    """MASE of the median, mean weighted quantile loss and 80 % coverage over all windows."""
    median, low, high = (SCORED_LEVELS.index(q) for q in (0.5, *INTERVAL))
    ratios = [
        _row_mean(np.abs(y - p[:, :, median])) / s
        for y, p, s in zip(actual, predicted, scales, strict=True)
    ]
    ratio = np.concatenate(ratios)
    mase = float(np.mean(ratio[np.isfinite(ratio)])) if np.isfinite(ratio).any() else np.nan
    y = np.concatenate(actual, axis=1)
    p = np.concatenate(predicted, axis=1)
    known = np.isfinite(y)
    return Scores(
        mase, wql(y[known], p[known]), coverage(y[known], p[known][:, [low, high]]), seconds
    )


def wql(actual: Array, predicted: Array) -> float:
    """Mean over ``SCORED_LEVELS`` of 2 x pinball loss / total absolute actual (GluonTS's)."""
    levels = np.asarray(SCORED_LEVELS)
    error = actual[:, None] - predicted
    pinball = np.maximum(levels * error, (levels - 1) * error).sum(axis=0)
    total = float(np.abs(actual).sum())
    return float(np.mean(2 * pinball / total)) if total > 0 else float("nan")


def coverage(actual: Array, bounds: Array) -> float:
    """Share of actual values inside ``[bounds[:, 0], bounds[:, 1]]``."""
    if len(actual) == 0:
        return float("nan")
    return float(np.mean((actual >= bounds[:, 0]) & (actual <= bounds[:, 1])))


def _row_mean(matrix: Array) -> Array:
    known = np.isfinite(matrix)
    count = known.sum(axis=1)
    total = np.where(known, matrix, 0.0).sum(axis=1)
    with np.errstate(all="ignore"):
        return np.where(count > 0, total / count, np.nan)
