"""The ribbon's callbacks on a plan file (``FileBook``) and on a live workbook (``XlwingsBook``
over the recording fake of xlwings in ``fake_xlwings``).

On a file, each button must leave exactly what the command line's job leaves. On a live
workbook, the writes must turn the workbook into the job's result cell for cell, in a few
block writes, with screen updating off and calculation manual while writing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlwings
from fake_xlwings import (
    Content,
    FakeApp,
    FakeBook,
    open_fake,
    read_cells,
    read_formats,
    read_names,
)

from xlmplan.addin import messages, ribbon
from xlmplan.addin.book import FileBook
from xlmplan.addin.live_book import XlwingsBook
from xlmplan.addin.prompts import MAX_MESSAGE, ScriptedPrompter
from xlmplan.addin.session import Session
from xlmplan.api import new_plan
from xlmplan.errors import WorkbookError
from xlmplan.importing import ImportResult, import_data
from xlmplan.kpi_report import percent, short_figure
from xlmplan.kpis import KpiReport, KpiRow, read_kpis
from xlmplan.language import switch_language
from xlmplan.refresh import check_plan, refresh_plan
from xlmplan.sheets.cellrefs import parse_a1
from xlmplan.xlsx.package import open_package
from xlmplan.xlsx.package_write import backup_path, write_package
from xlmplan.xlsx.plan_file import open_plan
from xlmplan.xlsx.splice import Q, SheetXml, text_cell

FIXTURES = Path(__file__).parent / "fixtures" / "exports"
GA4 = FIXTURES / "ga4_traffic_acquisition.csv"
ADS = FIXTURES / "google_ads_time_series.csv"
GA4_NEW_CHANNEL = FIXTURES / "ga4_exploration_grand_total.csv"  # brings in 'Referral'
GA4_BY_PAGE = FIXTURES / "ga4_landing_pages.csv"  # refused: rows by page, not by channel
REAL_META = (
    FIXTURES
    / "real"
    / "github__PawelMindlink_Ad-Creator__Untitled-report-Jan-1-2026-to-Jan-31-2026.csv"
)
TAGS = (
    "new_plan",
    "import_data",
    "refresh",
    "check_plan",
    "kpis",
    "scenarios",
    "allocate",
    "share",
    "language",
)
# Campaign names Excel would read as a formula, number, boolean, formula, date and text.
# Email's odd rows cost nothing: spend on a channel that had none makes it a paid channel
# with its own Budget mix row, a new layout the live workbook takes by reopening.
ODD_CSV = (
    "date,channel,campaign,clicks,spend\n"
    "2026-02-03,Email,=1+1,5,0\n"
    "2026-02-03,Email,2025,5,0\n"
    "2026-02-03,Email,TRUE,5,0\n"
    "2026-02-03,Email,-promo,5,0\n"
    "2026-02-03,Email,Jan 2026,5,0\n"
    "2026-02-03,Email,'quoted,5,0\n"
)


# --- fixtures and helpers ---------------------------------------------------------------
@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plan as ``xlmplan new`` writes it (a first refresh rewrites parts of it)."""
    return new_plan(tmp_path_factory.mktemp("fresh") / "plan.xlsx").path


