from pathlib import Path

import pytest

from meterlake.config import load_settings
from meterlake.errors import ConfigError


def test_defaults_put_the_lake_in_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MLK_ROOT", raising=False)
    settings = load_settings()
    assert settings.root == tmp_path
    assert settings.landing == tmp_path / "landing"


def test_environment_beats_the_settings_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "meterlake.toml").write_text('memory_limit = "2GB"\nthreads = 1\n')
    monkeypatch.setenv("MLK_THREADS", "2")
    settings = load_settings(root=tmp_path)
    assert (settings.memory_limit, settings.threads) == ("2GB", 2)


def test_bad_settings_are_one_config_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MLK_THREADS", "zero")
    with pytest.raises(ConfigError, match="threads"):
        load_settings(root=tmp_path)
