"""Rich progress bars behind the pipeline's ``Progress`` callback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


@contextmanager
def rich_progress(
    console: Console, enabled: bool
) -> Iterator[Callable[[str, int], Callable[[int], None]]]:
    """Yield a ``progress(description, total) -> advance`` factory drawing one bar per step."""
    bars = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=not enabled,
        transient=False,
    )

    def start(description: str, total: int) -> Callable[[int], None]:
        task = bars.add_task(description, total=max(total, 1))
        return lambda units: bars.advance(task, units)

    with bars:
        yield start
