"""``meterlake evaluate anomalies``: every detector on the same meters and days, scored.

Reads the lake (nothing is written) and the generator's ground truth (``truth/anomalies.csv``),
runs each detector on the first ``meters`` meters (sorted) of the 12 months before ``data_end``,
times it, and scores its flags (see ``meterlake.analytics.anomaly.evaluate``).
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
from meterlake.analytics.anomaly.evaluate import Score, score, truth_events
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
    scores = []
    for detector in detectors:
        started = time.perf_counter()
        band = detector.band(matrix, weather)
        scores.append(score(detector.name, matrix, band, events, time.perf_counter() - started))
    return scores
