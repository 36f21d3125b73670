"""Which sheets a refresh leaves as they are: a sheet whose charts are written brings the
sheets they read, and a layout's digest follows every field of its sheet."""

from __future__ import annotations

from xlmplan.kept_sheets import sheet_digests, with_chart_sources
from xlmplan.sheets.layout import Book, Chart, Series, Sheet


def _book() -> Book:
    dashboard = Sheet("dashboard", "Dashboard")
    dashboard.charts.append(
        Chart(
            "column",
            "Revenue",
            [Series("Revenue", "'Calc ''x'''!$A$1:$A$3", "Calc2!$B$1:$B$3")],
            (1, 1),
        )
    )
    sheets = [dashboard, Sheet("calc", "Calc 'x'"), Sheet("calc2", "Calc2"), Sheet("swot", "SWOT")]
    return Book(sheets, {}, "EUR")


def test_charts_being_written_bring_the_sheets_they_read() -> None:
    book = _book()
    assert with_chart_sources(book, {"dashboard"}) == {"dashboard", "calc", "calc2"}
    assert with_chart_sources(book, {"swot"}) == {"swot"}


def test_a_sheet_digest_changes_with_its_cells_and_the_book_formats_only() -> None:
    book = _book()
    before = sheet_digests(book)
    book.sheets[3].put(2, 1, 5.0, "derived:num")
    after = sheet_digests(book)
    assert after["swot"] != before["swot"]
    assert {r: d for r, d in after.items() if r != "swot"} == {
        r: d for r, d in before.items() if r != "swot"
    }
    book.sheets[3].rewrite = {(2, 1)}
    assert sheet_digests(book)["swot"] != after["swot"]
    book.currency = "USD"
    assert all(d != after[r] for r, d in sheet_digests(book).items())
