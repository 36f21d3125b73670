#!/usr/bin/env python3
"""Edit a plan workbook in headless LibreOffice the way a user would, then save it as xlsx.

Standalone script (no xlmplan imports): run it with an interpreter that can ``import uno``
(Debian's ``/usr/bin/python3`` + python3-uno). ``tests/lo_edit.py`` runs it as a subprocess.

One session: open the plan, rename and move sheets when the spec asks (``rename``,
``move``; through UNO, so LibreOffice rewrites every formula and defined name that refers
to them), add a "My notes" sheet (text, a 6 x 2 table, a column chart built from it, a
PNG image), put a comment on the first objective's name, type rows right below
tblObjectives, tblKpis and tblData (the Tables are not extended), store as
"Calc MS Excel 2007 XML", close, terminate soffice. With ``"defaults": false`` in the spec
only the renames, moves and explicitly given rows are done. ``cells`` types single cells
(text, numbers, formulas) on any sheet, after the rows. A JSON report goes to
--out-json, also on failure.

What LibreOffice 7.4 does to a plan on this xlsx round trip (checked on the demo plan):
- Sheets: the veryHidden ``_xlmplan`` comes back state="hidden" (LO has one hidden state;
  its content and sheet protection survive); Calc stays hidden; order and names survive.
- Defined names: all survive, ``xlm_`` ones included (constants, formulas, sheet-local
  with the same localSheetId), but hidden="1" is lost: every name is written
  hidden="false". Quotes around simple sheet names are dropped ('Start'!$B$5 ->
  Start!$B$5). No names are added.
- Tables: every Table keeps an ``xl/tables/tableN.xml`` with the same name/displayName,
  ref, autoFilter and columns, but parts and ids are renumbered in name order
  (tblActions = table1) and ``<tableStyleInfo>`` is dropped. Refs do not grow over rows
  typed below; nor do the plan's defined names or formulas.
- Array formulas stay ``t="array"``. Text goes to ``xl/sharedStrings.xml`` (no inline
  strings); formula text results are ``t="str"``. No ``calcChain.xml``;
  ``fullCalcOnLoad`` is dropped from calcPr; ``xl/theme/theme1.xml`` is dropped;
  ``docProps/custom.xml`` is added; styles.xml is rewritten.
- New parts: the new sheet is the next ``xl/worksheets/sheetN.xml`` (sheet14); its chart
  and picture share a new ``xl/drawings/drawingN.xml`` (drawing2; the Dashboard keeps
  drawing1 and chart1-4) -> ``xl/charts/chart5.xml`` and ``xl/media/image1.png``.
  The comment goes to ``xl/commentsN.xml`` (N = the sheet's number, comments4 for
  Objectives) plus ``xl/drawings/vmlDrawing1.vml``; its author is " ".
- Shape names: the picture keeps its Name; a chart's name is only written when its OLE
  shape's Name is set (done below), else ``cNvPr name=""``.
"""

from __future__ import annotations

import argparse
import calendar
import contextlib
import datetime as dt
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
import zlib
from pathlib import Path
from typing import Any

import uno  # type: ignore[import-not-found]
from com.sun.star.awt import Point, Rectangle, Size  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]
from com.sun.star.lang import Locale  # type: ignore[import-not-found]
from com.sun.star.table import CellAddress, CellRangeAddress  # type: ignore[import-not-found]

XLSX_FILTER = "Calc MS Excel 2007 XML"
NOTES_SHEET = "My notes"
CHART_NAME = "NotesChart"
IMAGE_NAME = "NotesImage"
OBJECTIVES_TABLE = "tblObjectives"
KPIS_TABLE = "tblKpis"
DATA_TABLE = "tblData"
DATE_TYPE = 2  # com.sun.star.util.NumberFormat.DATE
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
EPOCH = dt.date(1899, 12, 30)  # serial 0 in the 1900 date system
NAME_HEADERS = ("name", "objective", "kpi", "title")
NOTES_TABLE = [
    ("Month", "Leads"),
    ("Jan", 120.0),
    ("Feb", 135.0),
    ("Mar", 128.0),
    ("Apr", 160.0),
    ("May", 172.0),
    ("Jun", 190.0),
]

Row = list[Any]


