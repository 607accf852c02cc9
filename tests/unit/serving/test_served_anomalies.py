from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from meterlake import schema
from meterlake.api.app import SERVED_FROM_MEMORY
from meterlake.config import Settings
from meterlake.service import MeterLake


def _rows() -> list[dict[str, object]]:
    rows = []
    for meter in ("MAC000002", "MAC000003"):
        for day in range(1, 29):
            flag = None if day == 7 else (1 if day % 5 == 0 else (-1 if day % 9 == 0 else 0))
            rows.append(
                {
                    "meter_id": meter,
                    "ds": f"2013-02-{day:02d}",
                    "consumption": 5.0 + day,
                    "yhat_lower": 3.0,
                    "yhat_upper": 9.0,
                    "anomaly": flag,
                    "importance": 0.1 * day,
                }
            )
    return rows[::-1]  # stored out of order: answers are ordered by day anyway


def test_served_anomalies_equal_the_query(tmp_path: Path):
    settings = Settings(root=tmp_path / "lake", threads=1, progress=False)
    folder = settings.root / "business" / "anomaly"
    folder.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist(_rows(), schema.ANOMALY), folder / "part-0.parquet")
    plain = MeterLake(settings)
    served = MeterLake(settings, cached=SERVED_FROM_MEMORY)
    served.open()
    windows = [
        (datetime(2013, 2, 3), datetime(2013, 2, 20)),
        (datetime(2013, 2, 3, 12), datetime(2013, 2, 20, 12)),  # a day counts from midnight
        (datetime(2013, 1, 1), datetime(2014, 1, 1)),
        (datetime(2013, 3, 1), datetime(2013, 4, 1)),
    ]
    rows = 0
    for meter in ("MAC000002", "MAC000003", "UNKNOWN"):
        for start, end in windows:
            for outlier_only in (False, True):
                answer = served.anomalies(meter, start, end, outlier_only)
                assert answer == plain.anomalies(meter, start, end, outlier_only)
                rows += len(answer["ds"])
    assert rows > 60
    outliers = served.anomalies("MAC000002", *windows[2], outlier_only=True)
    assert list(outliers["ds"].values()) == [
        "2013-02-05", "2013-02-09", "2013-02-10", "2013-02-15", "2013-02-18", "2013-02-20",
        "2013-02-25", "2013-02-27",
    ]  # fmt: skip
    served.close()
    plain.close()
