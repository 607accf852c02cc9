"""Which meter-days a run must write (reference section 4.3 step 4, intended per defect 13).

A meter with no stored rows gets all its days; a meter whose last stored day is ``L`` gets only
its days after ``L``; a meter with nothing after ``L`` is skipped. Models still see every day of
the window, so a meter's band does not depend on how often detection ran.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from meterlake.analytics.anomaly.matrix import DailyMatrix


def days_to_write(
    matrix: DailyMatrix, last_stored: Mapping[str, np.datetime64]
) -> npt.NDArray[np.bool_]:
    """Meter-days (shaped like the matrix) that are observed and not stored yet."""
    never = np.datetime64("0001-01-01", "D")
    last = np.array(
        [last_stored.get(meter, never) for meter in matrix.meter_ids], dtype="datetime64[D]"
    )
    return np.asarray(matrix.observed & (matrix.days[None, :] > last[:, None]))