def prop(name: str, value: Any) -> Any:
    """Build a ``PropertyValue``."""
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def col_letters(col: int) -> str:
    """0-based column index -> letters (0 -> A, 26 -> AA)."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def a1(col: int, row: int) -> str:
    """0-based column and row -> "B7"."""
    return f"{col_letters(col)}{row + 1}"


def range_a1(first_col: int, first_row: int, last_col: int, last_row: int) -> str:
    """0-based corners -> "A1:J3286"."""
    return f"{a1(first_col, first_row)}:{a1(last_col, last_row)}"


def serial_to_date(serial: float) -> dt.date:
    """Spreadsheet date serial -> date (the time of day is dropped)."""
    return EPOCH + dt.timedelta(days=int(serial))


def date_to_serial(day: dt.date) -> float:
    """Date -> spreadsheet date serial."""
    return float((day - EPOCH).days)


def next_month(day: dt.date) -> dt.date:
    """The same day one month later, clamped to the length of that month."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def png_bytes(width: int = 48, height: int = 32) -> bytes:
    """A small RGB gradient PNG built with zlib + struct only."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = bytearray()
    for y in range(height):
        raw.append(0)  # filter: none
        for x in range(width):
            raw += bytes((255 * x // (width - 1), 255 * y // (height - 1), 160))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(raw), 9))
        + chunk(b"IEND", b"")
    )


class Office:
    """A private headless soffice process with its own profile, and a UNO connection."""

    def __init__(self, soffice: str, profile: Path, pipe: str, timeout: float) -> None:
        self.pipe = pipe
        profile.mkdir(parents=True, exist_ok=True)
        cmd = [
            soffice,
            f"-env:UserInstallation={profile.resolve().as_uri()}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            f"--accept=pipe,name={self.pipe};urp;StarOffice.ComponentContext",
        ]
        self.log = profile / "soffice.log"
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        try:
            self.ctx, self.desktop = self._connect(timeout)
        except BaseException:
            self.proc.kill()
            self.proc.wait(timeout=10)
            raise

    def _connect(self, timeout: float) -> tuple[Any, Any]:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        url = f"uno:pipe,name={self.pipe};urp;StarOffice.ComponentContext"
        deadline = time.monotonic() + timeout
        while True:
            try:
                ctx = resolver.resolve(url)
                break
            except NoConnectException:
                if self.proc.poll() is not None:
                    err = self.log.read_text(errors="replace").strip()
                    raise RuntimeError(
                        f"soffice exited with code {self.proc.returncode} before accepting "
                        f"connections{': ' + err.splitlines()[-1] if err else ''}"
                    ) from None
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"soffice did not accept a connection within {timeout:.0f}s"
                    ) from None
                time.sleep(0.1)
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        return ctx, desktop

    def load(self, path: Path) -> Any:
        """Load a document hidden, with macros and link updates disabled."""
        args = (
            prop("Hidden", True),
            prop("MacroExecutionMode", 0),  # NEVER_EXECUTE
            prop("UpdateDocMode", 0),  # NO_UPDATE
        )
        doc = self.desktop.loadComponentFromURL(path.resolve().as_uri(), "_blank", 0, args)
        if doc is None:
            raise RuntimeError(f"LibreOffice could not open {path}")
        return doc

    def close(self) -> int | None:
        """Terminate soffice: politely first, then kill. Returns its exit code."""
        with contextlib.suppress(Exception):  # the bridge dies with the process
            self.desktop.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        return self.proc.returncode


class Table:
    """An input Table (a database range in LibreOffice): header row plus data rows."""

    def __init__(self, doc: Any, name: str) -> None:
        ranges = doc.DatabaseRanges
        found = next((n for n in ranges.getElementNames() if n.lower() == name.lower()), None)
        if found is None:
            names = ", ".join(ranges.getElementNames())
            raise RuntimeError(f"no Table named {name!r} (database ranges: {names})")
        self.name = found
        area = ranges.getByName(found).DataArea
        self.sheet = doc.Sheets.getByIndex(area.Sheet)
        self.first_col, self.last_col = area.StartColumn, area.EndColumn
        self.header_row, self.last_row = area.StartRow, area.EndRow
        self.width = self.last_col - self.first_col + 1
        head = self.block(self.header_row, self.header_row)[0]
        self.headers = [str(h).strip() for h in head]

    @property
    def address(self) -> str:
        return range_a1(self.first_col, self.header_row, self.last_col, self.last_row)

    def block(self, first_row: int, last_row: int) -> list[list[Any]]:
        """Values of the Table's columns over rows ``first_row..last_row`` (0-based)."""
        rng = self.sheet.getCellRangeByPosition(self.first_col, first_row, self.last_col, last_row)
        return [list(row) for row in rng.getDataArray()]

    def column(self, *names: str) -> int | None:
        """Index (within the Table) of the first header equal to one of ``names``."""
        lowered = [h.lower() for h in self.headers]
        for name in names:
            if name in lowered:
                return lowered.index(name)
        return None

    def first_free_row(self, count: int) -> int:
        """First row below the Table where ``count`` rows are empty in its columns."""
        row = self.last_row + 1
        while True:
            block = self.block(row, row + count - 1)
            taken = [i for i, values in enumerate(block) if any(v != "" for v in values)]
            if not taken:
                return row
            row += taken[-1] + 1


