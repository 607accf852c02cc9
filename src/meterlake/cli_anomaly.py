"""``meterlake detect`` and ``meterlake evaluate anomalies`` (registered by ``meterlake.cli``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from meterlake.analytics.anomaly.batches import MAX_BATCH_SIZE
from meterlake.analytics.anomaly.evaluate import Score
from meterlake.config import load_settings
from meterlake.errors import InputError
from meterlake.pipeline.detect import DetectOptions
from meterlake.pipeline.evaluate_anomalies import EvaluateOptions
from meterlake.progress import rich_progress
from meterlake.service import MeterLake

console = Console()
errors = Console(stderr=True)
evaluate_app = typer.Typer(no_args_is_help=True, help="Score analytics against ground truth.")

RootOption = Annotated[
    Path | None, typer.Option("--root", help="lake root (default: MLK_ROOT or the current folder)")
]
DataEndOption = Annotated[
    str | None,
    typer.Option("--data-end", help="end of history, exclusive (default: day after the last read)"),
]


def detect_command(
    root: RootOption = None,
    detector: Annotated[str, typer.Option(help="default or prophet")] = "default",
    data_end: DataEndOption = None,
    batch_size: Annotated[
        int, typer.Option(help=f"meters per batch (at most {MAX_BATCH_SIZE})")
    ] = MAX_BATCH_SIZE,
    seed: Annotated[int, typer.Option(help="seed of Prophet's interval draws")] = 0,
) -> None:
    """Find days of unusual consumption (spikes and dips) of meters with new days.

    Looks at the 12 months before --data-end (default: [pipeline] data_end, else the day after
    the last read) and writes into the anomaly table.
    """
    lake = MeterLake(load_settings(root=root))
    end = _day(data_end) or lake.settings.pipeline.data_end
    options = DetectOptions(detector, end, batch_size, seed)
    with rich_progress(errors, lake.settings.progress) as progress:
        report = lake.detect(options, progress)
    console.print(
        f"run {report.run_id}: {report.detector} detector, days {report.first_day} .. before"
        f" {report.data_end}, {report.batches} batch(es), {report.meters_written} meter(s)"
        f" written, {report.meters_skipped} unchanged, {report.rows_written:,} rows"
        f" ({report.spikes} spikes, {report.dips} dips), weather={report.weather},"
        f" {report.seconds:.2f} s"
    )


@evaluate_app.command("anomalies")
def evaluate_anomalies_command(  # noqa: PLR0917 (Typer maps each option to a parameter)
    truth: Annotated[Path, typer.Option(help="anomalies.csv or the truth/ folder")] = Path("truth"),
    root: RootOption = None,
    detector: Annotated[
        list[str] | None, typer.Option(help="detectors to compare (default: all)")
    ] = None,
    meters: Annotated[int | None, typer.Option(help="first N meters only")] = None,
    data_end: DataEndOption = None,
    weather: Annotated[bool, typer.Option(help="let detectors use weather when loaded")] = True,
    exclude_kind: Annotated[
        list[str] | None, typer.Option(help="leave these event kinds' days out of the score")
    ] = None,
) -> None:
    """Day-level precision, recall, F1, event recall and run time of each detector."""
    lake = MeterLake(load_settings(root=root))
    options = EvaluateOptions(
        truth=truth,
        detectors=tuple(detector or ("default", "prophet")),
        meters=meters,
        data_end=_day(data_end),
        use_weather=weather,
        exclude_kinds=tuple(exclude_kind or ()),
    )
    print_scores(lake.evaluate_anomalies(options))


def print_scores(scores: list[Score]) -> None:
    """One row per detector, event recall per kind, then the speed ratio to the slowest."""
    table = Table(
        "detector", "meters", "days", "labelled", "flagged", "precision", "recall", "F1",
        "event recall", "coverage", "seconds", "ms/meter",
    )  # fmt: skip
    for s in scores:
        table.add_row(
            s.detector, str(s.meters), f"{s.days:,}", f"{s.labelled:,}", f"{s.flagged:,}",
            f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}", f"{s.event_recall:.3f}",
            f"{s.coverage:.4f}", f"{s.seconds:.3f}", f"{s.ms_per_meter:.3f}",
        )  # fmt: skip
    console.print(table)
    for s in scores:
        kinds = ", ".join(f"{kind} {value:.2f}" for kind, value in s.recall_by_kind.items())
        console.print(f"{s.detector} event recall by kind: {kinds}")
    slowest = max(scores, key=lambda s: s.seconds)
    for s in scores:
        if s is not slowest and s.seconds > 0:
            ratio = slowest.seconds / s.seconds
            console.print(f"{s.detector}: {ratio:,.0f}x faster than {slowest.detector}")


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InputError(f"not a date (YYYY-MM-DD): {text!r}") from exc
