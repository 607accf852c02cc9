"""The reference's flag and importance formulas (vectors 14-16) and the zero-consumption dip."""

from __future__ import annotations

import numpy as np
import pytest

from meterlake.analytics.anomaly.classify import MIN_CONSUMPTION, classify


def _one(consumption: float, lower: float, upper: float) -> tuple[int, float]:
    flag, importance = classify(np.array([consumption]), np.array([lower]), np.array([upper]))
    return int(flag[0]), float(importance[0])


def test_vector_14_spike():
    flag, importance = _one(11.436, 3.566, 8.9443160402)
    assert flag == 1
    assert importance == pytest.approx(0.217880724, abs=1e-9)


def test_vector_15_dip():
    assert _one(2.0, 3.0, 9.0) == (-1, pytest.approx(0.5))


def test_vector_16_inside_the_band():
    assert _one(5.7, 3.366, 9.136) == (0, 0.0)


def test_on_the_bounds_is_not_an_anomaly():
    assert _one(3.0, 3.0, 9.0) == (0, 0.0)
    assert _one(9.0, 3.0, 9.0) == (0, 0.0)


def test_zero_consumption_dip_has_a_finite_importance():
    """Reference defect 14: (lower - 0) / 0 is infinite; here the denominator is one read step."""
    flag, importance = _one(0.0, 3.0, 9.0)
    assert flag == -1
    assert np.isfinite(importance)
    assert importance == pytest.approx(3.0 / MIN_CONSUMPTION)


def test_importance_grows_as_the_dip_deepens():
    consumption = np.array([2.0, 0.5, 0.01, 0.001, 0.0])
    _, importance = classify(consumption, np.full(5, 3.0), np.full(5, 9.0))
    assert np.all(np.diff(importance) >= 0)
    assert np.all(np.isfinite(importance))
