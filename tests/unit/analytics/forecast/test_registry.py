"""The model store: versions with their facts, aliases, atomic saves and loading back."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from meterlake.analytics.forecast.gbm import GBMParams, GlobalGBM
from meterlake.analytics.forecast.naive import SeasonalNaive
from meterlake.analytics.forecast.registry import ModelStore
from meterlake.analytics.forecast.series import HourlyPanel
from meterlake.errors import InputError, NotFoundError

FACTS = {"data_start": "2013-01-01", "data_end": "2013-03-01", "metrics": {"naive168": {}}}


def test_an_empty_store_has_nothing_active(tmp_path: Path):
    store = ModelStore(tmp_path / "models")
    assert store.versions() == []
    assert store.resolve() is None
    with pytest.raises(NotFoundError):
        store.show()
    with pytest.raises(NotFoundError):
        store.resolve("ml-endpoint-x")


def test_saving_records_kind_parameters_and_facts(tmp_path: Path):
    store = ModelStore(tmp_path)
    version = store.save(SeasonalNaive(24), FACTS)
    meta = store.show(version)
    assert meta["kind"] == "naive24"
    assert meta["params"] == {"season": 24}
    assert meta["data_end"] == "2013-03-01"
    assert meta["aliases"] == []
    assert not list(tmp_path.glob(".staging-*"))


def test_activate_moves_the_alias(tmp_path: Path):
    store = ModelStore(tmp_path)
    first = store.save(SeasonalNaive(168), FACTS)
    second = store.save(SeasonalNaive(24), FACTS)
    store.activate(first)
    assert store.resolve() == first
    store.activate(second)
    assert store.resolve() == second
    assert store.show()["version"] == second
    store.activate("active", alias="ml-endpoint-1")  # an alias may name another alias
    assert store.aliases() == {"active": second, "ml-endpoint-1": second}
    listed = {m["version"]: m["aliases"] for m in store.versions()}
    assert listed == {first: [], second: ["active", "ml-endpoint-1"]}
    assert [m["version"] for m in store.versions()] == sorted(listed, reverse=True)


def test_activating_unknown_versions_or_odd_aliases_fails(tmp_path: Path):
    store = ModelStore(tmp_path)
    version = store.save(SeasonalNaive(168), FACTS)
    with pytest.raises(NotFoundError):
        store.activate("model-nope")
    with pytest.raises(InputError):
        store.activate(version, alias="a/b")


def test_a_stored_model_predicts_like_the_trained_one(tmp_path: Path, panel: HourlyPanel):
    model = GlobalGBM(GBMParams(trees=10, threads=1))
    model.fit(panel)
    store = ModelStore(tmp_path)
    version = store.save(model, FACTS)
    loaded = store.load(version)
    levels = (0.1, 0.5, 0.9)
    assert np.array_equal(loaded.predict(panel, 168, levels), model.predict(panel, 168, levels))


def test_a_crashed_save_leaves_no_version(tmp_path: Path):
    store = ModelStore(tmp_path)
    (tmp_path / ".staging-model-x").mkdir()
    assert store.versions() == []
    store.discard_staging()
    assert not (tmp_path / ".staging-model-x").exists()


@pytest.mark.parametrize("name", ["m" * 300, "../elsewhere", "model-x/../../elsewhere", ""])
def test_names_outside_the_store_pattern_never_become_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "model.json").write_text('{"version": "x"}')  # a decoy to find
    store = ModelStore(tmp_path / "models")
    seen: list[str] = []
    real_exists = Path.exists

    def exists(path: Path, *args: object, **kwargs: object) -> bool:
        seen.append(str(path))
        return real_exists(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "exists", exists)
    with pytest.raises(NotFoundError):
        store.resolve(name or "..")
    with pytest.raises(NotFoundError):
        store.load(name or "..")
    assert not [path for path in seen if name and name in path]


def test_aliases_must_match_the_name_pattern(tmp_path: Path):
    store = ModelStore(tmp_path)
    version = store.save(SeasonalNaive(168), FACTS)
    for alias in ("m" * 65, "..", ".hidden", "a b", "model-lookalike"):
        with pytest.raises(InputError):
            store.activate(version, alias=alias)
    store.activate(version, alias="ml-endpoint-weather-0731")
    assert store.resolve("ml-endpoint-weather-0731") == version
