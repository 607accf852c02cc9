"""Score outage events against a generator's ground truth.

A predicted event matches a true one when their times overlap and they share at least half of
the meters of the smaller of the two; matching is one-to-one, largest overlap first. Start and
restoration errors are measured on matched pairs. The false-event rate on zero-usage meters
counts event memberships of meters that were merely reading zero (ground-truth ``zero_usage``
periods) and were not in a true outage at the time, per zero-usage period.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class OutageScore:
    """Event-level precision and recall, timing errors (minutes) and zero-usage false events."""

    true_events: int
    predicted_events: int
    matched: int
    precision: float
    recall: float
    median_start_error_minutes: float | None
    p90_start_error_minutes: float | None
    median_restoration_error_minutes: float | None
    meter_recall: float | None
    zero_usage_periods: int
    zero_usage_false_memberships: int
    zero_usage_false_rate: float | None


def score_outages(
    truth: pd.DataFrame, events: pd.DataFrame, members: pd.DataFrame, zero_usage: pd.DataFrame
) -> OutageScore:
    """Score ``events``/``members`` (the lake's tables) against ``truth``.

    ``truth``: ``outage_id, meter_id, start, end``; ``zero_usage``: ``meter_id, start, end``;
    times are timestamps, ends exclusive.
    """
    pairs = _matches(truth, members)
    true_times = truth.groupby("outage_id")[["start", "end"]].first()
    event_times = events.set_index("event_id")[["start", "restoration"]].rename(
        columns={"start": "start_pred"}
    )
    matched = pairs.join(true_times, on="outage_id").join(event_times, on="event_id")
    start_error = (matched["start_pred"] - matched["start"]).abs().dt.total_seconds() / 60.0
    end_error = (matched["restoration"] - matched["end"]).abs().dt.total_seconds() / 60.0
    sizes = truth.groupby("outage_id").size()
    false_members = _zero_usage_false(truth, members, zero_usage)
    return OutageScore(
        true_events=len(true_times),
        predicted_events=len(events),
        matched=len(pairs),
        precision=_ratio(len(pairs), len(events)),
        recall=_ratio(len(pairs), len(true_times)),
        median_start_error_minutes=_stat(start_error, 0.5),
        p90_start_error_minutes=_stat(start_error, 0.9),
        median_restoration_error_minutes=_stat(end_error, 0.5),
        meter_recall=_stat(pairs["shared"] / sizes.reindex(pairs["outage_id"]).to_numpy(), None),
        zero_usage_periods=len(zero_usage),
        zero_usage_false_memberships=false_members,
        zero_usage_false_rate=(false_members / len(zero_usage)) if len(zero_usage) else None,
    )


def _matches(truth: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """One-to-one pairs ``outage_id, event_id, shared`` (meters in both)."""
    both = truth.merge(members, on="meter_id", suffixes=("", "_pred"))
    both = both[(both["start_pred"] < both["end"]) & (both["restoration"] > both["start"])]
    shared = both.groupby(["outage_id", "event_id"]).size().rename("shared").reset_index()
    sizes = pd.concat(
        [
            shared["outage_id"].map(truth.groupby("outage_id").size()),
            shared["event_id"].map(members.groupby("event_id").size()),
        ],
        axis=1,
    ).min(axis=1)
    candidates = shared[shared["shared"] * 2 >= sizes].sort_values("shared", ascending=False)
    used_true: set[object] = set()
    used_pred: set[object] = set()
    rows = []
    for outage_id, event_id, count in candidates.itertuples(index=False):
        if outage_id not in used_true and event_id not in used_pred:
            used_true.add(outage_id)
            used_pred.add(event_id)
            rows.append((outage_id, event_id, count))
    return pd.DataFrame(rows, columns=["outage_id", "event_id", "shared"])


def _zero_usage_false(truth: pd.DataFrame, members: pd.DataFrame, zero_usage: pd.DataFrame) -> int:
    """Memberships overlapping a zero-usage period of their meter and no true outage of it."""
    on_zero = members.merge(zero_usage, on="meter_id", suffixes=("", "_zero"))
    on_zero = on_zero[
        (on_zero["start"] < on_zero["end"]) & (on_zero["restoration"] > on_zero["start_zero"])
    ][["event_id", "meter_id", "start", "restoration"]].drop_duplicates()
    explained = on_zero.merge(truth, on="meter_id", suffixes=("", "_true"))
    explained = explained[
        (explained["start"] < explained["end"])
        & (explained["restoration"] > explained["start_true"])
    ][["event_id", "meter_id"]].drop_duplicates()
    return len(on_zero) - len(explained)


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 1.0


def _stat(values: pd.Series | np.ndarray, quantile: float | None) -> float | None:
    array = np.asarray(values, dtype=np.float64)
    if array.size == 0:
        return None
    return float(np.mean(array) if quantile is None else np.quantile(array, quantile))
