"""The plan open in Excel, through xlwings (``XlwingsBook``).

A snapshot is ``SaveCopyAs`` on Windows: it holds the unsaved edits and leaves the user's
file alone (macOS has no SaveCopyAs through xlwings: the book is saved, then copied).
An operation's result comes back as edits (``diff.diff_books``): changed cells grouped into
rectangles and written with one range call each, number formats, Table sizes, names and
sheet names -- with screen updating off and calculation manual while writing, restored
afterwards, and a protected sheet unprotected only while it is written. When the result
holds changes that cell edits cannot carry (a language switch lays out formats and charts
anew), the workbook is closed, the file replaced by the result and opened again.
Of a cell's style only the number format is carried: fonts, fills and borders stay as the
workbook has them (rows added to a Table take the Table's style).
"""

from __future__ import annotations

import os
import shutil
import sys
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from xlmplan.addin.blocks import Block, Pos, group_blocks
from xlmplan.addin.book import Applied, Update, digest, replace_file
from xlmplan.addin.diff import diff_books
from xlmplan.addin.formula_text import address, as_text, excel_formula
from xlmplan.addin.patch import Content, Patch, SheetChanges
from xlmplan.errors import WorkbookError, XlmplanError

# sheetProtection attribute -> Worksheet.Protect argument ("0" in the file: allowed)
_ALLOW = {
    "formatCells": "AllowFormattingCells",
    "formatColumns": "AllowFormattingColumns",
    "formatRows": "AllowFormattingRows",
    "insertColumns": "AllowInsertingColumns",
    "insertRows": "AllowInsertingRows",
    "insertHyperlinks": "AllowInsertingHyperlinks",
    "deleteColumns": "AllowDeletingColumns",
    "deleteRows": "AllowDeletingRows",
    "sort": "AllowSorting",
    "autoFilter": "AllowFiltering",
    "pivotTables": "AllowUsingPivotTables",
}
_PASSWORD = ("password", "hashValue", "algorithmName")


def protect_args(attrs: dict[str, str]) -> dict[str, bool]:
    """``Worksheet.Protect`` keyword arguments that restore a sheet's protection."""
    on = ("1", "true")
    args = {
        "DrawingObjects": attrs.get("objects") in on,
        "Contents": True,
        "Scenarios": attrs.get("scenarios") in on,
    }
    for attr, arg in _ALLOW.items():
        args[arg] = attrs.get(attr, "1") not in on
    return args


def _value_entry(value: Any) -> Any:
    if isinstance(value, str):
        return as_text(value) if value else None
    return value


def _formula_entry(content: Content) -> Any:
    if content[0] == "f":
        return excel_formula(content[1])
    value = _value_entry(content[1])
    return "" if value is None else value


