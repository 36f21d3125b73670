"""``xlmplan addin install``: on Linux it says Excel is unavailable and where the add-in is;
on Windows and macOS (simulated: xlwings' own install needs Excel) it installs through the
given installer and records this interpreter where the add-in's VBA reads it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xlmplan.addin.install import (
    ExcelUnavailable,
    config_file,
    install_addin,
    record_setting,
)
from xlmplan.cli import app
from xlmplan.errors import XlmplanError

runner = CliRunner()


def test_linux_says_excel_is_unavailable_and_where_the_addin_is(tmp_path: Path) -> None:
    xlam = tmp_path / "xlmplan.xlam"
    xlam.write_bytes(b"built")
    with pytest.raises(ExcelUnavailable) as info:
        install_addin(xlam, platform="linux")
    message = str(info.value)
    assert "Excel is not available" in message and str(xlam.resolve()) in message
    assert "\n" not in message
    assert info.value.exit_code == 1


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux behaviour")
def test_cli_install_on_linux_builds_then_exits_1(tmp_path: Path) -> None:
    out = tmp_path / "dist" / "xlmplan.xlam"
    result = runner.invoke(app, ["addin", "install", "-o", str(out)])
    assert result.exit_code == 1
    assert out.is_file()  # built, so the message can say where it is
    assert "Excel is not available" in result.output
    assert "xlmplan.xlam" in result.output.replace("\n", "")


@pytest.mark.parametrize(
    ("platform", "key", "where"),
    [
        ("win32", "INTERPRETER_WIN", ".xlmplan/xlmplan.conf"),
        ("darwin", "INTERPRETER_MAC", "Library/Containers/com.microsoft.Excel/Data/xlmplan.conf"),
    ],
)
def test_windows_and_macos_install_and_record_the_interpreter(
    tmp_path: Path, platform: str, key: str, where: str
) -> None:
    xlam = tmp_path / "xlmplan.xlam"
    xlam.write_bytes(b"built")
    installed: list[Path] = []
    conf = tmp_path / "home" / where
    conf.parent.mkdir(parents=True)
    conf.write_text(f'"PYTHONPATH","C:\\work"\n"{key}","C:\\old\\python.exe"\n')
    result = install_addin(
        xlam,
        platform=platform,
        home=tmp_path / "home",
        interpreter="/opt/py/bin/python3",
        install=installed.append,
    )
    assert installed == [xlam]
    assert result.config == conf
    lines = conf.read_text().splitlines()
    assert lines == ['"PYTHONPATH","C:\\work"', f'"{key}","/opt/py/bin/python3"']


def test_a_missing_addin_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(XlmplanError, match="addin build"):
        install_addin(tmp_path / "nope.xlam", platform="win32", install=lambda p: None)


def test_config_file_matches_the_vba_paths(tmp_path: Path) -> None:
    # xlwings' GetConfigFilePath: USERPROFILE\.PROJECT\PROJECT.conf, Mac: $HOME/PROJECT.conf
    # inside Excel's sandbox container
    assert config_file("win", tmp_path) == tmp_path / ".xlmplan" / "xlmplan.conf"
    assert config_file("mac", tmp_path).parts[-5:] == (
        "Library",
        "Containers",
        "com.microsoft.Excel",
        "Data",
        "xlmplan.conf",
    )


def test_record_setting_creates_the_file(tmp_path: Path) -> None:
    path = tmp_path / "a" / "x.conf"
    record_setting(path, "INTERPRETER_WIN", "C:\\py\\python.exe")
    assert path.read_text() == '"INTERPRETER_WIN","C:\\py\\python.exe"\n'


def test_cli_build_refuses_a_wrong_extension(tmp_path: Path) -> None:
    result = runner.invoke(app, ["addin", "build", "-o", str(tmp_path / "x.xlsm")])
    assert result.exit_code == 2
    assert ".xlam" in result.output
    assert not (tmp_path / "x.xlsm").exists()
