"""Model kinds by name: building a fresh model and loading a stored one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from meterlake.analytics.forecast.backtest import Forecaster
from meterlake.errors import InputError

#: Kinds ``meterlake train --model`` accepts; the first is the default.
KINDS = ("gbm", "deepar", "naive168", "naive24")


def new_model(kind: str, epochs: int | None = None, threads: int = 2) -> Forecaster:
    """A fresh, untrained model of ``kind`` (``epochs`` for DeepAR only)."""
    if kind == "gbm":
        from meterlake.analytics.forecast.gbm import GBMParams, GlobalGBM  # noqa: PLC0415

        return GlobalGBM(GBMParams(threads=threads, attributes=True, new_meter_share=0.1))
    if kind == "deepar":
        from meterlake.analytics.forecast.deepar import DeepAR, DeepARParams  # noqa: PLC0415

        params = DeepARParams(threads=threads)
        return DeepAR(params if epochs is None else params.with_epochs(epochs))
    if kind in ("naive168", "naive24"):
        from meterlake.analytics.forecast.naive import SeasonalNaive  # noqa: PLC0415

        return SeasonalNaive(int(kind.removeprefix("naive")))
    raise InputError(f"unknown model kind {kind!r}; known: {', '.join(KINDS)}")


def load_model(kind: str, folder: Path, params: dict[str, Any]) -> Forecaster:
    """A stored model of ``kind`` from its folder and parameters."""
    if kind == "gbm":
        from meterlake.analytics.forecast.gbm import GlobalGBM  # noqa: PLC0415

        return GlobalGBM.load(folder, params)
    if kind == "deepar":
        from meterlake.analytics.forecast.deepar import DeepAR  # noqa: PLC0415

        return DeepAR.load(folder, params)
    if kind.startswith("naive"):
        from meterlake.analytics.forecast.naive import SeasonalNaive  # noqa: PLC0415

        return SeasonalNaive.load(folder, params)
    raise InputError(f"unknown model kind {kind!r}; known: {', '.join(KINDS)}")