class Editor:
    """The user's edits on one loaded plan document."""

    def __init__(self, office: Office, doc: Any, workdir: Path) -> None:
        self.office = office
        self.doc = doc
        self.workdir = workdir
        self.formats = doc.NumberFormats
        self._iso_key: int | None = None

    def is_date_format(self, key: int) -> bool:
        return bool(self.formats.getByKey(key).Type & DATE_TYPE)

    def iso_date_key(self) -> int:
        """Number format key for YYYY-MM-DD (added to the document when missing)."""
        if self._iso_key is None:
            locale = Locale("en", "US", "")
            key = self.formats.queryKey("YYYY-MM-DD", locale, False)
            self._iso_key = key if key >= 0 else self.formats.addNew("YYYY-MM-DD", locale)
        return self._iso_key

    # -- 1. the notes sheet ---------------------------------------------------------------
    def add_notes_sheet(self) -> dict[str, Any]:
        sheets = self.doc.Sheets
        name = NOTES_SHEET
        n = 2
        while sheets.hasByName(name):
            name = f"{NOTES_SHEET} {n}"
            n += 1
        sheets.insertNewByName(name, sheets.getCount())
        sheet = sheets.getByName(name)
        index = sheets.getCount() - 1
        sheet.getCellRangeByName("A1").setString("My notes")
        sheet.getCellRangeByName("A2").setString(
            "Leads from the spring campaign, typed in by hand; see the chart and the logo."
        )
        top, left = 3, 0
        last_row = top + len(NOTES_TABLE) - 1
        table_rng = sheet.getCellRangeByPosition(left, top, left + 1, last_row)
        table_rng.setDataArray(tuple(tuple(r) for r in NOTES_TABLE))
        table_addr = range_a1(left, top, left + 1, last_row)

        anchor = sheet.getCellRangeByName("D2").Position
        rect = Rectangle(anchor.X, anchor.Y, 12000, 7000)
        src = CellRangeAddress(index, left, top, left + 1, last_row)
        charts = sheet.getCharts()
        charts.addNewByName(CHART_NAME, rect, (src,), True, True)
        chart_doc = charts.getByName(CHART_NAME).getEmbeddedObject()
        chart_doc.HasMainTitle = True
        chart_doc.Title.String = "Leads per month"
        diagram = chart_doc.getDiagram().getDiagramType()
        page = sheet.getDrawPage()
        for i in range(page.getCount()):  # the chart's OLE shape: name it like the chart
            ole = page.getByIndex(i)
            if getattr(ole, "PersistName", None) == CHART_NAME:
                ole.Name = CHART_NAME

        png = png_bytes()
        png_path = self.workdir / "notes-image.png"
        png_path.write_bytes(png)
        provider = self.office.ctx.ServiceManager.createInstanceWithContext(
            "com.sun.star.graphic.GraphicProvider", self.office.ctx
        )
        graphic = provider.queryGraphic((prop("URL", png_path.resolve().as_uri()),))
        shape = self.doc.createInstance("com.sun.star.drawing.GraphicObjectShape")
        shape.Graphic = graphic
        page.add(shape)
        shape.Name = IMAGE_NAME
        pos = sheet.getCellRangeByName("A12").Position
        shape.setPosition(Point(pos.X, pos.Y))
        shape.setSize(Size(4800, 3200))
        return {
            "name": name,
            "index": index,
            "text_cells": ["A1", "A2"],
            "table_range": table_addr,
            "chart": {"name": CHART_NAME, "source": table_addr, "diagram": diagram},
            "image": {
                "name": shape.Name,
                "cell": "A12",
                "png_bytes": len(png),
                "size_mm100": [4800, 3200],
            },
            "draw_page_shapes": page.getCount(),
        }

    # -- 2. the comment -------------------------------------------------------------------
    def add_comment(self, text: str) -> dict[str, Any]:
        table = Table(self.doc, OBJECTIVES_TABLE)
        col = table.column(*NAME_HEADERS)
        col = table.column("id") if col is None else col
        col = 0 if col is None else col
        sheet_index = table.sheet.getRangeAddress().Sheet
        row = table.header_row + 1
        address = CellAddress(sheet_index, table.first_col + col, row)
        table.sheet.getAnnotations().insertNew(address, text)
        return {
            "sheet": table.sheet.getName(),
            "cell": a1(table.first_col + col, row),
            "header": table.headers[col],
            "text": text,
        }

    # -- 3./4. typing below Tables --------------------------------------------------------
    def type_rows(self, table: Table, rows: list[Row]) -> dict[str, Any]:
        """Type ``rows`` into the first empty rows below ``table`` (the Table keeps its size).

        Number formats are copied per column from the Table's last row; ISO date strings
        become date serials with that column's date format (or YYYY-MM-DD).
        """
        before = table.address
        report: dict[str, Any] = {
            "table": table.name,
            "sheet": table.sheet.getName(),
            "table_range": before,
            "headers": table.headers,
            "row_count": len(rows),
        }
        if not rows:
            return report
        for row in rows:
            if len(row) > table.width:
                raise RuntimeError(f"{table.name}: a row has {len(row)} values, > {table.width}")
        first = table.first_free_row(len(rows))
        last = first + len(rows) - 1
        model = table.sheet.getCellRangeByPosition(
            table.first_col, table.last_row, table.last_col, table.last_row
        )
        keys = [model.getCellByPosition(c, 0).NumberFormat for c in range(table.width)]
        date_cols: set[int] = set()
        values: list[tuple[Any, ...]] = []
        for row in rows:
            cells: list[Any] = []
            for c in range(table.width):
                value = row[c] if c < len(row) else None
                if isinstance(value, str) and ISO_DATE.match(value):
                    value = date_to_serial(dt.date.fromisoformat(value))
                    date_cols.add(c)
                if value is None:
                    value = ""
                elif isinstance(value, int):  # bool too
                    value = float(value)
                cells.append(value)
            values.append(tuple(cells))
        target = table.sheet.getCellRangeByPosition(table.first_col, first, table.last_col, last)
        target.setDataArray(tuple(values))
        for c in range(table.width):
            key = keys[c]
            if c in date_cols and not self.is_date_format(key):
                key = self.iso_date_key()
            if key:
                col_rng = table.sheet.getCellRangeByPosition(
                    table.first_col + c, first, table.first_col + c, last
                )
                col_rng.NumberFormat = key
        after = Table(self.doc, table.name).address
        report.update(
            first_row=first + 1,
            last_row=last + 1,
            range=range_a1(table.first_col, first, table.last_col, last),
            table_range_after=after,
            date_columns=sorted(table.headers[c] for c in date_cols),
        )
        return report

    def default_new_row(self, table: Table) -> Row:
        """The Table's last row with a fresh ID and " (new)" after its name."""
        last = self.block_row(table, table.last_row)
        id_col = table.column("id")
        name_col = table.column(*NAME_HEADERS)
        if id_col is not None:
            ids = [row[id_col] for row in table.block(table.header_row + 1, table.last_row)]
            last[id_col] = next_id([str(i) for i in ids if i != ""])
        if name_col is not None and last[name_col] != "":
            last[name_col] = f"{last[name_col]} (new)"
        return last

    def block_row(self, table: Table, row: int) -> Row:
        """One Table row with its dates as ISO strings (so they are typed as dates again)."""
        values = table.block(row, row)[0]
        rng = table.sheet.getCellRangeByPosition(table.first_col, row, table.last_col, row)
        for c, value in enumerate(values):
            key = rng.getCellByPosition(c, 0).NumberFormat
            if isinstance(value, float) and self.is_date_format(key):
                values[c] = serial_to_date(value).isoformat()
        return values

    def default_data_month(self, table: Table) -> tuple[list[Row], dict[str, Any]]:
        """The rows of the last month in Data, with their dates moved one month on."""
        date_col = table.column("date")
        if date_col is None:
            raise RuntimeError(f"{table.name} has no Date column (headers: {table.headers})")
        rows = table.block(table.header_row + 1, table.last_row)
        dated = [r for r in rows if isinstance(r[date_col], float)]
        if not dated:
            raise RuntimeError(f"{table.name} has no dated rows")
        latest = serial_to_date(max(r[date_col] for r in dated))
        key = (latest.year, latest.month)
        month = [r for r in dated if serial_to_date(r[date_col]).timetuple()[:2] == key]
        new_rows: list[Row] = []
        for r in month:
            row = list(r)
            row[date_col] = next_month(serial_to_date(r[date_col])).isoformat()
            new_rows.append(row)
        return new_rows, {"source_month": f"{latest.year:04d}-{latest.month:02d}"}


