from datetime import date, datetime, timedelta
from pathlib import Path

from served_lake import open_served

from meterlake.config import Settings
from meterlake.service import MeterLake
from meterlake.synth import FleetSpec


def test_served_forecasts_from_memory_and_the_store_equal_the_partitions_ones(tmp_path: Path):
    settings = Settings(root=tmp_path / "lake", threads=1, progress=False)
    plain = MeterLake(settings)
    plain.generate(FleetSpec(meters=3, start=date(2013, 1, 1), end=date(2013, 3, 1), seed=4))
    plain.ingest([plain.layout.landing])
    # As a server: the recent hours in memory, older reads from the meter-clustered store.
    served = open_served(settings)
    recent_from, rows = served._open_reader().recent_hours("MAC000002")
    assert recent_from is not None
    assert rows is not None
    assert rows.num_rows > 24 * 28
    recent_end = datetime(2013, 2, 27, 13)
    older_end = datetime(2013, 1, 30, 13)  # its 28 days start before the in-memory hours
    assert older_end - timedelta(days=28) < recent_from < recent_end - timedelta(days=28)
    windows = [
        (end - timedelta(days=days), end) for end in (recent_end, older_end) for days in (3, 40)
    ]
    for meter in ("MAC000002", "MAC000003", "MAC000004", "UNKNOWN"):
        for start, end in windows:
            answer = served.forecast(meter, start, end)
            assert answer == plain.forecast(meter, start, end)
            assert len(answer["consumption"]) == (0 if meter == "UNKNOWN" else 168)
            quantiles = (0.1, 0.5, 0.9)
            assert served.forecasts(meter, start, end, quantiles) == plain.forecasts(
                meter, start, end, quantiles
            )
    served.close()
    plain.close()
