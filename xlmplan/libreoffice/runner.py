"""Drive headless LibreOffice: full recalculation, conversion and sheet pictures.

UNO work happens in ``uno_recalc.py``, run as a subprocess under an interpreter that can
``import uno`` (Debian: ``/usr/bin/python3`` + python3-uno). Every call uses a fresh
temporary profile, so calls are independent and can run in parallel.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from xlmplan.errors import XlmplanError

SCRIPT = Path(__file__).with_name("uno_recalc.py")
PROGRAM_DIRS = ("/usr/bin", "/usr/lib/libreoffice/program", "/opt/libreoffice/program")
UNO_PYTHONS = ("/usr/bin/python3", "/usr/lib/libreoffice/program/python")
DEFAULT_TIMEOUT = 300.0
PNG_DPI = 110
SETUP_HINT = "run `bash scripts/setup.sh` to install LibreOffice"

CellValues = dict[str, dict[str, object]]


@dataclass
class RecalcResult:
    """Formula-cell values after ``calculateAll()`` plus timings measured inside the UNO script.

    ``values[sheet]["B7"]`` is a float, str ("" for empty text), None or an error marker.
    ``seconds_start`` is soffice start-up and connect, ``seconds_load`` the xlsx import,
    ``seconds_calc`` the ``calculateAll()``, ``seconds_extract`` reading values (and the
    optional store); ``seconds_total`` spans the whole script including soffice shutdown.
    """

    values: CellValues
    formula_count: int
    seconds_load: float
    seconds_calc: float
    seconds_total: float
    seconds_start: float = 0.0
    seconds_extract: float = 0.0
    stored: Path | None = None


def soffice_path() -> str | None:
    """The LibreOffice executable on PATH or in the usual install folders, if any."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for folder in PROGRAM_DIRS:
        for name in ("soffice", "libreoffice"):
            candidate = Path(folder) / name
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return str(candidate)
    return None


@lru_cache(maxsize=1)
def uno_python() -> str | None:
    """An interpreter that can ``import uno`` (not the venv's), if any."""
    for candidate in UNO_PYTHONS:
        if not Path(candidate).is_file():
            continue
        try:
            done = subprocess.run(
                [candidate, "-c", "import uno"],
                env=_clean_env(),
                capture_output=True,
                timeout=30,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if done.returncode == 0:
            return candidate
    return None


def available() -> bool:
    """True when soffice and a UNO-capable Python are both installed."""
    return soffice_path() is not None and uno_python() is not None


def recalculate(
    xlsx: Path,
    out_json: Path | None = None,
    store: Path | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> RecalcResult:
    """Load ``xlsx`` in LibreOffice, ``calculateAll()``, return every formula cell's value.

    Values are floats, strings ("" for empty text), None or error markers like "#DIV/0!".
    ``out_json`` keeps the raw JSON report; ``store`` saves the recalculated workbook as xlsx.
    """
    xlsx = _existing(xlsx)
    with tempfile.TemporaryDirectory(prefix="xlmplan-lo-") as tmp:
        report_path = out_json.resolve() if out_json else Path(tmp) / "report.json"
        args = ["--out-json", str(report_path)]
        if store is not None:
            store.parent.mkdir(parents=True, exist_ok=True)
            args += ["--store", str(store.resolve())]
        report = _run_script(
            "recalc", xlsx, args, Path(tmp), report_path, timeout, f"recalculating {xlsx.name}"
        )
    return RecalcResult(
        values=report["values"],
        formula_count=int(report["formula_count"]),
        seconds_load=float(report["seconds_load"]),
        seconds_calc=float(report["seconds_calc"]),
        seconds_total=float(report["seconds_total"]),
        seconds_start=float(report.get("seconds_start", 0.0)),
        seconds_extract=float(report.get("seconds_extract", 0.0)),
        stored=store,
    )


def convert(src: Path, out_dir: Path, fmt: str, timeout: float = DEFAULT_TIMEOUT) -> Path:
    """``soffice --convert-to fmt`` (e.g. "pdf", "png", "csv"); keeps cached values.

    Returns the written file: ``out_dir / (src.stem + "." + extension)``.
    """
    src = _existing(src)
    soffice = _require_soffice()
    ext = fmt.split(":", 1)[0]
    with tempfile.TemporaryDirectory(prefix="xlmplan-lo-") as tmp:
        work, result_dir = Path(tmp) / "input", Path(tmp) / "out"
        profile = Path(tmp).resolve() / "profile"
        work.mkdir()
        copy = Path(shutil.copy2(src, work / src.name))  # keeps .~lock files out of src's folder
        cmd = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            "--nolockcheck",
            "--convert-to",
            fmt,
            "--outdir",
            str(result_dir),
            str(copy),
        ]
        try:
            done = _run(cmd, timeout, f"converting {src.name} to {ext}")
        finally:
            _remove_pipes(profile)
        produced = result_dir / f"{src.stem}.{ext}"
        if done.returncode != 0 or not produced.is_file():
            detail = _last_line(done.stderr) or _last_line(done.stdout) or f"exit {done.returncode}"
            raise XlmplanError(f"LibreOffice could not convert {src.name} to {ext}: {detail}")
        out_dir.mkdir(parents=True, exist_ok=True)
        out = out_dir / produced.name
        shutil.move(produced, out)
    return out


def render_sheet_png(
    xlsx: Path, sheet: str, out_png: Path, width_px: int = 1600, timeout: float = DEFAULT_TIMEOUT
) -> Path:
    """Picture of one recalculated sheet: single-page PDF via UNO, then ``pdftoppm``.

    Rendered at 110 dpi, scaled down to ``width_px`` when the sheet is wider than that.
    """
    xlsx = _existing(xlsx)
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        raise XlmplanError(f"pdftoppm (poppler-utils) is missing: {SETUP_HINT}")
    out_png.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="xlmplan-lo-") as tmp:
        pdf = Path(tmp) / "sheet.pdf"
        report_path = Path(tmp) / "report.json"
        args = ["--out-json", str(report_path), "--sheet", sheet, "--out-pdf", str(pdf)]
        what = f"rendering {xlsx.name}!{sheet}"
        _run_script("pdf", xlsx, args, Path(tmp), report_path, timeout, what)
        stem = Path(tmp) / "page"
        cmd = [pdftoppm, "-png", "-singlefile", "-f", "1", "-l", "1", "-r", str(PNG_DPI)]
        page_width = _pdf_page_width_pts(pdf)
        if page_width is None or page_width / 72 * PNG_DPI > width_px:
            cmd += ["-scale-to-x", str(width_px), "-scale-to-y", "-1"]
        cmd += [str(pdf), str(stem)]
        done = _run(cmd, timeout, "running pdftoppm")
        png = stem.with_suffix(".png")
        if done.returncode != 0 or not png.is_file():
            raise XlmplanError(f"pdftoppm failed: {_last_line(done.stderr) or done.returncode}")
        shutil.move(png, out_png)
    return out_png