def next_id(ids: list[str]) -> str:
    """The next free ID after the last one: "OB6" -> "OB7" (keeps prefix and width)."""
    if not ids:
        return "1"
    match = re.fullmatch(r"(.*?)(\d+)", ids[-1])
    if match is None:
        taken = set(ids)
        n = 2
        while f"{ids[-1]}-{n}" in taken:
            n += 1
        return f"{ids[-1]}-{n}"
    prefix, digits = match.groups()
    numbers = [
        int(m.group(2))
        for m in (re.fullmatch(r"(.*?)(\d+)", i) for i in ids)
        if m is not None and m.group(1) == prefix
    ]
    return f"{prefix}{max(numbers) + 1:0{len(digits)}d}"


def date_range(report: dict[str, Any], rows: list[Row], table: Table) -> None:
    """Add the first/last date of typed rows to ``report``."""
    col = table.column("date")
    if col is None:
        return
    days = sorted(str(r[col]) for r in rows if len(r) > col and isinstance(r[col], str))
    days = [d for d in days if ISO_DATE.match(d)]
    if days:
        report.update(date_from=days[0], date_to=days[-1])


def sheet_names(doc: Any) -> list[str]:
    """The document's sheet names in tab order."""
    return [doc.Sheets.getByIndex(i).getName() for i in range(doc.Sheets.getCount())]


