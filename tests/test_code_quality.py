"""ruff and mypy stay clean on the package (they run in the test suite, not by hand)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_ruff_is_clean() -> None:
    out = _run("ruff", "check", "xlmplan", "tests", "benchmarks", "scripts")
    assert out.returncode == 0, out.stdout + out.stderr


def test_mypy_is_clean() -> None:
    out = _run("mypy", "xlmplan")
    assert out.returncode == 0, out.stdout + out.stderr
