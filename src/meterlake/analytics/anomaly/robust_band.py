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
from functools import cache
from statistics import NormalDist

import numpy as np
import numpy.typing as npt
from threadpoolctl import ThreadpoolController

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
    huber_iterations: int = 2
    bisquare_iterations: int = 2
    change_window_days: int = 28
    min_side_days: int = 14
    change_threshold: float = 5.0
    min_shift_sigmas: float = 1.0
    min_sigma: float = 0.02
    offset_share: float = 0.05


class RobustDetector:
    """Default detector: vectorised robust calendar model with level-change awareness."""

    name = "default"

    def __init__(self, settings: RobustSettings | None = None) -> None:
        """Use ``settings`` or the defaults."""
        self.settings = settings or RobustSettings()

    def band(self, matrix: DailyMatrix, weather: DailyWeather | None = None) -> Band:
        """Expected kWh and the interval of every meter and day.

        BLAS runs on one thread: the products are small, and threaded BLAS on a busy machine
        spends more time waiting for its threads than computing (5x slower here).
        """
        with _blas().limit(limits=1, user_api="blas"):
            return self._band(matrix, weather)

    def _band(self, matrix: DailyMatrix, weather: DailyWeather | None) -> Band:
        s = self.settings
        observed = matrix.observed
        design = day_design(matrix.days, None if weather is None else weather.temperature)
        filled = np.where(observed, matrix.values, 0.0)
        offset = s.offset_share * _row_median(np.maximum(filled, 0.0), observed) + 1e-3
        logs = np.log(np.maximum(filled, 0.0) + offset[:, None]) * observed
        fit = _Fit(design, logs, observed, s.min_sigma)
        fit.iterate(s.huber_iterations, s.bisquare_iterations)
        fit.set_step(_level_change(fit.residuals(), observed, fit.sigma, s))
        fit.iterate(0, s.bisquare_iterations)
        if fit.drop_small_steps(s.min_shift_sigmas):
            fit.iterate(0, 1)
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


@cache
def _blas() -> ThreadpoolController:
    """The process's thread pools, found once (a scan of the loaded libraries takes ~5 ms)."""
    return ThreadpoolController()


class _Fit:
    """Iteratively re-weighted ridge least squares of all meters on shared day features."""

    def __init__(self, design: Design, logs: Floats, observed: Bools, min_sigma: float) -> None:
        self.x = design.columns
        self.penalty = design.penalty
        self.upper = np.triu_indices(self.x.shape[1])
        self.outer = self.x[:, self.upper[0]] * self.x[:, self.upper[1]]  # x x^T, one triangle
        self.logs = logs
        self.observed = observed
        self.min_sigma = min_sigma
        self.weights = observed.astype(np.float64)
        self.step = np.full(logs.shape[0], logs.shape[1], dtype=np.int64)
        self.steps = np.zeros(logs.shape)
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

    def set_step(self, step: npt.NDArray[np.int64]) -> None:
        """First day of each meter's level change (the day count for none)."""
        self.step = step
        self.steps = (np.arange(self.logs.shape[1])[None, :] >= step[:, None]).astype(np.float64)

    def _solve(self) -> None:
        meters, p = self.logs.shape[0], self.x.shape[1]
        a = np.zeros((meters, p + 1, p + 1))
        triangle = self.weights @ self.outer
        a[:, self.upper[0], self.upper[1]] = triangle
        a[:, self.upper[1], self.upper[0]] = triangle
        a[:, :p, :p] += np.diag(self.penalty + _TINY)
        b = np.zeros((meters, p + 1))
        b[:, :p] = (self.weights * self.logs) @ self.x
        a[:, p, p] = 1.0  # a meter without a level change keeps a zero step coefficient
        changed = self.step < self.logs.shape[1]
        if changed.any():
            weighted_steps = self.weights[changed] * self.steps[changed]
            a[changed, :p, p] = a[changed, p, :p] = weighted_steps @ self.x
            a[changed, p, p] = weighted_steps.sum(axis=1) + _TINY
            b[changed, p] = (weighted_steps * self.logs[changed]).sum(axis=1)
        self.coef = np.linalg.solve(a, b[:, :, None])[:, :, 0]

    def drop_small_steps(self, min_sigmas: float) -> bool:
        """Forget level changes smaller than ``min_sigmas``; True when any was dropped."""
        days = self.logs.shape[1]
        small = (self.step < days) & (np.abs(self.coef[:, -1]) < min_sigmas * self.sigma)
        if small.any():
            self.set_step(np.where(small, days, self.step))
        return bool(small.any())

    def baseline(self) -> Floats:
        """Fitted log consumption without the level change."""
        return np.asarray(self.coef[:, :-1] @ self.x.T)

    def residuals(self) -> Floats:
        """Observed minus fitted (with the level change); 0 where nothing was observed."""
        fitted = self.baseline() + self.coef[:, -1:] * self.steps
        return np.asarray((self.logs - fitted) * self.observed)


