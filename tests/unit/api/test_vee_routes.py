"""The v1 VEE routes over a small real lake: status, totals, flags, edits, quality, 4xx."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from meterlake.api.app import create_app
from meterlake.config import Settings
from meterlake.lake.keys import add_key, keys_path
from meterlake.service import MeterLake
from meterlake.synth import FleetSpec


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    root = tmp_path_factory.mktemp("v1vee") / "lake"
    lake = MeterLake(Settings(root=root, threads=1))
    spec = FleetSpec(meters=3, start=date(2013, 1, 1), end=date(2013, 2, 1), seed=8)
    lake.generate(spec)
    spike = root / "landing" / "spike.csv"
    spike.write_text(  # a reading of a meter the fleet does not have, on a fresh day
        "meter_id;obis_code;reading_time;reading_value;error_code;reading_type\n"
        + "".join(
            f"X1;1-0:1.29.0;2013-01-05 {h:02d}:{m:02d}:00;{0.2 + h / 100};;INT\n"
            for h in range(24)
            for m in (0, 30)
        ).replace("2013-01-05 12:00:00;0.32", "2013-01-05 12:00:00;-4.0")
    )
    lake.ingest([lake.layout.landing, root / "reference"])
    assert lake.vee().validate_pending() is not None
    with TestClient(create_app(Settings(root=root, threads=1))) as test_client:
        yield test_client  # type: ignore[misc]


WINDOW = "start=2013-01-05&end=2013-01-06"


def test_validated_readings_give_every_status_and_the_value_used(client: TestClient):
    rows = client.get(f"/v1/meters/X1/validated-readings?{WINDOW}").json()
    assert len(rows) == 48
    negative = next(r for r in rows if r["reading_date_time"] == "2013-01-05T12:00:00")
    assert (negative["status"], negative["raw_value"], negative["method"]) == (
        "estimated",
        -4.0,
        "linear",
    )
    assert negative["value"] == pytest.approx(0.32, abs=0.01)
    assert negative["rules"] == "negative"


def test_consumption_with_and_without_estimates(client: TestClient):
    url = f"/v1/meters/X1/validated-consumption?{WINDOW}&period=day"
    with_estimates = client.get(url).json()[0]
    without = client.get(url + "&estimates=false").json()[0]
    assert with_estimates["estimated_intervals"] == 1
    assert with_estimates["total_kwh"] - without["total_kwh"] == pytest.approx(
        with_estimates["estimated_kwh"]
    )
    assert client.get(url.replace("period=day", "period=year")).status_code == 400


def test_flags_and_a_filter_by_rule(client: TestClient):
    flags = client.get(f"/v1/meters/X1/flags?{WINDOW}").json()
    assert [(f["rule"], f["severity"]) for f in flags] == [("negative", "error")]
    assert client.get(f"/v1/meters/X1/flags?{WINDOW}&rule=gap").json() == []
    assert client.get(f"/v1/meters/X1/flags?{WINDOW}&rule=nonsense").status_code == 400


def test_edits_are_stored_logged_and_refused_with_4xx(client: TestClient):
    body = {
        "reading_date_time": "2013-01-05T12:00:00",
        "action": "override",
        "value": 0.31,
        "reason": "read from the display",
        "user": "ops",
    }
    created = client.post("/v1/meters/X1/edits", json=body)
    assert created.status_code == 201, created.text
    assert (created.json()["status"], created.json()["previous_value"]) == ("edited", -4.0)
    logged = client.get("/v1/edits?meter_id=X1").json()[0]
    assert (logged["user"], logged["role"], logged["note"]) == ("local", "admin", "ops")
    rows = client.get(f"/v1/meters/X1/validated-readings?{WINDOW}").json()
    assert next(r for r in rows if r["status"] == "edited")["value"] == 0.31
    refused = client.post("/v1/meters/X1/edits", json={**body, "value": -1.0})
    assert refused.status_code == 400
    assert "negative" in refused.json()["detail"]
    unknown = client.post("/v1/meters/NOPE/edits", json=body)
    assert unknown.status_code == 404
    assert client.post("/v1/meters/X1/edits", json={**body, "action": "guess"}).status_code == 400
    assert client.post("/v1/meters/X1/edits", json={**body, "reason": ""}).status_code == 400
    no_value = {k: v for k, v in body.items() if k != "value"}
    assert client.post("/v1/meters/X1/edits", json=no_value).status_code == 400


def test_quality_report_and_stopped_meters(client: TestClient):
    rows = client.get("/v1/quality/meters?start=2013-01-01&end=2013-02-01").json()
    by_meter = {r["meter_id"]: r for r in rows}
    assert set(by_meter) == {"MAC000002", "MAC000003", "MAC000004", "X1"}
    assert by_meter["MAC000002"]["completeness"] > 0.9
    assert by_meter["X1"]["flags"] == {"negative": 1}
    stopped = client.get("/v1/quality/stopped?start=2013-01-01&end=2013-02-01").json()
    assert stopped[0]["meter_id"] == "X1"  # one day of reads, weeks ago: silent longest
    last_days = {r["meter_id"]: r["last_reading"][:10] for r in rows}
    assert {r["meter_id"] for r in stopped} == {m for m, d in last_days.items() if d < "2013-01-29"}
    assert client.get("/v1/quality/meters?start=2013-02-01&end=2013-01-01").status_code == 400
    assert client.get("/v1/quality/meters?start=yesterday&end=2013-01-01").status_code == 400


def test_with_keys_the_log_names_the_key_and_notes_the_claimed_user(
    client: TestClient, tmp_path: Path
):
    source = Path(client.app.state.lake.layout.root)  # type: ignore[attr-defined]
    root = tmp_path / "lake"
    shutil.copytree(source, root)
    keys = {role: add_key(keys_path(root), f"{role}-1", role)[1] for role in ("reader", "editor")}
    body = {
        "reading_date_time": "2013-01-05T13:00:00",
        "action": "override",
        "value": 0.3,
        "reason": "read from the display",
        "user": "the boss",
    }
    with TestClient(create_app(Settings(root=root, threads=1))) as keyed:
        url = "/v1/meters/X1/edits"
        denied = keyed.post(url, json=body, headers={"X-API-Key": keys["reader"]})
        assert denied.status_code == 403
        assert "needs the editor role" in denied.json()["detail"]
        created = keyed.post(url, json=body, headers={"X-API-Key": keys["editor"]})
        assert created.status_code == 201, created.text
        assert (created.json()["user"], created.json()["note"]) == ("editor-1", "the boss")
        log = keyed.get("/v1/edits?meter_id=X1", headers={"X-API-Key": keys["reader"]}).json()
        assert (log[0]["user"], log[0]["role"], log[0]["note"]) == (
            "editor-1",
            "editor",
            "the boss",
        )
        unnamed = keyed.post(
            url, json={**body, "user": None}, headers={"X-API-Key": keys["editor"]}
        )
        assert (unnamed.status_code, unnamed.json()["note"]) == (201, None)
