from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from meterlake.api.app import SERVED_FROM_MEMORY
from meterlake.config import Settings
from meterlake.lake.meter_slices import MeterSlices
from meterlake.service import MeterLake
from meterlake.serving.compat import AGGREGATIONS
from meterlake.synth import FleetSpec


def test_each_meter_gets_its_own_contiguous_rows():
    table = pa.table({"meter_id": ["a", "a", None, "b", "c", "c", "c"], "v": range(7)})
    slices = MeterSlices(table)
    assert slices.rows("a").column("v").to_pylist() == [0, 1]
    assert slices.rows("b").column("v").to_pylist() == [3]
    assert slices.rows("c").column("v").to_pylist() == [4, 5, 6]
    assert slices.rows("zzz").num_rows == 0
    assert MeterSlices(table.slice(0, 0)).rows("a").num_rows == 0


def test_a_table_not_grouped_by_meter_is_refused():
    with pytest.raises(ValueError, match="not grouped by meter"):
        MeterSlices(pa.table({"meter_id": ["a", "b", "a"]}))


def test_served_consumption_equals_the_sql_answer_for_every_meter_year_and_period(
    tmp_path: Path,
):
    settings = Settings(root=tmp_path / "lake", threads=1, progress=False)
    plain = MeterLake(settings)
    plain.generate(FleetSpec(meters=4, start=date(2012, 11, 20), end=date(2013, 2, 10), seed=5))
    plain.ingest([plain.layout.landing])
    served = MeterLake(settings, cached=SERVED_FROM_MEMORY)
    served.open()
    checked = 0
    for meter in ["MAC000002", "MAC000003", "MAC000004", "MAC000005", "NOPE"]:
        for year in (2011, 2012, 2013):
            for aggregation in AGGREGATIONS:
                fast = served.consumption(aggregation, year, meter)
                assert fast == plain.consumption(aggregation, year, meter)
                checked += len(fast)
    assert checked > 300  # the meters have rows in both years (some join late)
    served.close()
    plain.close()
