"""Batch split (reference 4.6, vectors 12 and 13) with the intended inclusive range."""

from __future__ import annotations

import pytest

from meterlake.analytics.anomaly.batches import split_batches
from meterlake.errors import InputError

METERS = [f"MAC{i:06d}" for i in range(1, 201)]


def _ranges(batches):
    return [(b.start, b.end) for b in batches]


def test_vector_12_inclusive_end():
    """The reference stops at MAC000099; the intended range includes position 100."""
    batches = split_batches(METERS, 25, 1, 100)
    assert _ranges(batches) == [
        ("MAC000001", "MAC000025"),
        ("MAC000026", "MAC000050"),
        ("MAC000051", "MAC000075"),
        ("MAC000076", "MAC000100"),
    ]
    assert batches[-1].name == "batch_MAC000076_MAC000100"


def test_vector_13_batch_size_is_capped_at_100():
    batches = split_batches(METERS, 150)
    assert [b.size for b in batches] == [100, 100]


def test_range_past_the_last_meter_is_clamped_not_an_error():
    """With 49 meters and (1, 100, 25) the reference's second batch fails."""
    batches = split_batches(METERS[:49], 25, 1, 100)
    assert _ranges(batches) == [("MAC000001", "MAC000025"), ("MAC000026", "MAC000049")]


def test_every_meter_once_sorted_and_deduplicated():
    batches = split_batches(list(reversed(METERS)) + METERS[:3], 30)
    assert sum(b.size for b in batches) == 200
    assert batches[0].start == "MAC000001"
    assert batches[-1].end == "MAC000200"


def test_bad_arguments():
    with pytest.raises(InputError):
        split_batches(METERS, 0)
    with pytest.raises(InputError):
        split_batches(METERS, 10, 5, 4)
