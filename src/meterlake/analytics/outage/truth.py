"""A generated fleet's outage ground truth (``truth/outages.csv``, ``truth/zero_usage.csv``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa

from meterlake.analytics.outage.evaluate import OutageScore, score_outages
from meterlake.errors import InputError

_TIMES = ["start", "end"]


@dataclass(frozen=True, eq=False)
class OutageTruth:
    """True outages (one row per meter) and zero-usage periods starting in a window."""

    outages: pd.DataFrame
    zero_usage: pd.DataFrame

    def score(self, events: pa.Table, members: pa.Table) -> OutageScore:
        """Score the lake's ``outage_events`` and ``outage_meters`` rows."""
        return score_outages(self.outages, events.to_pandas(), members.to_pandas(), self.zero_usage)


def load_truth(folder: Path, window: tuple[datetime, datetime]) -> OutageTruth:
    """Read the truth files; outages are kept when they start in ``window``."""
    path = folder / "outages.csv"
    if not path.exists():
        raise InputError(
            f"{path}: no outage ground truth (generate a fleet with meterlake generate)"
        )
    outages = _read(path)
    starts = outages["start"]
    outages = outages[(starts >= window[0]) & (starts < window[1])]
    zero_path = folder / "zero_usage.csv"
    if zero_path.exists():
        zero_usage = _read(zero_path)
    else:
        zero_usage = pd.DataFrame({"meter_id": [], "start": [], "end": [], "kind": []})
        zero_usage = zero_usage.astype(dict.fromkeys(_TIMES, "datetime64[us]"))
    return OutageTruth(outages, zero_usage)


def _read(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype={"meter_id": str, "kind": str})
    return frame.assign(
        **{name: pd.to_datetime(frame[name]).astype("datetime64[us]") for name in _TIMES}
    )
