"""Edit a plan workbook in LibreOffice like a user would (``uno_edit_plan.py``) and save as xlsx.

``edit_with_libreoffice`` runs the UNO script under a Python that can ``import uno``, in a
fresh soffice with a private profile, and returns the script's JSON report plus ``parts``:
what the saved xlsx holds (part names of the new sheet, chart, drawing, image, comments,
Tables, sheet states, defined names).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import signal
import tempfile
import time
import uuid
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any
from xml.etree import ElementTree as ET

from xlmplan.errors import XlmplanError
from xlmplan.libreoffice.runner import _remove_pipes, _run, soffice_path, uno_python

SCRIPT = Path(__file__).with_name("uno_edit_plan.py")
DEFAULT_TIMEOUT = 300.0
NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
}
REL_ID = f"{{{NS['r']}}}id"


class LibreOfficeEditError(RuntimeError):
    """The LibreOffice edit failed, timed out or left no report."""


def edit_with_libreoffice(
    src: Path,
    dst: Path,
    *,
    new_data_rows: list[list] | None = None,
    objective_rows: list[list] | None = None,
    kpi_rows: list[list] | None = None,
    rename: dict[str, str] | None = None,
    move: list[tuple[str, int]] | None = None,
    defaults: bool = True,
    cells: list[tuple[str, str, Any]] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> dict[str, Any]:
    """Open ``src`` in LibreOffice, make a user's edits, save it as xlsx to ``dst``.

    First ``rename`` (sheet name -> new name, via ``setName``: LibreOffice rewrites the
    formulas and defined names that refer to the sheet) and ``move`` (sheet name, old or
    new, -> 0-based position) are done, in that order; the report lists them under
    ``renamed`` and ``moved``. Then rows are typed right below tblObjectives, tblKpis and
    tblData (the Tables keep their size); ``None`` means the default: a copy of the Table's
    last row with a new ID and " (new)" after its name, and for Data the last month's rows
    one month later. Values are str, int, float, None or dates (``datetime.date`` or
    "YYYY-MM-DD"; typed as date serials with a date format). With ``defaults=False`` the
    notes sheet, the comment and default rows are left out: only renames, moves and rows
    given are done. ``cells`` types (sheet, "A1", value) cells after that: a text starting
