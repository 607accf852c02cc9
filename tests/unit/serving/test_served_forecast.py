from datetime import date, datetime, timedelta
from pathlib import Path

from meterlake.api.app import SERVED_FROM_MEMORY
from meterlake.config import Settings
from meterlake.service import MeterLake
from meterlake.synth import FleetSpec


def test_forecasts_from_the_in_memory_hours_equal_those_from_the_partitions(tmp_path: Path):
    settings = Settings(root=tmp_path / "lake", threads=1, progress=False)
    plain = MeterLake(settings)
    plain.generate(FleetSpec(meters=3, start=date(2013, 1, 1), end=date(2013, 3, 1), seed=4))
    plain.ingest([plain.layout.landing])
    served = MeterLake(settings, cached=SERVED_FROM_MEMORY)
    served.open()
    recent_from, rows = served._open_reader().recent_hours("MAC000002")
    assert recent_from is not None
    assert rows is not None
    assert rows.num_rows > 24 * 28
    end = datetime(2013, 2, 27, 13)
    for meter in ("MAC000002", "MAC000003", "MAC000004", "UNKNOWN"):
        for start in (end - timedelta(days=3), end - timedelta(days=40)):
            answer = served.forecast(meter, start, end)
            assert answer == plain.forecast(meter, start, end)
            assert len(answer["consumption"]) == (0 if meter == "UNKNOWN" else 168)
            quantiles = (0.1, 0.5, 0.9)
            assert served.forecasts(meter, start, end, quantiles) == plain.forecasts(
                meter, start, end, quantiles
            )
    served.close()
    plain.close()
