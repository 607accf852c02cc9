"""Run detection, clustering and events on hand-made grids (reference-free: the intended design)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from meterlake.analytics.outage import OutageParams
from meterlake.analytics.outage.chance import Background, chance
from meterlake.analytics.outage.cluster import components
from meterlake.analytics.outage.density import Density
from meterlake.analytics.outage.events import Fleet, build_events, gather_evidence
from meterlake.analytics.outage.grid import BLOCK, MeterBlocks, Runs, candidate_runs
from meterlake.analytics.outage.grid import _sum_over_slots as sum_over_slots

DAY = 48
DAYS = 14
ORIGIN = np.datetime64("2013-01-01T00:00", "us")
NIGHT = np.arange(DAYS * DAY) % DAY < 12  # 00:00 to 06:00


def blocks_of(on: npt.NDArray[np.bool_]) -> MeterBlocks:
    """Masks of a boolean grid (every interval holds a reading; off = zero)."""
    meters, slots = on.shape
    padded = np.zeros((meters, -(-slots // BLOCK) * BLOCK), dtype=np.bool_)
    padded[:, :slots] = on
    bits = np.packbits(padded.reshape(meters, -1, BLOCK), axis=2, bitorder="little")
    masks = bits.view("<u8")[..., 0]
    meter, block = np.indices(masks.shape)
    return MeterBlocks(
        meters=meters,
        slots=slots,
        meter=meter.ravel(),
        block=block.ravel(),
        mask=masks.ravel().astype(np.uint64),
        first=np.zeros(meters, dtype=np.int64),
        last=np.full(meters, slots - 1, dtype=np.int64),
    )


def fleet(lat: list[float], long: list[float], customers: list[int] | None = None) -> Fleet:
    return Fleet(
        meter_id=np.array([f"M{index:02d}" for index in range(len(lat))]),
        lat=np.array(lat),
        long=np.array(long),
        customers=np.array(customers or [1] * len(lat), dtype=np.int64),
    )


def events_of(on: npt.NDArray[np.bool_], where: Fleet, params: OutageParams, err=((), ())):
    runs = candidate_runs(blocks_of(on), params)
    err_meter, err_slot = (np.array(values, dtype=np.int64) for values in err)
    evidence = gather_evidence(runs, err_meter, err_slot, params.tolerance)
    background = Background.of(runs.end - runs.start, on.size)
    return build_events(evidence, where, params, ORIGIN, background)


def grid(meters: int) -> npt.NDArray[np.bool_]:
    return np.ones((meters, DAYS * DAY), dtype=np.bool_)


# Five meters within a few hundred metres, and one 20 km away.
NEAR = fleet(
    [51.500, 51.501, 51.502, 51.500, 51.503, 51.7], [-0.1, -0.101, -0.1, -0.102, -0.1, 0.1]
)


def test_a_meter_idle_every_night_has_no_candidate_runs():
    on = grid(2)
    on[0, NIGHT] = False
    assert candidate_runs(blocks_of(on), OutageParams()).meter.size == 0


def test_the_same_hours_off_on_one_unusual_night_are_a_candidate():
    on = grid(2)
    on[1, 5 * DAY : 5 * DAY + 12] = False
    runs = candidate_runs(blocks_of(on), OutageParams())
    assert (runs.meter.tolist(), runs.start.tolist(), runs.end.tolist()) == (
        [1], [5 * DAY], [5 * DAY + 12],
    )  # fmt: skip
    assert runs.usual[0] == 0.0


def test_runs_at_the_edges_and_longer_than_the_limit_are_not_candidates():
    on = grid(3)
    on[0, :4] = False  # before the first positive reading: no start is known
    on[1, -4:] = False  # still off when the data ends: no restoration is known
    on[2, DAY : 5 * DAY] = False  # four days: a vacancy, not an outage
    assert candidate_runs(blocks_of(on), OutageParams(max_hours=72)).meter.size == 0
    assert candidate_runs(blocks_of(on), OutageParams(max_hours=100)).meter.tolist() == [2]


def test_a_single_meter_fault_is_no_event_unless_one_meter_is_enough():
    on = grid(6)
    on[2, 3 * DAY + 20 : 3 * DAY + 26] = False
    events, _ = events_of(on, NEAR, OutageParams())
    assert events.num_rows == 0
    # One meter cannot beat chance: it takes min_meters=1 and max_chance=1 to keep it.
    assert events_of(on, NEAR, OutageParams(min_meters=1))[0].num_rows == 0
    events, members = events_of(on, NEAR, OutageParams(min_meters=1, max_chance=1.0))
    assert events.column("meters_affected").to_pylist() == [1]
    assert events.column("confidence").to_pylist() == [0.0]
    assert members.column("meter_id").to_pylist() == ["M02"]


def test_a_neighbourhood_outage_is_one_event_with_its_place_and_customers():
    on = grid(6)
    outage = slice(4 * DAY + 18, 4 * DAY + 24)  # 09:00 to 12:00 on 5 January
    on[:5, outage] = False
    on[4, 4 * DAY + 18] = True  # one meter goes off one interval late
    on[5, outage] = False  # the same hours 20 km away: a different place
    events, members = events_of(
        on, fleet(NEAR.lat.tolist(), NEAR.long.tolist(), [1, 2, 1, 1, 1, 1]), OutageParams()
    )
    rows = events.to_pylist()
    assert len(rows) == 1
    event = rows[0]
    assert str(event["start"]) == "2013-01-05 09:00:00"
    assert str(event["restoration"]) == "2013-01-05 12:00:00"
    assert event["duration_minutes"] == 180.0
    assert (event["meters_affected"], event["customers_affected"]) == (5, 6)
    assert event["source"] == "inferred"
    assert event["confidence"] > 0.999
    assert event["min_lat"] == 51.5 and event["max_lat"] == 51.503
    assert event["centroid_lat"] == pytest.approx(51.5012)
    assert event["event_id"].startswith("20130105T0900-")
    assert sorted(members.column("meter_id").to_pylist()) == ["M00", "M01", "M02", "M03", "M04"]
    late = next(m for m in members.to_pylist() if m["meter_id"] == "M04")
    assert str(late["start"]) == "2013-01-05 09:30:00"


def test_overlapping_outages_in_one_area_and_at_one_time_stay_apart():
    on = grid(6)
    on[:3, 2 * DAY + 10 : 2 * DAY + 20] = False  # three meters from 05:00
    on[3:5, 2 * DAY + 14 : 2 * DAY + 16] = False  # two more, from 07:00, while it lasts
    # Six meters are too few to rule chance out for two; this test is about keeping them apart.
    events, _ = events_of(on, NEAR, OutageParams(max_chance=0.05))
    assert sorted(events.column("meters_affected").to_pylist()) == [2, 3]
    assert sorted(str(t) for t in events.column("start").to_pylist()) == [
        "2013-01-03 05:00:00", "2013-01-03 07:00:00",
    ]  # fmt: skip


def test_err_records_confirm_inferred_events_and_make_events_of_their_own():
    on = grid(6)
    on[:3, 6 * DAY : 6 * DAY + 4] = False
    # An ERR read of meter 0 inside the run; one of meter 5 far away at another time.
    events, members = events_of(on, NEAR, OutageParams(), err=((0, 5), (6 * DAY + 1, 9 * DAY)))
    by_source = {row["source"]: row for row in events.to_pylist()}
    assert set(by_source) == {"both", "err"}
    assert by_source["both"]["meters_affected"] == 3
    assert by_source["both"]["confidence"] == 1.0
    assert by_source["err"]["duration_minutes"] == 0.0  # readings show no gap: momentary
    sources = {m["meter_id"]: m["source"] for m in members.to_pylist()}
    assert sources == {"M00": "both", "M01": "inferred", "M02": "inferred", "M05": "err"}


def test_err_record_of_a_nearby_meter_at_the_start_joins_the_event():
    on = grid(6)
    on[:3, 6 * DAY : 6 * DAY + 4] = False
    events, _ = events_of(on, NEAR, OutageParams(), err=((4,), (6 * DAY,)))
    assert events.column("meters_affected").to_pylist() == [4]
    assert events.column("source").to_pylist() == ["both"]


def test_sum_over_slots_matches_a_loop_for_runs_that_wrap_and_span_days():
    rng = np.random.default_rng(1)
    per_slot = rng.integers(0, 9, (3, DAY))
    meter = np.array([0, 1, 2, 2])
    start = np.array([5, 40, 47, 100])
    length = np.array([3, 20, 100, 48])
    expected = [
        sum(per_slot[m, s % DAY] for s in range(b, b + n))
        for m, b, n in zip(meter, start, length, strict=True)
    ]
    assert sum_over_slots(per_slot, meter, start, length).tolist() == expected


def test_components_label_each_node_with_the_smallest_linked_index():
    pairs = [(np.array([5, 1, 3]), np.array([3, 4, 0]))]
    assert components(7, pairs).tolist() == [0, 1, 2, 0, 1, 0, 6]


def test_invalid_params_name_every_problem():
    with pytest.raises(ValueError, match="interval_minutes must divide a day; min_meters"):
        OutageParams(interval_minutes=7, min_meters=0)


def test_runs_concat_keeps_order_and_handles_nothing():
    assert Runs.concat([]).meter.size == 0


def test_runs_that_line_up_often_by_chance_are_not_an_event():
    rng = np.random.default_rng(3)
    on = rng.random((6, DAYS * DAY)) > 0.08  # meters that drop single readings all the time
    on[:, :2] = True
    on[:, -2:] = True
    on[:2, 4 * DAY + 30] = False  # two meters miss the same reading, as they often do
    assert candidate_runs(blocks_of(on), OutageParams()).meter.size > 250
    events, _ = events_of(on, NEAR, OutageParams())
    assert events.num_rows == 0


def test_chance_falls_with_more_meters_and_longer_runs_and_rises_with_the_background():
    background = Background.of(np.array([1, 1, 1, 2, 2, 3, 8]), 10_000)
    meters = np.array([2, 4, 2, 2])
    length = np.array([1, 1, 8, 1])
    around = np.array([50, 50, 50, 500])
    two, four, long, crowded = chance(meters, length, around, background, 1)
    assert four < two and long < two and crowded > two
    assert chance(np.array([1]), np.array([1]), np.array([50]), background, 1)[0] == 1.0
    mean = 50 * 7 / 10_000 * 3 * (5 / 7)  # runs of length 1 or 2 match a run of length 1
    assert two == pytest.approx(1 - np.exp(-mean))


def test_a_staircase_of_runs_one_interval_apart_is_not_one_long_event():
    on = grid(6)
    for meter in range(5):
        on[meter, 3 * DAY + 10 + meter] = False  # 05:00, 05:30, 06:00 ... one reading each
    events, members = events_of(on, NEAR, OutageParams(max_chance=1.0))
    assert events.column("meters_affected").to_pylist() == [3]  # the middle three, not all five
    assert sorted(members.column("meter_id").to_pylist()) == ["M01", "M02", "M03"]


def test_density_counts_at_least_the_meters_in_the_disc_and_at_most_the_square():
    rng = np.random.default_rng(4)
    lat, long = 51.5 + rng.normal(0, 0.02, 400), -0.1 + rng.normal(0, 0.03, 400)
    lat[:3] = np.nan  # meters without a position are not counted
    density = Density.of(lat, long, 0.25)
    places, reach = np.array([51.5, 51.52, 51.45]), np.array([1.0, 2.0, 0.5])
    found = density.around(places, np.array([-0.1, -0.12, -0.08]), reach)
    for place, spot_long, radius, count in zip(
        places, [-0.1, -0.12, -0.08], reach, found, strict=True
    ):
        north = np.abs(lat - place) * 111.2
        east = np.abs(long - spot_long) * 111.2 * np.cos(np.radians(51.5))
        disc = int((np.hypot(north, east) <= radius).sum())
        square = int(((north <= radius + 0.6) & (east <= radius + 0.6)).sum())  # + cells
        assert disc <= count <= square


def test_an_err_record_does_not_vouch_for_a_neighbours_unrelated_gap():
    on = grid(6)
    on[1, 8 * DAY + 20 : 8 * DAY + 22] = False  # meter 1 drops two readings
    events, members = events_of(on, NEAR, OutageParams(), err=((0,), (8 * DAY + 20,)))
    assert events.column("source").to_pylist() == ["err"]
    assert members.column("meter_id").to_pylist() == ["M00"]
