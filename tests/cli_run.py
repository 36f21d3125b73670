"""Run the command line in a fresh process, as a user's shell would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

XLMPLAN = [sys.executable, "-m", "xlmplan"]


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``xlmplan ARGS`` with a wide terminal (no wrapped lines) and a minimal PATH."""
    return subprocess.run(
        [*XLMPLAN, *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
        check=False,
    )
