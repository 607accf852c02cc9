from datetime import date, datetime, timedelta
from pathlib import Path

from served_lake import open_served

from meterlake.config import Settings
from meterlake.service import MeterLake
from meterlake.synth import FleetSpec


def test_readings_from_the_store_equal_those_from_the_partitions(tmp_path: Path):
    settings = Settings(root=tmp_path / "lake", threads=1, progress=False)
    plain = MeterLake(settings)
    plain.generate(FleetSpec(meters=3, start=date(2013, 1, 20), end=date(2013, 3, 10), seed=6))
    plain.ingest([plain.layout.landing])
    served = open_served(settings)
    windows = [
        (datetime(2013, 1, 28, 10, 30), datetime(2013, 2, 4, 10, 30)),  # across months
        (datetime(2013, 2, 1), datetime(2013, 3, 10)),
        (datetime(2012, 1, 1), datetime(2012, 2, 1)),  # before any data
    ]
    compared = 0
    for meter in ("MAC000002", "MAC000003", "MAC000004", "UNKNOWN"):
        for start, end in windows:
            for resolution in ("raw", "hour", "day", "week", "month"):
                for limit in (10_000, 5):
                    answer = served.readings(meter, start, end, resolution, limit)
                    assert answer == plain.readings(meter, start, end, resolution, limit)
                    compared += len(answer)
            history = served.forecast(meter, start - timedelta(days=3), end)
            assert history == plain.forecast(meter, start - timedelta(days=3), end)
    assert compared > 1000
    week = served.readings("MAC000002", *windows[0], "raw", 10_000)
    assert len(week) == 7 * 48
    assert week[0]["time"] == datetime(2013, 1, 28, 10, 30)
    weeks = served.readings("MAC000002", *windows[1], "week", 10_000)
    assert [row["time"].weekday() for row in weeks] == [0] * len(weeks)  # Mondays
    assert 0.98 * 37 * 48 < sum(row["readings"] for row in weeks) <= 37 * 48  # a few missing
    served.close()
    plain.close()


def test_a_read_filed_under_the_next_local_day_is_still_found(tmp_path: Path):
    settings = Settings(
        root=tmp_path / "lake", threads=1, progress=False, calendar_timezone="Europe/London"
    )
    reads = tmp_path / "reads.csv"
    times = ["2013043022240000", "2013043023243000", "2013050100240000"]  # UTC; BST is +1 h
    reads.write_text(
        "meter_id;obis_code;reading_time;reading_value;error_code;reading_type\n"
        + "".join(f"M1;1.8.0;{t};{i + 1}.5;;INT\n" for i, t in enumerate(times))
    )
    plain = MeterLake(settings)
    plain.ingest([reads])
    assert plain.sql("SELECT max(date_str) AS d FROM daily").to_pylist() == [{"d": "20130501"}]
    served = open_served(settings)
    window = (datetime(2013, 4, 30, 20), datetime(2013, 4, 30, 23, 45))  # April 30 in UTC
    for lake in (plain, served):
        rows = lake.readings("M1", *window, "raw", 100)
        assert [(r["time"], r["kwh"]) for r in rows] == [
            (datetime(2013, 4, 30, 22), 1.5),
            (datetime(2013, 4, 30, 23, 30), 2.5),
        ]
    served.close()
    plain.close()