def rename_sheets(doc: Any, rename: dict[str, str]) -> list[dict[str, str]]:
    """Rename sheets via ``XNamed.setName`` (LibreOffice updates formulas and names)."""
    sheets = doc.Sheets
    done = []
    for old, new in rename.items():
        if not sheets.hasByName(old):
            raise RuntimeError(f"cannot rename: no sheet {old!r} (sheets: {sheet_names(doc)})")
        if new != old and sheets.hasByName(new):
            raise RuntimeError(f"cannot rename {old!r}: a sheet {new!r} exists already")
        sheets.getByName(old).setName(new)
        if not sheets.hasByName(new):
            raise RuntimeError(f"LibreOffice refused to rename {old!r} to {new!r}")
        done.append({"old": old, "new": new})
    return done


def move_sheets(doc: Any, moves: list[list[Any]], rename: dict[str, str]) -> list[dict[str, Any]]:
    """Move sheets to 0-based positions (a renamed sheet may be given by its old name)."""
    sheets = doc.Sheets
    done = []
    for name, position in moves:
        current = name if sheets.hasByName(name) else rename.get(name, name)
        if not sheets.hasByName(current):
            raise RuntimeError(f"cannot move: no sheet {name!r} (sheets: {sheet_names(doc)})")
        count = sheets.getCount()
        position = int(position)
        if not 0 <= position < count:
            raise RuntimeError(f"cannot move {name!r} to {position}: {count} sheets")
        start = sheet_names(doc).index(current)
        # moveByName inserts before the sheet at the given index as it was before the move
        sheets.moveByName(current, position + 1 if position > start else position)
        index = sheet_names(doc).index(current)
        if index != position:
            raise RuntimeError(f"{current!r} ended at position {index}, not {position}")
        done.append({"name": current, "from": start, "to": index})
    return done


def type_cells(doc: Any, cells: list[list[Any]]) -> list[dict[str, Any]]:
    """Type single cells: ``[sheet, "A1", value]``; a text starting with "=" is a formula,
    a number a value, anything else a text."""
    done = []
    for sheet_name, address, value in cells:
        cell = doc.Sheets.getByName(sheet_name).getCellRangeByName(address)
        if isinstance(value, str) and value.startswith("="):
            cell.setFormula(value)
        elif isinstance(value, (int, float)):
            cell.setValue(float(value))
        else:
            cell.setString(str(value))
        done.append({"sheet": sheet_name, "cell": address, "value": value})
    return done


