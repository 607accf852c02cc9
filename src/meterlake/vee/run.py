"""A VEE run over the lake: the days of new ingests (or given days) in batches, one commit.

Each batch reads its days plus ``history_days`` before and one after (for context: neighbours,
the meter's own history, similar days), runs one pass, and stages the flags and estimates of its
own days only. A batch spanning fewer than ``focus_max_days`` days runs a focused pass
(``focus.run_focused``: the same results, with the history read in full only for the meters
that need it). A run record (``kind: vee``) names the newest ingest run it covered, so that the
next run validates only what came after (``pending_dates``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import duckdb
import pyarrow as pa

from meterlake.engines.duckdb_sql import to_local
from meterlake.lake.layout import LakeLayout, date_str
from meterlake.lake.lock import writer_lock
from meterlake.lake.runs import load_runs
from meterlake.lake.transaction import Transaction, recover
from meterlake.schema import SERVED_YEARS
from meterlake.vee import lake_io
from meterlake.vee.focus import add_lap, focus_start, run_focused
from meterlake.vee.settings import VeeSettings
from meterlake.vee.vee_pass import run_pass


@dataclass
class VeeReport:
    """The record of one VEE run."""

    run_id: str
    trigger: str
    dates: list[str]
    kind: str = "vee"
    ingest_runs_through: str = ""
    reads: int = 0
    targets: int = 0
    flags_by_rule: dict[str, int] = field(default_factory=dict)
    estimates_by_method: dict[str, int] = field(default_factory=dict)
    weather: bool = False
    batches: int = 0
    context_meters: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    started: str = ""
    finished: str = ""

    @property
    def flags(self) -> int:
        """Flags written."""
        return sum(self.flags_by_rule.values())

    @property
    def estimates(self) -> int:
        """Estimates written."""
        return sum(self.estimates_by_method.values())

    def to_json(self) -> dict[str, Any]:
        """The record as stored (``counts``/``totals`` as every run record has them)."""
        record = asdict(self)
        record["counts"] = {"days": len(self.dates), "flags": self.flags}
        record["totals"] = {
            "reads": self.reads,
            "estimates": self.estimates,
            "unestimated": self.targets - self.estimates,
        }
        return record


@dataclass(frozen=True)
class VeeJob:
    """What one run validates, and with what."""

    settings: VeeSettings
    calendar_timezone: str
    run_id: str
    trigger: str
    now: datetime
    memory_limit: str = "3GB"
    threads: int | None = None


def pending_dates(layout: LakeLayout) -> tuple[set[str], str]:
    """Days of the ingest runs newer than the last VEE run's, and the newest such ingest run.

    The day after each is added when it has reads: a gap or a run of equal values that
    continues past midnight is judged again with the new reads before it.
    """
    runs = load_runs(layout.runs)
    through = max(
        (str(r.get("ingest_runs_through", "")) for r in runs if r.get("kind") == "vee"),
        default="",
    )
    pending = [r for r in runs if "first_run" in r and r["run_id"] > through and r["dates"]]
    days = {day for r in pending for day in r["dates"] if validatable(day)}
    following = {after for after in map(_next_day, days) if after is not None} - days
    days |= {day for day in following if lake_io.daily_files(layout, [lake_io.as_day(day)])}
    return days, max((r["run_id"] for r in pending), default=through)


def validatable(day: str) -> bool:
    """Whether VEE validates the partition ``day``: one of the years the API serves."""
    return SERVED_YEARS[0] <= int(day[:4]) <= SERVED_YEARS[1]


def _next_day(day: str) -> str | None:
    """The partition value of the day after ``day`` (none after 9999-12-31)."""
    current = lake_io.as_day(day)
    return None if current == date.max else date_str(current + timedelta(days=1))


def validate_days(
    layout: LakeLayout,
    job: VeeJob,
    days: set[str],
    ingest_runs_through: str = "",
    extra_edits: pa.Table | None = None,
) -> VeeReport:
    """Validate ``days`` in one transaction under the writer lock (``extra_edits`` are staged)."""
    with writer_lock(layout):
        recover(layout)
        txn = Transaction(layout, job.run_id)
        try:
            report = validate_in(layout, txn, job, days, extra_edits)
            report.ingest_runs_through = ingest_runs_through
            txn.write_json(layout.runs / f"{job.run_id}.json", report.to_json())
            txn.commit()
        except BaseException:
            txn.abort()
            raise
        return report


def validate_in(
    layout: LakeLayout,
    txn: Transaction,
    job: VeeJob,
    days: set[str],
    extra_edits: pa.Table | None = None,
) -> VeeReport:
    """Stage the flags and estimates of ``days`` into ``txn`` (the caller commits)."""
    report = VeeReport(job.run_id, job.trigger, sorted(days), started=_now())
    config: dict[str, str | bool | int | float | list[str]] = {"memory_limit": job.memory_limit}
    if job.threads:
        config["threads"] = job.threads
    config["temp_directory"] = str(layout.scratch)
    con = duckdb.connect(config=config)
    try:
        began = time.perf_counter()
        lake_io.load_edits(con, layout, extra_edits)
        report.weather = lake_io.load_temperature(con, layout)
        for batch in batches(report.dates, job.settings.batch_days):
            report.batches += 1
            _batch(con, layout, txn, job, batch, report)
        report.timings["total"] = round(time.perf_counter() - began, 3)
    finally:
        con.close()
    report.finished = _now()
    return report


def batches(days: list[str], span: int) -> Iterator[list[str]]:
    """Sorted days grouped so that each group spans at most ``span`` days."""
    group: list[str] = []
    for day in sorted(days):
        if group and (lake_io.as_day(day) - lake_io.as_day(group[0])).days >= span:
            yield group
            group = []
        group.append(day)
    if group:
        yield group


def _batch(  # noqa: PLR0917 (one batch of a run)
    con: duckdb.DuckDBPyConnection,
    layout: LakeLayout,
    txn: Transaction,
    job: VeeJob,
    days: list[str],
    report: VeeReport,
) -> None:
    first, last = lake_io.as_day(days[0]), lake_io.as_day(days[-1])
    window = lake_io.day_range(
        first - timedelta(days=job.settings.history_days), last + timedelta(days=1)
    )
    began = time.perf_counter()
    files = lake_io.daily_files(layout, window)
    lake_io.load_conflicts(con, layout, days)
    if (last - first).days < job.settings.focus_max_days:
        add_lap(report.timings, "read", began)
        start = datetime.combine(first, datetime.min.time())
        focused = run_focused(
            con, job.settings, job.now, lake_io.reads_source(files), focus_start(start)
        )
        for step, seconds in focused.timings.items():
            report.timings[step] = round(report.timings.get(step, 0.0) + seconds, 3)
        report.context_meters += focused.context_meters
    else:
        lake_io.load_reads(con, files)
        add_lap(report.timings, "read", began)
        began = time.perf_counter()
        run_pass(con, job.settings, job.now)
        add_lap(report.timings, "validate_estimate", began)
    began = time.perf_counter()
    lake_io.stage_results(con, layout, txn, days, job.run_id, job.calendar_timezone)
    add_lap(report.timings, "write", began)
    _count(con, report, days, job.calendar_timezone)


def _count(
    con: duckdb.DuckDBPyConnection, report: VeeReport, days: list[str], calendar_timezone: str
) -> None:
    """Add the batch's reads, flags, estimates and targets (its own days only) to ``report``."""
    local = to_local("reading_date_time", calendar_timezone)
    inside = f"list_contains($days, strftime({local}, '%Y%m%d'))"
    params = {"days": days}
    found = con.execute(
        "SELECT count(*) FROM reads WHERE list_contains($days, date_str)", params
    ).fetchone()
    report.reads += int(found[0]) if found else 0
    for column, table, into in (
        ("rule", "flags", report.flags_by_rule),
        ("method", "estimates", report.estimates_by_method),
    ):
        for key, count in con.execute(
            f"SELECT {column}, count(*) FROM {table} WHERE {inside} GROUP BY 1", params
        ).fetchall():
            into[str(key)] = into.get(str(key), 0) + int(count)
    targets = con.execute(
        f"SELECT count(*) FROM (SELECT make_timestamp(us) AS reading_date_time FROM targets)"
        f" WHERE {inside}",
        params,
    ).fetchall()  # all of it: a pending result blocks the next batch's ``register``
    report.targets += int(targets[0][0]) if targets else 0


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
