"""VEE operations on one lake, as the facade offers them (``MeterLake.vee()``)."""

from __future__ import annotations

import threading
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from meterlake.config import Settings
from meterlake.errors import InputError
from meterlake.lake.layout import PART_FILE, LakeLayout
from meterlake.lake.lock import writer_lock
from meterlake.lake.runs import new_run_id
from meterlake.lake.transaction import Transaction, recover
from meterlake.vee import edits as editing
from meterlake.vee import queries
from meterlake.vee.quality_report import quality_report, stopped_meters
from meterlake.vee.run import (
    VeeJob,
    VeeReport,
    pending_dates,
    validatable,
    validate_days,
    validate_in,
)

_EDITS_IN_PROCESS = threading.Lock()


class VeeOperations:
    """Validate, estimate, edit and report on the lake at ``layout``."""

    def __init__(self, layout: LakeLayout, settings: Settings, query: queries.Query) -> None:
        """Bind to a lake, its settings and a parameterised query function over its views."""
        self.layout = layout
        self.settings = settings
        self.query = query

    def job(self, trigger: str, now: datetime | None = None) -> VeeJob:
        """A run's parameters from settings."""
        return VeeJob(
            self.settings.vee,
            self.settings.calendar_timezone,
            new_run_id(),
            trigger,
            now or datetime.now(UTC).replace(tzinfo=None),
            self.settings.memory_limit,
            self.settings.threads,
        )

    def validate_pending(
        self, trigger: str = "ingest", now: datetime | None = None
    ) -> VeeReport | None:
        """Validate the days of every ingest since the last VEE run (``None``: nothing new).

        ``now`` (default: the clock) is when a reading counts as from the future.
        """
        days, through = pending_dates(self.layout)
        if not days:
            return None
        return validate_days(self.layout, self.job(trigger, now), days, through)

    def validate(
        self, start: date | None = None, end: date | None = None, now: datetime | None = None
    ) -> VeeReport:
        """Validate again every day with interval reads in ``[start, end)`` (default: all)."""
        days = {
            p.parent.name.removeprefix("date_str=")
            for p in self.layout.table("aggregated_daily").glob(f"date_str=*/{PART_FILE}")
        }
        low = f"{start:%Y%m%d}" if start else ""
        high = f"{end:%Y%m%d}" if end else "99999999"
        chosen = {d for d in days if low <= d < high and validatable(d)}
        if not chosen:
            raise InputError("no days with interval reads to validate in that window")
        return validate_days(self.layout, self.job("manual", now), chosen)

    def edit(self, request: editing.EditRequest, now: datetime | None = None) -> dict[str, Any]:
        """Store an edit (re-validated first), then validate its day again; one commit."""
        editing.check_request(request)
        vee = self.settings.vee
        day = editing.calendar_day(request.reading_date_time, self.settings.calendar_timezone)
        context = editing.reading_context(self.query, request, day, vee)
        findings = (
            editing.revalidate(request.value, request.meter_id, context, vee)
            if request.action == "override"
            and request.value is not None
            and request.reading_type == "INT"
            else []
        )
        refused = editing.blocking(findings)
        if refused and not request.force:
            raise InputError(f"the new value breaks a rule ({refused}); force to keep it")
        row = editing.edit_row(request, context, findings)
        job = self.job("edit", now)
        self._commit_edit(row, job, day)
        stored: dict[str, Any] = row.to_pylist()[0]
        stored["findings"] = [asdict(f) for f in findings]
        stored["vee_run"] = job.run_id
        stored["status"] = self._status(request, context.obis_code)
        return stored

    def _commit_edit(self, row: pa.Table, job: VeeJob, day: str) -> None:
        """Stage the edit's file and its day's new VEE results; commit both at once.

        Edits of one process (a server's request threads) queue for the lake's writer lock
        instead of failing on each other; another process writing still fails fast.
        """
        with _EDITS_IN_PROCESS, writer_lock(self.layout):
            recover(self.layout)
            txn = Transaction(self.layout, job.run_id)
            try:
                name = f"{row['edit_id'][0]}.parquet"
                target = txn.stage(self.layout.table("reading_edits") / name)
                target.parent.mkdir(parents=True, exist_ok=True)
                pq.write_table(row, target, compression="zstd")
                report = validate_in(self.layout, txn, job, {day}, extra_edits=row)
                txn.write_json(self.layout.runs / f"{job.run_id}.json", report.to_json())
                txn.commit()
            except BaseException:
                txn.abort()
                raise

    def _status(self, request: editing.EditRequest, obis_code: str) -> str | None:
        moment = request.reading_date_time
        rows = queries.validated_readings(
            self.query, request.meter_id, moment, moment + timedelta(microseconds=1)
        )
        for row in rows:
            if row["reading_type"] == request.reading_type and row["obis_code"] == obis_code:
                return str(row["status"])
        return None

    def readings(self, meter_id: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """A meter's readings and estimated slots with their status."""
        _check_window(start, end)
        return queries.validated_readings(self.query, meter_id, start, end)

    def consumption(
        self, meter_id: str, start: datetime, end: datetime, period: str, with_estimates: bool
    ) -> list[dict[str, Any]]:
        """Interval kWh per period, with or without estimates, and how much is estimated."""
        _check_window(start, end)
        if period not in queries.PERIODS:
            raise InputError(f"unknown period {period!r}; allowed: {', '.join(queries.PERIODS)}")
        return queries.validated_consumption(
            self.query, meter_id, start, end, period, with_estimates
        )

    def flags(
        self, meter_id: str, start: datetime, end: datetime, rule: str | None, limit: int
    ) -> list[dict[str, Any]]:
        """A meter's flags in a window."""
        _check_window(start, end)
        known = type(self.settings.vee.rules).model_fields
        if rule is not None and rule not in known:
            raise InputError(f"unknown rule {rule!r}; allowed: {', '.join(known)}")
        return queries.flags(self.query, meter_id, start, end, rule, limit)

    def edits(self, meter_id: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """The audit log of edits, newest first."""
        return queries.edits(self.query, meter_id, limit)

    def quality(self, start: date, end: date, meter_id: str | None = None) -> list[dict[str, Any]]:
        """The data-quality report per meter for the days ``[start, end)``."""
        if end <= start:
            raise InputError("end must be after start")
        return quality_report(
            self.query, (start, end), meter_id, self.settings.vee.stopped_after_hours
        )

    def stopped(self, start: date, end: date) -> list[dict[str, Any]]:
        """Meters that stopped reporting, as of the report's period."""
        return stopped_meters(self.quality(start, end))


def _check_window(start: datetime, end: datetime) -> None:
    if end <= start:
        raise InputError("end must be after start")
