"""The plan written by the previous version of xlmplan, with a user's edits
(``tests/fixtures/previous_plan_en.xlsx``), and how to make it again.

    git worktree add /tmp/xlmplan-old <commit of the previous version>
    .venv/bin/python tests/previous_plan.py /tmp/xlmplan-old tests/fixtures/previous_plan_en.xlsx
    git worktree remove /tmp/xlmplan-old

The old checkout writes the bundled example plan (``xlmplan new``); LibreOffice then makes
a user's edits (``lo_edit.py``): a notes sheet with a table, a chart and an image, a
comment, one new row below the objectives, KPIs and Data Tables, and the ``USER_CELLS``
below, typed beside xlmplan's cells on several sheets.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

FIXTURE = Path(__file__).with_name("fixtures") / "previous_plan_en.xlsx"
OLD_COMMIT = "3c3250f"

# (sheet, cell, value): texts, numbers and formulas a user typed beside the plan.
USER_CELLS: list[tuple[str, str, object]] = [
    ("Start", "K2", "Board meeting: 14 January"),
    ("Start", "K3", 12345.5),
    ("Start", "K4", "=K3*2"),
    ("SWOT", "V2", "Ask sales about competitor pricing"),
    ("Objectives", "AE2", "Targets agreed with the CFO"),
    ("Strategy_KPI", "AC3", 0.042),
    ("Budget_3M", "CN2", "Agency retainer to renegotiate"),
    ("Budget_3M", "CN3", 1500),
    ("Scenarios", "U2", "Worst case reviewed in March"),
    ("Analysis", "X2", "=SUM(X3:X4)"),
    ("Analysis", "X3", 10),
    ("Analysis", "X4", 32),
    ("Dashboard", "P2", "Show this page at the board"),
    ("Checks", "F2", "Findings read on 3 Dec"),
]


def make(old_checkout: Path, out: Path) -> None:
    """Write the plan with the old checkout's code, then edit it in LibreOffice."""
    sys.path.insert(0, str(Path(__file__).parent))
    from lo_edit import edit_with_libreoffice

    with tempfile.TemporaryDirectory(prefix="xlmplan-previous-") as tmp:
        plan = Path(tmp) / "plan.xlsx"
        env = dict(os.environ, PYTHONPATH=str(old_checkout))
        subprocess.run(
            [sys.executable, "-m", "xlmplan", "new", str(plan)], check=True, env=env, cwd=tmp
        )
        edit_with_libreoffice(plan, out, cells=USER_CELLS)


if __name__ == "__main__":
    make(Path(sys.argv[1]), Path(sys.argv[2]))
