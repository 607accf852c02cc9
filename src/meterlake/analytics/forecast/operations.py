"""Forecasting operations on one lake: train, batch forecast, the model store, online answers.

``MeterLake`` (the facade) delegates here. The ``forecast`` table is written through a run
transaction: one file per ``data_end`` partition, in which a run replaces the rows of the meters
it forecast (re-running is idempotent; forecasting a range keeps the other meters' rows).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from meterlake import schema
from meterlake.analytics.forecast import data, names
from meterlake.analytics.forecast.attributes import Lookup, matrix
from meterlake.analytics.forecast.backtest import Forecaster
from meterlake.analytics.forecast.calendar import Weather
from meterlake.analytics.forecast.online import online_forecast
from meterlake.analytics.forecast.pipeline import (
    Progress,
    Scorer,
    TrainRequest,
    batch_forecast,
    meter_range,
    train,
)
from meterlake.analytics.forecast.registry import ModelStore
from meterlake.analytics.forecast.series import HourlyHistory
from meterlake.errors import InputError, NotFoundError
from meterlake.lake.layout import PART_FILE, LakeLayout
from meterlake.lake.lock import writer_lock
from meterlake.lake.runs import new_run_id
from meterlake.lake.transaction import Transaction

#: ``(history rows with "hour" and "kwh", levels) -> (first hour, horizon x levels)``.
Predict = Callable[[HourlyHistory, tuple[float, ...]], tuple[datetime, npt.NDArray[Any]]]
#: Names that always mean the built-in seasonal-naive answer (no stored model needed).
BUILT_IN = "seasonal_naive"


class Forecasting:
    """Train, store, activate and apply forecast models of one lake."""

    def __init__(
        self, layout: LakeLayout, query: data.Query, endpoint: str, on_spark: bool = False
    ) -> None:
        """``query`` runs SQL over the lake's views; ``endpoint`` is the default alias.

        ``on_spark``: batch forecasts score each batch's meters on Spark (``engine = "spark"``).
        """
        self.on_spark = on_spark
        self.layout = layout
        self.query = query
        self.endpoint = endpoint
        self.store = ModelStore(layout.models)
        self._loaded: dict[str, _Loaded] = {}
        self._lock = threading.Lock()

    def train(self, request: TrainRequest, progress: Progress, activate: bool) -> dict[str, Any]:
        """Train, backtest and store a model; point the endpoint alias at it when asked."""
        trained = train(self.query, request, progress)
        version = self.store.save(trained.model, trained.facts)
        if activate:
            self.store.activate(version, self.endpoint)
        return self.store.show(version)

    def forecast(
        self,
        data_end: datetime,
        days: int,
        meters: tuple[int, int | None],
        batch_size: int,
        progress: Progress,
    ) -> dict[str, Any]:
        """Batch forecasts of the endpoint's model into the ``forecast`` table."""
        if days < 1 or batch_size < 1:
            raise InputError("forecast period and batch size must be at least 1")
        version = self._version(None)
        model = self._model(version).model
        chosen = meter_range(data.all_meters(self.query), *meters)
        if not chosen:
            raise InputError("no meters in the lake (or in the range asked for)")
        tables = list(
            batch_forecast(
                self.query,
                model,
                chosen,
                (data_end, days * 24, batch_size),
                progress,
                _spark_scorer() if self.on_spark else None,
            )
        )
        rows = self._write(pa.concat_tables(tables), data_end, version)
        return {"model": version, "meters": len(chosen), "rows": rows, "data_end": data_end}

    def _write(self, table: pa.Table, data_end: datetime, version: str) -> int:
        partition = f"{data_end:%Y%m%d}"
        table = table.append_column("model", pa.array([version] * table.num_rows, pa.string()))
        table = table.append_column("data_end", pa.array([partition] * table.num_rows))
        final = self.layout.table("forecast") / f"data_end={partition}" / PART_FILE
        written = int(table.num_rows)
        with writer_lock(self.layout):
            if final.exists():
                kept = pq.read_table(final, schema=schema.FORECAST)
                fresh = pc.is_in(kept.column("meter_id"), table.column("meter_id").unique())
                table = pa.concat_tables([kept.filter(pc.invert(fresh)), table])
            run_id = new_run_id()
            txn = Transaction(self.layout, run_id)
            try:
                staged = txn.stage(final)
                staged.parent.mkdir(parents=True, exist_ok=True)
                pq.write_table(table.cast(schema.FORECAST).sort_by("meter_id"), staged)
                record = {
                    "run_id": run_id,
                    "kind": "forecast",
                    "model": version,
                    "data_end": partition,
                    "counts": {"forecast_rows": written},
                    "totals": {},
                }
                txn.write_json(self.layout.runs / f"{run_id}.json", record)  # readers refresh
                txn.commit()
            except BaseException:
                txn.abort()
                raise
        return written

    def choose(self, name: str | None, fallback: bool) -> ModelChoice:
        """The model that answers an online forecast asked for by ``name``.

        An unknown name is an ``InputError``, unless ``fallback``: then the endpoint's model
        answers and the choice says which name was unknown (the reference ignored the name,
        so notebooks send names such as ``ml-endpoint-weather-0731``).
        """
        if name == BUILT_IN:
            return ModelChoice(BUILT_IN)
        try:
            version = self._version(name, required=False)
        except InputError:
            if not fallback or name is None:
                raise
            return dataclasses.replace(self.choose(None, fallback=False), unknown=name)
        return ModelChoice(version or BUILT_IN)

    def predictor(self, name: str | None, meter_id: str | None = None) -> Predict | None:
        """The online forecast of the named model (default: the endpoint alias) for a meter.

        ``None`` means the built-in seasonal-naive answer: asked for by name, or no model is
        trained yet. An unknown name is an ``InputError``. ``meter_id`` picks the meter's
        attributes (tariff, Acorn) from the ``households`` table.
        """
        if name == BUILT_IN:
            return None
        version = self._version(name, required=False)
        if version is None:
            return None
        loaded = self._model(version)
        static = None if meter_id is None else matrix(loaded.attributes, [meter_id])

        def predict(history: HourlyHistory, levels: tuple[float, ...]) -> Any:
            return online_forecast(loaded.model, history, levels, loaded.weather, attributes=static)

        return predict

    def _version(self, name: str | None, required: bool = True) -> str:
        try:
            version = self.store.resolve(name if name not in (None, "default") else self.endpoint)
        except NotFoundError as exc:
            shown = repr(name) if name is None else names.shown(name)
            raise InputError(f"unknown model {shown}: not a version or alias") from exc
        if version is None and required:
            raise NotFoundError("no model is active; train one with `meterlake train`")
        return version  # type: ignore[return-value]

    def _model(self, version: str) -> _Loaded:
        with self._lock:
            if version not in self._loaded:
                self._loaded[version] = _Loaded(
                    _one_thread(self.store.load(version)),
                    data.weather(self.query),
                    data.attributes(self.query),
                )
            return self._loaded[version]

    def models(self) -> list[dict[str, Any]]:
        """Every stored version, newest first."""
        return self.store.versions()

    def model(self, name: str | None) -> dict[str, Any]:
        """One version's metadata (default: the endpoint alias)."""
        return self.store.show(self._version(name))

    def activate(self, version: str, alias: str | None) -> dict[str, Any]:
        """Point ``alias`` (default: the endpoint alias) at ``version``."""
        self.store.activate(version, alias or self.endpoint)
        return self.store.show(version)


@dataclass(frozen=True)
class ModelChoice:
    """The model an online forecast uses: a stored version, or ``BUILT_IN``.

    ``unknown``: the name that was asked for, when it named no model and the endpoint's model
    answered instead.
    """

    version: str
    unknown: str | None = None


@dataclass(frozen=True)
class _Loaded:
    """A stored model ready for online answers, with the lake's weather and meter attributes."""

    model: Forecaster
    weather: Weather | None
    attributes: Lookup


def _one_thread(model: Forecaster) -> Forecaster:
    """The model set to predict on one thread: a server answers many meters at once, each small."""
    params = getattr(model, "params", None)
    if (
        dataclasses.is_dataclass(params)
        and not isinstance(params, type)
        and hasattr(params, "threads")
    ):
        setattr(model, "params", dataclasses.replace(params, threads=1))  # noqa: B010
    return model


def _spark_scorer() -> Scorer:
    from meterlake.engines.spark_analytics import score_forecasts  # noqa: PLC0415 (extra)

    return score_forecasts
