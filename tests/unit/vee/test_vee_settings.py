"""The ``[vee]`` settings: defaults, the settings file, the environment, and refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from meterlake.config import load_settings
from meterlake.errors import ConfigError


def test_defaults_give_every_rule_an_id_a_severity_and_parameters():
    rules = load_settings(root=Path("/nonexistent")).vee.rules
    assert rules.gap.severity == "info"
    assert rules.negative.severity == rules.max_value.severity == "error"
    assert rules.spike.severity == rules.flat_line.severity == "warning"
    assert (rules.zero_run.min_hours, rules.flat_line.min_hours) == (24.0, 6.0)
    assert set(type(rules).model_fields) == {
        "gap", "duplicate_conflict", "negative", "max_value", "spike", "flat_line", "zero_run",
        "off_grid", "future", "register_backwards", "register_reset", "register_mismatch",
    }  # fmt: skip


def test_the_settings_file_and_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "meterlake.toml").write_text(
        "[vee]\nhistory_days = 14\n[vee.rules.spike]\nfactor = 6.0\nseverity = 'error'\n"
        "[vee.rules.max_value.per_meter_kw]\nMAC000002 = 12.5\n"
    )
    monkeypatch.setenv("MLK_VEE__RULES__GAP__MIN_INTERVALS", "3")
    settings = load_settings(root=tmp_path).vee
    assert settings.history_days == 14
    assert (settings.rules.spike.factor, settings.rules.spike.severity) == (6.0, "error")
    assert settings.rules.max_value.per_meter_kw == {"MAC000002": 12.5}
    assert settings.rules.gap.min_intervals == 3


@pytest.mark.parametrize(
    "text",
    [
        "[vee.rules.spike]\nseverity = 'fatal'\n",
        "[vee.rules.spike]\nfactor = 0.5\n",
        "[vee.rules.nonsense]\nenabled = true\n",
        "[vee.estimation]\nsimilar_weeks = 0\n",
    ],
)
def test_bad_settings_are_refused(tmp_path: Path, text: str):
    (tmp_path / "meterlake.toml").write_text(text)
    with pytest.raises(ConfigError, match="vee"):
        load_settings(root=tmp_path)
