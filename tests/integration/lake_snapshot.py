"""Comparable contents of a lake, for equality tests.

``snapshot``: the business tables only (a lake rebuilt in one run equals one built in two).
``full_snapshot``: every zone and record, so that a crash test sees a half-written clean zone,
quarantine, VEE table, ledger, state file or run record too.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from meterlake.lake.catalog import VIEWS
from meterlake.service import MeterLake

TABLES = ("daily", "aggregated_daily", "aggregated_weekly", "aggregated_monthly")
#: Fields of a run record that differ between two runs doing the same work.
VOLATILE = ("started", "finished", "timings")
#: Lock files and the staging folders that the next writer recovers: not the lake's contents.
#: Run records are compared one by one (their file names are run ids).
NOT_CONTENT = (
    "_meterlake/transactions/",
    "_meterlake/scratch/",
    "_meterlake/writer.lock",
    "_meterlake/runs/",
)

#: The shape of ``meterlake.lake.runs.new_run_id``.
RUN_ID = re.compile(r"\d{8}T\d{6}Z-[0-9a-f]{6}")

Rows = list[tuple[Any, ...]]


def snapshot(lake: MeterLake) -> dict[str, Rows]:
    """Every row of the business tables, sorted."""
    return {table: _sorted_rows(lake, table) for table in TABLES}


def full_snapshot(lake: MeterLake) -> dict[str, Any]:
    """Every view, the ledger, the state file, the run records and the data files' names.

    Run ids are replaced by their order (``run0``, ``run1``...) so that a rerun of the same work
    compares equal; an ingest run that skipped every file (a rerun after a crash that had
    already committed) changed nothing and is left out, its id read as the run before it.
    """
    names = _run_names(lake.layout.runs)
    found: dict[str, Any] = {view: _sorted_table(lake, view, names) for view in VIEWS}
    found["ledger"] = _renamed(_json(lake.layout.ledger), names)
    found["state"] = _json(lake.layout.state_file)
    found["runs"] = [
        _renamed({k: v for k, v in _json(path).items() if k not in VOLATILE}, names)
        for path in sorted(lake.layout.runs.glob("*.json"))
        if not _no_op(path)
    ]
    root = lake.layout.root
    files = [p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()]
    found["files"] = sorted(_renamed(n, names) for n in files if not n.startswith(NOT_CONTENT))
    return found


def _sorted_rows(lake: MeterLake, table: str) -> Rows:
    rows = lake.sql(f"SELECT * FROM {table}").to_pylist()
    return sorted((tuple(row.values()) for row in rows), key=lambda r: tuple(map(str, r)))


def _sorted_table(lake: MeterLake, table: str, names: dict[str, str]) -> pa.Table:
    """All rows, run ids renamed (a run id may be a column or inside a text: a flag's detail)."""
    rows = lake.sql(f"SELECT * FROM {table}")
    renamed = pa.table([_renamed_column(c, names) for c in rows.columns], names=rows.column_names)
    return renamed.sort_by([(name, "ascending") for name in renamed.column_names])


def _renamed_column(column: pa.ChunkedArray, names: dict[str, str]) -> pa.ChunkedArray:
    if not pa.types.is_string(column.type):
        return column
    for run_id, name in names.items():
        column = pc.replace_substring(column, run_id, name)
    return column


def _run_names(runs: Path) -> dict[str, str]:
    names: dict[str, str] = {}
    done, last = 0, "none"
    for path in sorted(runs.glob("*.json")):  # run ids sort by their start
        if not _no_op(path):
            done, last = done + 1, f"run{done}"
        names[path.stem] = last
    return names


def _no_op(path: Path) -> bool:
    record = _json(path)
    return record.get("kind", "ingest") == "ingest" and all(
        f["status"] == "skipped" for f in record.get("files", [])
    )


def _renamed(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, str):
        return RUN_ID.sub(lambda found: names.get(found[0], found[0]), value)
    if isinstance(value, dict):
        return {k: _renamed(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v, names) for v in value]
    return value


def _json(path: Path) -> Any:
    return json.loads(path.read_text()) if path.exists() else None
