"""When ``meterlake run`` trains a forecast model, and whether the new one replaces the active one.

The reference trains once, on the first run, and never again (section 4.2). A utility's data moves
on, so the policy (``retrain`` in ``[pipeline]``) chooses:

* ``initial``: train only when the endpoint alias names no model (the reference);
* ``stale`` (default): also when the run's ``data_end`` is ``retrain_after_days`` or more past the
  active model's ``data_end``, or the active model is older than ``retrain_max_age_days``;
* ``always``: every run trains.

A retrained model becomes active only if it promotes (``promote``): ``always``, or
``beats_baseline`` (default), which asks its backtest MASE to be below the seasonal-naive (lag 168)
MASE on the same windows. A first model is always activated, because forecasts need one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from meterlake.config import PipelineSettings

BASELINE = "naive168"


@dataclass(frozen=True)
class Active:
    """What the policy needs to know of the active model."""

    version: str
    data_end: date
    created: datetime


def active_facts(meta: dict[str, Any]) -> Active:
    """The policy's view of a model's stored metadata (``model.json``)."""
    return Active(
        version=str(meta["version"]),
        data_end=datetime.fromisoformat(str(meta["data_end"])).date(),
        created=datetime.fromisoformat(str(meta["created"])),
    )


def retrain_reason(
    params: PipelineSettings, data_end: date, active: Active | None, now: datetime
) -> str | None:
    """Why a run whose history ends at ``data_end`` should train, or ``None`` to keep the model."""
    if active is None:
        return "no model is active"
    if params.retrain == "always":
        return "the retrain policy is 'always'"
    if params.retrain == "initial":
        return None
    behind = (data_end - active.data_end).days
    if behind >= params.retrain_after_days:
        return (
            f"data_end {data_end} is {behind} days past the active model's "
            f"{active.data_end} (retrain_after_days {params.retrain_after_days})"
        )
    age = (now - active.created).days
    if params.retrain_max_age_days is not None and age >= params.retrain_max_age_days:
        return (
            f"the active model is {age} days old "
            f"(retrain_max_age_days {params.retrain_max_age_days})"
        )
    return None


def promotion_refusal(params: PipelineSettings, meta: dict[str, Any]) -> str | None:
    """Why a freshly trained model (its ``model.json``) must not become active, or ``None``."""
    if params.promote == "always":
        return None
    metrics: dict[str, dict[str, float]] = meta.get("metrics", {})
    own = metrics.get(str(meta["kind"]), {}).get("mase")
    baseline = metrics.get(BASELINE, {}).get("mase")
    if own is None or baseline is None:
        return None
    if own >= baseline:
        return f"its backtest MASE {own} does not beat the seasonal-naive {baseline}"
    return None
