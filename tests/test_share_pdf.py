"""`share --pdf` through the command line: the copy and a PDF of the four printed sheets."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from typer.testing import CliRunner

from xlmplan.api import PlanResult
from xlmplan.cli import app


def test_share_pdf_writes_the_copy_and_its_pdf(
    example_plan: PlanResult, tmp_path: Path, libreoffice: None
) -> None:
    plan = tmp_path / "plan.xlsx"
    shutil.copy(example_plan.path, plan)
    before = plan.read_bytes()
    out = tmp_path / "copy.xlsx"
    result = CliRunner().invoke(app, ["share", str(plan), "-o", str(out), "--pdf"])
    text = " ".join(result.output.split())
    assert result.exit_code == 0, text
    pdf = out.with_suffix(".pdf")
    match = re.search(rf"Wrote {re.escape(str(pdf))} \((\d+) pages?, ([\d,]+) KB\)", text)
    assert match, text
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))  # type: ignore[union-attr]
    assert int(match.group(1)) == pages
    assert pages >= 4  # Start, Dashboard, the objectives matrix, the scenario scorecard
    assert match.group(2) == f"{pdf.stat().st_size / 1024:,.0f}"
    words = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for title in ("Dashboard", "Scenarios"):
        assert title in words
    assert plan.read_bytes() == before  # the plan itself is never written
