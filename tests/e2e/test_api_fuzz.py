"""Fuzzing a real ``meterlake serve`` from its OpenAPI document (issue 20), over loopback HTTP.

Two suites against the sample lake: Schemathesis generates valid and invalid requests for every
operation (with the lake's own meter ids, event ids, run ids and dates mixed in, so that the
deeper paths are reached too), and a sweep puts each hostile value of the kind the issue's
requests sent (huge integers, 300 characters, paths, SQL, NUL, the ends of the calendar) into
every parameter of every operation, one at a time, the others valid.

Every answer must be: no 5xx; a 4xx is an RFC 9457 problem (``application/problem+json``, with
``status`` equal to the answer's); a 2xx matches its documented schema, status code and content
type; and no body carries engine (DuckDB, Arrow) or Python error text. A validation gap that
reached the engine would answer the generic "Bad query" problem, so that title fails too.

The server runs on a copy of the sample lake (the edit route writes). Generation is
derandomized, so ``make test`` is repeatable (under a minute here); ``MLK_FUZZ_EXAMPLES``
(examples per operation, default 50) makes a longer local run, e.g.
``MLK_FUZZ_EXAMPLES=300 pytest -q tests/e2e/test_api_fuzz.py``.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from cli_process import served
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from sample_site import Server
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from meterlake.service import MeterLake

pytestmark = [pytest.mark.integration, pytest.mark.slow]

EXAMPLES = int(os.environ.get("MLK_FUZZ_EXAMPLES", "50"))
#: Text that only an engine or Python error message carries (matched case-insensitively).
ERROR_TEXT = (
    "traceback",
    "conversion error",
    "binder error",
    "catalog error",
    "parser error",
    "invalid input error",
    "out of range error",
    "io error",
    "internal error",
    "duckdb.",
    "_duckdb",
    "arrowinvalid",
    "pyarrow",
    "oserror",
    "errno",
    "file name too long",
    "valueerror",
    "typeerror",
    "keyerror",
    'file "/',
)
#: Words allowed in a 2xx body (run records name their engine) but not in a problem.
ENGINE_NAMES = ("duckdb", "arrow", "lightgbm")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


#: The committed OpenAPI document, which ``tests/unit/api/test_api_docs.py`` keeps equal to the
#: served one (Schemathesis' ``from_fixture`` fails under pytest 9: no ``Function._nodeid``).
OPENAPI = Path(__file__).parents[2] / "docs" / "openapi.json"
schema = schemathesis.openapi.from_path(OPENAPI)

#: Values the lake holds, by parameter name, filled when the server starts: random text almost
#: never names a meter or a date, so without them every deeper path would go untested.
KNOWN: dict[str, list[Any]] = {}
DAYS = ["2012-11-01", "2012-12-24", "2013-01-01", "2013-01-10", "2013-01-31", "2013-02-01"]
TIMES = [*DAYS, "2013-01-03 09:30:00", "2013-01-10T10:00:00", "2012-12-31T23:59:59"]
WHEN = ("data_start", "data_end", "start", "end", "start_date_time", "end_date_time")


@pytest.fixture(scope="module")
def fuzzed_server(
    sample_lake: MeterLake, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """``meterlake serve`` over a copy of the sample lake (fuzzed edits must not reach it)."""
    root = tmp_path_factory.mktemp("fuzz") / "lake"
    shutil.copytree(sample_lake.layout.root, root)
    with served(root) as base:
        server = Server(base)
        KNOWN["meter_id"] = [m["meter_id"] for m in server.get("/v1/meters")["items"]]
        window = {"start": DAYS[0], "end": DAYS[-1]}
        KNOWN["event_id"] = [e["event_id"] for e in server.get("/v1/outages", **window)]
        KNOWN["run_id"] = [r["run_id"] for r in server.get("/v1/runs")]
        versions = [r["model"] for r in server.get("/v1/runs") if r.get("kind") == "forecast"]
        KNOWN["ml_endpoint_name"] = [
            *versions,
            "ml-endpoint-weather-0731",
            "active",
            "default",
            "seasonal_naive",
        ]
        yield base


#: Values of the kind the issue's hostile requests sent, each tried in every parameter of every
#: operation (the generator above rarely reaches such sizes, so the sweep does it on purpose).
HOSTILE = (
    "9" * 20,
    str(2**63),
    "-1",
    "1e309",
    "NaN",
    "m" * 300,
    "../../../etc/passwd",
    "' OR 1=1 --",
    "\x00",
    "2013-01-01T00:00:00+05:00",
    "0001-01-01",
    "9999-12-31T23:59:59",
    "2013-02-30",
)


@schema.hook
def flatmap_case(context: Any, case: Any) -> st.SearchStrategy[Any]:
    """A valid case as generated, or with the lake's own ids and dates in place of some values."""
    del context
    if case.meta is not None and case.meta.generation.mode.is_negative:
        return st.just(case)  # its invalid part must stay invalid
    return st.builds(_realistic, st.just(case), st.randoms(use_true_random=False))


