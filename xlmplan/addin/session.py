"""One click of a ribbon button: the plan it acts on, the prompter, and the two ways an
operation runs -- reading a snapshot, or changing a working copy and applying the result.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from xlmplan.addin.book import Applied, Book, FileBook, Update
from xlmplan.addin.prompts import Prompter
from xlmplan.errors import XlmplanError
from xlmplan.sheets.checks_sheet import MANIFEST_SHEET

T = TypeVar("T")


@dataclass
class Changed(Generic[T]):
    """An operation's own result and what applying it did."""

    result: T
    applied: Applied


@dataclass
class Session:
    """What a button works with. ``open_plan`` opens a plan file as the session's book
    (in Excel: ``app.books.open``); ``scratch`` is where working copies go (a new
    temporary folder by default)."""

    prompter: Prompter
    book: Book | None = None
    open_plan: Callable[[Path], Book] = FileBook
    scratch: Path | None = None

    def plan(self) -> Book:
        """The plan the buttons act on; a one-line error when there is none."""
        if self.book is None:
            raise XlmplanError("No workbook is open — open a marketing plan, or click New plan")
        if MANIFEST_SHEET not in self.book.sheet_names():
            raise XlmplanError(
                f"{self.book.name} is not a marketing plan made by xlmplan — open a plan, "
                "or click New plan to create one"
            )
        return self.book

    @contextmanager
    def _folder(self) -> Iterator[Path]:
        if self.scratch is not None:
            self.scratch.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="xlmplan-", dir=self.scratch) as name:
            yield Path(name)

    def read(self, job: Callable[[Path], T]) -> T:
        """``job`` on a snapshot of the plan; nothing is applied."""
        book = self.plan()
        with self._folder() as folder:
            snap = book.snapshot(folder / "snapshot")
            with _told_as(book, snap):
                return job(snap)

    def change(self, job: Callable[[Path], T], *, what: str) -> Changed[T] | None:
        """``job`` changes a working copy of a snapshot; the result is then applied to the
        plan. ``what`` says what the job does, for the question asked when the workbook
        must be reopened; None when the user declines."""
        book = self.plan()
        with self._folder() as folder:
            before = book.snapshot(folder / "snapshot")
            work = folder / "work" / before.name
            work.parent.mkdir()
            shutil.copyfile(before, work)
            with _told_as(book, work, before):
                result = job(work)
            update = book.prepare(before, work)
            if update.reopen and not self.prompter.confirm(reopen_question(book, what, update)):
                return None
            return Changed(result, book.apply(update))


def reopen_question(book: Book, what: str, update: Update) -> str:
    reasons = update.reopen
    shown = ", ".join(reasons[:3]) + (" and more" if len(reasons) > 3 else "")
    return (
        f"To {what}, Excel has to close {book.name} and open it again, because these change "
        f"too: {shown}.\n\nYour unsaved edits are kept and saved with it; the previous "
        "version is kept as a backup copy beside it. Continue?"
    )


@contextmanager
def _told_as(book: Book, *copies: Path) -> Iterator[None]:
    """Messages naming a working copy name the plan instead."""
    try:
        yield
    except XlmplanError as exc:
        text = str(exc)
        shown = str(book.path) if book.path is not None else book.name
        for copy in copies:
            text = text.replace(str(copy), shown)
        raise type(exc)(text) from None
