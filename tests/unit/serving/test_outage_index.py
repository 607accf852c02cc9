from datetime import date, datetime, timedelta
from pathlib import Path

from meterlake.api.app import SERVED_FROM_MEMORY
from meterlake.config import Settings
from meterlake.service import MeterLake
from meterlake.synth import FleetSpec

ERR_READS = [  # times in the MDM layout: yyyyMMddHH, a literal 24, mmss
    ("MAC000002", "2013010309243000", "ERR02"),
    ("MAC000003", "2013010310240000", "ERR03"),
    ("MAC000003", "2013010311240000", "ERR02"),
    ("MAC000004", "2013010311240000", "ERR02"),
    ("MAC000002", "2013010512240000", "ERR01"),
    ("NOT_IN_GEO", "2013010311240000", "ERR02"),
]


def test_the_served_index_answers_exactly_as_the_query(tmp_path: Path):
    settings = Settings(root=tmp_path / "lake", threads=1, progress=False)
    plain = MeterLake(settings)
    plain.generate(FleetSpec(meters=3, start=date(2013, 1, 1), end=date(2013, 1, 8), seed=2))
    errors = tmp_path / "errors.csv"
    errors.write_text(
        "meter_id;obis_code;reading_time;reading_value;error_code;reading_type\n"
        + "".join(f"{m};1.8.0;{t};;{code};ERR\n" for m, t, code in ERR_READS)
    )
    plain.ingest([plain.layout.landing, plain.layout.root / "reference", errors])
    served = MeterLake(settings, cached=SERVED_FROM_MEMORY)
    served.open()
    windows = [
        (datetime(2013, 1, 3, 9, 30), datetime(2013, 1, 3, 11)),  # both ends inclusive
        (datetime(2013, 1, 3, 9, 30, 1), datetime(2013, 1, 3, 10, 59, 59)),
        (datetime(2013, 1, 1), datetime(2013, 1, 8)),
        (datetime(2013, 1, 6), datetime(2013, 1, 5)),  # reversed: nothing
        (datetime(2012, 1, 1), datetime(2012, 1, 2)),
    ]
    found = 0
    for start, end in windows:
        for code in (None, "ERR02", "ERR09"):
            answer = served.outages(start, end, code)
            assert answer == plain.outages(start, end, code)
            found += answer["Count"]
    whole = served.outages(datetime(2013, 1, 1), datetime(2013, 1, 8) - timedelta(seconds=1), None)
    assert whole["Count"] == 5  # NOT_IN_GEO has no coordinates: the join drops it
    assert whole["Items"][0] == {
        "meter_id": "MAC000002",
        "obis_code": "1.8.0",
        "reading_date_time": "2013-01-03 09:30:00.000",
        "error_value": "ERR02",
        "reading_type": "ERR",
        "week_of_year": 1,
        "day_of_month": 3,
        "month": 1,
        "year": 2013,
        "hour": 9,
        "minute": 30,
        "date_str": "20130103",
        "lat": whole["Items"][0]["lat"],
        "long": whole["Items"][0]["long"],
    }
    assert served.outages(*windows[0], None)["Count"] == 4
    assert served.outages(*windows[1], None)["Count"] == 1
    assert found > 10
    served.close()
    plain.close()
