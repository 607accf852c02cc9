from pathlib import Path

from meterlake.reference import REFERENCE_TABLES, detect_reference, read_reference
from meterlake.synth import FleetSpec, generate_fleet


def test_generated_weather_and_geo_read_without_bad_rows(tmp_path: Path):
    files = generate_fleet(FleetSpec(meters=3), tmp_path / "r", tmp_path / "ref", tmp_path / "t")
    weather = read_reference(files.weather)
    geo = read_reference(files.geo)
    assert (weather.table, geo.table) == ("weather", "geodata")
    assert weather.bad == geo.bad == ()
    assert weather.rows.schema.equals(REFERENCE_TABLES["weather"])
    assert geo.rows.num_rows == 3
    assert weather.rows.num_rows == weather.rows_read > 0
    assert all(detect_reference(path) is None for path in files.readings)
