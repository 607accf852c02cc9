"""The default detector: a robust calendar model of every meter at once, in numpy.

Per meter, log consumption is regressed on day features shared by all meters (level, weekend,
bank holiday, season or temperature) with iteratively re-weighted ridge least squares (Huber,
then Tukey's bisquare), so the spikes, dips and vacancies it looks for get no weight. A
sustained change of level (CUSUM on the clipped residuals) is modelled as a step from its first
day; the band describes the meter's behaviour *before* the change, so every changed day stays
visible. The interval is the model +/- z sigma in log space (sigma: MAD of the residuals), i.e.
a multiplicative band of the requested coverage. No Python loop runs per meter: every step is a
matrix operation over meters x days.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import numpy.typing as npt

from meterlake.analytics.anomaly.calendar_design import Design, day_design
from meterlake.analytics.anomaly.matrix import Band, DailyMatrix, DailyWeather

Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
_MAD_TO_SIGMA = 1.4826
_HUBER = 1.345
_BISQUARE = 4.685
_CLIP = 2.5
_TINY = 1e-6  # keeps a meter whose days all got zero weight solvable


@dataclass(frozen=True)
class RobustSettings:
    """Knobs of the default detector (defaults used everywhere, documented in docs/anomaly.md)."""

    coverage: float = 0.98
    huber_iterations: int = 3
    bisquare_iterations: int = 3
    min_segment_days: int = 28
    change_threshold: float = 6.0
    min_sigma: float = 0.02
    offset_share: float = 0.05


class RobustDetector:
    """Default detector: vectorised robust calendar model with level-change awareness."""

    name = "default"

    def __init__(self, settings: RobustSettings | None = None) -> None:
        """Use ``settings`` or the defaults."""
        self.settings = settings or RobustSettings()

    def band(self, matrix: DailyMatrix, weather: DailyWeather | None = None) -> Band:
        """Expected kWh and the interval of every meter and day."""
        s = self.settings
        observed = matrix.observed
        design = day_design(matrix.days, None if weather is None else weather.temperature)
        filled = np.where(observed, matrix.values, 0.0)
        offset = s.offset_share * _row_median(np.maximum(filled, 0.0), observed) + 1e-3
        logs = np.log(np.maximum(filled, 0.0) + offset[:, None]) * observed
        fit = _Fit(design, logs, observed, s.min_sigma)
        fit.iterate(s.huber_iterations, s.bisquare_iterations)
        fit.step = _level_change(fit.residuals(), observed, fit.sigma, s)
        fit.iterate(1, s.bisquare_iterations)
        baseline = fit.baseline()
        n = np.maximum(observed.sum(axis=1), 1)
        spread = fit.sigma * np.sqrt(1.0 + design.columns.shape[1] / n)
        z = NormalDist().inv_cdf(0.5 + s.coverage / 2.0) * spread[:, None]
        back = offset[:, None]
        return Band(
            yhat=np.maximum(np.exp(baseline) - back, 0.0),
            lower=np.maximum(np.exp(baseline - z) - back, 0.0),
            upper=np.exp(baseline + z) - back,
        )


class _Fit:
    """Iteratively re-weighted ridge least squares of all meters on shared day features."""

    def __init__(self, design: Design, logs: Floats, observed: Bools, min_sigma: float) -> None:
        self.x = design.columns
        self.penalty = design.penalty
        self.outer = np.einsum("dp,dq->dpq", self.x, self.x).reshape(self.x.shape[0], -1)
        self.logs = logs
        self.observed = observed
        self.min_sigma = min_sigma
        self.weights = observed.astype(np.float64)
        self.step = np.zeros(0, dtype=np.int64)
        self.sigma = np.ones(logs.shape[0])
        self.coef = np.zeros((logs.shape[0], self.x.shape[1] + 1))

    def iterate(self, huber: int, bisquare: int) -> None:
        for rounds, kind in ((huber, "huber"), (bisquare, "bisquare")):
            for _ in range(rounds):
                self._solve()
                residuals = self.residuals()
                self.sigma = np.maximum(
                    _MAD_TO_SIGMA * _row_median(np.abs(residuals), self.observed), self.min_sigma
                )
                self.weights = _robust_weights(residuals / self.sigma[:, None], kind)
                self.weights *= self.observed

    def _step_columns(self) -> Floats:
        meters, days = self.logs.shape
        if self.step.size == 0:
            return np.zeros((meters, days))
        return (np.arange(days)[None, :] >= self.step[:, None]).astype(np.float64)

    def _solve(self) -> None:
        meters, p = self.logs.shape[0], self.x.shape[1]
        steps = self._step_columns()
        a = np.zeros((meters, p + 1, p + 1))
        a[:, :p, :p] = (self.weights @ self.outer).reshape(meters, p, p) + np.diag(
            self.penalty + _TINY
        )
        weighted_steps = self.weights * steps
        a[:, :p, p] = a[:, p, :p] = weighted_steps @ self.x
        a[:, p, p] = weighted_steps.sum(axis=1) + (steps.sum(axis=1) == 0) + _TINY
        b = np.empty((meters, p + 1))
        b[:, :p] = (self.weights * self.logs) @ self.x
        b[:, p] = (weighted_steps * self.logs).sum(axis=1)
        self.coef = np.linalg.solve(a, b[:, :, None])[:, :, 0]

    def baseline(self) -> Floats:
        """Fitted log consumption without the level change."""
        return np.asarray(self.coef[:, :-1] @ self.x.T)

    def residuals(self) -> Floats:
        """Observed minus fitted (with the level change); 0 where nothing was observed."""
        fitted = self.baseline() + self.coef[:, -1:] * self._step_columns()
        return np.asarray((self.logs - fitted) * self.observed)


def _robust_weights(scaled: Floats, kind: str) -> Floats:
    size = np.abs(scaled)
    if kind == "huber":
        return np.asarray(np.minimum(1.0, _HUBER / np.maximum(size, 1e-12)))
    return np.asarray(np.where(size < _BISQUARE, (1.0 - (size / _BISQUARE) ** 2) ** 2, 0.0))


def _row_median(values: Floats, observed: Bools) -> Floats:
    """Median of each row over its observed entries (0 for a row with none)."""
    counts = observed.sum(axis=1)
    ordered = np.sort(np.where(observed, values, np.inf), axis=1)
    low = np.take_along_axis(ordered, np.maximum((counts - 1) // 2, 0)[:, None], axis=1)[:, 0]
    high = np.take_along_axis(ordered, np.maximum(counts // 2, 0)[:, None], axis=1)[:, 0]
    middle = np.where(counts > 0, (low + high) / 2.0, 0.0)
    return np.asarray(np.where(np.isfinite(middle), middle, 0.0))


def _level_change(
    residuals: Floats, observed: Bools, sigma: Floats, settings: RobustSettings
) -> npt.NDArray[np.int64]:
    """First day of a sustained level change per meter (the day count when there is none).

    Standardised two-sample statistic of the clipped residuals before and after each day; the
    best split counts when both sides have ``min_segment_days`` and it passes the threshold.
    """
    clipped = np.clip(residuals / sigma[:, None], -_CLIP, _CLIP) * observed
    before = np.cumsum(clipped, axis=1)[:, :-1]
    counted = np.cumsum(observed, axis=1)[:, :-1].astype(np.float64)
    total, n = clipped.sum(axis=1, keepdims=True), observed.sum(axis=1, keepdims=True)
    after_n = n - counted
    valid = (counted >= settings.min_segment_days) & (after_n >= settings.min_segment_days)
    with np.errstate(divide="ignore", invalid="ignore"):
        gap = (total - before) / after_n - before / counted
        score = np.where(valid, np.abs(gap) * np.sqrt(counted * after_n / n), 0.0)
    days = residuals.shape[1]
    if days < 2:
        return np.full(residuals.shape[0], days, dtype=np.int64)
    best = np.argmax(score, axis=1)
    found = score[np.arange(len(best)), best] > settings.change_threshold
    return np.asarray(np.where(found, best + 1, days), dtype=np.int64)