def run_edit(editor: Editor, spec: dict[str, Any]) -> dict[str, Any]:
    """All edits; returns the report sections."""
    doc = editor.doc
    tables = [Table(doc, name) for name in doc.DatabaseRanges.getElementNames()]
    out: dict[str, Any] = {
        "tables": {t.name: f"{t.sheet.getName()}!{t.address}" for t in tables},
        "sheets_before": [
            {"name": s.getName(), "visible": bool(s.IsVisible)}
            for s in (doc.Sheets.getByIndex(i) for i in range(doc.Sheets.getCount()))
        ],
    }
    rename: dict[str, str] = spec.get("rename") or {}
    out["renamed"] = rename_sheets(doc, rename)
    out["moved"] = move_sheets(doc, spec.get("move") or [], rename)
    out["sheets_after_rename_move"] = sheet_names(doc)
    defaults = spec.get("defaults", True)
    out["defaults"] = defaults
    if defaults:
        out["notes_sheet"] = editor.add_notes_sheet()
        out["comment"] = editor.add_comment("Check this target with sales.")

    typed: dict[str, Any] = {}
    inputs = (("objectives", OBJECTIVES_TABLE, "objective_rows"), ("kpis", KPIS_TABLE, "kpi_rows"))
    for role, table_name, key in inputs:
        table = Table(doc, table_name)
        rows = spec.get(key)
        default = rows is None
        if default and not defaults:
            continue
        if default:
            rows = [editor.default_new_row(table)]
        typed[role] = editor.type_rows(table, rows)
        typed[role]["default"] = default
        typed[role]["values"] = rows

    data = Table(doc, DATA_TABLE)
    data_rows = spec.get("new_data_rows")
    extra: dict[str, Any] = {}
    default = data_rows is None
    if defaults or not default:
        if default:
            data_rows, extra = editor.default_data_month(data)
        typed["data"] = editor.type_rows(data, data_rows)
        typed["data"].update(extra, default=default)
        date_range(typed["data"], data_rows, data)
    out["typed"] = typed
    out["cells"] = type_cells(doc, spec.get("cells") or [])
    out["sheets_after"] = sheet_names(doc)
    out["dates"] = "ISO strings typed as date serial numbers with a date number format"
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the edit; write a JSON report to --out-json (also on failure)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--soffice", required=True)
    ap.add_argument("--profile", required=True, type=Path)
    ap.add_argument("--input", required=True, type=Path)
    ap.add_argument("--output", required=True, type=Path, help="where to store the xlsx")
    ap.add_argument(
        "--spec",
        type=Path,
        help="JSON: objective_rows, kpi_rows, new_data_rows, rename, move, defaults, cells",
    )
    ap.add_argument("--out-json", required=True, type=Path)
    ap.add_argument("--pipe", default=f"xlmplan_{uuid.uuid4().hex}", help="UNO pipe name")
    ap.add_argument("--start-timeout", type=float, default=60.0)
    ns = ap.parse_args(argv)

    report: dict[str, Any] = {"ok": False}
    spec: dict[str, Any] = json.loads(ns.spec.read_text(encoding="utf-8")) if ns.spec else {}
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    office: Office | None = None
    try:
        office = Office(ns.soffice, ns.profile, ns.pipe, ns.start_timeout)
        t1 = time.perf_counter()
        doc = office.load(ns.input)
        t2 = time.perf_counter()
        try:
            with tempfile.TemporaryDirectory(prefix="uno-edit-") as tmp:
                report.update(run_edit(Editor(office, doc, Path(tmp)), spec))
            t3 = time.perf_counter()
            args = (prop("FilterName", XLSX_FILTER), prop("Overwrite", True))
            ns.output.parent.mkdir(parents=True, exist_ok=True)
            doc.storeToURL(ns.output.resolve().as_uri(), args)
            t4 = time.perf_counter()
        finally:
            doc.close(True)
        seconds.update(start=t1 - t0, load=t2 - t1, edit=t3 - t2, store=t4 - t3)
        report.update(ok=True, output=str(ns.output), filter=XLSX_FILTER)
    except Exception as exc:
        report["error"] = f"{type(exc).__name__}: {exc}".splitlines()[0]
        report["traceback"] = traceback.format_exc()
    finally:
        if office is not None:
            t5 = time.perf_counter()
            report["soffice_exit_code"] = office.close()
            seconds["shutdown"] = time.perf_counter() - t5
        seconds["total"] = time.perf_counter() - t0
        report["seconds"] = seconds
        ns.out_json.write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    os.environ.setdefault("SAL_USE_VCLPLUGIN", "svp")
    sys.exit(main())
