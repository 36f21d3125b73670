"""The Marketing Plan ribbon's buttons: one callback per button tag, each running the same
job as the command line on the plan open in Excel (or on a plan file).

Excel calls ``on_action(tag)`` through the add-in's VBA (``RunPython``). The add-in itself
is the calling book, so the plan is the active workbook of its Excel instance.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import traceback
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from xlmplan import api, importing, language, refresh, share
from xlmplan.addin import messages
from xlmplan.addin.book import Book
from xlmplan.addin.install import config_file, excel_platform
from xlmplan.addin.live_book import XlwingsBook
from xlmplan.addin.prompts import ExcelPrompter, FileKind, Prompter
from xlmplan.addin.session import Session
from xlmplan.errors import XlmplanError
from xlmplan.kpis import read_kpis
from xlmplan.libreoffice import available as libreoffice_available
from xlmplan.xlsx.plan_file import open_plan

WORKBOOK: tuple[FileKind, ...] = (("Excel workbook", ("xlsx",)),)
EXPORTS: tuple[FileKind, ...] = (("Analytics and ad exports", ("csv", "xlsx", "txt", "tsv")),)
LOG = Path(tempfile.gettempdir()) / "xlmplan-addin.log"


def _folder_of(book: Book | None) -> Path:
    path = book.path if book is not None else None
    return path.parent if path is not None else Path()


def user_language() -> str:
    """The language ``xlmplan addin install --lang`` recorded for this user, else English."""
    kind = excel_platform()
    if kind is None:
        return "en"
    try:
        lines = config_file(kind, Path.home()).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return "en"
    for line in lines:
        key, _, value = line.partition(",")
        if key.strip().strip('"').upper() == "LANGUAGE":
            return value.strip().strip('"').lower() or "en"
    return "en"


def plan_language(book: Book | None) -> str:
    """The language of the plan ``book`` (its manifest; the file as last saved), else the
    user's."""
    path = book.path if book is not None else None
    if path is None or not path.is_file():
        return user_language()
    try:
        pf = open_plan(path)
    except XlmplanError:
        return user_language()
    try:
        return pf.manifest.get("language", "en")
    finally:
        pf.close()


def _ask_replace(p: Prompter, out: Path, lang: str) -> bool:
    question = messages.texts(lang)["addin.ask_replace"]
    return p.confirm(question.format(name=out.name, folder=out.parent))


def new_plan(session: Session) -> None:
    """Ask where to save and in which language, create the plan and open it."""
    p = session.prompter
    t = messages.texts(user_language())
    out = p.save_file(
        t["addin.ask_save_plan"], _folder_of(session.book) / "marketing-plan.xlsx", WORKBOOK
    )
    if out is None:
        return
    if not out.suffix:
        out = out.with_suffix(".xlsx")
    lang = p.choose(t["addin.ask_language"], messages.LANGUAGES)
    if lang is None:
        return
    force = False
    if out.exists():
        if not _ask_replace(p, out, lang):
            return
        force = True
    result = api.new_plan(out, lang=lang, force=force)
    session.book = session.open_plan(out)
    p.info(messages.new_plan(result, lang))


def import_data(session: Session) -> None:
    """Pick exports, import them into Data and refresh the plan."""
    book = session.plan()
    t = messages.texts(plan_language(book))
    files = session.prompter.open_files(t["addin.ask_exports"], EXPORTS)
    if not files:
        return
    if book.path is not None and any(f.resolve() == book.path.resolve() for f in files):
        raise XlmplanError(f"{book.path.name} is the plan itself — choose the export files")
    done = session.change(
        lambda plan: importing.import_data(plan, files, backup=False), what="import the data"
    )
    if done is not None:
        session.prompter.info(messages.imported(book.name, done.result, done.applied))


def refresh_plan(session: Session) -> None:
    """Recompute the plan from its inputs and Data."""
    book = session.plan()
    done = session.change(
        lambda plan: refresh.refresh_plan(plan, backup=False), what="refresh the plan"
    )
    if done is not None:
        session.prompter.info(messages.refreshed(book.name, done.result, done.applied))


def check_plan(session: Session) -> None:
    """List the plan's findings; nothing is changed."""
    book = session.plan()
    found = session.read(lambda plan: refresh.check_plan(plan).findings)
    session.prompter.info(messages.findings(book.name, found, plan_language(book)))


def scenarios(session: Session) -> None:
    """Show the Scenarios sheet and a summary of its scorecard."""
    book = session.plan()

    def summary(plan: Path) -> tuple[str, str]:
        an = refresh.analyse(plan)
        try:
            return an.pf.sheets["scenarios"].name, messages.scenarios(an)
        finally:
            an.pf.close()

    sheet, text = session.read(summary)
    book.activate(sheet)
    session.prompter.info(text)


def show_kpis(session: Session) -> None:
    """Show each KPI's on-pace and year-end verdicts, read as ``xlmplan kpis`` reads them
    (the plan's saved values); nothing is changed."""
    book = session.plan()

    def table(plan: Path) -> str:
        report = read_kpis(plan)
        return messages.kpi_table(report, sheet_name(plan, "strategy_kpi"), plan_language(book))

    session.prompter.info(session.read(table))


