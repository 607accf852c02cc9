"""Outage detection on a real lake: tables, ERR merging, reruns, counts and reliability."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from meterlake.analytics.outage import OutageParams
from meterlake.config import Settings
from meterlake.errors import InputError, NotFoundError
from meterlake.service import MeterLake
from meterlake.synth import FleetSpec

pytestmark = pytest.mark.integration

START, END = datetime(2013, 1, 1), datetime(2013, 2, 15)
SPEC = FleetSpec(
    meters=150,
    start=START.date(),
    end=date(2013, 2, 15),
    seed=5,
    outages=8,
    idle_share=0.05,
    away_per_meter_year=2.0,
)
LONELY = "MAC000140"  # gets an ERR record at a quiet time, and two CIS customers


def _stamp(moment: pd.Timestamp) -> str:
    """The MDM ``yyyyMMddHH24mmss`` text of a time."""
    return moment.strftime("%Y%m%d%H24%M%S")


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> MeterLake:
    root = tmp_path_factory.mktemp("outages") / "lake"
    lake = MeterLake(Settings(root=root, threads=1, memory_limit="1GB", progress=False))
    files = lake.generate(SPEC)
    truth = pd.read_csv(files.outages, parse_dates=["start", "end"])
    first = truth[truth["outage_id"] == 1].iloc[0]
    errs = root / "errors.csv"
    errs.write_text(
        "meter_id;obis_code;reading_time;reading_value;error_code;reading_type\n"
        f"{first['meter_id']};1.8.0;{_stamp(first['start'])};;ERR02;ERR\n"
        f"{LONELY};1.8.0;{_stamp(pd.Timestamp('2013-01-20 03:00'))};;ERR07;ERR\n"
    )
    cis = root / "cis.csv"
    cis.write_text(f"c-1;A;1;London;LDN;1 Road;0;{LONELY}\nc-2;B;1;London;LDN;1 Road;0;{LONELY}\n")
    lake.ingest([lake.layout.landing, root / "reference", errs, cis])
    lake.detect_outages(START, END)
    return lake


def _table(lake: MeterLake, name: str) -> pd.DataFrame:
    return lake.sql(f"SELECT * FROM {name}").to_pandas()


def test_the_generated_outages_are_found(lake: MeterLake):
    score = lake.evaluate_outages()
    assert score.true_events == 8
    assert score.recall >= 0.85  # measured 1.0: at most one of the 8 events may be missed
    assert score.precision >= 0.85  # measured 0.889: the lone ERR record is an event of its own
    assert score.meter_recall >= 0.80  # measured 0.873
    assert score.median_start_error_minutes == 0.0
    assert score.zero_usage_false_memberships == 0


def test_events_and_meters_tables_agree(lake: MeterLake):
    events, meters = _table(lake, "outage_events"), _table(lake, "outage_meters")
    assert events["event_id"].is_unique
    per_event = meters.groupby("event_id").agg(n=("meter_id", "nunique"), c=("customers", "sum"))
    joined = events.set_index("event_id").join(per_event)
    assert (joined["meters_affected"] == joined["n"]).all()
    assert (joined["customers_affected"] == joined["c"]).all()
    assert (joined["duration_minutes"] > 0).sum() == len(joined) - 1  # the lone ERR: momentary
    assert joined["centroid_lat"].between(joined["min_lat"], joined["max_lat"]).all()
    assert set(events["source"]) == {"inferred", "both", "err"}


def test_err_records_join_their_outage_or_stand_alone_with_cis_customers(lake: MeterLake):
    events = _table(lake, "outage_events").set_index("source")
    lonely = events.loc["err"]
    assert (lonely["meters_affected"], lonely["customers_affected"]) == (1, 2)
    assert str(lonely["start"]) == "2013-01-20 03:00:00"
    assert lonely["confidence"] == 1.0
    assert events.loc["both", "meters_affected"] >= 3


def test_detecting_a_window_again_replaces_only_that_window(lake: MeterLake):
    before = _table(lake, "outage_events").sort_values("event_id").reset_index(drop=True)
    lake.detect_outages(datetime(2013, 1, 10), datetime(2013, 1, 25))
    after = _table(lake, "outage_events").sort_values("event_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(before, after)
    members = _table(lake, "outage_meters")
    assert not members.duplicated(["event_id", "meter_id"]).any()


def test_counts_per_period_add_up_to_the_memberships(lake: MeterLake):
    members = _table(lake, "outage_meters")
    for period in ("day", "week", "month"):
        rows = lake.outage_counts(period, START, END)
        assert sum(row["outages"] for row in rows) == len(members)
    one = members["meter_id"].iloc[0]
    mine = lake.outage_counts("month", START, END, one)
    assert {row["meter_id"] for row in mine} == {one}


def test_reliability_indices_follow_ieee_1366(lake: MeterLake):
    members = _table(lake, "outage_meters")
    minutes = (members["restoration"] - members["start"]).dt.total_seconds() / 60
    sustained = members["customers"][minutes > 5]
    served = 150 + 1  # every meter once, LONELY twice (two CIS customers)
    indices = lake.reliability(START, END)
    assert indices["customers_served"] == served
    assert indices["customer_interruptions"] == sustained.sum()
    assert indices["momentary_interruptions"] == 2  # LONELY's lone ERR record, two customers
    assert indices["maifi"] == pytest.approx(2 / served, rel=1e-5)
    assert indices["saifi"] == pytest.approx(sustained.sum() / served, rel=1e-5)
    customer_minutes = (minutes * members["customers"]).sum()
    assert indices["saidi"] == pytest.approx(customer_minutes / served, rel=1e-4)
    assert indices["caidi"] == pytest.approx(indices["saidi"] / indices["saifi"], rel=1e-3)
    nowhere = lake.reliability(START, END, (0.0, 0.0, 1.0, 1.0))
    assert (nowhere["customers_served"], nowhere["saifi"], nowhere["caidi"]) == (0, None, None)


def test_bad_requests_are_input_errors(lake: MeterLake):
    with pytest.raises(InputError, match="end must be after start"):
        lake.detect_outages(END, START)
    with pytest.raises(InputError, match="unknown period"):
        lake.outage_counts("year", START, END)
    with pytest.raises(InputError, match="unknown source"):
        lake.outage_events(START, END, source="guess")
    with pytest.raises(NotFoundError):
        lake.outage_event("20130101T0000-00000000")
    with pytest.raises(InputError, match="bbox"):
        lake.reliability(START, END, (52.0, 0.0, 51.0, 1.0))
    with pytest.raises(ValueError, match="radius_km"):
        OutageParams(radius_km=0)


def test_a_reader_opened_before_a_detection_sees_its_events(lake: MeterLake):
    other = MeterLake(lake.settings)
    count = "SELECT count(*) AS n FROM outage_events"
    before = other.sql(count).to_pylist()[0]["n"]
    lake.detect_outages(START, END, OutageParams(min_meters=1000))  # ERR events only
    assert other.sql(count).to_pylist()[0]["n"] == 2 < before
    lake.detect_outages(datetime(2014, 1, 1), datetime(2014, 2, 1))  # no readings at all
    lake.detect_outages(START, END)
    assert other.sql(count).to_pylist()[0]["n"] == before
    other.close()
