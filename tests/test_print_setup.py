"""The print set-up of every visible sheet, read from the written file (no LibreOffice).

Print areas exist and leave Data's rows out, no sheet is wider than its set-up allows at
8 pt, every page has the header and footer, and refresh re-lays xlmplan's print set-up
while a user's own sheet keeps its own.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from xlmplan.api import PlanResult
from xlmplan.refresh import refresh_plan
from xlmplan.sheets.layout import Book, Sheet
from xlmplan.sheets.print_setup import (
    BODY_PT,
    MIN_TEXT_PT,
    PrintTexts,
    content_area,
    page_setup,
)
from xlmplan.xlsx.writer import write_book

M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
A4_LANDSCAPE_WIDTH, A4_PORTRAIT_WIDTH = 841.89, 595.28


class Workbook:
    """Sheets, print names and sheet XML of a written package, read with lxml."""

    def __init__(self, path: Path) -> None:
        with zipfile.ZipFile(path) as zf:
            self.parts = {n: zf.read(n) for n in zf.namelist()}
        self.book = etree.fromstring(self.parts["xl/workbook.xml"])
        rels = etree.fromstring(self.parts["xl/_rels/workbook.xml.rels"])
        targets = {r.get("Id"): r.get("Target", "").lstrip("/").removeprefix("xl/") for r in rels}
        self.sheets = [
            (s.get("name", ""), s.get("state", "visible"), "xl/" + targets[s.get(R, "")])
            for s in self.book.iter(f"{M}sheet")
        ]

    def names(self, scope: int) -> dict[str, str]:
        return {
            dn.get("name", ""): dn.text or ""
            for dn in self.book.iter(f"{M}definedName")
            if dn.get("localSheetId") == str(scope)
        }

    def sheet(self, index: int) -> etree._Element:
        return etree.fromstring(self.parts[self.sheets[index][2]])

    def visible(self) -> list[int]:
        return [i for i, (_, state, _) in enumerate(self.sheets) if state == "visible"]

    def index(self, name: str) -> int:
        return next(i for i, s in enumerate(self.sheets) if s[0] == name)


def _area(text: str) -> tuple[int, int, int, int]:
    """0-based (r1, c1, r2, c2) of ``Sheet!$A$1:$C$36``."""
    m = re.fullmatch(r".*!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)", text)
    assert m, text
    return int(m[2]) - 1, _col(m[1]), int(m[4]) - 1, _col(m[3])


def _col(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _widths(ws: etree._Element) -> dict[int, float]:
    out: dict[int, float] = {}
    for col in ws.iter(f"{M}col"):
        for c in range(int(col.get("min", "1")) - 1, int(col.get("max", "1"))):
            out[c] = float(col.get("width", "8.43"))
    return out


def _points(stored: float | None) -> float:
    """A column's width in points from its stored width (which includes Excel's 5 pixels of
    padding: 7 pixels a unit); a column without one is Excel's default 64 pixels."""
    return (64 if stored is None else round(stored * 7)) * 0.75


@pytest.fixture(scope="module")
def example(example_path: Path) -> Workbook:
    return Workbook(example_path)


def test_every_visible_sheet_has_a_print_area_and_data_prints_a_sample(
    example: Workbook, example_plan: PlanResult
) -> None:
    visible = example.visible()
    assert len(visible) >= 11  # Start, Summary, Data, ... Checks
    for i in visible:
        assert "_xlnm.Print_Area" in example.names(i), example.sheets[i][0]
    for i, (name, state, _) in enumerate(example.sheets):
        if state != "visible":
            assert "_xlnm.Print_Area" not in example.names(i), name
    data = example.index("Data")
    r1, c1, r2, _ = _area(example.names(data)["_xlnm.Print_Area"])
    assert (r1, c1) == (0, 0)
    assert r2 <= 30 < example_plan.rows  # the header and a sample, not 3,000 rows


