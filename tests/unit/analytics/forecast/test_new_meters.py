"""Training examples shown as new meters: what they hide, and what they teach."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from meterlake.analytics.forecast.backtest import naive_scale, rolling_windows, score
from meterlake.analytics.forecast.gbm import WEEK, GBMParams, GlobalGBM
from meterlake.analytics.forecast.quantiles import SCORED_LEVELS
from meterlake.analytics.forecast.series import HourlyPanel


def test_a_new_meter_example_hides_all_but_its_last_hours_and_keeps_its_targets(panel):
    model = GlobalGBM(GBMParams(origins_per_meter=6, new_meter_share=0.5, seed=3))
    rows, origins = model._examples(panel)
    values, static, moved = model._as_new_meters(panel, rows, origins)
    assert static is None
    copied = np.flatnonzero(moved != rows)
    assert 0 < len(copied) < len(rows)
    assert values.shape[0] == len(panel.meter_ids) + len(copied)
    assert np.array_equal(values[: len(panel.meter_ids)], panel.values, equal_nan=True)
    for example in copied:
        row, origin = values[moved[example]], origins[example]
        source = panel.values[rows[example]]
        shown = np.flatnonzero(np.isfinite(row[:origin]))
        assert len(shown) == 0 or origin - shown[0] < WEEK
        assert np.array_equal(row[origin:], source[origin:], equal_nan=True)
        assert np.array_equal(row[shown], source[shown])


def test_without_a_share_training_data_is_untouched(panel):
    model = GlobalGBM(GBMParams())
    rows, origins = model._examples(panel)
    values, _, moved = model._as_new_meters(panel, rows, origins)
    assert values is panel.values
    assert moved is rows


def _new_meter_scores(model: GlobalGBM, panel: HourlyPanel, hours: int) -> float:
    windows = rolling_windows(panel.end, WEEK, 2)
    model.fit(panel.until(windows.train_end))
    actual, predicted, scales = [], [], []
    for origin in windows.origins:
        context = panel.until(origin)
        recent = context.values.copy()
        recent[:, :-hours] = np.nan
        predicted.append(model.predict(replace(context, values=recent), WEEK, SCORED_LEVELS))
        actual.append(panel.between(origin, origin + (panel.end - windows.train_end) / 2).values)
        scales.append(naive_scale(context.values))
    return score(actual, predicted, scales, 0.0).wql


def test_new_meter_examples_teach_the_model_to_forecast_from_a_day(panels):
    panel = panels(meters=30, hours=168 * 12, seed=4)
    plain = _new_meter_scores(GlobalGBM(GBMParams(trees=40, threads=1)), panel, 24)
    taught = GlobalGBM(GBMParams(trees=40, threads=1, new_meter_share=0.3))
    assert _new_meter_scores(taught, panel, 24) < 0.98 * plain
