"""Every command's usage mistakes are usage errors: click's message, exit 2, never a traceback."""

from __future__ import annotations

from typing import Any

import pytest
import typer
from cli_process import run_cli

from meterlake.cli import app, run


def _commands(command: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """Every group and command below ``command`` (Typer's own click), by its words."""
    if hasattr(command, "commands"):
        found = [(path, command)] if path else []
        for name, sub in sorted(command.commands.items()):
            found += _commands(sub, (*path, name))
        return found
    return [(path, command)]


COMMANDS = _commands(typer.main.get_command(app))
VALUED = [
    (path, option.opts[0])
    for path, command in COMMANDS
    for option in command.params
    if option.param_type_name == "option" and not option.is_flag and not option.hidden
]


def _usage_error(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str):
    monkeypatch.setattr("sys.argv", ["meterlake", *argv])
    with pytest.raises(SystemExit) as stopped:
        run()
    out, err = capsys.readouterr()
    assert stopped.value.code == 2, (argv, out, err)
    assert "Traceback" not in out + err
    assert err.startswith(("Usage: meterlake", "Error: ")), (argv, err)
    return err


def test_the_tree_is_walked():
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"run", "train", "outages detect", "models list", "evaluate anomalies"} <= names
    assert len(VALUED) > 50


@pytest.mark.parametrize(
    ("path", "command"), COMMANDS, ids=lambda v: " ".join(v) if isinstance(v, tuple) else ""
)
def test_an_unknown_option_is_a_usage_error(monkeypatch, capsys, path, command):
    del command
    err = _usage_error(monkeypatch, capsys, *path, "--no-such-option")
    assert err.startswith(f"Usage: meterlake {' '.join(path)}")
    assert "No such option: --no-such-option" in err


@pytest.mark.parametrize(
    ("path", "option"), VALUED, ids=lambda v: " ".join(v) if isinstance(v, tuple) else v
)
def test_an_option_without_its_value_is_a_usage_error(monkeypatch, capsys, path, option):
    err = _usage_error(monkeypatch, capsys, *path, option)
    assert err == f"Error: Option '{option}' requires an argument.\n"  # click's own words


def test_an_invalid_value_is_a_usage_error(monkeypatch, capsys):
    err = _usage_error(monkeypatch, capsys, "train", "--training-samples", "many")
    assert "Invalid value for '--training-samples'" in err


def test_the_installed_command_prints_a_usage_line_not_a_traceback(tmp_path):
    result = run_cli(tmp_path, "outages", "detect", "--start")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr == "Error: Option '--start' requires an argument.\n"
    unknown = run_cli(tmp_path, "outages", "detect", "--begin", "2013-01-01")
    assert unknown.returncode == 2
    assert unknown.stderr.splitlines()[:3] == [
        "Usage: meterlake outages detect [OPTIONS]",
        "Try 'meterlake outages detect --help' for help.",
        "",
    ]
    assert unknown.stderr.splitlines()[3].startswith("Error: No such option: --begin")


def test_an_unforeseen_failure_is_one_line_with_exit_70(monkeypatch, capsys, tmp_path):
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr("meterlake.service.MeterLake.status", broken)
    monkeypatch.setattr("sys.argv", ["meterlake", "status", "--root", str(tmp_path)])
    with pytest.raises(SystemExit) as stopped:
        run()
    out, err = capsys.readouterr()
    assert stopped.value.code == 70
    assert (out, err) == (
        "",
        "error: unexpected RuntimeError: boom second line (--debug shows where)\n",
    )
    monkeypatch.setattr("sys.argv", ["meterlake", "--debug", "status", "--root", str(tmp_path)])
    with pytest.raises(RuntimeError, match="boom"):
        run()


def test_no_command_has_one_flag_twice():
    for path, command in COMMANDS:
        flags = [flag for param in command.params for flag in getattr(param, "opts", [])]
        assert len(flags) == len(set(flags)), (path, flags)
