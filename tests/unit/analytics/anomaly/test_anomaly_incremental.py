"""Which meter-days a run writes (reference 4.3 step 4)."""

from __future__ import annotations

import numpy as np

from meterlake.analytics.anomaly.incremental import days_to_write
from meterlake.analytics.anomaly.matrix import DailyMatrix

DAYS = np.arange("2013-01-01", "2013-01-06", dtype="datetime64[D]")


def test_new_updated_and_unchanged_meters():
    values = np.ones((3, 5))
    values[0, 0] = np.nan
    matrix = DailyMatrix(["new", "newer", "same"], DAYS, values)
    stored = {
        "newer": np.datetime64("2013-01-03", "D"),
        "same": np.datetime64("2013-01-05", "D"),
        "other": np.datetime64("2013-01-01", "D"),
    }
    keep = days_to_write(matrix, stored)
    assert keep[0].tolist() == [False, True, True, True, True]
    assert keep[1].tolist() == [False, False, False, True, True]
    assert not keep[2].any()