def test_print_area_holds_every_filled_cell(example: Workbook) -> None:
    for i in example.visible():
        if example.sheets[i][0] in ("Data", "Summary"):
            continue  # Data prints a sample; Summary keeps ranking keys off the page
        r1, c1, r2, c2 = _area(example.names(i)["_xlnm.Print_Area"])
        for cell in example.sheet(i).iter(f"{M}c"):
            m = re.fullmatch(r"([A-Z]+)(\d+)", cell.get("r", ""))
            assert m
            filled = cell.find(f"{M}v") is not None or cell.find(f"{M}is") is not None
            if filled:
                r, c = int(m[2]) - 1, _col(m[1])
                assert r1 <= r <= r2 and c1 <= c <= c2, (example.sheets[i][0], cell.get("r"))


def test_no_sheet_is_wider_than_its_print_setup_allows(example: Workbook) -> None:
    """At the scale fit-to-width needs, body text stays at 8 pt or more."""
    least = MIN_TEXT_PT / BODY_PT
    for i in example.visible():
        ws = example.sheet(i)
        setup = ws.find(f"{M}pageSetup")
        assert setup is not None and setup.get("paperSize") == "9"
        fit = ws.find(f"{M}sheetPr/{M}pageSetUpPr")
        assert fit is not None and fit.get("fitToPage") == "1"
        assert setup.get("fitToHeight") == "0"
        pages = int(setup.get("fitToWidth", "1"))
        landscape = setup.get("orientation") == "landscape"
        paper = A4_LANDSCAPE_WIDTH if landscape else A4_PORTRAIT_WIDTH
        margins = ws.find(f"{M}pageMargins")
        assert margins is not None
        room = paper - 72 * (float(margins.get("left", 0)) + float(margins.get("right", 0)))
        _, c1, _, c2 = _area(example.names(i)["_xlnm.Print_Area"])
        widths = _widths(ws)
        total = sum(_points(widths.get(c)) for c in range(c1, c2 + 1))
        scale = min(1.0, pages * room / total)
        assert scale >= least, f"{example.sheets[i][0]}: {pages} page(s) wide at {scale:.0%}"
        if not landscape:
            assert total <= room, example.sheets[i][0]  # portrait only when it fits at 100 %


def test_wide_sheets_are_split_over_pages_with_their_frozen_columns_repeated(
    example: Workbook,
) -> None:
    objectives = example.index("Objectives")
    ws = example.sheet(objectives)
    setup = ws.find(f"{M}pageSetup")
    assert setup is not None and int(setup.get("fitToWidth", "1")) >= 2
    assert example.names(objectives)["_xlnm.Print_Titles"] == "Objectives!$A:$A,Objectives!$4:$4"
    summary = example.sheet(example.index("Summary"))
    page = summary.find(f"{M}pageSetup")
    assert page is not None and page.get("orientation") == "portrait"
    assert page.get("fitToWidth", "1") == "1"


def test_every_printed_page_has_plan_sheet_as_of_and_page_numbers(
    example: Workbook, example_plan: PlanResult
) -> None:
    as_of = example_plan.results.as_of
    assert as_of is not None
    for i in example.visible():
        hf = example.sheet(i).find(f"{M}headerFooter")
        assert hf is not None, example.sheets[i][0]
        header, footer = hf.findtext(f"{M}oddHeader"), hf.findtext(f"{M}oddFooter")
        plan = example_plan.plan.settings.plan_name.replace("&", "&&")
        assert header == f"&L{plan}&C&A&RData as of {as_of.isoformat()}"
        assert footer == "&CPage &P of &N"


def test_header_texts_are_escaped_and_short() -> None:
    sheet = Sheet("start", "Start")
    sheet.put(0, 0, "x")
    long_name = "R&D " + "plan " * 60
    setup = page_setup(sheet, PrintTexts(long_name, "Data as of 2026-01-31", "Page &P of &N"))
    assert setup is not None
    assert setup.header.startswith("&LR&&D plan plan")
    assert len(setup.header) <= 255  # Excel's limit for a header
    assert setup.footer == "&CPage &P of &N"


