"""Recalculate many workbooks with one LibreOffice start (``uno_batch_recalc.py``)."""

from __future__ import annotations

import json
import tempfile
import uuid
from pathlib import Path
from typing import Any

from xlmplan.libreoffice import runner

SCRIPT = Path(__file__).with_name("uno_batch_recalc.py")


def recalculate_all(files: list[Path], timeout: float = 900.0) -> dict[Path, dict[str, Any]]:
    """Each file -> ``{"ok": True, "values": {sheet: {ref: value}}}`` or ``{"ok": False,
    "error": ...}``, values as ``runner.recalculate`` gives them."""
    python, soffice = runner.uno_python(), runner.soffice_path()
    assert python and soffice, "LibreOffice and python3-uno are needed"
    with tempfile.TemporaryDirectory(prefix="xlmplan-lo-batch-") as tmp:
        profile = Path(tmp).resolve() / "profile"
        out = Path(tmp) / "report.json"
        pipe = f"xlmplan_{uuid.uuid4().hex}"
        cmd = [python, str(SCRIPT), "--uno-recalc", str(runner.SCRIPT.parent)]
        cmd += ["--soffice", soffice, "--profile", str(profile), "--pipe", pipe]
        cmd += ["--out-json", str(out), *(str(f.resolve()) for f in files)]
        try:
            done = runner._run(cmd, timeout, f"recalculating {len(files)} files")
        finally:
            runner._remove_pipes(profile, pipe)
        if not out.is_file():
            raise RuntimeError(f"the LibreOffice batch left no report: {done.stderr[-500:]}")
        report = json.loads(out.read_text(encoding="utf-8"))
    return {f: report[str(f.resolve())] for f in files}
