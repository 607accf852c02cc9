"""The ingest run: landing files -> clean zone -> business ``daily`` -> the three aggregates.

Incremental and idempotent: files are known by content hash; a run rewrites only the daily
partitions its rows touch and the weeks and months containing them; everything is staged in a
run-scoped transaction and committed at once (see ``meterlake.lake.transaction``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from meterlake import schema
from meterlake.engines.base import Engine, MergeBatch, RawSource, Reject, StagedFile
from meterlake.errors import AccountingError, RejectedFileError
from meterlake.formats.layout import CsvLayout
from meterlake.formats.tabular import Tabular, tabular_kind, to_text
from meterlake.lake.layout import PART_FILE, LakeLayout
from meterlake.lake.ledger import Ledger, LedgerEntry
from meterlake.lake.lock import writer_lock
from meterlake.lake.transaction import Transaction, recover
from meterlake.pipeline import calendar
from meterlake.pipeline.choose import FormatChoice, choose_layout, choose_tabular, reference_table
from meterlake.pipeline.discover import discover
from meterlake.pipeline.reconcile import scan_rows
from meterlake.pipeline.reference_tables import merge_reference
from meterlake.pipeline.report import FileOutcome, FileStatus, RunReport
from meterlake.pipeline.sources import Source, open_sources
from meterlake.pipeline.staging import stage
from meterlake.reference import read_reference

#: Rows of new clean data de-duplicated in one engine statement (bounds memory at full scale).
MERGE_BATCH_ROWS = 20_000_000

#: progress(step description, total units) -> advance(units) callback.
Progress = Callable[[str, int], Callable[[int], None]]


def no_progress(description: str, total: int) -> Callable[[int], None]:
    """A progress sink that shows nothing."""
    del description, total
    return lambda _units: None


def ingest(  # noqa: PLR0917 (the service passes everything a run needs)
    lake: LakeLayout,
    engine: Engine,
    run_id: str,
    paths: Sequence[Path] | None = None,
    progress: Progress = no_progress,
    formats: FormatChoice | None = None,
) -> RunReport:
    """Ingest new files from ``paths`` (default: the landing folder) in one atomic run."""
    formats = formats or FormatChoice()
    with writer_lock(lake):
        recover(lake)
        ledger = Ledger.load(lake.ledger)
        report = RunReport(
            run_id=run_id,
            started=_now(),
            first_run=not lake.runs.exists() or not any(lake.runs.iterdir()),
            engine=engine.name,
            schema_version=schema.SCHEMA_VERSION,
        )
        txn = Transaction(lake, run_id)
        try:
            _run(_Run(lake, engine, ledger, txn, report, progress, formats), paths)
            report.finished = _now()
            txn.write_json(lake.runs / f"{run_id}.json", report.to_json())
            txn.commit()
        except BaseException:
            txn.abort()
            raise
        return report


@dataclass(frozen=True)
class _Run:
    """What every step of one run works with."""

    lake: LakeLayout
    engine: Engine
    ledger: Ledger
    txn: Transaction
    report: RunReport
    progress: Progress
    formats: FormatChoice
    references: dict[str, list[tuple[int, pa.Table]]] = field(default_factory=dict)


def _run(run: _Run, paths: Sequence[Path] | None) -> None:
    lake, engine, ledger, txn, report, progress = (
        run.lake, run.engine, run.ledger, run.txn, run.report, run.progress,
    )  # fmt: skip
    candidates = discover(paths or [lake.landing]) if paths or lake.landing.exists() else []
    rejects: dict[int, list[Reject]] = {}
    staged: dict[int, StagedFile] = {}
    with _timed(report, "read"):
        advance = progress("reading files", sum(p.stat().st_size for p in candidates))
        seen: set[str] = set()
        for path in candidates:
            for outcome, found, staged_file in _read_file(run, seen, path):
                rejects[len(report.files)] = found
                if staged_file is not None:
                    staged[len(report.files)] = staged_file
                report.files.append(outcome)
            advance(path.stat().st_size)
    dates = _merge(run, staged)
    _merge_references(run)
    with _timed(report, "aggregate"):
        _roll_up(lake, engine, txn, dates)
    report.dates = sorted(dates)
    _write_quarantine(lake, txn, report, rejects)
    for outcome in report.files:
        if outcome.status != "skipped":
            ledger.add(_entry(outcome, report.run_id))
    txn.write_json(lake.ledger, ledger.to_json())
    txn.write_json(lake.state_file, {"dates": report.dates, "first_run": report.first_run})


_Read = tuple[FileOutcome, list[Reject], StagedFile | None]


def _read_file(run: _Run, seen: set[str], path: Path) -> Iterator[_Read]:
    """Read every stream of one landing file (an archive has several)."""
    shown = _shown(run.lake, path)
    try:
        sources = list(open_sources(path, shown, run.txn.scratch))
    except RejectedFileError as exc:
        yield FileOutcome(shown, "rejected", size=path.stat().st_size, reason=exc.reason), [], None
        return
    for source in sources:
        yield _read_source(run, seen, source, len(run.report.files))


def _read_source(run: _Run, seen: set[str], source: Source, seq: int) -> _Read:
    known = run.ledger.ingested(source.sha)
    if known is not None or source.sha in seen:
        origin = f"run {known.run_id} ({known.file})" if known else "this run"
        return _outcome(source, "skipped", f"same content already ingested in {origin}"), [], None
    seen.add(source.sha)
    table = reference_table(source, run.formats)
    try:
        if table is not None:
            return _read_reference(run, source, table, seq)
        return _read_readings(run, source, seq)
    except RejectedFileError as exc:
        return _outcome(source, "rejected", exc.reason), [], None


def _read_readings(run: _Run, source: Source, seq: int) -> _Read:
    tabular: Tabular | None = None
    kind = tabular_kind(source.head) if source.raw.compression == "none" else None
    if kind is not None:
        tabular = to_text(source.raw.path, kind, run.txn.scratch / f"records{seq}.csv")
        layout, raw = choose_tabular(source, tabular, run.formats)
    else:  # a MRASCo flow is converted to text too (``tabular``: its lines and bad lines)
        flow = run.txn.scratch / f"flow{seq}.csv"
        layout, raw, tabular = choose_layout(source, run.formats, flow)
    staging = stage(run.engine, raw, layout, run.txn.scratch, seq)
    staged = staging.staged
    found = sorted([*staging.unread, *_account(staging.raw, layout, staged)], key=lambda r: r.line)
    unreadable: tuple[Reject, ...] = ()
    if tabular is not None:
        unreadable = tabular.bad_records
        found = [Reject(tabular.origin(r.line), r.raw, r.reason) for r in found]
        found = sorted([*unreadable, *found], key=lambda r: r.line)
    outcome = _outcome(source, "ingested")
    outcome.reader = layout.name
    outcome.rows_read = staged.rows + len(staged.rejects) + len(unreadable) + len(staging.unread)
    outcome.rows_clean = staged.rows - staged.invalid_rows
    outcome.quarantined = len(found)
    outcome.null_values = staged.null_values
    return outcome, found, staged


def _read_reference(run: _Run, source: Source, table: str, seq: int) -> _Read:
    read = read_reference(source.raw.path, table)
    run.references.setdefault(table, []).append((seq, read.rows))
    outcome = _outcome(source, "ingested")
    outcome.reader = f"reference:{table}"
    outcome.rows_read = read.rows_read
    outcome.rows_clean = read.rows.num_rows
    outcome.quarantined = len(read.bad)
    return outcome, [Reject(b.line, b.raw, b.reason) for b in read.bad], None


def _outcome(source: Source, status: FileStatus, reason: str = "") -> FileOutcome:
    return FileOutcome(source.shown, status, sha=source.sha, size=source.size, reason=reason)


def _merge_references(run: _Run) -> None:
    for table, deliveries in sorted(run.references.items()):
        superseded = merge_reference(run.lake, run.txn, table, [rows for _, rows in deliveries])
        for (seq, _), count in zip(deliveries, superseded, strict=True):
            run.report.files[seq].duplicates = count
            run.report.files[seq].rows_clean -= count


def _account(raw: RawSource, layout: CsvLayout, staged: StagedFile) -> list[Reject]:
    """Engine rejects plus, when the engine staged rows the merge leaves out, their lines."""
    found = list(staged.rejects)
    if not staged.invalid_rows:
        return found
    rows, invalid = scan_rows(raw, layout, {r.line for r in found})
    if len(invalid) != staged.invalid_rows or rows != staged.rows + len(staged.rejects):
        detail = (
            f"engine read {staged.rows} rows ({staged.invalid_rows} invalid) and rejected"
            f" {len(staged.rejects)}; a rescan found {rows} rows ({len(invalid)} invalid)"
        )
        raise AccountingError(raw.path, detail)
    return sorted(found + invalid, key=lambda r: r.line)


def _merge(run: _Run, staged: dict[int, StagedFile]) -> set[str]:
    lake, txn, report = run.lake, run.txn, run.report
    existing = _partitions(lake.table("daily"), "reading_type=*/date_str=*")
    rows_by_month: dict[tuple[int, int], int] = {}
    for staged_file in staged.values():
        for month, rows in staged_file.rows_by_month.items():
            rows_by_month[month] = rows_by_month.get(month, 0) + rows
    dates: set[str] = set()
    dropped: dict[int, int] = {}
    with _timed(report, "merge"):
        advance = run.progress("building business zone", sum(rows_by_month.values()))
        for months in _batches(rows_by_month, MERGE_BATCH_ROWS):
            prefixes = tuple(f"{year:04d}{month:02d}" for year, month in months)
            merged = run.engine.merge(
                MergeBatch(
                    staged=_by_layout(staged, months),
                    existing={k: v for k, v in existing.items() if k[1].startswith(prefixes)},
                    daily_out=txn.stage(lake.table("daily")),
                    aggregate_out=txn.stage(lake.table("aggregated_daily")),
                    clean_out=txn.stage(lake.table("clean") / f"run_id={report.run_id}"),
                    calendar_timezone=run.formats.calendar_timezone,
                    conflicts_out=txn.stage(
                        lake.table("reading_conflicts") / f"run_id={report.run_id}"
                    ),
                )
            )
            dates |= merged.interval_dates
            for seq, count in merged.duplicates_by_file.items():
                dropped[seq] = dropped.get(seq, 0) + count
            advance(sum(rows_by_month[key] for key in months))
    for seq in staged:
        outcome = report.files[seq]
        outcome.duplicates = dropped.get(seq, 0)
        outcome.rows_clean -= outcome.duplicates
    return dates


def _by_layout(
    staged: dict[int, StagedFile], months: list[tuple[int, int]]
) -> list[tuple[list[Path], CsvLayout]]:
    """Staging files of some months, grouped by the layout that wrote them."""
    groups: dict[CsvLayout, list[Path]] = {}
    for seq in sorted(staged):
        for month in months:
            files = staged[seq].files_by_month.get(month, [])
            groups.setdefault(staged[seq].layout, []).extend(files)
    return [(files, layout) for layout, files in groups.items() if files]


def _batches(months: dict[tuple[int, int], int], limit: int) -> Iterator[list[tuple[int, int]]]:
    """Consecutive months grouped so that each batch holds about ``limit`` rows at most."""
    batch: list[tuple[int, int]] = []
    rows = 0
    for key in sorted(months):
        if batch and rows + months[key] > limit:
            yield batch
            batch, rows = [], 0
        batch.append(key)
        rows += months[key]
    if batch:
        yield batch


def _roll_up(lake: LakeLayout, engine: Engine, txn: Transaction, dates: set[str]) -> None:
    """Recompute every weekly and monthly partition containing a touched day, in one pass each."""
    daily = lake.table("aggregated_daily")
    for kind, days_of in (
        ("weekly", calendar.days_of_weekly_key),
        ("monthly", calendar.days_of_monthly_key),
    ):
        days = {day for key in calendar.keys(dates, kind) for day in days_of(key)}
        files = [
            f
            for day in sorted(days)
            if (f := _current(txn, daily / f"date_str={day}" / PART_FILE)) is not None
        ]
        if files:
            engine.roll_up(files, kind, txn.stage(lake.table(f"aggregated_{kind}")))


def _current(txn: Transaction, final: Path) -> Path | None:
    """The file a partition will hold after this run: staged if rewritten, else committed."""
    staged = txn.staged(final)
    if staged is not None:
        return staged
    return final if final.exists() else None


def _partitions(table: Path, pattern: str) -> dict[tuple[str, str], Path]:
    found = {}
    for path in table.glob(f"{pattern}/{PART_FILE}"):
        first, second = path.parent.parent.name, path.parent.name
        found[(first.split("=", 1)[1], second.split("=", 1)[1])] = path
    return found


def _write_quarantine(
    lake: LakeLayout, txn: Transaction, report: RunReport, rejects: dict[int, list[Reject]]
) -> None:
    rows = [
        {
            "run_id": report.run_id,
            "file": report.files[seq].file,
            "line": r.line,
            "raw": r.raw,
            "reason": r.reason,
        }
        for seq, found in rejects.items()
        for r in found
    ]
    if not rows:
        return
    target = txn.stage(lake.table("quarantine") / f"run_id={report.run_id}" / PART_FILE)
    target.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pylist(rows, schema=schema.QUARANTINE)
    pq.write_table(table.drop_columns(["run_id"]), target, compression="zstd")


def _entry(outcome: FileOutcome, run_id: str) -> LedgerEntry:
    return LedgerEntry(
        sha=outcome.sha,
        file=outcome.file,
        size=outcome.size,
        status="rejected" if outcome.status == "rejected" else "ingested",
        run_id=run_id,
        reader=outcome.reader,
        rows_read=outcome.rows_read,
        rows_clean=outcome.rows_clean,
        duplicates=outcome.duplicates,
        quarantined=outcome.quarantined,
        null_values=outcome.null_values,
        reason=outcome.reason,
    )


def _shown(lake: LakeLayout, path: Path) -> str:
    try:
        return str(path.resolve().relative_to(lake.root.resolve()))
    except ValueError:
        return str(path.resolve())


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@contextmanager
def _timed(report: RunReport, step: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    report.timings[step] = round(time.perf_counter() - start, 3)