def test_a_sheet_is_fit_to_one_page_only_while_text_stays_readable() -> None:
    def sheet_of(columns: int) -> Sheet:
        sheet = Sheet("wide", "Wide", freeze=(1, 1))
        for c in range(columns):
            sheet.put(0, c, f"column {c}", "header")
            sheet.put(1, c, c, "derived:int")
            sheet.width(c, 12)
        return sheet

    texts = PrintTexts("Plan", "", "&P")
    narrow = page_setup(sheet_of(5), texts)  # 5 × 66 pt: portrait at 100 %
    assert narrow is not None and not narrow.landscape and narrow.pages_wide == 1
    fits = page_setup(sheet_of(13), texts)  # 858 pt: landscape at about 91 %
    assert fits is not None and fits.landscape and fits.pages_wide == 1
    assert fits.title_cols is None
    split = page_setup(sheet_of(20), texts)  # 1,320 pt: 67 % on one page, too small
    assert split is not None and split.landscape and split.pages_wide == 2
    assert split.title_cols == (0, 0)  # the frozen column on every page


def test_content_area_covers_tables_and_charts_but_not_helpers() -> None:
    from xlmplan.sheets.layout import Chart, Table

    sheet = Sheet("x", "X")
    sheet.put(0, 0, "title", "title")
    sheet.put(2, 30, 1.5, "helper:num")
    sheet.tables.append(Table("tbl", "t", 3, 1, ["a", "b"], 5))
    sheet.charts.append(Chart("column", "c", [], (10, 2), size=(200, 100)))
    r1, c1, r2, c2 = content_area(sheet) or (0, 0, 0, 0)
    assert (r1, c1) == (0, 0)
    assert r2 == 10 + 5  # 100 px of chart are five 20 px rows
    assert c2 == 5  # 200 px from column C: C, D, E (64 px each) and part of F


def _shift_scopes(book: bytes, by: int) -> bytes:
    return re.sub(rb'localSheetId="(\d+)"', lambda m: b'localSheetId="%d"' % (int(m[1]) + by), book)


