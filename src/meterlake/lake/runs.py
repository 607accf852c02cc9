"""Run records: one JSON document per run under ``_meterlake/runs``."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from meterlake.errors import LakeError


def new_run_id(now: datetime | None = None) -> str:
    """Sortable, unique run id such as ``20261128T021800Z-3fa9c1``."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{secrets.token_hex(3)}"


def load_runs(folder: Path, limit: int | None = None) -> list[dict[str, Any]]:
    """Run records, newest first."""
    if not folder.exists():
        return []
    paths = sorted(folder.glob("*.json"), reverse=True)
    records = []
    for path in paths[:limit]:
        try:
            records.append(json.loads(path.read_text()))
        except ValueError as exc:
            raise LakeError(f"{path}: unreadable run record ({exc})") from exc
    return records
