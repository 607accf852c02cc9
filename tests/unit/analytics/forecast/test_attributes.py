"""Tariff and Acorn attributes: their encoding, and the global model learning from them."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from meterlake.analytics.forecast.attributes import NAMES, encode, matrix
from meterlake.analytics.forecast.gbm import GBMParams, GlobalGBM
from meterlake.analytics.forecast.online import online_forecast
from meterlake.analytics.forecast.series import HourlyHistory, HourlyPanel

START = datetime(2013, 1, 7)  # a Monday


def test_acorn_letters_groups_and_tariffs_become_ordered_numbers():
    assert encode("Std", "ACORN-A", "Affluent") == (0.0, 0.0, 0.0)
    assert encode(" ToU ", "acorn-q", "ADVERSITY") == (16.0, 2.0, 1.0)
    assert encode("Std", "ACORN-E", "Comfortable")[:2] == (4.0, 1.0)


@pytest.mark.parametrize(
    ("tariff", "acorn", "grouped"),
    [("", "ACORN-U", "ACORN-U"), (None, "ACORN-", "ACORN-"), ("Flat", "ACORN-R", None)],
)
def test_unknown_values_are_missing_not_guessed(tariff, acorn, grouped):
    assert np.isnan(encode(tariff, acorn, grouped)).all()


def test_meters_missing_from_the_lookup_get_a_row_of_nan():
    rows = matrix({"MAC000002": (1.0, 0.0, 1.0)}, ["MAC000003", "MAC000002"])
    assert rows.shape == (2, len(NAMES))
    assert np.isnan(rows[0]).all()
    assert rows[1].tolist() == [1.0, 0.0, 1.0]


def _tariff_fleet(meters: int = 60, weeks: int = 10, seed: int = 5) -> HourlyPanel:
    """Std meters peak in the evening, ToU meters at night; meters join on different days."""
    rng = np.random.default_rng(seed)
    hours = weeks * 168
    t = np.arange(hours)
    evening = 1 + 1.5 * np.exp(-(((t % 24) - 19) ** 2) / 4)
    night = 1 + 1.5 * np.exp(-(((t % 24) - 2) ** 2) / 4)
    tou = np.arange(meters) % 2 == 1
    shape = np.where(tou[:, None], night, evening)
    values = shape * rng.gamma(8, 1 / 8, size=(meters, hours))
    joined = rng.integers(0, (weeks - 2) * 168, size=meters)
    values[t[None, :] < joined[:, None]] = np.nan
    attributes = np.column_stack([np.full(meters, 4.0), np.zeros(meters), tou.astype(np.float64)])
    ids = tuple(f"MAC{i:06d}" for i in range(meters))
    return HourlyPanel(ids, START, values, attributes)


def test_a_new_meter_gets_its_tariffs_shape():
    """With six hours of history the daily shape can only come from the tariff."""
    panel = _tariff_fleet()
    model = GlobalGBM(GBMParams(trees=40, threads=1, attributes=True))
    model.fit(panel)
    fresh = panel.values.copy()
    fresh[:, :-6] = np.nan  # every meter as if it had joined six hours ago
    hours = (np.arange(168) + panel.end.hour) % 24
    night, evening = np.isin(hours, (1, 2, 3)), np.isin(hours, (18, 19, 20))
    ratios = {}
    for tariff in (0.0, 1.0):
        attributes = panel.attributes.copy()
        attributes[:, NAMES.index("tariff")] = tariff
        median = model.predict(replace(panel, values=fresh, attributes=attributes), 168, (0.5,))
        ratios[tariff] = median[:, night, 0].mean() / median[:, evening, 0].mean()
    assert ratios[1.0] > 1.3 * ratios[0.0]  # ToU moves the peak to the night


def test_predictions_follow_the_attributes_and_tolerate_their_absence():
    panel = _tariff_fleet()
    model = GlobalGBM(GBMParams(trees=40, threads=1, attributes=True))
    model.fit(panel.until(panel.end - (panel.end - panel.start) / 10))
    flipped = replace(panel, attributes=panel.attributes[:, ::-1].copy())
    levels = (0.1, 0.5, 0.9)
    assert not np.allclose(model.predict(panel, 168, levels), model.predict(flipped, 168, levels))
    bare = model.predict(replace(panel, attributes=None), 168, levels)
    assert bare.shape == (len(panel.meter_ids), 168, 3)
    assert np.isfinite(bare).all()


def test_the_online_forecast_uses_the_meters_attributes():
    panel = _tariff_fleet()
    model = GlobalGBM(GBMParams(trees=40, threads=1, attributes=True))
    model.fit(panel)
    epoch_hour = int(np.datetime64(START, "h").astype(np.int64))
    history = HourlyHistory(epoch_hour + np.arange(panel.hours), panel.values[1])
    as_tou = online_forecast(model, history, (0.5,), attributes=panel.attributes[1:2])
    as_std = online_forecast(model, history, (0.5,), attributes=panel.attributes[0:1])
    whole = model.predict(panel.select(np.array([1])), 168, (0.5,))[0]
    assert np.allclose(as_tou[1], whole)
    assert not np.allclose(as_tou[1], as_std[1])


def test_models_stored_before_attributes_existed_still_load(tmp_path: Path):
    panel = _tariff_fleet(meters=10, weeks=5)
    model = GlobalGBM(GBMParams(trees=5, threads=1))
    model.fit(panel)
    params = model.save(tmp_path)
    del params["attributes"]  # as a model stored before the field existed
    loaded = GlobalGBM.load(tmp_path, params)
    assert loaded.params.attributes is False
    levels = (0.5,)
    assert np.array_equal(loaded.predict(panel, 168, levels), model.predict(panel, 168, levels))