def allocate_budget(session: Session) -> None:
    """Fit the response curves, write the recommended weekly split into the Budget mix
    sheet's proposed column and show the sheet (as `xlmplan allocate`)."""
    from xlmplan.mix import allocate_plan, write_split  # scipy only for this button

    book = session.plan()

    def job(plan: Path) -> tuple[str, list[str]]:
        result = allocate_plan(plan)
        write_split(result)
        return sheet_name(plan, "budget_mix"), result.summary()

    done = session.change(job, what="write the recommended budget split")
    if done is None:
        return
    sheet, lines = done.result
    book.activate(sheet)
    session.prompter.info("\n".join([f"Budget mix of {book.name}:", *lines]))


def sheet_name(plan: Path, role: str) -> str:
    """The displayed name of the plan's sheet of ``role``."""
    from xlmplan.xlsx.plan_file import open_plan

    pf = open_plan(plan)
    try:
        return pf.sheets[role].name
    finally:
        pf.close()


def share_copy(session: Session) -> None:
    """Save an email-ready copy (and a PDF) from the plan as it stands; the plan is not
    changed."""
    book = session.plan()
    p = session.prompter
    lang = plan_language(book)
    t = messages.texts(lang)
    stem = Path(book.name).stem
    out = p.save_file(
        t["addin.ask_save_copy"], _folder_of(book) / f"{stem} (email-ready).xlsx", WORKBOOK
    )
    if out is None:
        return
    if not out.suffix:
        out = out.with_suffix(".xlsx")
    if book.path is not None and out.resolve() == book.path.resolve():
        raise XlmplanError(
            f"{out.name} is the plan itself — save the copy under another name, "
            f"e.g. {stem} (email-ready).xlsx"
        )
    force = False
    if out.exists():
        if not _ask_replace(p, out, lang):
            return
        force = True
    pdf = p.confirm(t["addin.ask_pdf"])
    note = ""
    if pdf and not libreoffice_available():
        pdf, note = False, t["addin.no_libreoffice"]

    def copy(plan: Path) -> tuple[share.ShareResult, str]:
        try:
            return share.share_plan(plan, out, pdf=pdf, force=force), note
        except XlmplanError as exc:
            if not pdf or not out.exists():
                raise
            made = share.share_plan(plan, out, force=True)  # the copy without the PDF
            return made, f"No PDF: {exc}"

    result, note = session.read(copy)
    p.info(messages.shared(result, note))


def switch_language(session: Session) -> None:
    """Switch the plan's labels, lists and sheet names to another language."""
    book = session.plan()
    t = messages.texts(plan_language(book))
    lang = session.prompter.choose(t["addin.ask_switch"], messages.LANGUAGES)
    if lang is None:
        return
    done = session.change(
        lambda plan: language.switch_language(plan, lang, backup=False),
        what="switch the language",
    )
    if done is not None:
        session.prompter.info(messages.switched(book.name, done.result, done.applied))


CALLBACKS: Mapping[str, Callable[[Session], None]] = {
    "new_plan": new_plan,
    "import_data": import_data,
    "refresh": refresh_plan,
    "check_plan": check_plan,
    "kpis": show_kpis,
    "scenarios": scenarios,
    "allocate": allocate_budget,
    "share": share_copy,
    "language": switch_language,
}


def run(tag: str, session: Session) -> None:
    """Run the callback of ``tag``; a user's mistake becomes one message, not a traceback."""
    callback = CALLBACKS.get(tag)
    if callback is None:
        session.prompter.error(
            f"This button ('{tag}') is unknown to xlmplan — the add-in and the installed "
            "xlmplan do not match; reinstall the add-in with: xlmplan addin install"
        )
        return
    try:
        callback(session)
    except XlmplanError as exc:
        session.prompter.error(str(exc))


def live_session(app: Any, prompter: Prompter) -> Session:
    """A session on the active workbook of an Excel instance (``app``: ``xlwings.App``)."""
    try:
        active = app.books.active
    except Exception:  # no workbook open: xlwings raises, depending on the platform
        active = None

    def open_plan(path: Path) -> Book:
        for book in app.books:
            if str(book.name).casefold() == path.name.casefold():
                raise XlmplanError(
                    f"Created {path}, but Excel already has a workbook named {path.name} "
                    "open — close that one, then open the new plan"
                )
        return XlwingsBook(app.books.open(str(path)))

    return Session(prompter, XlwingsBook(active) if active is not None else None, open_plan)


def on_action(tag: str) -> None:
    """The ribbon's entry point (``RunPython``): run the button ``tag`` on the active
    workbook; anything unexpected is one message too, its details logged to ``LOG``."""
    import xlwings as xw

    app = xw.Book.caller().app
    prompter = ExcelPrompter(app)
    try:
        run(tag, live_session(app, prompter))
    except Exception as exc:
        try:
            with open(LOG, "a", encoding="utf-8") as log:
                log.write(
                    f"{dt.datetime.now():%Y-%m-%d %H:%M:%S} {tag}\n{traceback.format_exc()}\n"
                )
        except OSError:
            pass
        prompter.error(
            f"xlmplan stopped unexpectedly: {type(exc).__name__}: {exc}. If the plan looks "
            f"wrong, close it without saving. Details are in {LOG}"
        )
