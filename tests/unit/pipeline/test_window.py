from datetime import date

import pytest

from meterlake.errors import InputError
from meterlake.pipeline.window import REFERENCE_SPAN, DataSpan, Window, default_window

SPAN = DataSpan(date(2013, 1, 1), date(2013, 3, 31))


def test_an_open_window_ends_after_the_last_read_and_starts_at_the_first():
    assert default_window(SPAN) == Window(date(2013, 1, 1), date(2013, 4, 1))


def test_the_start_is_the_references_span_before_the_end_on_a_long_lake():
    long = DataSpan(date(2011, 11, 23), date(2014, 2, 27))
    window = default_window(long)
    assert window.end == date(2014, 2, 28)
    assert window.days == REFERENCE_SPAN.days == 214


def test_given_ends_win():
    assert default_window(SPAN, start=date(2013, 2, 1)) == Window(
        date(2013, 2, 1), date(2013, 4, 1)
    )
    assert default_window(SPAN, end=date(2013, 2, 1)) == Window(date(2013, 1, 1), date(2013, 2, 1))
    both = Window(date(2010, 1, 1), date(2010, 2, 1))
    assert default_window(None, both.start, both.end) == both


def test_an_empty_lake_says_what_to_do():
    with pytest.raises(InputError, match="holds no readings yet: ingest files first"):
        default_window(None)


def test_an_end_before_every_read_says_what_the_lake_holds():
    with pytest.raises(
        InputError, match=r"no readings before 2012-06-01: .* 2013-01-01 \.\. 2013-03-31"
    ):
        default_window(SPAN, end=date(2012, 6, 1))


def test_a_window_that_ends_before_it_starts_is_an_input_error():
    with pytest.raises(InputError, match="must end after it starts"):
        default_window(SPAN, start=date(2013, 5, 1), end=date(2013, 4, 1))
