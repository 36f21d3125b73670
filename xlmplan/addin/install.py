"""Install the built add-in for the current user, and record this Python for it.

On Windows and macOS, xlwings copies ``xlmplan.xlam`` into Excel's start-up folder (and,
on macOS, installs its RunPython AppleScript), and this interpreter is written to the
add-in's settings file, the one the add-in's xlwings module reads:
``%USERPROFILE%\\.xlmplan\\xlmplan.conf`` on Windows,
``~/Library/Containers/com.microsoft.Excel/Data/xlmplan.conf`` on macOS.
Elsewhere there is no Excel: the caller is told where the built add-in is.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from xlmplan.addin.build import PROJECT
from xlmplan.errors import XlmplanError


class ExcelUnavailable(XlmplanError):
    """No Excel on this operating system: nothing can be installed here."""

    exit_code = 1


@dataclass(frozen=True)
class InstallResult:
    addin: Path
    config: Path  # the settings file that records the interpreter
    interpreter: str


def excel_platform(platform: str = sys.platform) -> str | None:
    """ "win" or "mac" where Excel desktop runs, else None."""
    if platform.startswith("win"):
        return "win"
    if platform.startswith("darwin"):
        return "mac"
    return None


def config_file(kind: str, home: Path) -> Path:
    """Where the add-in's xlwings module looks for the user's settings (see GetConfig)."""
    if kind == "mac":
        return home / "Library/Containers/com.microsoft.Excel/Data" / f"{PROJECT}.conf"
    return home / f".{PROJECT}" / f"{PROJECT}.conf"


def record_setting(path: Path, key: str, value: str) -> None:
    """Set ``"KEY","value"`` in an xlwings settings file, keeping its other lines."""
    line = f'"{key}","{value}"'
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    kept = [x for x in lines if not x.upper().startswith(f'"{key.upper()}",')]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([*kept, line]) + "\n", encoding="utf-8")


def xlwings_install(xlam: Path) -> None:
    """xlwings' own ``xlwings addin install --file``: copies into Excel's start-up folder."""
    from xlwings import cli as xlwings_cli

    xlwings_cli.addin_install(argparse.Namespace(file=str(xlam), dir=None, glob=False))


def install_addin(
    xlam: Path,
    *,
    platform: str = sys.platform,
    home: Path | None = None,
    interpreter: str = sys.executable,
    install: Callable[[Path], None] = xlwings_install,
    lang: str | None = None,
) -> InstallResult:
    """Install ``xlam`` for the current user and record ``interpreter`` for its RunPython
    (and ``lang``, the ribbon's language outside a plan, when given)."""
    kind = excel_platform(platform)
    if kind is None:
        raise ExcelUnavailable(
            f"Excel is not available on this system ({platform}); the add-in is built at "
            f"{xlam.resolve()} — copy it to Windows or macOS and run `xlmplan addin install` "
            "there (see docs/excel-addin.md)"
        )
    if not xlam.is_file():
        raise XlmplanError(f"{xlam}: no add-in there — run `xlmplan addin build` first")
    install(xlam)
    config = config_file(kind, home or Path.home())
    record_setting(config, f"INTERPRETER_{kind.upper()}", interpreter)
    if lang is not None:
        record_setting(config, "LANGUAGE", lang)
    return InstallResult(xlam, config, interpreter)