def _with_user_sheet(plan: Path, out: Path) -> Path:
    """``plan`` with a sheet of the user's put first, with its own print area, portrait
    set-up and header; xlmplan's Objectives sheet had its print area removed and was set
    to portrait by hand. Sheet-scoped names move with the sheets, as Excel does."""
    parts = Workbook(plan).parts
    user = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>My notes</t></is></c></row>'
        b'</sheetData><pageMargins left="1" right="1" top="1" bottom="1" header="0.5" '
        b'footer="0.5"/><pageSetup paperSize="1" orientation="portrait"/>'
        b"<headerFooter><oddHeader>&amp;CMine</oddHeader></headerFooter></worksheet>"
    )
    parts["xl/worksheets/mine.xml"] = user
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    rels = rels.replace(
        "</Relationships>",
        '<Relationship Id="rIdMine" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/worksheet" Target="worksheets/mine.xml"/></Relationships>',
    )
    parts["xl/_rels/workbook.xml.rels"] = rels.encode()
    types = (
        parts["[Content_Types].xml"]
        .decode()
        .replace(
            "</Types>",
            '<Override PartName="/xl/worksheets/mine.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        )
    )
    parts["[Content_Types].xml"] = types.encode()
    book = _shift_scopes(parts["xl/workbook.xml"], 1).decode()
    book = book.replace(
        "<sheets>",
        '<sheets><sheet name="Mine" sheetId="99" r:id="rIdMine"/>',
        1,
    )
    objectives = Workbook(plan).index("Objectives") + 1
    book = re.sub(
        rf'<definedName name="_xlnm.Print_Area" localSheetId="{objectives}">[^<]*</definedName>',
        "",
        book,
    )
    book = book.replace(
        "</definedNames>",
        '<definedName name="_xlnm.Print_Area" localSheetId="0">Mine!$A$1:$B$2</definedName>'
        "</definedNames>",
    )
    parts["xl/workbook.xml"] = book.encode()
    part = Workbook(plan).sheets[objectives - 1][2]
    parts[part] = parts[part].replace(b'orientation="landscape"', b'orientation="portrait"')
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return out


def test_refresh_relays_the_print_setup_and_keeps_a_users_own(
    example_path: Path, tmp_path: Path
) -> None:
    plan = _with_user_sheet(example_path, tmp_path / "plan.xlsx")
    before = Workbook(plan)
    assert before.sheets[0][0] == "Mine"
    objectives = before.index("Objectives")
    assert "_xlnm.Print_Area" not in before.names(objectives)
    refresh_plan(plan, backup=False)
    after = Workbook(plan)
    assert after.parts["xl/worksheets/mine.xml"] == before.parts["xl/worksheets/mine.xml"]
    assert after.names(0) == {"_xlnm.Print_Area": "Mine!$A$1:$B$2"}
    fresh = Workbook(example_path)
    for i in fresh.visible():  # every print name back, scoped to the sheet's new place
        assert after.names(i + 1) == fresh.names(i), fresh.sheets[i][0]
    setup = after.sheet(objectives).find(f"{M}pageSetup")
    assert setup is not None and setup.get("orientation") == "landscape"
    assert refresh_plan(plan, backup=False).written is False  # and it stays that way


def test_a_book_without_print_texts_still_gets_page_numbers(tmp_path: Path) -> None:
    sheet = Sheet("only", "Only")
    sheet.put(0, 0, "hello")
    write_book(Book([sheet], {}, "USD"), tmp_path / "b.xlsx")
    hf = Workbook(tmp_path / "b.xlsx").sheet(0).find(f"{M}headerFooter")
    assert hf is not None and "&P" in (hf.findtext(f"{M}oddFooter") or "")


XDR = "{http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing}"
REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _chart_rows(wb: Workbook, index: int) -> list[tuple[int, int]]:
    """Each drawing's first and last row (0-based) on a sheet, from its two-cell anchor."""
    part = wb.sheets[index][2]
    folder, name = part.rsplit("/", 1)
    rels = wb.parts.get(f"{folder}/_rels/{name}.rels")
    if rels is None:
        return []
    out = []
    for rel in etree.fromstring(rels).iter(f"{REL}Relationship"):
        if not rel.get("Type", "").endswith("/drawing"):
            continue
        drawing = etree.fromstring(wb.parts["xl/drawings/" + rel.get("Target", "").split("/")[-1]])
        for anchor in drawing.iter(f"{XDR}twoCellAnchor"):
            first = int(anchor.findtext(f"{XDR}from/{XDR}row", "0"))
            last = int(anchor.findtext(f"{XDR}to/{XDR}row", "0"))
            if anchor.findtext(f"{XDR}to/{XDR}rowOff", "0") == "0":
                last -= 1  # ends at the top of that row
            out.append((first, last))
    return out


def _pages_of_rows(wb: Workbook, index: int) -> tuple[list[int], list[float], float]:
    """The rows its pages begin at (the print area's first and the manual row breaks), the
    printed height of each page's rows (title rows repeated) and a page's room, in points at
    the scale the sheet's fit to width implies (Excel's column widths)."""
    ws = wb.sheet(index)
    names = wb.names(index)
    r1, c1, r2, c2 = _area(names["_xlnm.Print_Area"])
    setup, margins = ws.find(f"{M}pageSetup"), ws.find(f"{M}pageMargins")
    assert setup is not None and margins is not None
    landscape = setup.get("orientation") == "landscape"
    paper_w, paper_h = (841.89, 595.28) if landscape else (595.28, 841.89)
    across = paper_w - 72 * (float(margins.get("left", 0)) + float(margins.get("right", 0)))
    down = paper_h - 72 * (float(margins.get("top", 0)) + float(margins.get("bottom", 0)))
    widths = _widths(ws)
    total = sum(_points(widths.get(c)) for c in range(c1, c2 + 1))
    scale = min(1.0, int(setup.get("fitToWidth", "1")) * across / total)
    fmt = ws.find(f"{M}sheetFormatPr")
    default = float(fmt.get("defaultRowHeight", "15")) if fmt is not None else 15.0
    heights = {
        int(row.get("r", "0")) - 1: float(row.get("ht", default)) for row in ws.iter(f"{M}row")
    }
    titles = re.search(r"\$(\d+):\$(\d+)$", names.get("_xlnm.Print_Titles", ""))
    repeated = (
        sum(heights.get(r, default) for r in range(int(titles[1]) - 1, int(titles[2])))
        if titles
        else 0.0
    )
    starts = [r1] + [int(b.get("id", "0")) for b in ws.iter(f"{M}brk")]
    ends = [*starts[1:], r2 + 1]
    used = [
        (repeated if k else 0.0) + sum(heights.get(r, default) for r in range(a, b))
        for k, (a, b) in enumerate(zip(starts, ends, strict=True))
    ]
    return starts, used, down / scale


@pytest.fixture(scope="module")
def arabic(tmp_path_factory: pytest.TempPathFactory) -> Workbook:
    from xlmplan.api import new_plan

    return Workbook(new_plan(tmp_path_factory.mktemp("ar") / "plan.xlsx", lang="ar").path)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_no_chart_straddles_a_printed_page(lang: str, example: Workbook, arabic: Workbook) -> None:
    """On every sheet with charts (Dashboard, Budget mix) the manual row breaks begin a page
    before each chart that would not fit what is left of its page: no break falls inside a
    chart or a row of KPI tiles, and the rows between two breaks fit one page at the fit's
    scale (so no automatic break cuts a chart either)."""
    wb = example if lang == "en" else arabic
    charted = [i for i in wb.visible() if _chart_rows(wb, i)]
    assert len(charted) >= 2  # Dashboard and Budget mix
    for i in charted:
        name = wb.sheets[i][0]
        starts, used, room = _pages_of_rows(wb, i)
        assert len(starts) > 1, name  # the charts do not fit one page
        assert max(used) <= room, (name, used, room)
        for first, last in _chart_rows(wb, i):
            assert not any(first < s <= last for s in starts), (name, first, last, starts)


def test_a_row_of_tiles_that_would_not_fit_its_page_begins_the_next() -> None:
    texts = PrintTexts("Plan", "", "Page &P of &N")
    sheet = Sheet("dashboard", "Dashboard")
    for row in range(120):
        sheet.put(row, 0, f"line {row}")
    setup = page_setup(sheet, texts)
    assert setup is not None and setup.row_breaks == ()  # nothing kept together: no breaks
    sheet.keep = [(row, row + 4) for row in range(3, 120, 6)]
    setup = page_setup(sheet, texts)
    assert setup is not None and setup.row_breaks
    for first, last in sheet.keep:
        assert not any(first < b <= last for b in setup.row_breaks), (first, setup.row_breaks)


def test_refresh_puts_the_row_breaks_into_a_plan_written_without_them(
    example_path: Path, tmp_path: Path
) -> None:
    fresh = Workbook(example_path)
    index = fresh.index("Dashboard")
    part = fresh.sheets[index][2]
    parts = dict(fresh.parts)
    parts[part] = re.sub(rb"<rowBreaks.*?</rowBreaks>", b"", fresh.parts[part])
    assert parts[part] != fresh.parts[part]
    plan = tmp_path / "plan.xlsx"
    with zipfile.ZipFile(plan, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    refresh_plan(plan, backup=False)
    breaks = [b.get("id") for b in Workbook(plan).sheet(index).iter(f"{M}brk")]
    assert breaks and breaks == [b.get("id") for b in fresh.sheet(index).iter(f"{M}brk")]