def _pdf_page_width_pts(pdf: Path) -> float | None:
    """Width of the PDF's first page in points (via ``pdfinfo``), if it can be read."""
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo is None:
        return None
    done = _run([pdfinfo, "-f", "1", "-l", "1", str(pdf)], 60, "running pdfinfo")
    for line in done.stdout.splitlines():
        if line.startswith("Page") and "size:" in line:
            try:
                return float(line.split("size:", 1)[1].split()[0])
            except (IndexError, ValueError):
                return None
    return None


def _run_script(
    job: str,
    xlsx: Path,
    args: list[str],
    tmp: Path,
    report_path: Path,
    timeout: float,
    what: str,
) -> dict[str, Any]:
    """Run a ``uno_recalc.py`` job on a private copy of ``xlsx``; return its JSON report.

    The copy keeps LibreOffice's ``.~lock`` files (left behind when soffice is killed)
    away from the user's folder. Raises ``XlmplanError`` on any failure.
    """
    soffice = _require_soffice()
    python = uno_python()
    if python is None:
        raise XlmplanError(
            f"python3-uno is missing (no interpreter can `import uno`): {SETUP_HINT}"
        )
    work = tmp / "input"
    work.mkdir()
    copy = Path(shutil.copy2(xlsx, work / xlsx.name))
    cmd = [python, str(SCRIPT), job, "--input", str(copy), *args]
    profile = tmp.resolve() / "profile"
    pipe = f"xlmplan_{uuid.uuid4().hex}"
    cmd += ["--soffice", soffice, "--profile", str(profile), "--pipe", pipe]
    cmd += ["--start-timeout", str(min(120.0, timeout))]
    try:
        done = _run(cmd, timeout, what)
    finally:
        _remove_pipes(profile, pipe)
    try:
        report: dict[str, Any] = json.loads(report_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        detail = _last_line(done.stderr) or f"exit {done.returncode}"
        raise XlmplanError(f"LibreOffice failed {what}: {detail}") from None
    if not report.get("ok"):
        raise XlmplanError(f"LibreOffice failed {what}: {report.get('error', 'unknown error')}")
    return report


def _run(cmd: list[str], timeout: float, what: str) -> subprocess.CompletedProcess[str]:
    """Run ``cmd`` in its own process group; on timeout kill that group and raise."""
    try:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_clean_env(),
            start_new_session=True,
        )
    except OSError as exc:
        raise XlmplanError(f"cannot start {cmd[0]} while {what}: {exc}") from exc
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise XlmplanError(f"LibreOffice timed out after {timeout:g}s {what}") from None
    except BaseException:
        _kill_group(proc)
        raise
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def _remove_pipes(profile: Path, pipe: str | None = None) -> None:
    """Delete the /tmp sockets a killed soffice leaves behind (a clean exit removes them).

    soffice names its single-instance pipe after the MD5 of the profile URL in UTF-16LE,
    written as hex bytes without zero padding; ``pipe`` is our ``--accept`` pipe.
    """
    if not hasattr(os, "getuid"):
        return
    digest = hashlib.md5(profile.as_uri().encode("utf-16-le"), usedforsecurity=False).digest()
    names = ["SingleOfficeIPC_" + "".join(f"{byte:x}" for byte in digest)]
    if pipe:
        names.append(pipe)
    for name in names:
        Path(f"/tmp/OSL_PIPE_{os.getuid()}_{name}").unlink(missing_ok=True)


def _kill_group(proc: subprocess.Popen[str]) -> None:
    """Kill the process group led by ``proc`` (soffice runs inside it) and reap ``proc``."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()


def _clean_env() -> dict[str, str]:
    """Environment for LibreOffice: no venv Python settings, a fixed locale."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME"}}
    env.pop("VIRTUAL_ENV", None)
    env.setdefault("SAL_USE_VCLPLUGIN", "svp")
    env["LC_ALL"] = "C.UTF-8"  # en-US number/text formats (TEXT(), decimal point) everywhere
    return env


def _require_soffice() -> str:
    soffice = soffice_path()
    if soffice is None:
        raise XlmplanError(f"LibreOffice (soffice) is not installed: {SETUP_HINT}")
    return soffice


def _existing(path: Path) -> Path:
    path = Path(path)
    if not path.is_file():
        raise XlmplanError(f"workbook not found: {path}")
    return path.resolve()


def _last_line(text: str | None) -> str:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines[-1] if lines else ""
