"""Score a detector's flags against ground-truth anomaly windows (the generator's ``truth/``).

A meter-day is *labelled* when a true anomaly window overlaps it; a day is *flagged* when the
detector says spike or dip. Day-level precision, recall and F1 count the observed meter-days of
the evaluated matrix; an event counts as found when any of its observed days is flagged. The
band's coverage is the share of unlabelled days inside it (0.98 is the target of both detectors).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import numpy.typing as npt

from meterlake.analytics.anomaly.matrix import Band, DailyMatrix

Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class TruthEvent:
    """One labelled anomaly: meter, kind, first day and last day (inclusive)."""

    meter_id: str
    kind: str
    first: np.datetime64
    last: np.datetime64


@dataclass
class Score:
    """How one detector did on the evaluated meter-days."""

    detector: str
    meters: int
    days: int
    seconds: float
    precision: float
    recall: float
    f1: float
    event_recall: float
    coverage: float
    flagged: int
    labelled: int
    recall_by_kind: dict[str, float] = field(default_factory=dict)

    @property
    def ms_per_meter(self) -> float:
        """Run time per meter in milliseconds."""
        return 1000.0 * self.seconds / max(self.meters, 1)


def truth_events(rows: list[dict[str, str]]) -> list[TruthEvent]:
    """Events from ``anomalies.csv`` rows (``meter_id, start, end, kind``; ``end`` exclusive)."""
    events = []
    for row in rows:
        start = datetime.fromisoformat(row["start"])
        end = datetime.fromisoformat(row["end"])
        first = np.datetime64(start.date(), "D")
        last = np.datetime64(end, "s") - np.timedelta64(1, "s")
        events.append(TruthEvent(row["meter_id"], row["kind"], first, last.astype("datetime64[D]")))
    return events


@dataclass(frozen=True)
class EventSpan:
    """Where one event lies in a matrix: its meter's row and its day columns ``[first, stop)``."""

    kind: str
    row: int
    first: int
    stop: int


def day_labels(matrix: DailyMatrix, events: list[TruthEvent]) -> tuple[Bools, list[EventSpan]]:
    """Labelled meter-days, and the span of each event that falls inside the matrix."""
    rows = {meter: index for index, meter in enumerate(matrix.meter_ids)}
    labels = np.zeros(matrix.values.shape, dtype=bool)
    spans = []
    for event in events:
        row = rows.get(event.meter_id)
        first = int(np.searchsorted(matrix.days, event.first, side="left"))
        stop = int(np.searchsorted(matrix.days, event.last, side="right"))
        if row is None or stop <= first:
            continue
        labels[row, first:stop] = True
        spans.append(EventSpan(event.kind, row, first, stop))
    return labels & matrix.observed, spans


def score(
    name: str,
    matrix: DailyMatrix,
    band: Band,
    events: list[TruthEvent],
    seconds: float,
) -> Score:
    """Precision, recall, F1, event recall and coverage of one detector's band."""
    observed = matrix.observed & np.isfinite(band.lower) & np.isfinite(band.upper)
    values = np.where(observed, matrix.values, 0.0)
    inside = (values >= band.lower) & (values <= band.upper)
    flagged = observed & ~inside
    labels, spans = day_labels(matrix, events)
    labels &= observed
    hits = int((flagged & labels).sum())
    precision = hits / max(int(flagged.sum()), 1)
    recall = hits / max(int(labels.sum()), 1)
    seen = [span for span in spans if observed[span.row, span.first : span.stop].any()]
    found = [bool(flagged[span.row, span.first : span.stop].any()) for span in seen]
    kinds = [span.kind for span in seen]
    by_kind = {
        kind: float(np.mean([f for f, k in zip(found, kinds, strict=True) if k == kind]))
        for kind in sorted(set(kinds))
    }
    normal = observed & ~labels
    return Score(
        detector=name,
        meters=len(matrix.meter_ids),
        days=int(observed.sum()),
        seconds=seconds,
        precision=precision,
        recall=recall,
        f1=2 * precision * recall / max(precision + recall, 1e-12),
        event_recall=float(np.mean(found)) if found else 0.0,
        coverage=float(inside[normal].mean()) if normal.any() else 0.0,
        flagged=int(flagged.sum()),
        labelled=int(labels.sum()),
        recall_by_kind=by_kind,
    )
