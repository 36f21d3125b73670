"""A recording stand-in for the xlwings objects the add-in uses, backed by a real plan file.

``FakeApp`` has ``screen_updating``, ``calculation``, ``books`` (``active``, ``open``),
``alert`` and an ``api`` answering Excel's file dialogs from a script. A ``FakeBook`` is
loaded from a file with openpyxl (an engine independent of the add-in's own reader): its
sheets hold every cell (formula text or value), number format, Table and protection, and
its names. Every write is recorded as a ``Call`` (sheet, address, shape, property, and the
app's screen updating and calculation at that moment) and changes the in-memory cells the
way Excel would parse what is written: ``'`` keeps text, ``=`` starts a formula, and text
that reads as a number, boolean or date becomes one. Writing into a protected sheet fails,
as in Excel.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.formula import ArrayFormula

Content = tuple[str, Any]  # ("v", value) | ("f", "=formula") | ("a", "=formula") | ("e", "#N/A")
_ERRORS = {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}$")
_A1 = re.compile(r"\$?([A-Z]{1,3})\$?(\d+)$")


class FakeComError(Exception):
    """What Excel raises through COM when it refuses an edit."""


@dataclass(frozen=True)
class Call:
    sheet: str
    address: str
    shape: tuple[int, int]
    prop: str  # value | formula | formula_array | number_format | resize
    screen_updating: bool
    calculation: str


def typed(x: Any) -> Content:
    """What a cell holds after ``x`` is written to it, parsed as Excel parses typing."""
    if x is None:
        return ("v", None)
    if isinstance(x, dt.date) and not isinstance(x, dt.datetime):
        return ("v", dt.datetime(x.year, x.month, x.day))
    if not isinstance(x, str):
        return ("v", x)
    if x == "":
        return ("v", None)
    if x.startswith("'"):
        return ("v", x[1:])
    if x.startswith("="):
        return ("f", x)
    s = x.strip()
    if s[:1] in "+-@" and len(s) > 1 and not _number(s):
        return ("f", "=" + s)
    if s.upper() in ("TRUE", "FALSE"):
        return ("v", s.upper() == "TRUE")
    if s in _ERRORS:
        return ("e", s)
    number = _number(s)
    if number is not None:
        return ("v", number)
    if _ISO_DATE.match(s):
        return ("v", dt.datetime.fromisoformat(s))
    return ("v", x)


def _number(s: str) -> float | None:
    text = s.replace(",", "")
    percent = text.endswith("%")
    try:
        value = float(text[:-1] if percent else text)
    except ValueError:
        return None
    return value / 100 if percent else value


def cell_content(cell: Any) -> Content:
    """An openpyxl cell as a ``Content``."""
    value = cell.value
    if isinstance(value, ArrayFormula):
        return ("a", value.text)
    if cell.data_type == "f":
        return ("f", value)
    if cell.data_type == "e":
        return ("e", value)
    if value == "" or value is None:
        return ("v", None)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return ("v", dt.datetime(value.year, value.month, value.day))
    return ("v", value)


def parse_ref(ref: str) -> tuple[int, int, int, int]:
    """``"B2:D9"`` -> 1-based (2, 2, 9, 4)."""
    first, _, last = ref.partition(":")
    m1, m2 = _A1.match(first), _A1.match(last or first)
    assert m1 and m2, ref
    return (
        int(m1[2]),
        column_index_from_string(m1[1]),
        int(m2[2]),
        column_index_from_string(m2[1]),
    )


def ref_text(r1: int, c1: int, r2: int, c2: int) -> str:
    first = f"{get_column_letter(c1)}{r1}"
    return first if (r1, c1) == (r2, c2) else f"{first}:{get_column_letter(c2)}{r2}"


def _unreadable(self: Any) -> Any:
    raise NotImplementedError("the add-in writes cells; it reads files, not ranges")


class FakeRange:
    def __init__(self, sheet: FakeSheet, r1: int, c1: int, r2: int, c2: int) -> None:
        self.sheet = sheet
        self.r1, self.c1, self.r2, self.c2 = r1, c1, r2, c2

    @property
    def address(self) -> str:
        return ref_text(self.r1, self.c1, self.r2, self.c2)

    @property
    def shape(self) -> tuple[int, int]:
        return self.r2 - self.r1 + 1, self.c2 - self.c1 + 1

    def _record(self, prop: str) -> None:
        app = self.sheet.book.app
        app.calls.append(
            Call(
                self.sheet.name,
                self.address,
                self.shape,
                prop,
                app.screen_updating,
                app.calculation,
            )
        )

    def _check_writable(self) -> None:
        if self.sheet.protected:
            raise FakeComError(f"sheet {self.sheet.name} is protected")
        if self.sheet.book.closed:
            raise FakeComError("the workbook is closed")

    def _put(self, rows: Any, prop: str) -> None:
        self._check_writable()
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise TypeError(f"write a list of rows, got {type(rows).__name__}")
        if (len(rows), len(rows[0]) if rows else 0) != self.shape or any(
            len(r) != self.shape[1] for r in rows
        ):
            raise ValueError(f"{len(rows)} rows do not fit {self.address}")
        self._record(prop)
        for i, row in enumerate(rows):
            for j, x in enumerate(row):
                self.sheet.cells[(self.r1 + i, self.c1 + j)] = typed(x)

    def _put_formula_array(self, text: str) -> None:
        self._check_writable()
        assert isinstance(text, str) and text.startswith("="), text
        self._record("formula_array")
        self.sheet.cells[(self.r1, self.c1)] = ("a", text)

    def _put_number_format(self, code: str) -> None:
        self._check_writable()
        self._record("number_format")
        for r in range(self.r1, self.r2 + 1):
            for c in range(self.c1, self.c2 + 1):
                self.sheet.formats[(r, c)] = code

    # write-only, as the add-in uses them: it reads files, never ranges
    value = property(_unreadable, lambda self, rows: self._put(rows, "value"))
    formula = property(_unreadable, lambda self, rows: self._put(rows, "formula"))
    formula_array = property(_unreadable, _put_formula_array)
    number_format = property(_unreadable, _put_number_format)


class FakeTable:
    def __init__(self, sheet: FakeSheet, name: str, ref: str) -> None:
        self.sheet, self.name, self.ref = sheet, name, ref

    def resize(self, target: FakeRange) -> None:
        if self.sheet.protected:
            raise FakeComError(f"sheet {self.sheet.name} is protected")
        target._record("resize")
        self.ref = target.address


class FakeSheetApi:
    def __init__(self, sheet: FakeSheet) -> None:
        self.sheet = sheet
        self.protect_calls: list[dict[str, Any]] = []

    def Unprotect(self) -> None:  # noqa: N802 - Excel's name
        self.sheet.book.app.events.append(("unprotect", self.sheet.name))
        self.sheet.protected = False

    def Protect(self, **kwargs: Any) -> None:  # noqa: N802 - Excel's name
        self.sheet.book.app.events.append(("protect", self.sheet.name))
        self.protect_calls.append(kwargs)
        self.sheet.protected = True


@dataclass(frozen=True)
class _SheetData:
    title: str
    cells: dict[tuple[int, int], Content]
    formats: dict[tuple[int, int], str]
    protected: bool
    tables: dict[str, str]


_LOADED: dict[str, tuple[list[_SheetData], dict[str, str]]] = {}


def _load(path: Path) -> tuple[list[_SheetData], dict[str, str]]:
    """Sheets and names of a file, read once per distinct content."""
    key = hashlib.sha256(path.read_bytes()).hexdigest()
    if key not in _LOADED:
        wb = openpyxl.load_workbook(path)
        sheets = []
        for ws in wb.worksheets:
            cells: dict[tuple[int, int], Content] = {}
            formats: dict[tuple[int, int], str] = {}
            for row in ws.iter_rows():
                for cell in row:
                    content = cell_content(cell)
                    if content != ("v", None):
                        cells[(cell.row, cell.column)] = content
                    formats[(cell.row, cell.column)] = cell.number_format
            tables = {name: str(ref) for name, ref in ws.tables.items()}
            sheets.append(_SheetData(ws.title, cells, formats, bool(ws.protection.sheet), tables))
        names = {n: "=" + d.attr_text for n, d in wb.defined_names.items() if d.attr_text}
        _LOADED[key] = (sheets, names)
    return _LOADED[key]


class FakeSheet:
    def __init__(self, book: FakeBook, data: _SheetData) -> None:
        self.book = book
        self._name: str = data.title
        self.cells = dict(data.cells)
        self.formats = dict(data.formats)
        self.protected: bool = data.protected
        self.tables = {name: FakeTable(self, name, ref) for name, ref in data.tables.items()}
        self.api = FakeSheetApi(self)

    @property
    def name(self) -> str:
        return self._name

    @name.setter
    def name(self, new: str) -> None:
        self.book.app.events.append(("rename", self._name, new))
        self._name = new

    def range(self, first: Any, last: Any = None) -> FakeRange:
        if isinstance(first, str):
            assert last is None
            return FakeRange(self, *parse_ref(first))
        (r1, c1), (r2, c2) = first, last if last is not None else first
        assert r1 >= 1 and c1 >= 1 and r2 >= r1 and c2 >= c1, (first, last)
        return FakeRange(self, r1, c1, r2, c2)

    def activate(self) -> None:
        self.book.app.events.append(("activate", self.name))
        self.book.active_sheet = self.name

    def content(self, r: int, c: int) -> Content:
        return self.cells.get((r, c), ("v", None))


class FakeSheets:
    def __init__(self, sheets: list[FakeSheet]) -> None:
        self._sheets = sheets

    def __getitem__(self, key: int | str) -> FakeSheet:
        if isinstance(key, int):
            return self._sheets[key]
        for sheet in self._sheets:
            if sheet.name.casefold() == key.casefold():
                return sheet
        raise KeyError(key)

    def __iter__(self) -> Iterator[FakeSheet]:
        return iter(self._sheets)

    def __len__(self) -> int:
        return len(self._sheets)


class FakeNames:
    def __init__(self, book: FakeBook, names: dict[str, str]) -> None:
        self.book = book
        self.refers_to = names  # name -> "=..."

    def add(self, name: str, refers_to: str) -> None:
        assert refers_to.startswith("="), refers_to
        self.book.app.events.append(("name", name, refers_to))
        self.refers_to[name] = refers_to


class FakeBookApi:
    def __init__(self, book: FakeBook) -> None:
        self.book = book

    def SaveCopyAs(self, filename: str) -> None:  # noqa: N802 - Excel's name
        if self.book.app.calls or self.book.closed:
            raise RuntimeError("fake: a snapshot after writes is not modelled")
        self.book.app.events.append(("SaveCopyAs", filename))
        shutil.copyfile(self.book.file, filename)


class FakeBook:
    """A workbook open in the fake Excel; its cells come from ``path``."""

    def __init__(self, app: FakeApp, path: Path) -> None:
        self.app = app
        self.file = Path(path)
        self.name = self.file.name
        self.fullname = str(self.file)
        self.closed = False
        self.active_sheet: str | None = None
        sheets, names = _load(self.file)
        self.sheets = FakeSheets([FakeSheet(self, data) for data in sheets])
        self.names = FakeNames(self, dict(names))
        self.api = FakeBookApi(self)

    def close(self) -> None:
        self.app.events.append(("close", self.name))
        self.closed = True
        self.app.books.remove(self)

    def save(self) -> None:
        raise AssertionError("the add-in must not save the user's workbook on Windows")


class FakeBooks:
    def __init__(self, app: FakeApp) -> None:
        self.app = app
        self._books: list[FakeBook] = []
        self.active: FakeBook | None = None

    def open(self, fullname: str) -> FakeBook:
        self.app.events.append(("open", Path(fullname).name))
        book = FakeBook(self.app, Path(fullname))
        self._books.append(book)
        self.active = book
        return book

    def remove(self, book: FakeBook) -> None:
        self._books.remove(book)
        if self.active is book:
            self.active = self._books[-1] if self._books else None

    def __iter__(self) -> Iterator[FakeBook]:
        return iter(self._books)


class FakeExcelApi:
    """Excel's ``Application`` dialogs, answering from a script."""

    def __init__(self, answers: Iterable[Any]) -> None:
        self.answers: deque[Any] = deque(answers)
        self.asked: list[tuple[str, dict[str, Any]]] = []

    def _next(self, what: str, kwargs: dict[str, Any]) -> Any:
        self.asked.append((what, kwargs))
        if not self.answers:
            raise AssertionError(f"fake Excel: nothing scripted for {what} {kwargs}")
        return self.answers.popleft()

    def GetOpenFilename(self, **kwargs: Any) -> Any:  # noqa: N802 - Excel's name
        return self._next("GetOpenFilename", kwargs)

    def GetSaveAsFilename(self, **kwargs: Any) -> Any:  # noqa: N802 - Excel's name
        return self._next("GetSaveAsFilename", kwargs)

    def InputBox(self, **kwargs: Any) -> Any:  # noqa: N802 - Excel's name
        return self._next("InputBox", kwargs)


