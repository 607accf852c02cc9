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


def test_generated_households_read_as_the_households_table(tmp_path: Path):
    files = generate_fleet(FleetSpec(meters=4), tmp_path / "r", tmp_path / "ref", tmp_path / "t")
    households = read_reference(files.households)
    assert households.table == "households"
    assert households.bad == ()
    assert households.rows.column("lclid").to_pylist() == [f"MAC00000{i}" for i in range(2, 6)]
    assert set(households.rows.column("stdortou").to_pylist()) <= {"Std", "ToU"}
