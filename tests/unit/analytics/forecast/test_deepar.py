"""DeepAR: its parameters always; a tiny epoch budget where the deepar extra is installed (CI)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from meterlake.analytics.forecast.deepar import DeepAR, DeepARParams
from meterlake.analytics.forecast.series import HourlyPanel


def test_reference_hyperparameters_are_the_defaults():
    params = DeepARParams()
    assert (params.epochs, params.patience, params.batch_size) == (400, 40, 48)
    assert (params.learning_rate, params.context_length, params.prediction_length) == (
        5e-4,
        168,
        168,
    )
    assert params.with_epochs(2).epochs == 2


@pytest.mark.slow
def test_tiny_deepar_honours_the_quantile_contract_and_round_trips(
    tmp_path: Path, panel: HourlyPanel
):
    pytest.importorskip("gluonts")  # only this test needs the extra
    pytest.importorskip("torch")
    small = HourlyPanel(panel.meter_ids[:4], panel.start, panel.values[:4])
    model = DeepAR(DeepARParams(epochs=1, batches_per_epoch=2, samples=20, threads=1))
    model.fit(small)
    out = model.predict(small, 200, (0.1, 0.5, 0.9))
    assert out.shape == (4, 200, 3)
    assert np.isfinite(out).all()
    assert (out >= 0).all()
    assert (np.diff(out, axis=-1) >= 0).all()
    params = model.save(tmp_path / "m")
    loaded = DeepAR.load(tmp_path / "m", params)
    again = loaded.predict(small, 168, (0.5,))
    assert again.shape == (4, 168, 1)