class XlwingsBook:
    """A workbook open in Excel, reached through an ``xlwings.Book``."""

    def __init__(self, book: Any, *, platform: str = sys.platform, backup: bool = True) -> None:
        self.book = book
        self.mac = platform == "darwin"
        self.backup = backup

    @property
    def name(self) -> str:
        return str(self.book.name)

    @property
    def path(self) -> Path | None:
        full = Path(str(self.book.fullname))
        return full if full.is_absolute() else None  # a new, never saved workbook: None

    def sheet_names(self) -> list[str]:
        return [str(sheet.name) for sheet in self.book.sheets]

    def snapshot(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        name = self.name if Path(self.name).suffix else f"{self.name}.xlsx"
        target = folder / name
        if self.mac:
            self.book.save()
            if self.path is None:
                raise WorkbookError(f"{self.name} is not saved — save it first, then try again")
            shutil.copyfile(self.path, target)
        else:
            self.book.api.SaveCopyAs(str(target))
        return target

    def prepare(self, before: Path, after: Path) -> Update:
        if digest(before) == digest(after):
            return Update(before, after, False)
        patch = diff_books(before, after)
        if patch.reopen and self.path is None:
            raise WorkbookError(
                f"{self.name} has never been saved, and this change needs Excel to reopen it "
                "— save it (File › Save As), then try again"
            )
        return Update(before, after, not patch.empty, patch, list(patch.reopen))

    def apply(self, update: Update) -> Applied:
        if not update.changed or update.patch is None:
            return Applied(False)
        if update.reopen:
            return self._reopen(update.after)
        return self._write(update.patch)

    def activate(self, sheet: str) -> None:
        self.book.sheets[sheet].activate()

    # --- cell edits ---------------------------------------------------------------------
    def _write(self, patch: Patch) -> Applied:
        written = {s.name for s in patch.sheets} | {t.sheet for t in patch.tables}
        for name, attrs in patch.protected.items():
            if name in written and any(k in attrs for k in _PASSWORD):
                raise WorkbookError(
                    f"sheet '{name}' of {self.name} is protected with a password — unprotect "
                    "it (Review › Unprotect Sheet) and try again; nothing was changed"
                )
        done = Applied(True)
        with self._quiet(), self._unprotected(patch):
            sheets = self.book.sheets
            for resize in patch.tables:
                sheet = sheets[resize.sheet]
                sheet.tables[resize.table].resize(sheet.range(resize.ref))
                done.calls += 1
            for changes in patch.sheets:
                self._write_sheet(sheets[changes.name], changes, done)
            for old, new in patch.renames.items():
                sheets[old].name = new
            for name, refers_to in patch.names.items():
                self.book.names.add(name, refers_to)
        return done

    def _write_sheet(self, sheet: Any, changes: SheetChanges, done: Applied) -> None:
        plain = [pos for pos, content in changes.cells.items() if content[0] != "a"]
        for block in group_blocks(plain, changes.spare):
            rows = [
                [changes.content((r, c)) for c in range(block.c1, block.c2 + 1)]
                for r in range(block.r1, block.r2 + 1)
            ]
            target = self._range(sheet, block)
            if any(content[0] == "f" for row in rows for content in row):
                target.formula = [[_formula_entry(content) for content in row] for row in rows]
            else:
                target.value = [[_value_entry(content[1]) for content in row] for row in rows]
            done.calls += 1
            done.cells += block.size
        for (r, c), content in sorted(changes.cells.items()):
            if content[0] == "a":
                sheet.range(content[2] or address(r, c, r, c)).formula_array = excel_formula(
                    content[1]
                )
                done.calls += 1
                done.cells += 1
        by_format: dict[str, list[Pos]] = defaultdict(list)
        for pos, code in changes.formats.items():
            by_format[code].append(pos)
        for code, cells in sorted(by_format.items()):
            for block in group_blocks(cells):
                self._range(sheet, block).number_format = code
                done.calls += 1

    @staticmethod
    def _range(sheet: Any, block: Block) -> Any:
        return sheet.range((block.r1 + 1, block.c1 + 1), (block.r2 + 1, block.c2 + 1))

    @contextmanager
    def _quiet(self) -> Iterator[None]:
        """Screen updating off and calculation manual; both restored however it ends."""
        app = self.book.app
        screen, calculation = app.screen_updating, app.calculation
        try:
            app.screen_updating = False
            app.calculation = "manual"
            yield
        finally:
            app.calculation = calculation
            app.screen_updating = screen

    @contextmanager
    def _unprotected(self, patch: Patch) -> Iterator[None]:
        """The protected sheets the patch writes, unprotected while it writes them."""
        lifted: list[tuple[Any, dict[str, str]]] = []
        written = {s.name for s in patch.sheets} | {t.sheet for t in patch.tables}
        try:
            for name, attrs in patch.protected.items():
                if name not in written:
                    continue
                sheet = self.book.sheets[name]
                if self.mac:
                    sheet.api.unprotect()
                else:
                    sheet.api.Unprotect()
                lifted.append((sheet, attrs))
            yield
        finally:
            for sheet, attrs in lifted:
                args = protect_args(attrs)
                if self.mac:
                    sheet.api.protect_worksheet(**{_snake(k): v for k, v in args.items()})
                else:
                    sheet.api.Protect(**args)

    # --- reopening ----------------------------------------------------------------------
    def _reopen(self, after: Path) -> Applied:
        """Close the workbook, replace its file with ``after`` and open it again."""
        path = self.path
        assert path is not None  # prepare() refuses a never-saved workbook
        if not os.access(path.parent, os.W_OK):
            raise WorkbookError(
                f"{path.parent} is read-only — save the plan in another folder and try again"
            )
        app = self.book.app
        self.book.close()  # without saving: ``after`` holds every unsaved edit
        try:
            made = replace_file(path, after, backup=self.backup)
        except XlmplanError as exc:
            kept = path.with_name(f"{path.stem} (updated){path.suffix}")
            try:
                shutil.copyfile(after, kept)
                where = f"; the updated plan, with your unsaved edits, is {kept}"
            except OSError:
                where = ""
            self.book = app.books.open(str(path))
            raise WorkbookError(f"{exc}{where}") from None
        self.book = app.books.open(str(path))
        return Applied(True, reopened=True, backup=made)


def _snake(name: str) -> str:
    return "".join("_" + ch.lower() if ch.isupper() else ch for ch in name).lstrip("_")
