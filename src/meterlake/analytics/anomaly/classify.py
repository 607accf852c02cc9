"""The reference's anomaly flag and importance (section 4.3 step 6, vectors 14-16, defect 14).

``anomaly`` is 1 (spike) when consumption is above ``yhat_upper``, -1 (dip) when below
``yhat_lower``, else 0. ``importance`` is the distance outside the band relative to consumption.
The reference divides by zero for a dip to 0 kWh; here the denominator is never below
``MIN_CONSUMPTION`` (one meter reading step, 0.001 kWh), so importance stays finite, equals the
reference everywhere consumption is at least one reading step, and still grows as the dip deepens.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]

#: Smallest reading step of a meter (LCL values have three decimals): the importance floor.
MIN_CONSUMPTION = 0.001


def classify(
    consumption: Floats, lower: Floats, upper: Floats
) -> tuple[npt.NDArray[np.int64], Floats]:
    """``(anomaly, importance)`` of each day, elementwise."""
    spike = consumption > upper
    dip = consumption < lower
    anomaly = spike.astype(np.int64) - dip.astype(np.int64)
    denominator = np.maximum(consumption, MIN_CONSUMPTION)
    above = np.where(spike, consumption - upper, 0.0)
    below = np.where(dip, lower - consumption, 0.0)
    importance = (above + below) / denominator
    return anomaly, np.asarray(importance, dtype=np.float64)
