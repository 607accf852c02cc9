"""Run-scoped staging with an atomic commit (dlt-style load packages).

A run writes every new or replaced file under ``_meterlake/txn/<run_id>/`` mirroring the lake's
layout. Commit writes a ``COMMIT`` manifest (the list of relative paths), then renames each staged
file over its final path. A crash before ``COMMIT`` exists leaves the lake as it was (the staging
folder is discarded on the next open); a crash after it is rolled forward by ``recover`` on the
next open, so every reader that opens the lake sees it before or after the run, never between.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from meterlake.lake.layout import LakeLayout
from meterlake.lake.lock import commit_lock

MANIFEST = "COMMIT"
SCRATCH = "_scratch"


class Transaction:
    """Staging area of one run."""

    def __init__(self, layout: LakeLayout, run_id: str) -> None:
        """Create the staging folder of ``run_id``."""
        self.layout = layout
        self.run_id = run_id
        self.folder = layout.transactions / run_id
        self.folder.mkdir(parents=True, exist_ok=False)

    @property
    def scratch(self) -> Path:
        """Run-scoped working files that are never committed (removed with the staging folder)."""
        return self.folder / SCRATCH

    def stage(self, final: Path) -> Path:
        """Staging path for a file that will replace ``final`` on commit."""
        return self.folder / self.layout.relative(final)

    def staged(self, final: Path) -> Path | None:
        """The staged version of ``final`` if this run wrote one."""
        path = self.stage(final)
        return path if path.exists() else None

    def write_json(self, final: Path, payload: object) -> None:
        """Stage a JSON document."""
        target = self.stage(final)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(payload, indent=1, sort_keys=True, default=str))

    def commit(self) -> int:
        """Make every staged file visible; returns the number of files moved."""
        shutil.rmtree(self.scratch, ignore_errors=True)
        moves = sorted(
            str(path.relative_to(self.folder))
            for path in self.folder.rglob("*")
            if path.is_file() and path.name != MANIFEST
        )
        manifest = self.folder / MANIFEST
        tmp = manifest.with_suffix(".tmp")
        tmp.write_text(json.dumps(moves))
        _fsync(tmp)
        tmp.replace(manifest)
        with commit_lock(self.layout, shared=False):
            _apply(self.layout, self.folder)
        return len(moves)

    def abort(self) -> None:
        """Discard everything staged."""
        shutil.rmtree(self.folder, ignore_errors=True)


def recover(layout: LakeLayout) -> list[str]:
    """Finish committed runs and discard uncommitted ones; returns the run ids rolled forward."""
    if not layout.transactions.exists():
        return []
    finished = []
    for folder in sorted(layout.transactions.iterdir()):
        if (folder / MANIFEST).exists():
            with commit_lock(layout, shared=False):
                _apply(layout, folder)
            finished.append(folder.name)
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return finished


def _apply(layout: LakeLayout, folder: Path) -> None:
    moves: list[str] = json.loads((folder / MANIFEST).read_text())
    for relative in moves:
        source = folder / relative
        if source.exists():
            target = layout.root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            source.replace(target)
    shutil.rmtree(folder, ignore_errors=True)


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())