def _robust_weights(scaled: Floats, kind: str) -> Floats:
    if kind == "huber":
        return np.asarray(np.minimum(1.0, _HUBER / np.maximum(np.abs(scaled), 1e-12)))
    inside = np.maximum(1.0 - (scaled / _BISQUARE) ** 2, 0.0)
    return np.asarray(inside * inside)


def _row_median(values: Floats, observed: Bools) -> Floats:
    """Median of each row over its observed entries (0 for a row with none)."""
    counts = observed.sum(axis=1)
    ordered = np.sort(np.where(observed, values, np.inf).astype(np.float32), axis=1)
    low = np.take_along_axis(ordered, np.maximum((counts - 1) // 2, 0)[:, None], axis=1)[:, 0]
    high = np.take_along_axis(ordered, np.maximum(counts // 2, 0)[:, None], axis=1)[:, 0]
    middle = np.where(counts > 0, (low.astype(np.float64) + high) / 2.0, 0.0)
    return np.asarray(np.where(np.isfinite(middle), middle, 0.0))


def _level_change(
    residuals: Floats, observed: Bools, sigma: Floats, settings: RobustSettings
) -> npt.NDArray[np.int64]:
    """Candidate first day of a level change per meter (the day count when there is none).

    For every day, the mean of the clipped, standardised residuals over the ``window`` days
    after it is compared with the ``window`` days before it (a moving-sum test: a smooth season
    does not count, an abrupt jump does); the largest jump is a candidate when it passes the
    threshold. ``_Fit.drop_small_steps`` later forgets it unless the refitted step is large enough.
    """
    meters, days = residuals.shape
    width = settings.change_window_days
    if days < 2 * settings.min_side_days:
        return np.full(meters, days, dtype=np.int64)
    clipped = (residuals / sigma[:, None]).astype(np.float32)
    np.clip(clipped, -_CLIP, _CLIP, out=clipped)
    clipped *= observed
    sums = _padded_cumsum(clipped, width)
    counts = _padded_cumsum(observed.astype(np.float32), width)
    here, back, ahead = (
        slice(width + 1, width + days),
        slice(1, days),
        slice(2 * width + 1, 2 * width + days),
    )
    n_before = counts[:, here] - counts[:, back]
    n_after = counts[:, ahead] - counts[:, here]
    local = (sums[:, ahead] - sums[:, here]) / np.maximum(n_after, 1.0) - (
        sums[:, here] - sums[:, back]
    ) / np.maximum(n_before, 1.0)
    enough = (n_before >= settings.min_side_days) & (n_after >= settings.min_side_days)
    stat = np.abs(local) * np.sqrt(n_before * n_after / np.maximum(n_before + n_after, 1.0))
    score = np.where(enough, stat, 0.0)
    best = np.argmax(score, axis=1)
    found = score[np.arange(meters), best] > settings.change_threshold
    return np.asarray(np.where(found, best + 1, days), dtype=np.int64)


def _padded_cumsum(values: npt.NDArray[np.float32], width: int) -> npt.NDArray[np.float32]:
    """Running sums with ``width + 1`` leading zeros and ``width`` copies of the total after."""
    meters = values.shape[0]
    padded = np.zeros((meters, 2 * width + 1 + values.shape[1]), dtype=values.dtype)
    np.cumsum(values, axis=1, out=padded[:, width + 1 : width + 1 + values.shape[1]])
    padded[:, width + 1 + values.shape[1] :] = padded[:, width + values.shape[1], None]
    return padded
