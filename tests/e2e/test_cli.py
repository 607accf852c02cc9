"""The CLI as a user runs it: a real subprocess in a fresh folder."""

from __future__ import annotations

import json
import os
import subprocess
import time
from datetime import datetime
from pathlib import Path

import pytest
from cli_process import CLI, run_cli

from meterlake.config import Settings
from meterlake.service import MeterLake

pytestmark = pytest.mark.integration


def test_generate_ingest_sql_status_in_the_current_folder(tmp_path: Path):
    generated = run_cli(tmp_path, "generate", "--meters", "4", "--end", "2013-01-08")
    assert generated.returncode == 0, generated.stderr
    assert (tmp_path / "landing" / "CC_LCL-FullData.csv").exists()
    ingested = run_cli(tmp_path, "ingest")
    assert ingested.returncode == 0, ingested.stderr
    assert "ingested" in ingested.stdout
    answer = run_cli(
        tmp_path, "sql", "SELECT count(DISTINCT meter_id) AS meters FROM daily", "--format", "json"
    )
    assert answer.returncode == 0, answer.stderr
    assert json.loads(answer.stdout) == [{"meters": 4}]
    status = run_cli(tmp_path, "status")
    assert "meters: 4" in status.stdout
    assert "20130101 .. 20130107" in status.stdout


def test_errors_are_one_line_with_an_exit_code(tmp_path: Path):
    result = run_cli(tmp_path, "sql", "SELECT * FROM no_such_table")
    assert result.returncode == 5
    assert result.stderr.strip().startswith("error:")
    assert len(result.stderr.strip().splitlines()) == 1
    missing = run_cli(tmp_path, "ingest", "does-not-exist.csv")
    assert missing.returncode == 2
    assert "no such file" in missing.stderr


def test_ingest_takes_a_file_path_directly(tmp_path: Path, data_dir: Path):
    result = run_cli(tmp_path, "ingest", str(data_dir / "london" / "kaggle_sample.csv"))
    assert result.returncode == 0, result.stderr
    assert "london_kaggle" in result.stdout


def test_convert_mrasco_writes_mdm_that_ingest_reads(tmp_path: Path, data_dir: Path):
    flow = data_dir / "mrasco" / "d0275_sample.txt"
    result = run_cli(tmp_path, "convert", "mrasco", str(flow), "--out", "converted")
    assert result.returncode == 0, result.stderr
    converted = tmp_path / "converted" / "d0275_sample.mdm.csv"
    assert (
        converted.read_text().splitlines()[1] == "1234567890123;1.8.0;2021010100240000;0.512;;INT"
    )
    ingested = run_cli(tmp_path, "ingest", "converted")
    assert ingested.returncode == 0, ingested.stderr
    assert " mdm " in ingested.stdout
    bad = run_cli(tmp_path, "convert", "mrasco", str(data_dir / "london" / "lcl_sample.csv"))
    assert bad.returncode == 3
    assert "rejected" in bad.stderr


def test_outages_detect_show_and_evaluate(tmp_path: Path):
    generated = run_cli(
        tmp_path, "generate", "--meters", "40", "--end", "2013-01-22", "--outages", "3",
        "--idle-share", "0.1", "--away-per-year", "2",
    )  # fmt: skip
    assert generated.returncode == 0, generated.stderr
    assert run_cli(tmp_path, "ingest", "landing", "reference").returncode == 0
    detected = run_cli(
        tmp_path, "outages", "detect", "--start", "2013-01-01", "--end", "2013-01-22"
    )
    assert detected.returncode == 0, detected.stderr
    assert "event(s)" in detected.stdout
    lake = MeterLake(Settings(root=tmp_path, progress=False))
    event_id = lake.outage_events(datetime(2013, 1, 1), datetime(2013, 1, 22))[0]["event_id"]
    lake.close()
    shown = run_cli(tmp_path, "outages", "show", event_id)
    assert shown.returncode == 0, shown.stderr
    assert "meters_affected" in shown.stdout
    score = run_cli(tmp_path, "evaluate", "outages")
    assert score.returncode == 0, score.stderr
    assert json.loads(score.stdout)["true_events"] == 3
    unknown = run_cli(tmp_path, "outages", "show", "20130101T0000-00000000")
    assert (unknown.returncode, "no outage event" in unknown.stderr) == (2, True)


def test_the_main_job_builds_every_table_in_the_current_folder(tmp_path: Path):
    done = run_cli(tmp_path, "demo", "--no-serve", "--meters", "6", "--days", "45")
    assert done.returncode == 0, done.stderr
    assert "succeeded" in done.stdout
    lake = MeterLake(Settings(root=tmp_path, threads=1))
    counts = lake.sql(
        """SELECT (SELECT count(DISTINCT meter_id) FROM aggregated_daily) AS meters,
            (SELECT count(*) FROM anomaly) AS anomaly_rows,
            (SELECT count(DISTINCT meter_id) FROM forecast) AS forecast_meters"""
    ).to_pylist()[0]
    assert counts["meters"] == counts["forecast_meters"] == 6
    assert counts["anomaly_rows"] > 6 * 30
    assert lake.forecast("MAC000002", datetime(2013, 1, 1), datetime(2013, 2, 15))["consumption"]
    (record,) = lake.pipeline_runs()
    steps = record["steps"]
    assert [s["status"] for s in steps] == ["succeeded"] * len(steps) == ["succeeded"] * 5


def test_watch_runs_the_pipeline_for_each_batch_that_lands(tmp_path: Path):
    source = tmp_path / "source"
    made = run_cli(source.parent, "generate", "--root", str(source), "--meters", "4")
    assert made.returncode == 0, made.stderr
    first, second = tmp_path / "lake" / "landing" / "a.csv", tmp_path / "lake" / "landing" / "b"
    first.parent.mkdir(parents=True)
    readings = (source / "landing" / "CC_LCL-FullData.csv").read_text().splitlines(keepends=True)
    half = len(readings) // 2
    first.write_text("".join(readings[:half]))
    env = {**os.environ, "MLK_PROGRESS": "false", "COLUMNS": "200"}
    watcher = subprocess.Popen(
        [*CLI, "watch", "--root", str(tmp_path / "lake"), "--data-start", "2013-01-01",
         "--data-end", "2013-03-01", "--interval", "0.2", "--settle", "0.5", "--max-runs", "2"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    lake = MeterLake(Settings(root=tmp_path / "lake", threads=1))
    deadline = datetime.now().timestamp() + 120
    while not lake.pipeline_runs() and datetime.now().timestamp() < deadline:
        time.sleep(0.2)
    second.mkdir()
    (second / "rest.csv").write_text(readings[0] + "".join(readings[half:]))
    (second / "junk.bin").write_bytes(b"\x00\x01 not a meter file")  # rejected, not fatal
    out, err = watcher.communicate(timeout=180)
    assert watcher.returncode == 0, err
    runs = lake.pipeline_runs()
    assert [r["trigger"] for r in runs] == ["watch", "watch"]
    assert [r["status"] for r in runs] == ["succeeded", "succeeded"], out
    total = lake.sql("SELECT count(*) AS n FROM daily").to_pylist()[0]["n"]
    assert total > 0.9 * (len(readings) - 1)
