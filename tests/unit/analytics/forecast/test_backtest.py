"""Rolling windows are really shifted, metrics are right, and no model sees its test window."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest

from meterlake.analytics.forecast.backtest import (
    coverage,
    evaluate,
    naive_scale,
    rolling_windows,
    wql,
)
from meterlake.analytics.forecast.gbm import GBMParams, GlobalGBM
from meterlake.analytics.forecast.naive import SeasonalNaive
from meterlake.analytics.forecast.quantiles import SCORED_LEVELS
from meterlake.analytics.forecast.series import HourlyPanel


def test_windows_are_shifted_back_to_back_and_end_at_data_end():
    end = datetime(2014, 1, 1)
    windows = rolling_windows(end, 168, 2)
    assert windows.origins == (end - timedelta(hours=336), end - timedelta(hours=168))
    assert windows.train_end == windows.origins[0]
    assert windows.span(windows.origins[1]) == (end - timedelta(hours=168), end)
    assert len(set(windows.origins)) == 2  # the reference scored two identical windows


def test_three_windows():
    windows = rolling_windows(datetime(2014, 1, 1), 24, 3)
    gaps = np.diff([o.timestamp() for o in windows.origins])
    assert gaps.tolist() == [86400.0, 86400.0]


def _gbm() -> GlobalGBM:
    return GlobalGBM(GBMParams(trees=15, threads=1))


def test_training_never_sees_test_window_values(panel):
    windows = rolling_windows(panel.end, 168, 2)
    poisoned = panel.values.copy()
    poisoned[:, panel.index_of(windows.train_end) :] = 1e6
    clean_model, dirty_model = _gbm(), _gbm()
    clean_model.fit(panel.until(windows.train_end))
    dirty_model.fit(HourlyPanel(panel.meter_ids, panel.start, poisoned).until(windows.train_end))
    for level, booster in clean_model.boosters.items():
        assert booster.model_to_string() == dirty_model.boosters[level].model_to_string()


@pytest.mark.parametrize("model", [_gbm(), SeasonalNaive(168), SeasonalNaive(24)])
def test_a_window_forecast_depends_only_on_hours_before_its_origin(model, panel):
    windows = rolling_windows(panel.end, 168, 2)
    model.fit(panel.until(windows.train_end))
    for origin in windows.origins:
        changed = panel.values.copy()
        changed[:, panel.index_of(origin) :] = 1e6
        other = HourlyPanel(panel.meter_ids, panel.start, changed)
        before = model.predict(panel.until(origin), 168, SCORED_LEVELS)
        after = model.predict(other.until(origin), 168, SCORED_LEVELS)
        assert np.array_equal(before, after)
        assert before.max() < 1e5


def test_wql_and_coverage_by_hand():
    actual = np.array([1.0, 2.0])
    perfect = np.repeat(actual[:, None], len(SCORED_LEVELS), axis=1)
    assert wql(actual, perfect) == 0.0
    low = perfect - 1.0  # every quantile 1 kWh too low: pinball = level * 1 per value
    expected = np.mean([2 * q * 2 / 3 for q in SCORED_LEVELS])
    assert wql(actual, low) == pytest.approx(expected)
    assert coverage(actual, np.array([[0.5, 1.5], [2.5, 3.0]])) == 0.5


def test_mase_scale_is_the_mean_absolute_daily_difference():
    history = np.array([[*([1.0] * 24), *([3.0] * 24)]])
    assert naive_scale(history).tolist() == [2.0]


class _Constant:
    """Forecasts 2 x level kWh for every meter and hour: scores that are easy to work out."""

    kind = "constant"

    def fit(self, train, weather=None):
        del train, weather

    def predict(self, context, horizon, levels, weather=None):
        del weather
        return np.broadcast_to(2 * np.asarray(levels), (len(context.meter_ids), horizon, 9))


def _by_hand(panel: HourlyPanel, origins) -> tuple[float, float, float]:
    """MASE, wQL and 80 % coverage of ``_Constant`` over the observed hours only."""
    levels = np.asarray(SCORED_LEVELS)
    ratios, actual = [], []
    for origin in origins:
        start = panel.index_of(origin)
        history, window = panel.values[:, :start], panel.values[:, start : start + 168]
        for meter, row in enumerate(window):
            seen = row[np.isfinite(row)]
            lagged = np.abs(history[meter, 24:] - history[meter, :-24])
            ratios.append(np.mean(np.abs(seen - 1.0)) / np.nanmean(lagged))
            actual.extend(seen)
    y = np.asarray(actual)
    error = y[:, None] - 2 * levels
    pinball = np.maximum(levels * error, (levels - 1) * error).sum(axis=0)
    inside = np.mean((y >= 0.2) & (y <= 1.8))
    return float(np.mean(ratios)), float(np.mean(2 * pinball / y.sum())), float(inside)


def test_missing_hours_are_left_out_of_the_scores(panel):
    windows = rolling_windows(panel.end, 168, 2)
    gappy = panel.values.copy()
    gappy[:, -100:] = np.nan  # the last 100 hours of the second window
    gappy_panel = HourlyPanel(panel.meter_ids, panel.start, gappy)
    scores = evaluate(_Constant(), gappy_panel, windows)
    expected = _by_hand(gappy_panel, windows.origins)
    assert (scores.mase, scores.wql, scores.coverage) == pytest.approx(expected, rel=1e-9)
    zeros = HourlyPanel(panel.meter_ids, panel.start, np.nan_to_num(gappy))
    as_zeros = evaluate(_Constant(), zeros, windows)
    assert abs(as_zeros.mase - scores.mase) > 0.01  # a gap is not a reading of 0 kWh


def test_the_global_model_beats_seasonal_naive_on_a_noisy_fleet(panels):
    panel = panels(meters=30, seed=3)
    windows = rolling_windows(panel.end, 168, 2)
    model = GlobalGBM(GBMParams(trees=40, threads=1))
    model.fit(panel.until(windows.train_end))
    gbm = evaluate(model, panel, windows)
    naive = evaluate(SeasonalNaive(168), panel, windows)
    assert gbm.mase < naive.mase
    assert gbm.wql < naive.wql
