"""One writer per lake: an advisory file lock that the OS releases when a process dies."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from meterlake.errors import LakeError
from meterlake.lake.layout import LakeLayout


@contextmanager
def writer_lock(layout: LakeLayout) -> Iterator[None]:
    """Hold the lake's writer lock or fail at once with a clear message."""
    layout.meta.mkdir(parents=True, exist_ok=True)
    path = layout.meta / "writer.lock"
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise LakeError(
                f"{layout.root}: another meterlake process is writing this lake"
            ) from exc
        _name_holder(handle)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def commit_lock(layout: LakeLayout, *, shared: bool) -> Iterator[None]:
    """Shared by readers while they plan and run a query, exclusive while a commit renames.

    So a reader sees the lake before or after a run, never between.
    """
    layout.meta.mkdir(parents=True, exist_ok=True)
    with (layout.meta / "commit.lock").open("a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def pipeline_lock(layout: LakeLayout, *, wait: bool = False) -> Iterator[None]:
    """Hold the lake's pipeline lock: at most one ``meterlake run`` per lake.

    The OS drops the lock when its holder dies, so a crashed run never leaves a stale lock:
    the file may remain, but it is free. Without ``wait`` a busy lock fails at once, naming
    the holder's process id.
    """
    layout.meta.mkdir(parents=True, exist_ok=True)
    path = layout.meta / "pipeline.lock"
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise LakeError(
                f"{layout.root}: a pipeline run is already in progress (pid {holder});"
                " use --wait to queue behind it"
            ) from exc
        _name_holder(handle)
        try:
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)


def pipeline_busy(layout: LakeLayout) -> bool:
    """Whether some process holds the pipeline lock now."""
    path = layout.meta / "pipeline.lock"
    if not path.exists():
        return False
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def _name_holder(handle: IO[str]) -> None:
    """Write this process's id into a lock file it holds (error messages name it)."""
    handle.truncate(0)
    handle.write(str(os.getpid()))
    handle.flush()
