"""One VEE pass over a working set: derive, validate, estimate (pure: tables in, tables out)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb
import pyarrow as pa

from meterlake.vee.estimation import estimate
from meterlake.vee.focus import run_focused
from meterlake.vee.rules import validate
from meterlake.vee.settings import VeeSettings
from meterlake.vee.working_set import load_frames, prepare


def run_pass(con: duckdb.DuckDBPyConnection, settings: VeeSettings, now: datetime) -> None:
    """Fill ``flags`` and ``estimates`` from the input tables of ``con``."""
    prepare(con, settings, now)
    validate(con, settings, now)
    estimate(con, settings)


@dataclass(frozen=True)
class VeeTables:
    """What a pass found: flags, estimates and the slots that needed one."""

    flags: pa.Table
    estimates: pa.Table
    targets: int


def run_on_tables(  # noqa: PLR0917 (each input table is its own argument)
    reads: pa.Table,
    settings: VeeSettings | None = None,
    now: datetime | None = None,
    conflicts: pa.Table | None = None,
    edits: pa.Table | None = None,
    temperature: pa.Table | None = None,
    after: datetime | None = None,
) -> VeeTables:
    """A pass on Arrow tables in a private in-memory database (tests, benchmarks).

    ``after``: a focused pass (``focus.run_focused``), whose rows are those after ``after``.
    """
    con = duckdb.connect(config={"threads": 1})
    try:
        load_frames(con, reads, conflicts, edits, temperature)
        settings, now = settings or VeeSettings(), now or datetime(2100, 1, 1)
        if after is None:
            run_pass(con, settings, now)
        else:
            con.execute("ALTER TABLE reads RENAME TO window_reads")
            run_focused(con, settings, now, "window_reads", after)
        flags = con.sql(
            "SELECT * FROM flags ORDER BY meter_id, obis_code, reading_date_time, rule"
        ).to_arrow_table()
        estimates = con.sql(
            "SELECT * FROM estimates ORDER BY meter_id, obis_code, reading_date_time"
        ).to_arrow_table()
        targets = con.execute("SELECT count(*) FROM targets").fetchone()
        return VeeTables(flags, estimates, int(targets[0]) if targets else 0)
    finally:
        con.close()
