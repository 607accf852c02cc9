"""Training with backtests, and batch forecasts, over the lake's views.

``train`` takes a deterministic meter sample and the history window, builds hourly panels with
explicit gaps, fits the model on everything before the first test window and scores it beside
the seasonal-naive baselines on the same rolling windows. ``batch_forecast`` forecasts every
meter (or a range of positions) from ``data_end`` in batches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pyarrow as pa

from meterlake.analytics.forecast import data
from meterlake.analytics.forecast.attributes import matrix
from meterlake.analytics.forecast.backtest import Forecaster, Windows, evaluate, rolling_windows
from meterlake.analytics.forecast.calendar import Weather
from meterlake.analytics.forecast.features import CONTEXT
from meterlake.analytics.forecast.kinds import new_model
from meterlake.analytics.forecast.naive import SeasonalNaive
from meterlake.analytics.forecast.series import HourlyPanel
from meterlake.errors import InputError

Advance = Callable[[int], None]
Progress = Callable[[str, int], Advance]
#: Quantile columns of the ``forecast`` table; ``consumption`` repeats P90 (reference 4.7).
TABLE_LEVELS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
TABLE_COLUMNS = tuple(f"p{round(q * 100)}" for q in TABLE_LEVELS)


@dataclass(frozen=True)
class TrainRequest:
    """What ``meterlake train`` may be told (defaults as the reference, section 4.1)."""

    data_start: datetime
    data_end: datetime
    training_samples: int = 500
    model: str = "gbm"
    test_windows: int = 2
    horizon: int = 168
    epochs: int | None = None
    threads: int = 2


@dataclass
class Trained:
    """A fitted model and what is known about it."""

    model: Forecaster
    facts: dict[str, Any]


def train(query: data.Query, request: TrainRequest, progress: Progress) -> Trained:
    """Fit ``request.model`` before the test windows; score it and the baselines on them."""
    if request.data_end <= request.data_start:
        raise InputError("data_end must be after data_start")
    step = progress("loading hourly history", 1)
    meters = data.training_sample(query, request.training_samples)
    lookup = data.attributes(query)
    panel = data.hourly_panel(query, meters, request.data_start, request.data_end)
    panel = replace(panel, attributes=matrix(lookup, panel.meter_ids))
    weather = data.weather(query)
    step(1)
    windows = rolling_windows(request.data_end, request.horizon, request.test_windows)
    _check_history(panel, request, windows)
    model = new_model(request.model, request.epochs, request.threads)
    step = progress(f"training {model.kind} on {len(meters)} meters", 1)
    model.fit(panel.until(windows.train_end), weather)
    step(1)
    step = progress("backtesting", 3)
    metrics = {}
    for name, candidate in ((model.kind, model), *_baselines(model.kind)):
        metrics[name] = evaluate(candidate, panel, windows, weather).as_dict()
        step(1)
    facts = {
        "data_start": request.data_start,
        "data_end": request.data_end,
        "training_samples": request.training_samples,
        "meters": len(meters),
        "weather": weather is not None,
        "attributes": sum(meter in lookup for meter in meters),
        "windows": _describe(windows),
        "metrics": metrics,
    }
    return Trained(model, facts)


#: Days with readings a model needs before its test windows.
MIN_TRAINING_DAYS = 21


def _check_history(panel: HourlyPanel, request: TrainRequest, windows: Windows) -> None:
    """Refuse, saying what the lake holds, a window with too little history to train on."""
    held = _days_with_reads(panel)
    before_tests = _days_with_reads(panel.until(windows.train_end))
    if before_tests >= MIN_TRAINING_DAYS:
        return
    tests = request.data_end - windows.train_end
    needed = MIN_TRAINING_DAYS + -(-tests.total_seconds() // 86400)
    raise InputError(
        f"train needs at least {needed:.0f} days of history before --data-end"
        f" {request.data_end:%Y-%m-%d} ({MIN_TRAINING_DAYS} to train on, then"
        f" {request.test_windows} test window(s) of {request.horizon} h); the lake holds"
        f" {held} in {request.data_start:%Y-%m-%d} .. {request.data_end:%Y-%m-%d}"
    )


def _days_with_reads(panel: HourlyPanel) -> int:
    """Days' worth of hours on which at least one meter of ``panel`` has a reading."""
    return int(np.isfinite(panel.values).any(axis=0).sum()) // 24


def _baselines(kind: str) -> list[tuple[str, Forecaster]]:
    return [(b.kind, b) for b in (SeasonalNaive(168), SeasonalNaive(24)) if b.kind != kind]


def _describe(windows: Windows) -> dict[str, Any]:
    return {
        "train_end": windows.train_end,
        "origins": list(windows.origins),
        "horizon_hours": windows.horizon,
    }


def meter_range(meters: Sequence[str], first: int, last: int | None) -> list[str]:
    """Meters at 1-based positions ``first`` .. ``last`` inclusive (the reference's intent)."""
    if first < 1 or (last is not None and last < first):
        raise InputError("meter positions start at 1 and the end may not precede the start")
    return list(meters[first - 1 : last])


#: ``(context, model, (data_end, hours), weather) -> forecast table``: another place to score
#: a batch (Spark, one task per meter), with the same model code.
Scorer = Callable[[HourlyPanel, Forecaster, tuple[datetime, int], Weather | None], pa.Table]


def batch_forecast(  # noqa: PLR0917 (the batch request and where to score it)
    query: data.Query,
    model: Forecaster,
    meters: Sequence[str],
    request: tuple[datetime, int, int],
    progress: Progress,
    scorer: Scorer | None = None,
) -> Iterator[pa.Table]:
    """Forecast tables, one per batch; ``request`` = (data_end, hours, batch size)."""
    data_end, hours, batch_size = request
    weather = data.weather(query)
    lookup = data.attributes(query)
    advance = progress("forecasting", len(meters))
    for first in range(0, len(meters), batch_size):
        batch = list(meters[first : first + batch_size])
        context = data.hourly_panel(query, batch, data_end - timedelta(hours=CONTEXT), data_end)
        context = replace(context, attributes=matrix(lookup, context.meter_ids))
        if scorer is not None:
            yield scorer(context, model, (data_end, hours), weather)
        else:
            values = model.predict(context, hours, TABLE_LEVELS, weather)
            yield forecast_table(context.meter_ids, data_end, values)
        advance(len(batch))


def forecast_table(meters: Sequence[str], data_end: datetime, values: Any) -> pa.Table:
    """``meter_id, datetime, consumption`` (= P90) and the quantile columns, long format."""
    count, hours, _ = values.shape
    stamps = np.datetime64(data_end, "us") + np.arange(hours) * np.timedelta64(1, "h")
    columns: dict[str, Any] = {
        "meter_id": pa.array(np.repeat(np.asarray(meters, dtype=object), hours), pa.string()),
        "datetime": pa.array(np.tile(stamps, count), pa.timestamp("us")),
        "consumption": values[:, :, TABLE_LEVELS.index(0.9)].reshape(-1),
    }
    for j, name in enumerate(TABLE_COLUMNS):
        columns[name] = values[:, :, j].reshape(-1)
    return pa.table(columns)


def load_weather(query: data.Query) -> Weather | None:
    """The lake's hourly weather (for online forecasts)."""
    return data.weather(query)
