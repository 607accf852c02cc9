"""The Prophet reference detector (runs where the prophet extra is installed, as in CI)."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from meterlake.analytics.anomaly.detectors import make_detector
from meterlake.analytics.anomaly.matrix import DailyMatrix
from meterlake.errors import MissingExtraError

DAYS = np.arange("2013-01-01", "2013-07-01", dtype="datetime64[D]")


def _matrix() -> DailyMatrix:
    rng = np.random.default_rng(3)
    weekend = ((DAYS.astype(np.int64) + 3) % 7) >= 5
    values = 8.0 * np.where(weekend, 1.2, 1.0) * rng.lognormal(0.0, 0.1, (2, DAYS.size))
    values[0, 90] *= 4.0
    values[1, 20:] = np.nan  # a short meter
    values[1, 5] = np.nan
    return DailyMatrix(["MAC000002", "MAC000003"], DAYS, values)


def test_missing_extra_names_the_install_command(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(sys.modules, "prophet", None)
    monkeypatch.delitem(sys.modules, "meterlake.analytics.anomaly.prophet_band", raising=False)
    with pytest.raises(MissingExtraError, match=r"pip install 'meterlake\[prophet\]'"):
        make_detector("prophet")


def test_reference_settings():
    prophet_band = pytest.importorskip("meterlake.analytics.anomaly.prophet_band")
    model = prophet_band.reference_model()
    assert model.seasonality_mode == "multiplicative"
    assert model.interval_width == 0.98
    assert model.changepoint_range == 0.8
    assert (model.yearly_seasonality, model.weekly_seasonality) == (True, True)
    assert model.daily_seasonality is False
    assert model.country_holidays == "UK"
    assert list(model.extra_regressors) == ["weekend"]


def test_in_sample_band_seeded_and_flags_a_spike():
    pytest.importorskip("prophet")
    matrix = _matrix()
    first = make_detector("prophet", seed=1).band(matrix)
    again = make_detector("prophet", seed=1).band(matrix)
    np.testing.assert_array_equal(first.lower, again.lower)
    np.testing.assert_array_equal(first.upper, again.upper)
    assert matrix.values[0, 90] > first.upper[0, 90]
    assert np.isfinite(first.upper[1, :5]).all()
    assert np.isnan(first.upper[1, 5])  # no reading, no model row
    assert np.isnan(first.upper[1, 20:]).all()