with "=" is a formula. Returns the script's report plus ``parts`` and ``leftover_pids``.
    """
    src, dst = Path(src), Path(dst)
    if not src.is_file():
        raise LibreOfficeEditError(f"workbook not found: {src}")
    soffice, python = soffice_path(), uno_python()
    if soffice is None or python is None:
        raise LibreOfficeEditError("LibreOffice (soffice + python3-uno) is not installed")
    spec = {
        "new_data_rows": _jsonable(new_data_rows),
        "objective_rows": _jsonable(objective_rows),
        "kpi_rows": _jsonable(kpi_rows),
        "rename": dict(rename or {}),
        "move": [[str(name), int(position)] for name, position in move or []],
        "defaults": bool(defaults),
        "cells": [[sheet, address, value] for sheet, address, value in cells or []],
    }
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="xlmplan-lo-edit-") as tmp:
        work = Path(tmp).resolve()
        (work / "input").mkdir()
        copy = Path(shutil.copy2(src, work / "input" / src.name))
        spec_path, report_path = work / "spec.json", work / "report.json"
        spec_path.write_text(json.dumps(spec), encoding="utf-8")
        out, profile = work / "out" / "edited.xlsx", work / "profile"
        pipe = f"xlmplan_edit_{uuid.uuid4().hex}"
        cmd = [python, str(SCRIPT), "--soffice", soffice, "--profile", str(profile)]
        cmd += ["--input", str(copy), "--output", str(out), "--spec", str(spec_path)]
        cmd += ["--out-json", str(report_path), "--pipe", pipe]
        cmd += ["--start-timeout", str(min(120.0, timeout))]
        try:
            done = _run(cmd, timeout, f"editing {src.name}")
        except XlmplanError as exc:
            raise LibreOfficeEditError(str(exc)) from None
        finally:
            leftovers = _kill_leftovers(profile)
            _remove_pipes(profile, pipe)
        try:
            report: dict[str, Any] = json.loads(report_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise LibreOfficeEditError(
                f"LibreOffice edit of {src.name} left no report (exit {done.returncode}); "
                f"stderr:\n{done.stderr.strip()}"
            ) from None
        if not report.get("ok") or not out.is_file():
            raise LibreOfficeEditError(
                f"LibreOffice edit of {src.name} failed: {report.get('error', 'no output')}\n"
                f"{report.get('traceback', '')}stderr:\n{done.stderr.strip()}"
            )
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(out, dst)
    report["output"] = str(dst)
    report["leftover_pids"] = leftovers
    report["seconds"]["wall"] = time.perf_counter() - started
    report["parts"] = xlsx_parts(dst)
    return report


def xlsx_parts(path: Path) -> dict[str, Any]:
    """What an xlsx holds: per sheet its part, state and related parts; Tables; names; flags."""
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())

        def xml(part: str) -> ET.Element:
            return ET.fromstring(zf.read(part))

        def rels(part: str) -> dict[str, tuple[str, str]]:
            """rId -> (type suffix, target part) of ``part``."""
            p = PurePosixPath(part)
            rels_part = str(p.parent / "_rels" / f"{p.name}.rels")
            if rels_part not in names:
                return {}
            found = {}
            for rel in xml(rels_part).findall("rel:Relationship", NS):
                target = _resolve(p.parent, rel.get("Target", ""))
                found[rel.get("Id", "")] = (rel.get("Type", "").rsplit("/", 1)[-1], target)
            return found

        book = xml("xl/workbook.xml")
        book_rels = rels("xl/workbook.xml")
        sheets: dict[str, Any] = {}
        tables: dict[str, Any] = {}
        array_formulas = inline_strings = 0
        for sheet in book.findall("m:sheets/m:sheet", NS):
            part = book_rels[sheet.get(REL_ID, "")][1]
            info: dict[str, Any] = {"part": part, "state": sheet.get("state", "visible")}
            for kind, target in rels(part).values():
                info.setdefault(kind, []).append(target)
                if kind == "table":
                    table = xml(target)
                    tables[table.get("displayName", "")] = {
                        "part": target,
                        "sheet": sheet.get("name"),
                        "ref": table.get("ref"),
                    }
                if kind == "drawing":
                    info["drawing_objects"] = _drawing_objects(xml(target), rels(target))
            body = zf.read(part).decode("utf-8")
            array_formulas += body.count('t="array"')
            inline_strings += body.count('t="inlineStr"')
            sheets[sheet.get("name", "")] = info
        defined = {
            d.get("name", ""): {
                "hidden": d.get("hidden", "false") in {"1", "true"},
                "local_sheet_id": d.get("localSheetId"),
                "ref": d.text,
            }
            for d in book.findall("m:definedNames/m:definedName", NS)
        }
        calc = book.find("m:calcPr", NS)
        return {
            "sheets": sheets,
            "tables": tables,
            "defined_names": defined,
            "array_formulas": array_formulas,
            "inline_strings": inline_strings,
            "shared_strings": "xl/sharedStrings.xml" in names,
            "calc_chain": "xl/calcChain.xml" in names,
            "full_calc_on_load": calc is not None and calc.get("fullCalcOnLoad") in {"1", "true"},
            "media": sorted(n for n in names if n.startswith("xl/media/")),
            "all_parts": sorted(names),
        }


def _drawing_objects(
    drawing: ET.Element, drawing_rels: dict[str, tuple[str, str]]
) -> list[dict[str, str]]:
    """Name, kind and target part of each chart or picture on a drawing."""
    objects = []
    for anchor in drawing:
        c_nv_pr = anchor.find(".//xdr:cNvPr", NS)
        name = c_nv_pr.get("name", "") if c_nv_pr is not None else ""
        for el in anchor.iter():
            rid = el.get(REL_ID) or el.get(f"{{{NS['r']}}}embed")
            if rid and rid in drawing_rels:
                kind, target = drawing_rels[rid]
                objects.append({"name": name, "kind": kind, "part": target})
    return objects


def _resolve(base: PurePosixPath, target: str) -> str:
    """A relationship target relative to ``base`` -> a part name without leading slash."""
    if target.startswith("/"):
        return target.lstrip("/")
    parts: list[str] = []
    for piece in (*base.parts, *PurePosixPath(target).parts):
        if piece == "..":
            parts.pop()
        elif piece != ".":
            parts.append(piece)
    return "/".join(parts)


def _jsonable(rows: list[list] | None) -> list[list] | None:
    """Rows with dates as "YYYY-MM-DD" strings, ready for JSON."""
    if rows is None:
        return None
    out = []
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, dt.datetime):
                value = value.date()
            if isinstance(value, dt.date):
                value = value.isoformat()
            elif value is not None and not isinstance(value, (str, int, float)):
                raise TypeError(f"cannot type {value!r} into a cell")
            cells.append(value)
        out.append(cells)
    return out


def _kill_leftovers(profile: Path) -> list[int]:
    """Kill and list processes still running with our private profile (expected: none)."""
    proc_dir = Path("/proc")
    if not proc_dir.is_dir():
        return []
    marker = profile.as_uri().encode()
    found = []
    for entry in proc_dir.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if marker in cmdline:
            found.append(int(entry.name))
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(int(entry.name), signal.SIGKILL)
    return found