def _realistic(case: Any, chance: Any) -> Any:
    for values in (case.path_parameters, case.query, case.body):
        if not isinstance(values, dict) or chance.random() < 0.2:
            continue
        for name in values:
            options = _known(name, values[name])
            if options and chance.random() < 0.9:
                values[name] = chance.choice(options)
    return case


def _known(name: str, value: Any) -> list[Any] | None:
    if name == "reading_date_time":
        return TIMES[6:8]
    if name in ("start", "end") and _is_day(value):
        return DAYS  # the quality routes take days, not times
    return KNOWN.get(name) or (TIMES if name in WHEN else None)


def _is_day(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 10


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_answer_is_a_server_error_or_leaks_error_text(case: Any, fuzzed_server: str):
    response = case.call(base_url=fuzzed_server, timeout=30)
    case.validate_response(response, checks=CHECKS)
    check_problem_and_text(response.status_code, response.headers, response.text)


#: A valid value of each required parameter (and the edit body) that the sweep starts from.
BASELINE = {
    "requested_aggregation": "daily",
    "year": 2013,
    "outlier_only": "1",
    "data_start": "2012-12-01",
    "data_end": "2013-02-01",
    "start": "2013-01-01",
    "end": "2013-02-01",
    "start_date_time": "2013-01-01 00:00:00",
    "end_date_time": "2013-02-01 00:00:00",
}
EDIT = {"reading_date_time": "2013-01-10T10:00:00", "action": "accept", "reason": "r", "user": "u"}
SPEC = json.loads(OPENAPI.read_text())
OPERATIONS = [(path, method) for path, methods in SPEC["paths"].items() for method in methods]


@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
def test_hostile_values_in_every_parameter(path: str, method: str, fuzzed_server: str):
    operation = SPEC["paths"][path][method]
    parameters = [(p["in"], p["name"]) for p in operation.get("parameters", [])]
    body = [("body", name) for name in EDIT] if "requestBody" in operation else []
    failures = []
    for location, name in parameters + body:
        for value in HOSTILE:
            request = _baseline(parameters, bool(body))
            request[location][name] = value
            sent = {"body": request["body"], "media_type": "application/json"} if body else {}
            case = schema[path][method.upper()].Case(
                path_parameters=request["path"], query=request["query"], **sent
            )
            response = case.call(base_url=fuzzed_server, timeout=30)
            try:
                case.validate_response(response, checks=CHECKS[:-1])  # no case is "negative"
                check_problem_and_text(response.status_code, response.headers, response.text)
            except (AssertionError, schemathesis.errors.SchemathesisError, ExceptionGroup) as error:
                failures.append(f"{response.status_code} {response.request.url}: {error}")
    assert not failures, "\n".join(failures)


def _baseline(parameters: list[tuple[str, str]], with_body: bool) -> dict[str, Any]:
    request: dict[str, Any] = {"path": {}, "query": {}, "body": dict(EDIT) if with_body else None}
    for location, name in parameters:
        value = KNOWN[name][0] if KNOWN.get(name) else BASELINE.get(name)
        if value is not None:
            request[location][name] = value
    return request


def check_problem_and_text(status: int, headers: Any, text: str) -> None:
    """A 4xx is a problem whose status is the answer's; no body carries error text."""
    lowered = text.lower()
    leaked = [marker for marker in ERROR_TEXT if marker in lowered]
    assert not leaked, f"{status}: error text {leaked} in {text[:500]!r}"
    if status < 400:
        return
    content_type = _header(headers, "content-type")
    assert content_type.startswith("application/problem+json"), (status, content_type, text)
    problem = json.loads(text)
    assert set(problem) == {"type", "title", "status", "detail", "instance"}, text
    assert problem["status"] == status, text
    named = [name for name in ENGINE_NAMES if name in lowered]
    assert not named, f"{status}: engine named in {text[:500]!r}"
    assert problem["title"] != "Bad query", text  # the engine refused what the edge let through


def _header(headers: Any, name: str) -> str:
    value = headers.get(name) or headers.get(name.title()) or ""
    return str(value[0] if isinstance(value, list) else value)
