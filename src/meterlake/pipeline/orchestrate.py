"""``meterlake run``: the reference's workflows (sections 3.6, 4.2) as one sequence of steps.

ingest -> anomaly detection -> training (when no model is active or the retrain policy says so)
-> batch forecasts -> outage inference. Each step runs only after the previous one succeeded; a
failing step stops the run, and the next run resumes: every step is incremental or idempotent on
its own, so a step whose work is already in the lake finds nothing to do.

This module is the pure sequencing: steps are callables, the record is a dataclass, and the
only I/O is at the edges (``save_record``, ``load_records``; the caller holds the lock).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from meterlake.errors import LakeError, MeterlakeError, PipelineError

StepStatus = Literal["pending", "running", "succeeded", "skipped", "failed"]
RunStatus = Literal["running", "succeeded", "failed"]


@dataclass
class StepOutcome:
    """What a step reports: counters, warnings, and whether it had nothing to do."""

    counts: dict[str, int] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    skipped: str = ""  # why the step had nothing to do ("" when it did work)


Step = Callable[[], StepOutcome]


@dataclass
class StepRecord:
    """One step of a pipeline run, as stored."""

    name: str
    status: StepStatus = "pending"
    started: str = ""
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    note: str = ""


@dataclass
class PipelineRecord:
    """The record of one pipeline run: id, trigger, parameters, steps, timings and outcome."""

    run_id: str
    trigger: str
    parameters: dict[str, Any]
    steps: list[StepRecord]
    status: RunStatus = "running"
    started: str = ""
    finished: str = ""
    seconds: float = 0.0
    error: str = ""
    pid: int = field(default_factory=os.getpid)

    @property
    def warnings(self) -> list[str]:
        """Every step's warnings, prefixed with the step."""
        return [f"{s.name}: {w}" for s in self.steps for w in s.warnings]

    def to_json(self) -> dict[str, Any]:
        """The record as stored."""
        record = asdict(self)
        record["warnings"] = self.warnings
        return record


def run_steps(
    record: PipelineRecord,
    steps: Sequence[tuple[str, Step]],
    save: Callable[[PipelineRecord], None],
    clock: Callable[[], float] = time.perf_counter,
) -> PipelineRecord:
    """Run ``steps`` in order, saving ``record`` after each change; stop at the first failure.

    A ``MeterlakeError`` in a step becomes a ``PipelineError`` (same exit code) after the
    failed record is saved; any other exception is recorded and re-raised unchanged.
    """
    begun = clock()
    record.started = record.started or _now()
    save(record)
    for (name, step), step_record in zip(steps, record.steps, strict=True):
        step_record.status, step_record.started = "running", _now()
        save(record)
        started = clock()
        try:
            outcome = step()
        except BaseException as exc:
            step_record.status, step_record.note = "failed", f"{type(exc).__name__}: {exc}"
            _finish(record, "failed", clock() - begun, f"{name}: {exc}")
            step_record.seconds = round(clock() - started, 3)
            save(record)
            if isinstance(exc, MeterlakeError):
                raise PipelineError(record.run_id, name, exc) from exc
            raise
        step_record.seconds = round(clock() - started, 3)
        step_record.status = "skipped" if outcome.skipped else "succeeded"
        step_record.note = outcome.skipped
        step_record.counts, step_record.details = outcome.counts, outcome.details
        step_record.warnings = outcome.warnings
        save(record)
    _finish(record, "succeeded", clock() - begun, "")
    save(record)
    return record


def _finish(record: PipelineRecord, status: RunStatus, seconds: float, error: str) -> None:
    record.status, record.finished = status, _now()
    record.seconds, record.error = round(seconds, 3), error


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def save_record(folder: Path, record: PipelineRecord) -> None:
    """Write ``<run_id>.json`` atomically: a temporary file renamed into place."""
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"{record.run_id}.json"
    temporary = folder / f".{record.run_id}.json.tmp"
    temporary.write_text(json.dumps(record.to_json(), indent=1, default=str) + "\n")
    temporary.replace(final)


def load_records(folder: Path, limit: int | None = None) -> list[dict[str, Any]]:
    """Pipeline run records, newest first."""
    if not folder.exists():
        return []
    records = []
    for path in sorted(folder.glob("*.json"), reverse=True)[:limit]:
        try:
            records.append(json.loads(path.read_text()))
        except ValueError as exc:
            raise LakeError(f"{path}: unreadable pipeline run record ({exc})") from exc
    return records
