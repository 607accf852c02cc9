"""Edit requests: what is refused before anything is stored, and how a new value is re-validated."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from meterlake.errors import InputError
from meterlake.vee.edits import (
    EditRequest,
    Finding,
    ReadingContext,
    blocking,
    calendar_day,
    check_request,
    edit_row,
    revalidate,
)
from meterlake.vee.settings import VeeSettings

MOMENT = datetime(2013, 1, 10, 10, 0)
CONTEXT = ReadingContext(obis_code="1-0:1.29.0", previous_value=-2.0, step_minutes=30, p99=0.8)


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"action": "guess"}, "action must be one of"),
        ({"action": "override"}, "an override needs a value"),
        ({"value": 1.0}, "a value is given only with override"),
        ({"reason": "  "}, "a reason is required"),
        ({"user": ""}, "a user is required"),
        ({"reading_type": "ERR"}, "reading type must be INT or AGG"),
        ({"reading_date_time": MOMENT.replace(tzinfo=UTC)}, "naive UTC"),
        ({"action": "override", "value": float("nan")}, "not a finite meter value"),
    ],
)
def test_bad_requests_are_refused_with_every_reason(changes: dict[str, object], problem: str):
    fields: dict[str, object] = {
        "meter_id": "M1",
        "reading_date_time": MOMENT,
        "action": "accept",
        "reason": "checked on site",
        "user": "ana",
        **changes,
    }
    with pytest.raises(InputError, match=problem):
        check_request(EditRequest(**fields))  # type: ignore[arg-type]


def test_a_good_request_passes():
    check_request(EditRequest("M1", MOMENT, "override", "display read", "ana", value=0.4))


def test_revalidation_applies_the_single_value_rules():
    settings = VeeSettings()
    assert revalidate(0.5, "M1", CONTEXT, settings) == []
    negative = revalidate(-0.1, "M1", CONTEXT, settings)
    assert [(f.rule, f.severity) for f in negative] == [("negative", "error")]
    huge = revalidate(20.0, "M1", CONTEXT, settings)
    assert [(f.rule, f.severity) for f in huge] == [("max_value", "error"), ("spike", "warning")]
    spike = revalidate(4.0, "M1", CONTEXT, settings)
    assert [f.rule for f in spike] == ["spike"]
    export = ReadingContext("1-0:2.8.0", None, 30, None)
    assert revalidate(-0.1, "M1", export, settings) == []


def test_per_meter_limits_and_interval_length_set_the_maximum():
    settings = VeeSettings.model_validate({"rules": {"max_value": {"per_meter_kw": {"M1": 2.0}}}})
    quarter = ReadingContext("1-0:1.29.0", None, 15, None)
    assert [f.rule for f in revalidate(0.6, "M1", quarter, settings)] == ["max_value"]
    assert revalidate(0.6, "M2", quarter, settings) == []


def test_only_errors_block_an_unforced_edit():
    assert blocking([Finding("spike", "warning", "x")]) == ""
    assert blocking([Finding("negative", "error", "below zero")]) == "negative: below zero"


def test_the_audit_row_records_who_what_when_and_the_findings():
    request = EditRequest("M1", MOMENT, "override", " display read ", "ana", value=0.4)
    row = edit_row(request, CONTEXT, [Finding("spike", "warning", "x")], datetime(2026, 1, 1))
    stored = row.to_pylist()[0]
    assert stored["edit_id"].startswith("20260101T000000000000-")
    assert (stored["previous_value"], stored["value"], stored["reason"]) == (
        -2.0,
        0.4,
        "display read",
    )
    assert json.loads(stored["findings"]) == [
        {"rule": "spike", "severity": "warning", "detail": "x"}
    ]


def test_calendar_day_follows_the_lakes_zone():
    late = datetime(2013, 7, 1, 23, 30)
    assert calendar_day(late, "UTC") == "20130701"
    assert calendar_day(late, "Europe/London") == "20130702"
