"""A new user's first commands on a lake that is not the reference's, with no arguments."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from cli_process import run_cli

pytestmark = pytest.mark.integration

BOX = set("│┃━─┏┡└╭╰")


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("newcomer")
    generated = run_cli(
        root, "generate", "--meters", "20", "--start", "2013-01-01", "--end", "2013-04-01",
        "--seed", "3",
    )  # fmt: skip
    assert generated.returncode == 0, generated.stderr
    ran = run_cli(root, "run")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    return root, ran.stdout


def _count(root: Path, table: str) -> int:
    answer = run_cli(root, "sql", f"SELECT count(*) AS n FROM {table}", "--format", "json")
    assert answer.returncode == 0, answer.stderr
    return int(json.loads(answer.stdout)[0]["n"])


def test_run_without_arguments_uses_the_lakes_dates_and_fills_anomaly_and_forecast(first_run):
    root, out = first_run
    assert "succeeded" in out
    assert _count(root, "anomaly") > 0
    assert _count(root, "forecast") == 20 * 7 * 24
    runs = json.loads(run_cli(root, "runs", "--format", "json").stdout)
    assert runs[0]["parameters"]["data_start"] == "2013-01-01"
    assert runs[0]["parameters"]["data_end"] == "2013-04-01"
    forecast = run_cli(
        root, "sql", "SELECT min(datetime) AS first FROM forecast", "--format", "csv"
    )
    assert forecast.stdout.splitlines() == ["first", "2013-04-01 00:00:00"]


def test_quality_and_outage_detection_need_no_window(first_run):
    root, _ = first_run
    quality = run_cli(root, "quality", "--format", "json")
    assert quality.returncode == 0, quality.stderr
    assert len(json.loads(quality.stdout)) == 20
    outages = run_cli(root, "outages", "detect")
    assert outages.returncode == 0, outages.stderr
    assert "event(s)" in outages.stdout
    listed = run_cli(root, "outages", "list", "--format", "csv")
    assert listed.returncode == 0, listed.stderr
    assert next(csv.reader(io.StringIO(listed.stdout)))[0] == "event_id"


def test_train_and_forecast_take_the_lakes_window(first_run):
    root, _ = first_run
    trained = run_cli(root, "train", "--training-samples", "5")
    assert trained.returncode == 0, trained.stderr
    assert not BOX & set(trained.stdout)
    assert "MASE" in trained.stdout
    short = run_cli(root, "train", "--data-start", "2013-03-10")
    assert short.returncode == 2
    assert short.stderr.strip().splitlines() == [
        "error: train needs at least 35 days of history before --data-end 2013-04-01 (21 to"
        " train on, then 2 test window(s) of 168 h); the lake holds 22 in 2013-03-10 .."
        " 2013-04-01"
    ]
    outside = run_cli(root, "forecast", "--data-end", "2012-01-01")
    assert outside.returncode == 2
    assert (
        "no readings before 2012-01-01: the lake holds 2013-01-01 .. 2013-03-31" in outside.stderr
    )


def test_listings_off_a_terminal_are_plain_lines(first_run):
    root, _ = first_run
    for args in (("status",), ("runs",), ("models", "list"), ("quality",), ("ingest",)):
        out = run_cli(root, *args)
        assert out.returncode == 0, (args, out.stderr)
        assert not BOX & set(out.stdout), (args, out.stdout)
    status = run_cli(root, "status", "--format", "csv").stdout.splitlines()
    assert status[0].startswith("root,files_ingested,files_rejected,meters,first_date")
    assert json.loads(run_cli(root, "status", "--format", "json").stdout)["meters"] == 20
    again = run_cli(root, "ingest", "--output", "json")  # VEE's line goes to stderr
    assert json.loads(again.stdout)["counts"] == {"ingested": 0, "skipped": 1, "rejected": 0}
    assert "vee: no new days to validate" in again.stderr
    wrong = run_cli(root, "status", "--format", "yaml")
    assert (wrong.returncode, wrong.stderr.strip()) == (
        2,
        "error: the output format must be table, csv or json, not 'yaml'",
    )


def test_the_help_says_how_to_start_and_what_the_defaults_are(tmp_path: Path):
    top = run_cli(tmp_path, "--help").stdout
    assert top.startswith(
        "Usage: meterlake [OPTIONS] COMMAND [ARGS]...\n\n  Smart-meter data analytics"
    )
    assert "meterlake generate" in top
    assert "meterlake run" in top
    assert "parses, calls the service" not in top
    run = " ".join(run_cli(tmp_path, "run", "--help").stdout.split())
    assert "the day after the last read" in run
    assert "214 days" in run


def test_an_empty_lake_says_what_to_do(tmp_path: Path):
    for args in (("train",), ("quality",), ("outages", "detect"), ("forecast",)):
        out = run_cli(tmp_path, *args)
        assert out.returncode == 2, (args, out.stderr)
        assert "the lake holds no readings yet: ingest files first" in out.stderr, args
        assert "Traceback" not in out.stderr
