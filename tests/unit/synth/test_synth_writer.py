"""Row text of the LCL and Kaggle layouts, exact to the byte."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np

from meterlake.synth.acorn import Acorn
from meterlake.synth.households import draw_household
from meterlake.synth.timeline import Timeline, stamp_matrix
from meterlake.synth.writer import HEADERS, STAMP_FRACTION, Layout, render_rows, row_template

MILLI = [0, 263, 1000, 12345, 123456, 5, 999_999, 1_234_567]
NULL = [False, False, False, False, False, True, False, False]


def _render(layout: Layout, acorn: Acorn | None = None) -> list[str]:
    household = draw_household(np.random.default_rng(3), 0, 96)
    household = dataclasses.replace(household, tariff="ToU", acorn=acorn or household.acorn)
    stamps = stamp_matrix(Timeline(dt.date(2012, 10, 12), 1).interval_times(), STAMP_FRACTION)
    text = render_rows(
        row_template(layout, household),
        stamps[1 : len(MILLI) + 1],
        np.array(MILLI, dtype=np.int64),
        np.array(NULL),
    )
    return text.tobytes().decode("ascii").splitlines(keepends=True)


def test_lcl_rows_are_byte_exact() -> None:
    rows = _render("lcl", Acorn("ACORN-A", "Affluent", 1, 1.0))
    assert rows == [
        "MAC000002,ToU,2012-10-12 00:30:00.0000000, 0.000 ,ACORN-A,Affluent\n",
        "MAC000002,ToU,2012-10-12 01:00:00.0000000, 0.263 ,ACORN-A,Affluent\n",
        "MAC000002,ToU,2012-10-12 01:30:00.0000000, 1.000 ,ACORN-A,Affluent\n",
        "MAC000002,ToU,2012-10-12 02:00:00.0000000, 12.345 ,ACORN-A,Affluent\n",
        "MAC000002,ToU,2012-10-12 02:30:00.0000000, 123.456 ,ACORN-A,Affluent\n",
        "MAC000002,ToU,2012-10-12 03:00:00.0000000,Null,ACORN-A,Affluent\n",
        "MAC000002,ToU,2012-10-12 03:30:00.0000000, 999.999 ,ACORN-A,Affluent\n",
        "MAC000002,ToU,2012-10-12 04:00:00.0000000, 999.999 ,ACORN-A,Affluent\n",
    ]


def test_lcl_unknown_acorn_keeps_its_own_group() -> None:
    rows = _render("lcl", Acorn("ACORN-", "ACORN-", 1, 1.0))
    assert rows[1] == "MAC000002,ToU,2012-10-12 01:00:00.0000000, 0.263 ,ACORN-,ACORN-\n"


def test_kaggle_rows_are_byte_exact() -> None:
    assert _render("kaggle") == [
        "MAC000002,2012-10-12 00:30:00.0000000,0.000\n",
        "MAC000002,2012-10-12 01:00:00.0000000,0.263\n",
        "MAC000002,2012-10-12 01:30:00.0000000,1.000\n",
        "MAC000002,2012-10-12 02:00:00.0000000,12.345\n",
        "MAC000002,2012-10-12 02:30:00.0000000,123.456\n",
        "MAC000002,2012-10-12 03:00:00.0000000,Null\n",
        "MAC000002,2012-10-12 03:30:00.0000000,999.999\n",
        "MAC000002,2012-10-12 04:00:00.0000000,999.999\n",
    ]


def test_headers_match_the_published_files() -> None:
    lcl = b"LCLid,stdorToU,DateTime,KWH/hh (per half hour) ,Acorn,Acorn_grouped\n"
    assert HEADERS["lcl"] == lcl
    assert HEADERS["kaggle"] == b"LCLid,tstp,energy(kWh/hh)\n"


def test_no_rows_render_to_nothing() -> None:
    household = draw_household(np.random.default_rng(3), 0, 96)
    text = render_rows(
        row_template("lcl", household),
        np.zeros((0, 27), dtype=np.uint8),
        np.zeros(0, dtype=np.int64),
        np.zeros(0, dtype=bool),
    )
    assert text.size == 0
