"""The plan the ribbon works on: a file on disk (``FileBook``) or the workbook open in Excel
(``XlwingsBook`` in ``live_book``).

Every operation that changes a plan runs on a snapshot file: ``book.snapshot(folder)``
copies the plan as it stands (for a live workbook, with its unsaved edits), the command
line's file operation changes a working copy of it, ``book.prepare(before, after)`` works
out what to do and ``book.apply(update)`` does it.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from xlmplan.addin.patch import Patch
from xlmplan.errors import WorkbookError
from xlmplan.xlsx.package import open_package
from xlmplan.xlsx.package_write import check_writable, write_package
from xlmplan.xlsx.plan_lock import digest as file_digest
from xlmplan.xlsx.plan_lock import plan_lock


@dataclass
class Update:
    """What applying an operation's result to a book takes."""

    before: Path
    after: Path
    changed: bool  # the result differs from the snapshot
    patch: Patch | None = None  # live workbooks: the edits
    reopen: list[str] = field(default_factory=list)  # why the workbook must be reopened


@dataclass
class Applied:
    """What ``apply`` did."""

    written: bool
    cells: int = 0  # cells written into a live workbook
    calls: int = 0  # range writes made (blocks, array formulas, number formats)
    reopened: bool = False
    backup: Path | None = None


class Book(Protocol):
    """A plan the ribbon's buttons act on."""

    @property
    def name(self) -> str: ...

    @property
    def path(self) -> Path | None: ...

    def sheet_names(self) -> list[str]: ...

    def snapshot(self, folder: Path) -> Path: ...

    def prepare(self, before: Path, after: Path) -> Update: ...

    def apply(self, update: Update) -> Applied: ...

    def activate(self, sheet: str) -> None: ...


def digest(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    found = file_digest(path)
    if found is None:
        raise WorkbookError(f"{path}: no such plan — check the path")
    return found


def replace_file(target: Path, result: Path, *, backup: bool = True) -> Path | None:
    """Make ``target`` a copy of ``result`` atomically, keeping the previous version as
    ``<name>.backup.xlsx``; refuses a file Excel or LibreOffice holds open."""
    with open_package(result) as pkg:
        return write_package(pkg, target, replace={}, backup=backup)


class FileBook:
    """A plan file on disk. ``apply`` replaces the file atomically, refusing when it
    changed since the snapshot; the previous version is kept as ``<name>.backup.xlsx``."""

    def __init__(self, path: Path, *, backup: bool = True) -> None:
        self._path = Path(path)
        self.backup = backup
        self.active_sheet: str | None = None
        self._taken: str | None = None  # digest of the file when the snapshot was taken

    @property
    def name(self) -> str:
        return self._path.name

    @property
    def path(self) -> Path:
        return self._path

    def sheet_names(self) -> list[str]:
        with open_package(self._path) as pkg:
            return [s.name for s in pkg.sheets()]

    def snapshot(self, folder: Path) -> Path:
        if not self._path.is_file():
            raise WorkbookError(f"{self._path}: no such plan — check the path")
        folder.mkdir(parents=True, exist_ok=True)
        copy = folder / self._path.name
        shutil.copyfile(self._path, copy)
        self._taken = digest(copy)
        return copy

    def prepare(self, before: Path, after: Path) -> Update:
        return Update(before, after, digest(before) != digest(after))

    def apply(self, update: Update) -> Applied:
        if not update.changed:
            return Applied(False)
        check_writable(self._path)
        with plan_lock(self._path, expect=self._taken):  # refuses a file changed meanwhile
            made = replace_file(self._path, update.after, backup=self.backup)
        self._taken = None
        return Applied(True, backup=made)

    def activate(self, sheet: str) -> None:
        self.active_sheet = sheet
