"""The reference detector: one Prophet model per meter (reference section 4.3 step 5).

Multiplicative yearly and weekly seasonality (daily off), UK country holidays, the ``weekend``
regressor, 98 % interval, changepoint range 0.8, fitted and predicted in-sample on the meter's
days. Prophet draws its interval from random samples; each meter's draws are seeded from the
detector's seed and the meter id, so a run is reproducible.

Importing this module needs the ``prophet`` extra and fails with the install command otherwise.
"""

from __future__ import annotations

import logging
import zlib

import numpy as np
import pandas as pd

from meterlake.analytics.anomaly.matrix import Band, DailyMatrix, DailyWeather
from meterlake.errors import MissingExtraError

logging.getLogger("prophet.plot").setLevel(logging.CRITICAL)  # "plotly failed": plots unused
try:
    from cmdstanpy.utils import get_logger
    from prophet import Prophet
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise MissingExtraError("prophet", "the prophet anomaly detector") from exc

get_logger().setLevel(logging.ERROR)  # creates cmdstanpy's handler now, so fits stay quiet
logging.getLogger("prophet").setLevel(logging.ERROR)

INTERVAL_WIDTH = 0.98
CHANGEPOINT_RANGE = 0.8
_SATURDAY = 5
_MIN_DAYS = 2


class ProphetDetector:
    """Prophet per meter, exactly as the reference configures it."""

    name = "prophet"

    def __init__(self, seed: int = 0) -> None:
        """Seed for the interval's random draws (mixed with each meter id)."""
        self.seed = seed

    def band(self, matrix: DailyMatrix, weather: DailyWeather | None = None) -> Band:
        """Fit and predict every meter in turn (the reference is per meter by design)."""
        del weather  # the reference model has no weather regressor
        shape = matrix.values.shape
        yhat, lower, upper = np.full(shape, np.nan), np.full(shape, np.nan), np.full(shape, np.nan)
        observed = matrix.observed
        for row, meter in enumerate(matrix.meter_ids):
            days = np.nonzero(observed[row])[0]
            if days.size < _MIN_DAYS:
                continue
            frame = meter_frame(matrix.days[days], matrix.values[row, days])
            seed = zlib.crc32(f"{self.seed}:{meter}".encode())
            forecast = fit_predict(frame, seed)
            yhat[row, days] = forecast["yhat"].to_numpy()
            lower[row, days] = forecast["yhat_lower"].to_numpy()
            upper[row, days] = forecast["yhat_upper"].to_numpy()
        return Band(yhat, lower, upper)


def meter_frame(days: np.ndarray, kwh: np.ndarray) -> pd.DataFrame:
    """``ds, y, weekend`` as the reference builds it."""
    ds = pd.to_datetime(days)
    weekend = (ds.dayofweek >= _SATURDAY).astype(int)
    return pd.DataFrame({"ds": ds, "y": kwh, "weekend": weekend})


def reference_model() -> Prophet:
    """A Prophet model with the reference's settings."""
    model = Prophet(
        daily_seasonality=False,
        yearly_seasonality=True,
        weekly_seasonality=True,
        seasonality_mode="multiplicative",
        interval_width=INTERVAL_WIDTH,
        changepoint_range=CHANGEPOINT_RANGE,
    )
    model.add_country_holidays(country_name="UK")
    model.add_regressor("weekend")
    return model


def fit_predict(frame: pd.DataFrame, seed: int) -> pd.DataFrame:
    """In-sample ``yhat, yhat_lower, yhat_upper`` for the frame's days."""
    model = reference_model()
    model.fit(frame)
    np.random.seed(seed)  # Prophet samples its interval from numpy's global generator
    return model.predict(frame)
