"""``/outage`` on a London lake, whose exports carry no error codes: inferred outages are items."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from meterlake.api.app import create_app
from meterlake.config import Settings
from meterlake.service import MeterLake
from meterlake.synth import FleetSpec

pytestmark = pytest.mark.integration

SPEC = FleetSpec(meters=60, start=date(2013, 1, 1), end=date(2013, 1, 29), seed=5, outages=3)


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> tuple[MeterLake, pd.DataFrame]:
    root: Path = tmp_path_factory.mktemp("outage-route") / "lake"
    lake = MeterLake(Settings(root=root, threads=1, memory_limit="1GB", progress=False))
    files = lake.generate(SPEC)
    lake.ingest([lake.layout.landing, root / "reference"])
    lake.detect_outages(datetime(2013, 1, 1), datetime(2013, 1, 29))
    return lake, pd.read_csv(files.outages, parse_dates=["start", "end"])


def _window(outage: pd.DataFrame) -> tuple[datetime, datetime]:
    first, last = outage["start"].min(), outage["end"].max()
    return (first - timedelta(hours=1)).to_pydatetime(), (last + timedelta(hours=1)).to_pydatetime()


def _query(start: datetime, end: datetime, extra: str = "") -> str:
    moment = "%Y-%m-%d %H:%M:%S"
    return f"/outage?start_date_time={start:{moment}}&end_date_time={end:{moment}}{extra}"


def test_a_known_outage_lists_its_meters_on_a_lake_without_error_codes(lake):
    service, truth = lake
    assert service.sql("SELECT count(*) AS n FROM err_readings").to_pylist() == [{"n": 0}]
    for outage_id, outage in truth[truth["kind"] == "missing"].groupby("outage_id"):
        start, end = _window(outage)
        answer = service.outages(start, end, None)
        found = {item["meter_id"] for item in answer["Items"]}
        expected = set(outage["meter_id"])
        assert len(found & expected) >= 0.8 * len(expected), (outage_id, found, expected)
        for item in answer["Items"]:
            assert set(item) == {
                "meter_id",
                "reading_date_time",
                "date_str",
                "lat",
                "long",
                "error_value",
            }
            assert item["error_value"] == "OUTAGE"
            stamp = datetime.strptime(item["reading_date_time"], "%Y-%m-%d %H:%M:%S.%f")
            assert item["date_str"] == f"{stamp:%Y%m%d}"
        assert answer["Count"] == len(answer["Items"])
        assert service.outages(start, end, None, "inferred") == answer
        assert service.outages(start, end, None, "err") == {"Items": [], "Count": 0}
        assert service.outages(start, end, "OUTAGE") == answer
        assert service.outages(start, end, "ERR02") == {"Items": [], "Count": 0}


def test_a_quiet_window_lists_nothing(lake):
    service, _ = lake
    quiet = service.outages(datetime(2013, 3, 1), datetime(2013, 3, 2), None)
    assert quiet == {"Items": [], "Count": 0}


def test_the_server_answers_from_its_index_as_the_service_does(lake):
    service, truth = lake
    outage = truth[truth["outage_id"] == truth["outage_id"].min()]
    start, end = _window(outage)
    with TestClient(create_app(service.settings)) as client:
        default = client.get(_query(start, end))
        assert default.status_code == 200
        assert default.json() == service.outages(start, end, None)
        assert default.json()["Count"] > 0
        assert client.get(_query(start, end, "&source=err")).json() == {"Items": [], "Count": 0}
        assert client.get(_query(start, end, "&source=inferred")).json() == default.json()
        bad = client.get(_query(start, end, "&source=everything"))
        assert bad.status_code == 400
        assert bad.headers["content-type"] == "application/problem+json"
