"""The audit log grew ``role`` and ``note``: edits written before read with them as null."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from meterlake import schema
from meterlake.lake.catalog import view_statements
from meterlake.lake.layout import LakeLayout


def _edit(user: str, **extra: object) -> dict[str, object]:
    moment = datetime(2013, 1, 5, 12)
    return {
        "edit_id": user, "meter_id": "X1", "obis_code": "1-0:1.29.0", "reading_type": "INT",
        "reading_date_time": moment, "action": "accept", "value": None, "previous_value": 1.0,
        "reason": "r", "user": user, "edited_at": moment, "findings": "[]", **extra,
    }  # fmt: skip


def test_edits_older_than_roles_read_with_null_role_and_note(tmp_path: Path):
    layout = LakeLayout(tmp_path)
    folder = layout.table("reading_edits")
    folder.mkdir(parents=True)
    before = pa.schema([f for f in schema.READING_EDITS if f.name not in ("role", "note")])
    pq.write_table(pa.Table.from_pylist([_edit("ana")], schema=before), folder / "a.parquet")
    con = duckdb.connect()
    for statement in view_statements(layout):
        con.execute(statement)
    assert con.execute('SELECT "user", role, note FROM reading_edits').fetchall() == [
        ("ana", None, None)
    ]
    row = _edit("editor-1", role="editor", note="ana")
    pq.write_table(pa.Table.from_pylist([row], schema=schema.READING_EDITS), folder / "b.parquet")
    for statement in view_statements(layout):
        con.execute(statement)
    rows = con.execute('SELECT "user", role, note FROM reading_edits ORDER BY 1').fetchall()
    assert rows == [("ana", None, None), ("editor-1", "editor", "ana")]