@pytest.fixture(scope="module")
def settled(fresh: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plan refreshed once: refreshing it again changes nothing."""
    path = tmp_path_factory.mktemp("settled") / "plan.xlsx"
    shutil.copyfile(fresh, path)
    refresh_plan(path, backup=False)
    return path


@pytest.fixture
def plan(fresh: Path, tmp_path: Path) -> Path:
    path = tmp_path / "plan.xlsx"
    shutil.copyfile(fresh, path)
    return path


@pytest.fixture
def odd_export(tmp_path: Path) -> Path:
    path = tmp_path / "odd names.csv"
    path.write_text(ODD_CSV, encoding="utf-8")
    return path


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def parts(path: Path) -> dict[str, bytes]:
    with open_package(path) as pkg:
        return {name: pkg.read(name) for name in pkg.names()}


def cli_result(plan: Path, tmp_path: Path, job: Any) -> Path:
    """The command line's job run on a copy of ``plan``."""
    copy = tmp_path / "cli" / plan.name
    copy.parent.mkdir()
    shutil.copyfile(plan, copy)
    job(copy)
    return copy


def file_session(path: Path | None, answers: list[Any]) -> tuple[Session, ScriptedPrompter]:
    prompter = ScriptedPrompter(answers)
    return Session(prompter, FileBook(path) if path else None), prompter


def live_session(
    path: Path, answers: list[Any]
) -> tuple[FakeApp, FakeBook, Session, ScriptedPrompter]:
    app, book = open_fake(path)
    prompter = ScriptedPrompter(answers)
    session = ribbon.live_session(app, prompter)
    session.prompter = prompter
    return app, book, session, prompter


def edit_cell(path: Path, sheet: str, ref: str, text: str) -> None:
    """Type ``text`` into a cell of a plan file, as a user would in Excel."""
    with open_package(path) as pkg:
        part = next(s.part for s in pkg.sheets() if s.name == sheet)
        xml = SheetXml(pkg.read(part))
        pos = parse_a1(ref)
        old = xml.cells.get(pos)
        xml.put(pos, text_cell(text, old.get("s") if old is not None else None), None)
        write_package(pkg, path, replace={part: xml.finish()}, backup=False)


def _norm(content: Content) -> Content:
    kind, value = content
    if kind in ("f", "a"):
        return kind, value.replace("_xlfn.", "")
    if isinstance(value, bool):
        return content
    if isinstance(value, (int, float)):
        return kind, float(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return kind, dt.datetime(value.year, value.month, value.day)
    return content


def assert_book_is(book: FakeBook, path: Path) -> int:
    """Every cell of the live book equals the file's (formula text or value)."""
    expected = read_cells(path)
    assert [s.name for s in book.sheets] == list(expected)
    checked = 0
    for sheet in book.sheets:
        want = expected[sheet.name]
        for pos in want.keys() | sheet.cells.keys():
            got, exp = _norm(sheet.content(*pos)), _norm(want.get(pos, ("v", None)))
            if isinstance(got[1], float) and isinstance(exp[1], float):
                assert math.isclose(got[1], exp[1], rel_tol=1e-12), (sheet.name, pos)
            else:
                assert got == exp, (sheet.name, pos, got, exp)
            checked += 1
    return checked


def assert_quiet(app: FakeApp) -> None:
    """Every write happened with screen updating off and calculation manual, and both
    are back as they were."""
    assert app.calls
    assert all(not c.screen_updating and c.calculation == "manual" for c in app.calls)
    assert app.screen_updating is True and app.calculation == "automatic"


def stamped(path: Path) -> str | None:
    """The email-ready stamp on a plan's Start sheet (None on a plan that was not shared)."""
    pf = open_plan(path)
    try:
        rows = pf.cells(pf.sheets["start"])
        r, c = parse_a1(pf.manifest["stamp.start"])  # the label; its value to the right
        row = rows[r] if r < len(rows) else []
        return str(row[c + 1]) if c + 1 < len(row) and row[c] else None
    finally:
        pf.close()


def one_line(prompter: ScriptedPrompter) -> str:
    assert len(prompter.messages) == 1, prompter.messages
    kind, text = prompter.messages[0]
    assert kind == "error" and "\n" not in text and "Traceback" not in text, text
    assert "xlmplan-" not in text, text  # no working copy's path
    return text


# --- the dispatcher ---------------------------------------------------------------------
def test_callbacks_are_keyed_by_the_ribbon_tags() -> None:
    ui = (Path(__file__).parents[1] / "macros" / "customUI14.xml").read_text(encoding="utf-8")
    assert set(ribbon.CALLBACKS) == set(TAGS)
    for tag in TAGS:
        assert f'tag="{tag}"' in ui


def test_unknown_tag_is_a_message(plan: Path) -> None:
    session, prompter = file_session(plan, [])
    ribbon.run("launch_rockets", session)
    assert "launch_rockets" in one_line(prompter)


def test_a_workbook_that_is_not_a_plan_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "budget.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["Budget", 1200])
    wb.save(other)
    for tag in ("refresh", "check_plan", "import_data"):
        session, prompter = file_session(other, [])
        ribbon.run(tag, session)
        assert "not a marketing plan" in one_line(prompter)
    session, prompter = file_session(None, [])
    ribbon.run("refresh", session)
    assert "No workbook is open" in one_line(prompter)


# --- New plan ---------------------------------------------------------------------------
def test_new_plan_on_files(tmp_path: Path) -> None:
    out = tmp_path / "mine.xlsx"
    session, prompter = file_session(None, [out, "fa"])
    ribbon.run("new_plan", session)
    assert session.book is not None and session.book.path == out
    pf = open_plan(out)
    try:
        assert pf.manifest["language"] == "fa"
    finally:
        pf.close()
    assert [k for k, _ in prompter.log] == ["save_file", "choose", "info"]
    assert "mine.xlsx ساخته شد" in prompter.messages[0][1]  # told in the plan's language

    before = sha(out)  # an existing file is replaced only when the user says so
    session, prompter = file_session(None, [out, "en", False])
    ribbon.run("new_plan", session)
    assert sha(out) == before and session.book is None and prompter.messages == []
    session, prompter = file_session(None, [out, "en", True])
    ribbon.run("new_plan", session)
    assert sha(out) != before


@pytest.mark.parametrize("answers", [[None], ["PATH", None]])
def test_new_plan_cancelled_does_nothing(tmp_path: Path, answers: list[Any]) -> None:
    out = tmp_path / "never.xlsx"
    session, prompter = file_session(None, [out if a == "PATH" else a for a in answers])
    ribbon.run("new_plan", session)
    assert not out.exists() and session.book is None and prompter.messages == []


def test_new_plan_live_opens_it_in_excel(plan: Path, tmp_path: Path) -> None:
    out = tmp_path / "live plan.xlsx"
    app, _book, session, prompter = live_session(plan, [out, "en"])
    ribbon.run("new_plan", session)
    assert app.events[-1] == ("open", "live plan.xlsx")
    assert isinstance(session.book, XlwingsBook) and session.book.path == out
    assert app.books.active is not None and app.books.active.fullname == str(out)
    assert app.calls == []


# --- Import data ------------------------------------------------------------------------
@pytest.fixture(params=["fixtures", "real Meta export"])
def exports(request: pytest.FixtureRequest, odd_export: Path) -> list[Path]:
    """Exports that bring rows into existing channels, dated early in the plan (so the
    Data rows after them move down), with campaign names Excel would misread."""
    if request.param == "fixtures":
        return [GA4, ADS, odd_export]
    assert REAL_META.is_file(), f"missing test fixture {REAL_META} (see real/SOURCES.md)"
    return [REAL_META, odd_export]


def test_import_on_a_file_equals_the_cli(plan: Path, tmp_path: Path, exports: list[Path]) -> None:
    done: list[ImportResult] = []
    cli = cli_result(plan, tmp_path, lambda p: done.append(import_data(p, exports, backup=False)))
    original = plan.read_bytes()
    session, prompter = file_session(plan, [exports])
    ribbon.run("import_data", session)
    assert parts(plan) == parts(cli)
    assert backup_path(plan).read_bytes() == original
    ((kind, text),) = prompter.messages
    added, rows = done[0].report.added, len(done[0].refresh.analysis.data)
    assert kind == "info" and f"{added} rows added" in text
    assert f"Data now holds {rows:,} rows" in text


def test_import_live_is_a_few_block_writes(plan: Path, tmp_path: Path, exports: list[Path]) -> None:
    cli = cli_result(plan, tmp_path, lambda p: import_data(p, exports, backup=False))
    original = sha(plan)
    app, book, session, prompter = live_session(plan, [exports])
    ribbon.run("import_data", session)
    assert prompter.messages[0][0] == "info", prompter.messages

    assert_quiet(app)
    written = [c for c in app.calls if c.prop in ("value", "formula")]
    # the forecast and the curves' parameters are values Python stamps at each import:
    # their blocks are values, never formulas
    stamped = [c for c in written if c.sheet in ("Forecast", "Budget_mix")]
    assert stamped and {c.prop for c in stamped} == {"value"}, stamped
    rest = [c for c in written if c not in stamped]
    cells = sum(c.shape[0] * c.shape[1] for c in rest)
    assert cells > 20_000 and len(rest) <= 3, rest  # thousands of rows, one block
    assert len(app.calls) - len(stamped) <= 25, app.calls  # with formats and the resize
    (ref,) = FakeBook(FakeApp(), cli).sheets["Data"].tables.values()
    assert ("Data", ref.ref, "resize") in {(c.sheet, c.address, c.prop) for c in app.calls}
    assert book.sheets["Data"].tables["tblData"].ref == ref.ref
    assert_book_is(book, cli)  # cell for cell, the odd campaign names kept as text
    assert book.names.refers_to == read_names(cli)
    for pos, code in read_formats(cli)["Data"].items():  # new rows get the formats
        assert book.sheets["Data"].formats.get(pos, "General") == code, pos
    assert sha(plan) == original  # the live path never writes the user's file
    assert not any(e[0] == "close" for e in app.events)  # cell writes, never a reopen
    # A ranged report replaces the day rows it covers, so findings may change, and the
    # curves are fitted anew: Checks and Budget mix are the protected sheets written,
    # each unprotected only while it is written.
    unprotected = [e[1] for e in app.events if e[0] == "unprotect"]
    assert set(unprotected) <= {"Checks", "Budget_mix"}
    assert [e for e in app.events if e[0] == "protect"] == [("protect", s) for s in unprotected]


def test_import_of_a_bad_export_is_one_line_and_changes_nothing(plan: Path) -> None:
    original = sha(plan)
    session, prompter = file_session(plan, [[GA4_BY_PAGE]])
    ribbon.run("import_data", session)
    text = one_line(prompter)
    assert GA4_BY_PAGE.name in text and "Landing page" in text
    assert sha(plan) == original and not backup_path(plan).exists()

    app, _book, session, prompter = live_session(plan, [[GA4_BY_PAGE]])
    ribbon.run("import_data", session)
    assert GA4_BY_PAGE.name in one_line(prompter)
    assert app.calls == [] and sha(plan) == original


def test_import_of_the_plan_itself_is_refused(plan: Path) -> None:
    session, prompter = file_session(plan, [[plan]])
    ribbon.run("import_data", session)
    assert "the plan itself" in one_line(prompter)


def test_messages_name_the_plan_not_the_working_copy(plan: Path) -> None:
    with open_package(plan) as pkg:
        part = next(
            p for p in pkg.names() if p.startswith("xl/tables/") and b"tblData" in pkg.read(p)
        )
        table = pkg.read(part).replace(b'displayName="tblData"', b'displayName="tblGone"')
        write_package(pkg, plan, replace={part: table}, backup=False)
    original = sha(plan)
    for session, prompter in (file_session(plan, []), live_session(plan, [])[2:]):
        ribbon.run("refresh", session)
        text = one_line(prompter)
        assert text.startswith(f"{plan}: the data table is missing"), text
    assert sha(plan) == original


def test_cancelled_pickers_do_nothing(plan: Path) -> None:
    original = sha(plan)
    for tag, answers in (("import_data", [[]]), ("share", [None]), ("language", [None])):
        session, prompter = file_session(plan, answers)
        ribbon.run(tag, session)
        assert prompter.messages == [] and not prompter.answers, tag
        app, _book, session, prompter = live_session(plan, answers)
        ribbon.run(tag, session)
        assert prompter.messages == [] and app.calls == [], tag
        assert not any(e[0] == "SaveCopyAs" for e in app.events), tag
    assert sha(plan) == original and not backup_path(plan).exists()


def test_declining_to_reopen_changes_nothing(plan: Path) -> None:
    """New channels re-lay conditional formats: cell edits cannot carry that, so Excel
    must reopen the plan; a user who says no gets nothing changed."""
    original = sha(plan)
    app, _book, session, prompter = live_session(plan, [[GA4_NEW_CHANNEL], False])
    ribbon.run("import_data", session)
    assert prompter.log[1][0] == "confirm" and "close plan.xlsx" in prompter.log[1][1]
    assert prompter.messages == [] and app.calls == []
    assert not any(e[0] in ("close", "open") for e in app.events[1:])
    assert sha(plan) == original


# --- Refresh ----------------------------------------------------------------------------
def test_refresh_on_a_file_equals_the_cli(plan: Path, tmp_path: Path) -> None:
    cli = cli_result(plan, tmp_path, lambda p: refresh_plan(p, backup=False))
    session, prompter = file_session(plan, [])
    ribbon.run("refresh", session)
    assert parts(plan) == parts(cli)
    ((kind, text),) = prompter.messages
    assert kind == "info" and text.startswith("Refreshed plan.xlsx") and "KPIs: " in text


def test_refresh_with_nothing_to_change_writes_nothing(
    settled: Path, fresh: Path, tmp_path: Path
) -> None:
    path = tmp_path / "plan.xlsx"
    shutil.copyfile(settled, path)
    stamp = path.stat().st_mtime_ns
    session, prompter = file_session(path, [])
    ribbon.run("refresh", session)
    assert path.stat().st_mtime_ns == stamp and not backup_path(path).exists()
    assert "up to date" in prompter.messages[0][1]

    # A fresh plan: refresh rewrites parts of the file, but no cell of the live book.
    shutil.copyfile(fresh, path)
    app, _book, session, prompter = live_session(path, [])
    ribbon.run("refresh", session)
    assert app.calls == [] and app.events[1][0] == "SaveCopyAs" and len(app.events) == 2
    assert "up to date" in prompter.messages[0][1]


def test_refresh_live_writes_protected_sheets_and_protects_them_again(
    settled: Path, tmp_path: Path
) -> None:
    path = tmp_path / "plan.xlsx"
    shutil.copyfile(settled, path)
    edit_cell(path, "Objectives", "G5", "Grow revenue")  # OB1 is no longer specific
    cli = cli_result(path, tmp_path, lambda p: refresh_plan(p, backup=False))
    app, book, session, prompter = live_session(path, [])
    ribbon.run("refresh", session)
    assert prompter.messages[0][1].startswith("Refreshed plan.xlsx"), prompter.messages

    assert_quiet(app)
    assert {c.sheet for c in app.calls} == {"Checks"}
    kinds = [e[0] for e in app.events]
    assert kinds == ["open", "SaveCopyAs", "unprotect", "protect"]
    assert book.sheets["Checks"].protected
    (args,) = book.sheets["Checks"].api.protect_calls
    assert args == {
        "DrawingObjects": True,
        "Contents": True,
        "Scenarios": True,
        "AllowFormattingCells": False,
        "AllowFormattingColumns": True,
        "AllowFormattingRows": True,
        "AllowInsertingColumns": False,
        "AllowInsertingRows": False,
        "AllowInsertingHyperlinks": False,
        "AllowDeletingColumns": False,
        "AllowDeletingRows": False,
        "AllowSorting": False,
        "AllowFiltering": False,
        "AllowUsingPivotTables": False,
    }
    assert_book_is(book, cli)
    assert any("SMART score 4/5" in str(v) for _k, v in book.sheets["Checks"].cells.values())


def test_a_sheet_protected_with_a_password_is_not_written(settled: Path, tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    shutil.copyfile(settled, path)
    edit_cell(path, "Objectives", "G5", "Grow revenue")
    with open_package(path) as pkg:
        part = next(s.part for s in pkg.sheets() if s.name == "Checks")
        xml = SheetXml(pkg.read(part))
        guard = xml.root.find(Q + "sheetProtection")
        assert guard is not None
        guard.set("password", "CC1A")
        write_package(pkg, path, replace={part: xml.finish()}, backup=False)
    app, book, session, prompter = live_session(path, [])
    ribbon.run("refresh", session)
    assert "'Checks'" in one_line(prompter) and "password" in one_line(prompter)
    assert app.calls == [] and book.sheets["Checks"].protected
    assert app.screen_updating is True and app.calculation == "automatic"


def test_new_plan_live_named_like_an_open_workbook(plan: Path, tmp_path: Path) -> None:
    out = tmp_path / "other" / "plan.xlsx"  # plan.xlsx is open already, from another folder
    out.parent.mkdir()
    app, _book, session, prompter = live_session(plan, [out, "en"])
    ribbon.run("new_plan", session)
    assert "already has a workbook named plan.xlsx" in one_line(prompter)
    assert stamped(out) is None  # a new plan written in full, not a shared copy
    assert [e[0] for e in app.events] == ["open"]


def _share_formulas(path: Path, sheet: str, column: str, rows: range) -> None:
    """Store a column's formulas as one shared formula, as Excel saves a filled column."""
    with open_package(path) as pkg:
        part = next(s.part for s in pkg.sheets() if s.name == sheet)
        xml = SheetXml(pkg.read(part))
        first, last = f"{column}{rows[0]}", f"{column}{rows[-1]}"
        for row in rows:
            f = xml.cells[parse_a1(f"{column}{row}")].find(Q + "f")
            assert f is not None
            f.set("t", "shared")
            f.set("si", "0")
            if row == rows[0]:
                f.set("ref", f"{first}:{last}")
            else:
                f.text = None
        write_package(pkg, path, replace={part: xml.finish()}, backup=False)


def test_shared_formulas_of_an_excel_saved_plan_are_not_rewritten(
    fresh: Path, tmp_path: Path
) -> None:
    path = tmp_path / "plan.xlsx"
    shutil.copyfile(fresh, path)
    _share_formulas(path, "Objectives", "S", range(5, 11))  # =SUM(N5:R5) ... =SUM(N10:R10)
    app, book, session, _prompter = live_session(path, [])
    assert book.sheets["Objectives"].content(10, 19) == ("f", "=SUM(N10:R10)")
    ribbon.run("refresh", session)
    assert app.calls == []


def test_a_plan_saved_by_another_program_refreshes_without_writes(
    libreoffice: None, fresh: Path, tmp_path: Path
) -> None:
    """LibreOffice re-spells what it saves (quoted sheet names, ``FALSE()``, ``V6:V6``,
    ``\\$#,##0``), and refresh rewrites every owned cell of such a file: none of that is a
    change for the live workbook."""
    from xlmplan.libreoffice import convert

    saved = convert(fresh, tmp_path / "lo", "xlsx:Calc MS Excel 2007 XML")
    cli = cli_result(saved, tmp_path, lambda p: refresh_plan(p, backup=False))
    assert parts(cli) != parts(saved)
    app, book, session, prompter = live_session(saved, [])
    ribbon.run("refresh", session)
    assert app.calls == [] and "up to date" in prompter.messages[0][1]
    assert not [e for e in app.events if e[0] == "name"]


# --- Check plan and Scenarios (read only) -----------------------------------------------
def test_check_plan_lists_the_findings(plan: Path) -> None:
    original = sha(plan)
    found = check_plan(plan).findings
    session, prompter = file_session(plan, [])
    ribbon.run("check_plan", session)
    ((kind, text),) = prompter.messages
    assert kind == "info" and text.startswith(f"{len(found)} findings in plan.xlsx")
    assert f"• {found[0].severity}: {found[0].where} — {found[0].message}" in text
    assert len(text) < 1800 and sha(plan) == original

    app, _book, session, prompter = live_session(plan, [])
    ribbon.run("check_plan", session)
    assert prompter.messages[0][1] == text and app.calls == []


def test_scenarios_shows_the_sheet_and_the_scorecard(plan: Path) -> None:
    original = sha(plan)
    session, prompter = file_session(plan, [])
    ribbon.run("scenarios", session)
    assert isinstance(session.book, FileBook) and session.book.active_sheet == "Scenarios"
    ((kind, text),) = prompter.messages
    assert kind == "info" and text.startswith("Scenario scorecard of ")
    for word in ("Optimistic", "Realistic", "Pessimistic"):
        assert f"• {word} (× " in text
    assert "of 8 KPIs reach their target" in text and sha(plan) == original

    app, book, session, prompter = live_session(plan, [])
    ribbon.run("scenarios", session)
    assert book.active_sheet == "Scenarios" and app.calls == []
    assert prompter.messages[0][1] == text


def test_kpis_shows_the_table_xlmplan_kpis_reads(plan: Path) -> None:
    """A line per KPI with the fields of ``xlmplan kpis``, from the same reader."""
    original = sha(plan)
    report = read_kpis(plan)
    session, prompter = file_session(plan, [])
    ribbon.run("kpis", session)
    ((kind, text),) = prompter.messages
    title, *lines = text.split("\n")
    assert kind == "info" and title.startswith(f"KPIs of {report.plan_name}, {report.as_of}.")
    assert len(lines) == len(report.kpis) == 8 and len(text) <= MAX_MESSAGE
    for k, line in zip(report.kpis, lines, strict=True):
        assert line == _kpi_line(k)
    assert sha(plan) == original

    app, _book, session, prompter = live_session(plan, [])
    ribbon.run("kpis", session)
    assert prompter.messages == [("info", text)] and app.calls == []


def _kpi_line(k: KpiRow) -> str:
    """The line the message must hold for ``k``, spelled out field by field."""

    def fig(value: float | None) -> str:
        return short_figure(value, k.unit)

    low, high = fig(k.year_end_low), fig(k.year_end_high)
    band = f" ({low} to {high})" if low and high and low != high else ""
    return (
        f"• {k.id} {k.name}: {fig(k.actual_to_date)} / {fig(k.target_to_date)}, "
        f"{percent(k.attainment_to_date)} {k.status} | {fig(k.year_end_forecast)}{band} / "
        f"{fig(k.plan_target)}, {percent(k.year_end_attainment)} {k.scenario}"
    )


def test_kpis_beyond_a_message_box_are_counted(plan: Path) -> None:
    report = read_kpis(plan)
    ranged = [replace(k, year_end_low=0.5, year_end_high=k.plan_target) for k in report.kpis]
    many = KpiReport(report.plan_name, report.as_of, ranged * 5)
    text = messages.kpi_table(many, "Strategy_KPI")
    *shown, last = text.split("\n")[1:]
    assert len(text) <= MAX_MESSAGE and 8 <= len(shown) < 40
    assert shown[:8] == [_kpi_line(k) for k in ranged]
    assert " (0.50 to 9.17M) / " in shown[0]
    assert last == f"… and {40 - len(shown)} more: the Strategy_KPI sheet lists every KPI."
    empty = messages.kpi_table(KpiReport("Shop", None), "Strategy_KPI")
    assert empty.startswith("KPIs of Shop, no data.") and empty.endswith("\nKPIs: none")


# --- Budget mix -------------------------------------------------------------------------
def test_allocate_on_a_file_equals_the_cli_and_shows_the_sheet(plan: Path, tmp_path: Path) -> None:
    from xlmplan.mix import allocate_plan, write_split

    cli = cli_result(plan, tmp_path, lambda p: write_split(allocate_plan(p)))
    session, prompter = file_session(plan, [])
    ribbon.run("allocate", session)
    assert parts(plan) == parts(cli)
    assert isinstance(session.book, FileBook) and session.book.active_sheet == "Budget_mix"
    ((kind, text),) = prompter.messages
    assert kind == "info" and text.startswith("Budget mix of plan.xlsx:")
    assert "• Paid Search: " in text and "not experiments" in text


# --- Email-ready copy -------------------------------------------------------------------
def test_share_writes_a_copy_and_leaves_the_plan(plan: Path, tmp_path: Path) -> None:
    original = sha(plan)
    out = tmp_path / "for anna.xlsx"
    session, prompter = file_session(plan, [out, False])
    ribbon.run("share", session)
    assert sha(plan) == original
    assert stamped(out) == f"{dt.date.today().isoformat()} · plan health: Needs attention"
    assert "xl/worksheets/sheet1.xml" in parts(out) and parts(out) != parts(plan)
    ((kind, text),) = prompter.messages
    assert kind == "info" and "email-ready copy for anna.xlsx" in text

    app, _book, session, prompter = live_session(plan, [out, False])  # exists: not replaced
    stamp = out.stat().st_mtime_ns
    ribbon.run("share", session)
    assert prompter.log[1] == (
        "confirm",
        f"for anna.xlsx already exists in {tmp_path}. Replace it?",
    )
    assert out.stat().st_mtime_ns == stamp and app.calls == [] and prompter.messages == []


def test_share_to_the_plan_itself_is_refused(plan: Path) -> None:
    original = sha(plan)
    session, prompter = file_session(plan, [plan])
    ribbon.run("share", session)
    assert "the plan itself" in one_line(prompter) and sha(plan) == original


def test_share_without_libreoffice_says_there_is_no_pdf(
    plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ribbon, "libreoffice_available", lambda: False)
    out = tmp_path / "copy.xlsx"
    session, prompter = file_session(plan, [out, True])
    ribbon.run("share", session)
    assert stamped(out) == f"{dt.date.today().isoformat()} · plan health: Needs attention"
    assert not out.with_suffix(".pdf").exists()
    assert "No PDF: making one needs LibreOffice" in prompter.messages[0][1]


# --- Language ---------------------------------------------------------------------------
def test_language_on_a_file_equals_the_cli(plan: Path, tmp_path: Path) -> None:
    cli = cli_result(plan, tmp_path, lambda p: switch_language(p, "ar", backup=False))
    session, prompter = file_session(plan, ["ar"])
    ribbon.run("language", session)
    assert parts(plan) == parts(cli)
    assert "تم تبديل plan.xlsx من English إلى العربية" in prompter.messages[0][1]  # in Arabic
    session, prompter = file_session(plan, ["ar"])
    ribbon.run("language", session)
    assert "بالفعل" in prompter.messages[0][1]  # already in Arabic, said in Arabic


def test_language_live_reopens_the_plan(plan: Path, tmp_path: Path) -> None:
    cli = cli_result(plan, tmp_path, lambda p: switch_language(p, "fa", backup=False))
    original = plan.read_bytes()
    app, _book, session, prompter = live_session(plan, ["fa", True])
    ribbon.run("language", session)
    assert [e[0] for e in app.events] == ["open", "SaveCopyAs", "close", "open"]
    assert app.calls == []
    assert parts(plan) == parts(cli) and backup_path(plan).read_bytes() == original
    reopened = app.books.active
    assert reopened is not None and reopened.fullname == str(plan)
    assert isinstance(session.book, XlwingsBook) and session.book.book is reopened
    with open_package(cli) as pkg:
        assert [s.name for s in reopened.sheets] == [s.name for s in pkg.sheets()]
    assert reopened.sheets[0].name != "Start"  # the sheets carry their Persian names
    assert "اکسل برنامه را دوباره باز کرد" in prompter.messages[0][1]  # in Persian


# --- the entry point Excel calls --------------------------------------------------------
class _AddinBook:
    def __init__(self, app: FakeApp) -> None:
        self.app = app


def _caller(monkeypatch: pytest.MonkeyPatch, app: FakeApp) -> None:
    monkeypatch.setattr(xlwings.Book, "caller", classmethod(lambda cls: _AddinBook(app)))


def test_on_action_runs_on_the_active_workbook(plan: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app, _book = open_fake(plan)
    _caller(monkeypatch, app)
    ribbon.on_action("check_plan")
    ((prompt, mode, _buttons),) = app.alerts
    assert mode == "info" and "findings in plan.xlsx" in prompt and len(prompt) <= 1000

    app, _book = open_fake(plan, answers=[(str(GA4_BY_PAGE),)])  # Excel's picker: a tuple
    _caller(monkeypatch, app)
    original = sha(plan)
    ribbon.on_action("import_data")
    ((prompt, mode, _buttons),) = app.alerts
    assert mode == "critical" and GA4_BY_PAGE.name in prompt and "\n" not in prompt
    assert sha(plan) == original

    app, _book = open_fake(plan, answers=[False])  # the picker cancelled
    _caller(monkeypatch, app)
    ribbon.on_action("import_data")
    assert app.alerts == [] and app.api.asked[0][1]["MultiSelect"] is True

    ribbon.on_action("no_such_button")
    ((prompt, mode, _buttons),) = app.alerts
    assert mode == "critical" and "no_such_button" in prompt


def test_on_action_reports_an_unexpected_failure_in_one_message(
    plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, book = open_fake(plan)
    _caller(monkeypatch, app)
    monkeypatch.setattr(ribbon, "LOG", tmp_path / "addin.log")

    def broken(filename: str) -> None:
        raise OSError("disk went away")

    monkeypatch.setattr(book.api, "SaveCopyAs", broken)
    ribbon.on_action("refresh")
    ((prompt, mode, _buttons),) = app.alerts
    assert mode == "critical" and "OSError: disk went away" in prompt and "Traceback" not in prompt
    assert str(ribbon.LOG) in prompt and "disk went away" in ribbon.LOG.read_text()


def test_on_action_without_a_workbook(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    app = FakeApp()
    _caller(monkeypatch, app)
    ribbon.on_action("refresh")
    ((prompt, mode, _buttons),) = app.alerts
    assert mode == "critical" and "No workbook is open" in prompt

    out = tmp_path / "first plan.xlsx"
    app = FakeApp(answers=[str(out), 2.0])  # Save As dialog, then "2" (Arabic) typed
    _caller(monkeypatch, app)
    ribbon.on_action("new_plan")
    assert [what for what, _kwargs in app.api.asked] == ["GetSaveAsFilename", "InputBox"]
    assert app.api.asked[0][1]["InitialFileName"] == "marketing-plan.xlsx"
    assert app.books.active is not None and app.books.active.name == "first plan.xlsx"
    ((prompt, mode, _buttons),) = app.alerts
    assert mode == "info" and prompt.startswith("تم إنشاء first plan.xlsx")  # the plan's Arabic
    pf = open_plan(out)
    try:
        assert pf.manifest["language"] == "ar"
    finally:
        pf.close()


def test_a_plan_changed_on_disk_meanwhile_is_not_overwritten(plan: Path) -> None:
    session, _prompter = file_session(plan, [])

    def job(work: Path) -> None:
        refresh_plan(work, backup=False)
        edit_cell(plan, "Start", "B3", "Someone else saved this")  # another program

    with pytest.raises(WorkbookError, match="plan.xlsx changed while xlmplan worked on it"):
        session.change(job, what="refresh the plan")
    values = open_plan(plan)
    try:
        assert "Someone else saved this" in str(values.cells(values.sheets["start"]))
    finally:
        values.close()
