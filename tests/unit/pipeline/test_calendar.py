from meterlake.pipeline import calendar


def test_iso_week_day_list_vector_6():
    assert calendar.iso_week_days("20200827") == [f"202008{d}" for d in range(24, 31)]


def test_month_day_list_vector_7_including_december():
    assert calendar.month_days("20200824") == [f"202008{d:02d}" for d in range(1, 32)]
    assert calendar.month_days("20201215") == [f"202012{d:02d}" for d in range(1, 32)]
    assert len(calendar.month_days("20120210")) == 29


def test_weekly_key_vector_8_keeps_reference_grouping():
    assert calendar.weekly_key("20131230") == (2013, 1)
    assert calendar.weekly_key("20130101") == (2013, 1)
    assert calendar.weekly_key("20121231") == (2012, 1)


def test_days_of_weekly_key_spans_both_ends_of_the_year():
    days = calendar.days_of_weekly_key((2013, 1))
    assert days == [f"201301{d:02d}" for d in range(1, 7)] + ["20131230", "20131231"]
    assert calendar.days_of_weekly_key((2015, 53))[-1] == "20151231"


def test_keys_collects_touched_partitions():
    assert calendar.keys(["20130101", "20130131", "20130201"], "monthly") == {(2013, 1), (2013, 2)}
    assert calendar.keys(["20130101", "20130107"], "weekly") == {(2013, 1), (2013, 2)}
