"""A small synthetic hourly panel: daily and weekly cycles, noise, a gap and a late starter."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import numpy as np
import pytest

from meterlake.analytics.forecast.series import HourlyPanel

START = datetime(2013, 1, 7)  # a Monday
HOURS = 24 * 7 * 8


def make_panel(meters: int = 12, hours: int = HOURS, seed: int = 0) -> HourlyPanel:
    rng = np.random.default_rng(seed)
    t = np.arange(hours)
    daily = 1 + 0.6 * np.sin(2 * np.pi * (t % 24) / 24)
    weekend = np.where((t // 24) % 7 >= 5, 1.3, 1.0)
    levels = rng.uniform(0.2, 2.0, size=(meters, 1))
    values = levels * daily * weekend * rng.gamma(4, 0.25, size=(meters, hours))
    values[1, 200:230] = np.nan  # a gap
    values[2, :400] = np.nan  # a meter that starts late
    return HourlyPanel(tuple(f"MAC{i:06d}" for i in range(meters)), START, values)


@pytest.fixture
def panel() -> HourlyPanel:
    return make_panel()


@pytest.fixture
def panels() -> Callable[..., HourlyPanel]:
    """The panel maker, for tests that want other sizes or seeds."""
    return make_panel
