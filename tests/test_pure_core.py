"""The pure core never imports openpyxl or xlwings (nor XlsxWriter)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

CORE = sorted(
    p.stem
    for p in (Path(__file__).parents[1] / "xlmplan" / "core").glob("*.py")
    if p.stem != "__init__"
)


@pytest.mark.parametrize("module", CORE)
def test_core_module_imports_no_spreadsheet_library(module: str) -> None:
    code = (
        "import sys\n"
        f"import xlmplan.core.{module}\n"
        "bad = [m for m in ('openpyxl', 'xlwings', 'xlsxwriter') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"xlmplan.core.{module} pulls in {out.stdout.strip()}"


def test_core_sources_do_not_mention_them() -> None:
    root = Path(__file__).parents[1] / "xlmplan" / "core"
    for path in root.glob("*.py"):
        text = path.read_text()
        for lib in ("openpyxl", "xlwings", "xlsxwriter"):
            assert f"import {lib}" not in text and f"from {lib}" not in text, path