class FakeApp:
    """Excel with its state and a record of every write, event and message."""

    def __init__(self, answers: Iterable[Any] = ()) -> None:
        self.screen_updating = True
        self.calculation = "automatic"
        self.books = FakeBooks(self)
        self.calls: list[Call] = []
        self.events: list[tuple[Any, ...]] = []
        self.alerts: list[tuple[str, str | None, str]] = []  # (prompt, mode, buttons)
        self.api = FakeExcelApi(answers)

    def alert(
        self,
        prompt: str,
        title: str | None = None,
        buttons: str = "ok",
        mode: str | None = None,
        callback: str | None = None,
    ) -> str:
        self.alerts.append((prompt, mode, buttons))
        if buttons == "yes_no":
            answer = self.api._next("alert", {"prompt": prompt})
            assert answer in ("yes", "no"), answer
            return str(answer)
        return "ok"


def open_fake(path: Path, answers: Iterable[Any] = ()) -> tuple[FakeApp, FakeBook]:
    """A fake Excel with the plan at ``path`` open and active."""
    app = FakeApp(answers)
    return app, app.books.open(str(path))


def read_cells(path: Path) -> dict[str, dict[tuple[int, int], Content]]:
    """Every non-blank cell of every sheet of a file, as a fake book holds them."""
    sheets, _names = _load(path)
    return {data.title: dict(data.cells) for data in sheets}


def read_formats(path: Path) -> dict[str, dict[tuple[int, int], str]]:
    """The number format of every cell of every sheet of a file."""
    sheets, _names = _load(path)
    return {data.title: dict(data.formats) for data in sheets}


def read_names(path: Path) -> dict[str, str]:
    """The workbook's names, ``=`` first."""
    return dict(_load(path)[1])
