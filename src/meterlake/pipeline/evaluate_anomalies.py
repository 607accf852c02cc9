"""``meterlake evaluate anomalies``: every detector on the same meters and days, scored.

Reads the lake (nothing is written) and the generator's ground truth (``truth/anomalies.csv``),
runs each detector on the first ``meters`` meters (sorted) of the 12 months before ``data_end``,
times it, and scores its flags (see ``meterlake.analytics.anomaly.evaluate``), optionally
leaving the days of some kinds of event out of the score (``exclude_kinds``).
"""

from __future__ import annotations

import csv
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from meterlake.analytics.anomaly.detectors import DETECTORS, make_detector
from meterlake.analytics.anomaly.evaluate import Score, TruthEvent, day_labels, score, truth_events
from meterlake.analytics.anomaly.matrix import DailyMatrix
from meterlake.errors import InputError
from meterlake.pipeline.daily_inputs import (
    Query,
    default_data_end,
    load_matrix,
    load_weather,
    window,
)

TRUTH_FILE = "anomalies.csv"


@dataclass(frozen=True)
class EvaluateOptions:
    """Which detectors, how many meters, which window, with or without weather."""

    truth: Path
    detectors: Sequence[str] = DETECTORS
    meters: int | None = None
    data_end: date | None = None
    use_weather: bool = True
    seed: int = 0
    exclude_kinds: Sequence[str] = ()


def read_truth(path: Path) -> list[dict[str, str]]:
    """Rows of ``anomalies.csv`` (``path`` may be the file or the ``truth/`` folder)."""
    file = path / TRUTH_FILE if path.is_dir() else path
    if not file.exists():
        raise InputError(f"{file}: no ground-truth file")
    with file.open(newline="") as handle:
        return list(csv.DictReader(handle))


def evaluate_anomalies(query: Query, options: EvaluateOptions) -> list[Score]:
    """One score per detector, same meters and days for all."""
    detectors = [make_detector(name, options.seed) for name in options.detectors]
    events = truth_events(read_truth(options.truth))
    first, last = window(options.data_end or default_data_end(query))
    matrix = load_matrix(query, first, last)
    if options.meters is not None:
        matrix = matrix.take(np.arange(min(options.meters, len(matrix.meter_ids))))
    weather = load_weather(query, matrix.days) if options.use_weather else None
    scored, kept = _without_kinds(matrix, events, options.exclude_kinds)
    scores = []
    for detector in detectors:
        started = time.perf_counter()
        band = detector.band(matrix, weather)
        scores.append(score(detector.name, scored, band, kept, time.perf_counter() - started))
    return scores


def _without_kinds(
    matrix: DailyMatrix, events: list[TruthEvent], kinds: Sequence[str]
) -> tuple[DailyMatrix, list[TruthEvent]]:
    """The matrix to score (days of excluded kinds left out) and the events still scored.

    Detectors still see every day; only the scoring skips the excluded events' days.
    """
    if not kinds:
        return matrix, events
    excluded, _ = day_labels(matrix, [e for e in events if e.kind in kinds])
    values = np.where(excluded, np.nan, matrix.values)
    return DailyMatrix(matrix.meter_ids, matrix.days, values), [
        e for e in events if e.kind not in kinds
    ]
