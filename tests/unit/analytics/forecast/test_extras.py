"""Heavy libraries load only when a model needs them, and a missing one names its install."""

from __future__ import annotations

import subprocess
import sys

import pytest

from meterlake.analytics.forecast.gbm import GlobalGBM
from meterlake.analytics.forecast.kinds import new_model
from meterlake.errors import ConfigError, InputError, MissingExtraError


def test_the_cli_and_service_do_not_import_lightgbm_or_torch():
    probe = (
        "import sys, meterlake.cli, meterlake.service, meterlake.api.app;"
        "print(sorted(m for m in ('lightgbm', 'torch', 'gluonts') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_missing_extra_is_one_line_with_the_pip_command(monkeypatch: pytest.MonkeyPatch, panel):
    monkeypatch.setitem(sys.modules, "lightgbm", None)
    with pytest.raises(MissingExtraError, match=r"pip install 'meterlake\[forecast\]'") as caught:
        GlobalGBM().fit(panel)
    assert isinstance(caught.value, ConfigError)
    assert "\n" not in str(caught.value)


def test_deepar_without_its_extra(monkeypatch: pytest.MonkeyPatch, panel):
    monkeypatch.setitem(sys.modules, "gluonts.torch.model.deepar", None)
    with pytest.raises(MissingExtraError, match=r"meterlake\[deepar\]"):
        new_model("deepar", epochs=1).fit(panel)


def test_unknown_kinds_are_refused():
    with pytest.raises(InputError, match="gbm, deepar, naive168, naive24"):
        new_model("prophet")
