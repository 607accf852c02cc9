"""Where every zone and table of a lake lives under its root (reference sections 1.2, 3.4, 3.5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path


def date_str(day: date) -> str:
    """A day as its ``date_str`` partition value, ``yyyyMMdd``.

    Zero-padded before year 1000, as DuckDB and Spark write it (Python's ``%Y`` is not).
    """
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


#: Table name -> folder relative to the lake root.
TABLE_DIRS = {
    "daily": "business/daily",
    "aggregated_daily": "business/aggregated/daily",
    "aggregated_weekly": "business/aggregated/weekly",
    "aggregated_monthly": "business/aggregated/monthly",
    "quarantine": "quarantine",
    "anomaly": "business/anomaly",
    "outage_events": "business/outage/events",
    "outage_meters": "business/outage/meters",
    "forecast": "business/forecast",
    "weather": "business/reference/weather",
    "geodata": "business/reference/geodata",
    "full_geo": "business/reference/full_geo",
    "cis": "business/reference/cis",
    "households": "business/reference/households",
    "clean": "clean",
    "reading_flags": "business/vee/flags",
    "reading_estimates": "business/vee/estimates",
    "reading_conflicts": "business/vee/conflicts",
    "reading_edits": "business/vee/edits",
}

#: Every partition folder holds exactly one data file of this name.
PART_FILE = "part-0.parquet"


@dataclass(frozen=True)
class LakeLayout:
    """Paths of one lake rooted at ``root``."""

    root: Path

    @property
    def landing(self) -> Path:
        """Folder where MDMS exports are dropped."""
        return self.root / "landing"

    @property
    def meta(self) -> Path:
        """Internal state: ledger, run records, transactions, engine scratch space."""
        return self.root / "_meterlake"

    @property
    def ledger(self) -> Path:
        """The ingested-files ledger."""
        return self.meta / "ledger.json"

    @property
    def runs(self) -> Path:
        """One JSON record per run."""
        return self.meta / "runs"

    @property
    def pipeline_runs(self) -> Path:
        """One JSON record per pipeline run (``meterlake run``)."""
        return self.meta / "pipeline_runs"

    @property
    def state_file(self) -> Path:
        """The reference's "distinct dates" state file (section 3.3)."""
        return self.meta / "glue_workflow_distinct_dates.json"

    @property
    def transactions(self) -> Path:
        """Staging folders of runs in progress."""
        return self.meta / "txn"

    @property
    def scratch(self) -> Path:
        """Engine spill space."""
        return self.meta / "tmp"

    @property
    def models(self) -> Path:
        """The model store: versioned forecast models and their aliases."""
        return self.root / "models"

    def table(self, name: str) -> Path:
        """Folder of a table by its reference name."""
        return self.root / TABLE_DIRS[name]

    def relative(self, path: Path) -> Path:
        """``path`` relative to the root."""
        return path.relative_to(self.root)
