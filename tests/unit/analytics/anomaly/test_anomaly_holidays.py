"""England and Wales bank holidays."""

from __future__ import annotations

from datetime import date

import numpy as np

from meterlake.analytics.anomaly.holidays import bank_holidays, easter_sunday, holiday_mask


def test_2013_bank_holidays():
    assert sorted(bank_holidays(2013)) == [
        date(2013, 1, 1), date(2013, 3, 29), date(2013, 4, 1), date(2013, 5, 6),
        date(2013, 5, 27), date(2013, 8, 26), date(2013, 12, 25), date(2013, 12, 26),
    ]  # fmt: skip


def test_weekend_substitutes_and_one_offs():
    assert {date(2015, 12, 28), date(2017, 1, 2)} <= bank_holidays(2015) | bank_holidays(2017)
    assert {date(2012, 6, 4), date(2012, 6, 5)} <= bank_holidays(2012)
    assert date(2012, 5, 28) not in bank_holidays(2012)
    assert {date(2021, 12, 27), date(2021, 12, 28)} <= bank_holidays(2021)


def test_easter():
    assert easter_sunday(2013) == date(2013, 3, 31)
    assert easter_sunday(2024) == date(2024, 3, 31)
    assert easter_sunday(2019) == date(2019, 4, 21)


def test_mask():
    days = np.arange("2013-12-24", "2013-12-28", dtype="datetime64[D]")
    assert holiday_mask(days).tolist() == [False, True, True, False]
    assert holiday_mask(np.array([], dtype="datetime64[D]")).size == 0
