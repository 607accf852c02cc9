"""The default model: one global LightGBM quantile model per level, across all meters.

Training draws ``origins_per_meter`` seeded forecast origins from every training series and asks
each model to forecast the 168 hours after each origin from the features of ``features`` (lags,
rolling statistics, calendar, UK bank holidays, weather when loaded, and the meter's tariff and
Acorn attributes when ``attributes``), on kWh divided by the meter's recent mean. All levels
share one binned dataset; inference is one call per level.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from meterlake.analytics.forecast import attributes
from meterlake.analytics.forecast.calendar import Weather, absolute_hour
from meterlake.analytics.forecast.features import NAMES, WEEK, Index, design
from meterlake.analytics.forecast.quantiles import Array, at_levels, check_levels
from meterlake.analytics.forecast.series import HourlyPanel
from meterlake.errors import InputError, MissingExtraError

if TYPE_CHECKING:
    import lightgbm

#: Trained levels; others are interpolated (see ``quantiles``).
DEFAULT_LEVELS = (0.05, 0.1, 0.3, 0.5, 0.7, 0.9, 0.95)


def _lightgbm() -> Any:
    try:
        import lightgbm  # noqa: PLC0415 (optional extra)
    except ImportError as exc:
        raise MissingExtraError("forecast", "the default forecaster (LightGBM)") from exc
    return lightgbm


@dataclass
class GBMParams:
    """What training may be told."""

    levels: tuple[float, ...] = DEFAULT_LEVELS
    trees: int = 100
    learning_rate: float = 0.1
    leaves: int = 31
    origins_per_meter: int = 4
    max_rows: int = 400_000
    threads: int = 2
    seed: int = 0
    #: Tariff and Acorn columns (off for models stored before they existed).
    attributes: bool = False
    #: Share of training examples shown as new meters (see ``GlobalGBM._as_new_meters``).
    new_meter_share: float = 0.0

    @property
    def feature_names(self) -> list[str]:
        """Column names of the design matrix."""
        return [*NAMES, *(attributes.NAMES if self.attributes else ())]


@dataclass
class GlobalGBM:
    """Gradient-boosted quantile trees over all meters at once."""

    params: GBMParams = field(default_factory=GBMParams)
    boosters: dict[float, lightgbm.Booster] = field(default_factory=dict)
    kind: str = "gbm"

    def fit(self, train: HourlyPanel, weather: Weather | None = None) -> None:
        """Learn one booster per level from origins drawn within ``train`` only."""
        lgb = _lightgbm()
        rows, origins = self._examples(train)
        if len(rows) == 0:
            raise InputError("too little history to train: each meter needs more than 2 weeks")
        values, static, rows = self._as_new_meters(train, rows, origins)
        features, scale = design(
            values,
            rows,
            origins,
            WEEK,
            first_hour=absolute_hour(train.start),
            weather=weather,
            attributes=static,
        )
        targets = _targets(values, rows, origins) / np.repeat(scale, WEEK)
        known = np.isfinite(targets)
        features, targets = features[known].astype(np.float32), targets[known]
        dataset = lgb.Dataset(
            features,
            targets,
            feature_name=self.params.feature_names,
            params={"max_bin": 63, "verbose": -1},
        )
        self.boosters = {
            level: lgb.train(self._lgb_params(level), dataset, num_boost_round=self.params.trees)
            for level in self.params.levels
        }

    def predict(
        self,
        context: HourlyPanel,
        horizon: int,
        levels: Sequence[float],
        weather: Weather | None = None,
    ) -> Array:
        """``meters x horizon x levels`` kWh from the hour after ``context`` ends.

        Past 168 hours, each further week is forecast from the medians of the week before.
        """
        asked = check_levels(levels)
        values, blocks = context.values, []
        grid = self._levels_for(asked + ((0.5,) if horizon > WEEK else ()))
        static = self._attributes(context)
        for done in range(0, horizon, WEEK):
            block = self._week(values, grid, (absolute_hour(context.start), weather, static))
            blocks.append(at_levels(grid, block, asked)[:, : horizon - done])
            median = at_levels(grid, block, (0.5,))[:, :, 0]
            values = np.concatenate([values, median], axis=1)
        return np.concatenate(blocks, axis=1)

    def _attributes(self, panel: HourlyPanel) -> Array | None:
        """The panel's attribute rows when the model uses them (NaN where none were looked up)."""
        if not self.params.attributes:
            return None
        if panel.attributes is None:
            return attributes.matrix({}, panel.meter_ids)
        return panel.attributes

    def _week(
        self,
        values: Array,
        grid: tuple[float, ...],
        given: tuple[int, Weather | None, Array | None],
    ) -> Array:
        """One week from the end of ``values``; ``given``: first hour, weather, attributes."""
        first, weather, static = given
        rows = np.arange(values.shape[0])
        origins = np.full(len(rows), values.shape[1], dtype=np.int64)
        features, scale = design(
            values, rows, origins, WEEK, first_hour=first, weather=weather, attributes=static
        )
        per = np.repeat(scale, WEEK)
        predictions = [
            self.boosters[level].predict(features, num_threads=self.params.threads) * per
            for level in grid
        ]
        return np.stack(predictions, axis=-1).reshape(len(rows), WEEK, len(grid))

    def _levels_for(self, asked: tuple[float, ...]) -> tuple[float, ...]:
        """The trained levels needed to answer ``asked`` (each, or its two neighbours)."""
        grid = sorted(self.boosters)
        needed: set[float] = set()
        for level in asked:
            upper = int(np.searchsorted(grid, level))
            exact = upper < len(grid) and grid[upper] == level
            needed.update(grid[upper : upper + 1] if exact else grid[max(0, upper - 1) : upper + 1])
        return tuple(sorted(needed))

    def _as_new_meters(
        self, train: HourlyPanel, rows: Index, origins: Index
    ) -> tuple[Array, Array | None, Index]:
        """Panel, attributes and example rows with ``new_meter_share`` of the examples new meters.

        Each such example gets its own copy of its meter's row that shows only the last 1 to
        167 hours before its origin, as if the meter had just joined: so the model learns to
        forecast from little history (where the tariff and Acorn attributes matter most).
        """
        static = self._attributes(train)
        rng = np.random.default_rng(self.params.seed + 1)
        chosen = np.flatnonzero(rng.random(len(rows)) < self.params.new_meter_share)
        if len(chosen) == 0:
            return train.values, static, rows
        copies = train.values[rows[chosen]].copy()
        shown = rng.integers(1, WEEK, size=len(chosen))
        hidden = np.arange(train.hours)[None, :] < (origins[chosen] - shown)[:, None]
        copies[hidden] = np.nan
        moved = rows.copy()
        moved[chosen] = train.values.shape[0] + np.arange(len(chosen))
        values = np.concatenate([train.values, copies])
        if static is not None:
            static = np.concatenate([static, static[rows[chosen]]])
        return values, static, moved

    def _examples(self, train: HourlyPanel) -> tuple[Index, Index]:
        """Seeded (meter, origin) pairs with a full week of targets inside ``train``."""
        rng = np.random.default_rng(self.params.seed)
        low, high = 2 * WEEK, train.hours - WEEK
        if high <= low:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        count = min(self.params.origins_per_meter, high - low)
        count = min(count, max(1, self.params.max_rows // (WEEK * max(1, len(train.meter_ids)))))
        rows = np.repeat(np.arange(len(train.meter_ids)), count)
        origins = rng.integers(low, high + 1, size=len(rows))
        return rows, origins

    def _lgb_params(self, level: float) -> dict[str, Any]:
        return {
            "objective": "quantile",
            "alpha": level,
            "learning_rate": self.params.learning_rate,
            "num_leaves": self.params.leaves,
            "min_data_in_leaf": 200,
            "feature_fraction": 0.9,
            "bagging_fraction": 0.7,
            "bagging_freq": 1,
            "num_threads": self.params.threads,
            "seed": self.params.seed,
            "deterministic": True,
            "verbose": -1,
        }

    def save(self, folder: Path) -> dict[str, Any]:
        """One LightGBM text model per level; returns the parameters."""
        folder.mkdir(parents=True, exist_ok=True)
        for level, booster in self.boosters.items():
            (folder / f"q{level:g}.txt").write_text(booster.model_to_string())
        return asdict(self.params)

    @classmethod
    def load(cls, folder: Path, params: dict[str, Any]) -> GlobalGBM:
        """From the files ``save`` wrote."""
        lgb = _lightgbm()
        settings = GBMParams(**{**params, "levels": tuple(params["levels"])})
        boosters = {
            level: lgb.Booster(model_str=(folder / f"q{level:g}.txt").read_text())
            for level in settings.levels
        }
        return cls(settings, boosters)


def _targets(values: Array, rows: Index, origins: Index) -> Array:
    """``values`` of the week after each origin, flattened like the design rows."""
    columns = origins[:, None] + np.arange(WEEK)[None, :]
    picked: Array = values[rows[:, None], columns]
    return picked.reshape(-1)
