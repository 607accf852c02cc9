"""One writer per lake: an advisory file lock that the OS releases when a process dies."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager

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
        handle.truncate(0)
        handle.write(str(os.getpid()))
        handle.flush()
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
