"""Scoring against ground-truth windows."""

from __future__ import annotations

import numpy as np
import pytest

from meterlake.analytics.anomaly.evaluate import day_labels, score, truth_events
from meterlake.analytics.anomaly.matrix import Band, DailyMatrix

DAYS = np.arange("2013-01-01", "2013-01-11", dtype="datetime64[D]")


def _events():
    return truth_events(
        [
            {"meter_id": "A", "start": "2013-01-02T22:00:00", "end": "2013-01-04T00:00:00",
             "kind": "spike"},
            {"meter_id": "B", "start": "2013-01-08T00:00:00", "end": "2013-01-09T00:30:00",
             "kind": "dip"},
            {"meter_id": "Z", "start": "2013-01-08T00:00:00", "end": "2013-01-09T00:00:00",
             "kind": "dip"},
        ]
    )  # fmt: skip


def test_windows_become_days_with_an_exclusive_end():
    matrix = DailyMatrix(["A", "B"], DAYS, np.ones((2, 10)))
    labels, spans = day_labels(matrix, _events())
    assert np.nonzero(labels[0])[0].tolist() == [1, 2]
    assert np.nonzero(labels[1])[0].tolist() == [7, 8]
    assert [(s.row, s.first, s.stop) for s in spans] == [(0, 1, 3), (1, 7, 9)]  # Z: no meter


def test_precision_recall_f1_and_event_recall():
    values = np.ones((2, 10))
    values[0, 1] = 5.0  # found spike day
    values[0, 5] = 5.0  # false alarm
    matrix = DailyMatrix(["A", "B"], DAYS, values)
    band = Band(np.ones((2, 10)), np.full((2, 10), 0.5), np.full((2, 10), 2.0))
    result = score("test", matrix, band, _events(), 0.5)
    assert result.precision == pytest.approx(0.5)
    assert result.recall == pytest.approx(0.25)
    assert result.f1 == pytest.approx(2 * 0.5 * 0.25 / 0.75)
    assert result.event_recall == pytest.approx(0.5)
    assert result.recall_by_kind == {"dip": 0.0, "spike": 1.0}
    assert result.coverage == pytest.approx(15 / 16)
    assert result.ms_per_meter == pytest.approx(250.0)
