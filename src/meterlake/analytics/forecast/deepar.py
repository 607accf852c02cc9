"""DeepAR (GluonTS, PyTorch) with the reference's hyperparameters, as an optional extra.

The reference trained SageMaker's DeepAR with ``epochs 400, early_stopping_patience 40,
mini_batch_size 48, learning_rate 5E-4, context_length 168, prediction_length 168`` (section
4.5); those are the defaults here. An epoch is ``batches_per_epoch`` mini-batches of windows
sampled from the series (GluonTS's notion), and early stopping watches the training loss.
Install with ``pip install torch==2.13.0`` first, then ``pip install 'meterlake[deepar]'``.
"""

from __future__ import annotations

import logging
import tempfile
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from meterlake.analytics.forecast.calendar import Weather
from meterlake.analytics.forecast.quantiles import Array, check_levels, finish
from meterlake.analytics.forecast.series import HourlyPanel
from meterlake.errors import InputError, MissingExtraError


@dataclass(frozen=True)
class DeepARParams:
    """The reference's hyperparameters (epochs may be overridden, e.g. for tests)."""

    epochs: int = 400
    patience: int = 40
    batch_size: int = 48
    learning_rate: float = 5e-4
    context_length: int = 168
    prediction_length: int = 168
    batches_per_epoch: int = 50
    samples: int = 100
    threads: int = 2
    seed: int = 0

    def with_epochs(self, epochs: int) -> DeepARParams:
        """The same parameters with another epoch budget."""
        return replace(self, epochs=epochs)


def _modules() -> tuple[Any, Any, Any, Any, Any]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # gluonts asks for orjson at import time
            import lightning.pytorch as lightning  # noqa: PLC0415
            import torch  # noqa: PLC0415
            from gluonts.dataset.common import ListDataset  # noqa: PLC0415
            from gluonts.torch.model.deepar import DeepAREstimator  # noqa: PLC0415
            from gluonts.torch.model.predictor import PyTorchPredictor  # noqa: PLC0415
    except ImportError as exc:
        raise MissingExtraError("deepar", "the DeepAR forecaster (GluonTS + torch)") from exc
    return torch, lightning, ListDataset, DeepAREstimator, PyTorchPredictor


@dataclass
class DeepAR:
    """A global DeepAR model over all meters (Student-t output, LSTM, GluonTS defaults)."""

    params: DeepARParams = DeepARParams()
    predictor: Any = None
    kind: str = "deepar"

    def fit(self, train: HourlyPanel, weather: Weather | None = None) -> None:
        """Train on every series of ``train`` from its true start."""
        del weather  # the reference passed none either (section 4.8)
        torch, lightning, _, estimator_class, _ = _modules()
        for name in ("lightning", "lightning.pytorch", "lightning.fabric"):
            logging.getLogger(name).setLevel(logging.WARNING)  # "GPU available: False" etc.
        torch.set_num_threads(self.params.threads)
        lightning.seed_everything(self.params.seed, verbose=False)
        data = self._dataset(train)
        if not data:
            raise InputError("no series with history to train DeepAR on")
        with tempfile.TemporaryDirectory() as scratch, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Lightning's advice on workers and logging
            estimator = estimator_class(
                freq="h",
                prediction_length=self.params.prediction_length,
                context_length=self.params.context_length,
                lr=self.params.learning_rate,
                batch_size=self.params.batch_size,
                num_batches_per_epoch=self.params.batches_per_epoch,
                trainer_kwargs=self._trainer(lightning, scratch),
            )
            self.predictor = estimator.train(data, cache_data=True)

    def _trainer(self, lightning: Any, scratch: str) -> dict[str, Any]:
        stop = lightning.callbacks.EarlyStopping(
            monitor="train_loss", patience=self.params.patience
        )
        return {
            "max_epochs": self.params.epochs,
            "callbacks": [stop],
            "accelerator": "cpu",
            "enable_progress_bar": False,
            "enable_model_summary": False,
            "logger": False,
            "default_root_dir": scratch,
        }

    def predict(
        self,
        context: HourlyPanel,
        horizon: int,
        levels: Sequence[float],
        weather: Weather | None = None,
    ) -> Array:
        """Sample paths of ``prediction_length`` hours; longer horizons repeat the last week."""
        del weather
        asked = check_levels(levels)
        torch, lightning, _, _, _ = _modules()
        torch.set_num_threads(self.params.threads)
        lightning.seed_everything(self.params.seed, verbose=False)
        out = np.zeros((len(context.meter_ids), horizon, len(asked)))
        data = self._dataset(context, keep_empty=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            forecasts = self.predictor.predict(data, num_samples=self.params.samples)
            for row, forecast in enumerate(forecasts):
                week = np.stack([forecast.quantile(q) for q in asked], axis=-1)
                reps = -(-horizon // len(week))
                out[row] = np.tile(week, (reps, 1))[:horizon]
        return finish(out)

    def _dataset(self, panel: HourlyPanel, keep_empty: bool = False) -> Any:
        import pandas as pd  # noqa: PLC0415

        _, _, dataset_class, _, _ = _modules()
        entries = []
        for values in panel.values:
            known = np.flatnonzero(np.isfinite(values))
            if len(known) == 0 and not keep_empty:
                continue
            first = int(known[0]) if len(known) else max(0, len(values) - 1)
            target = values[first:] if len(values) else np.array([np.nan])
            start = pd.Period(panel.start, freq="h") + first
            entries.append({"start": start, "target": target.astype(np.float32)})
        return dataset_class(entries, freq="h") if entries else []

    def save(self, folder: Path) -> dict[str, Any]:
        """GluonTS's serialised predictor; returns the parameters."""
        (folder / "predictor").mkdir(parents=True, exist_ok=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.predictor.serialize(folder / "predictor")
        return asdict(self.params)

    @classmethod
    def load(cls, folder: Path, params: dict[str, Any]) -> DeepAR:
        """From the folder ``save`` wrote."""
        *_, predictor_class = _modules()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            predictor = predictor_class.deserialize(folder / "predictor")
        return cls(DeepARParams(**params), predictor)
