"""The quantile contract: any levels, shape, non-negative, finite, monotone; bad levels refused."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest

from meterlake.analytics.forecast.backtest import Forecaster
from meterlake.analytics.forecast.gbm import GBMParams, GlobalGBM
from meterlake.analytics.forecast.naive import SeasonalNaive
from meterlake.analytics.forecast.quantiles import at_levels, check_levels
from meterlake.analytics.forecast.series import HourlyPanel
from meterlake.errors import InputError


def _models() -> list[Forecaster]:
    return [SeasonalNaive(168), SeasonalNaive(24), GlobalGBM(GBMParams(trees=10, threads=1))]


@pytest.mark.parametrize("model", _models(), ids=lambda m: m.kind)
@pytest.mark.parametrize("levels", [(0.1, 0.5, 0.9), (0.25,), (0.02, 0.5, 0.75, 0.97)])
def test_any_levels_give_sorted_non_negative_quantiles(
    model: Forecaster, levels: tuple[float, ...], panel: HourlyPanel
):
    model.fit(panel)
    out = model.predict(panel, 168, levels)
    assert out.shape == (len(panel.meter_ids), 168, len(levels))
    assert np.isfinite(out).all()
    assert (out >= 0).all()
    assert (np.diff(out, axis=-1) >= 0).all()


@pytest.mark.parametrize("model", _models(), ids=lambda m: m.kind)
def test_horizons_beyond_a_week(model: Forecaster, panel: HourlyPanel):
    model.fit(panel)
    out = model.predict(panel, 240, (0.1, 0.5, 0.9))
    assert out.shape == (len(panel.meter_ids), 240, 3)
    assert np.isfinite(out).all()


def test_a_median_follows_the_daily_cycle(panel: HourlyPanel):
    model = GlobalGBM(GBMParams(trees=30, threads=1))
    model.fit(panel)
    median = model.predict(panel, 168, (0.5,))[..., 0]
    hours = (np.arange(168) + panel.end.hour) % 24
    by_hour = [median[:, hours == h].mean() for h in range(24)]
    assert by_hour[6] > by_hour[18]  # sin peaks at 06:00 and dips at 18:00


@pytest.mark.parametrize("levels", [(), (0.0,), (1.0,), (0.5, 1.2), (-0.1,)])
def test_levels_outside_the_open_unit_interval_are_refused(levels: tuple[float, ...]):
    with pytest.raises(InputError):
        check_levels(levels)


def test_interpolation_between_trained_levels_and_clamping_beyond():
    grid = (0.1, 0.5, 0.9)
    predictions = np.array([[[1.0, 2.0, 4.0]]])
    out = at_levels(grid, predictions, (0.05, 0.3, 0.7, 0.95))
    assert out[0, 0].tolist() == pytest.approx([1.0, 1.5, 3.0, 4.0])


def test_crossing_quantiles_are_sorted():
    out = at_levels((0.1, 0.9), np.array([[[3.0, 1.0]]]), (0.1, 0.9))
    assert out[0, 0].tolist() == [1.0, 3.0]


def test_seasonal_naive_168_repeats_last_week_at_the_median():
    values = np.tile(np.arange(168, dtype=float), (1, 4))
    panel = HourlyPanel(("M",), datetime(2013, 1, 7), values)
    out = SeasonalNaive(168).predict(panel, 168, (0.1, 0.5, 0.9))
    assert out[0, :, 1].tolist() == list(np.arange(168, dtype=float))
    assert np.allclose(out[0, :, 0], out[0, :, 2])  # no week-on-week change: no spread
