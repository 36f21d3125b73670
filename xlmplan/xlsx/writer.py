"""Write a :class:`~xlmplan.sheets.layout.Book` as a new ``.xlsx`` with XlsxWriter.

Every formula cell is written with its cached value, so readers without a calculation
engine see numbers; Excel recalculates on open as usual.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import quote_sheetname, xl_col_to_name, xl_range_abs
from xlsxwriter.worksheet import Worksheet

from xlmplan.core.excel_functions import PREFIXED
from xlmplan.core.rules import serial
from xlmplan.core.units import number_formats
from xlmplan.sheets.layout import Book, Cell, Chart, Frame, Sheet, Table, a1
from xlmplan.sheets.print_setup import (
    MARGIN_IN,
    TITLE_ROW_PT,
    PageSetup,
    PrintTexts,
    page_setup,
    wrapped_row_heights,
)
from xlmplan.xlsx.fastrows import (
    replace_rows,
    resize_table,
    rewrite_parts,
    row_styles,
)

INPUT_FILL = "#FFF2CC"
INPUT_FONT = "#1F4E9E"
DERIVED_FILL = "#F2F2F2"
HEADER_FILL = "#1F4E78"
DERIVED_HEADER_FILL = "#595959"
# A string literal or quoted sheet name (kept as is), or a call of a function newer than 2007.
_FUTURE = re.compile(
    r"(\"(?:[^\"]|\"\")*\"|'(?:[^']|'')*')|(?<![\w.])("
    + "|".join(re.escape(name) for name in sorted(PREFIXED, key=len, reverse=True))
    + r")\("
)


class PlanWorksheet(Worksheet):
    """A worksheet for formulas that ``future_prefixed`` has already prepared.

    XlsxWriter runs some thirty regular expressions over every formula to add prefixes for
    functions we never write; ours arrive prefixed, so only the ``=`` and braces go.
    """

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        return formula.removeprefix("{").removeprefix("=").removesuffix("}")


class Styles:
    """Style keys ("kind:number") to cached XlsxWriter formats."""

    def __init__(
        self,
        workbook: xlsxwriter.Workbook,
        currency: str,
        font: str = "Calibri",
        date_format: str = "yyyy-mm-dd",
        month_format: str = "mmm yyyy",
        rtl: bool = False,
    ) -> None:
        self.workbook = workbook
        self.font = font
        self.rtl = rtl  # text cells read right to left (Arabic, Persian)
        self.cache: dict[str, Format] = {}
        self.numbers = {
            "text": None,
            "wrap": None,
            **number_formats(currency),
            "date": date_format,
            "month": month_format,
            "flag": "0",
            "bool": '"yes";"yes";"no"',
            "status": None,
            "strong": None,
            "name": None,
            "label": None,
        }

    def __call__(self, key: str) -> Format:
        if key not in self.cache:
            self.cache[key] = self.workbook.add_format(self._props(key))
        return self.cache[key]

    def _props(self, key: str) -> dict[str, Any]:
        kind, _, number = key.partition(":")
        props: dict[str, Any] = {"font_name": self.font, "font_size": 10, "valign": "top"}
        fmt = self.numbers.get(number or "text")
        if fmt:
            props["num_format"] = fmt
        elif self.rtl:
            props["reading_order"] = 2
        if number == "wrap":
            props["text_wrap"] = True
        if number in ("status", "flag"):
            props["align"] = "center"
            props["bold"] = number == "status"
        if number == "strong":
            props["bold"] = True
        if kind == "title":
            props.update(font_size=16, bold=True, font_color=HEADER_FILL)
        elif kind == "note":
            props.update(italic=True, font_color="#595959")
        elif kind == "section":
            props.update(bold=True, font_size=11, font_color=HEADER_FILL)
        elif kind == "header":
            fill = DERIVED_HEADER_FILL if number == "derived" else HEADER_FILL
            props.update(
                bold=True,
                font_color="#FFFFFF",
                bg_color=fill,
                text_wrap=True,
                border=1,
                border_color="#BFBFBF",
            )
            if number == "derived":
                props.pop("num_format", None)
        elif kind == "label":
            props.update(bold=number == "strong")
        elif kind == "input":
            props.update(
                bg_color=INPUT_FILL,
                font_color=INPUT_FONT,
                locked=False,
                border=1,
                border_color="#D9D9D9",
            )
        elif kind in ("derived", "total"):
            props.update(bg_color=DERIVED_FILL, border=1, border_color="#E7E6E6")
            if kind == "total":
                props["bold"] = True
        elif kind == "tile":
            props.update(border=1, border_color="#BFBFBF")
            if number == "name":
                props.update(bold=True, font_color=HEADER_FILL, font_size=11)
            elif number not in ("label", "status"):
                props.update(font_size=14, bold=True)
        elif kind == "link":
            props.update(font_color="#0563C1", underline=1)
        elif kind == "helper":  # cells formulas read, outside the print area
            props.update(font_color="#A6A6A6", font_size=8)
        return props


def write_book(book: Book, path: Path) -> None:
    """Write ``book`` to ``path`` (which must not be open elsewhere)."""
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "in_memory": True})
    workbook.set_properties(
        {
            "title": book.properties.get("title", ""),
            "company": book.properties.get("company", ""),
            "comments": "Created with xlmplan",
        }
    )
    workbook.set_calc_mode("auto")
    styles = Styles(
        workbook, book.currency, book.font, book.date_format, book.month_format, book.rtl
    )
    texts = book.print_texts or PrintTexts(book.properties.get("title", ""), "", "&P / &N")
    sheets: dict[str, Worksheet] = {}
    for sheet in book.sheets:
        sheets[sheet.role] = workbook.add_worksheet(sheet.name, worksheet_class=PlanWorksheet)
    for name, target in sorted(book.names.items()):
        workbook.define_name(name, target)
    for sheet in book.sheets:
        _write_sheet(workbook, sheets[sheet.role], sheet, styles, texts)
    sheets[book.sheets[0].role].activate()
    workbook.close()
    for index, sheet in enumerate(book.sheets):
        for frame in sheet.frames:
            if len(frame.frame) > 1:
                part = f"xl/worksheets/sheet{index + 1}.xml"
                _splice_frame(path, part, frame, _frame_tables(sheet))


def _splice_frame(path: Path, part: str, frame: Frame, tables: list[Table]) -> None:
    """Put every row after a frame's first into the sheet, reusing the first row's styles,
    and give the tables over the frame (written one row deep) their full range."""
    with zipfile.ZipFile(path) as zf:
        xml = zf.read(part).decode("utf-8")
        table_parts = {
            name: zf.read(name).decode("utf-8")
            for name in zf.namelist()
            if name.startswith("xl/tables/")
        }
    n_cols = len(frame.frame.columns)
    styles = row_styles(xml, frame.row + 1, n_cols, frame.col)
    edits = {part: replace_rows(frame.row + 2, frame.frame.iloc[1:], styles, frame.col)}
    for table in tables:
        ref = f"{a1(table.row, table.col)}:{a1(table.last_row, table.last_col)}"
        for name, text in table_parts.items():
            if f'displayName="{table.name}"' in text:
                edits[name] = resize_table(ref)
    rewrite_parts(path, edits)


def _frame_tables(sheet: Sheet) -> list[Table]:
    """Tables whose data rows are a frame's rows (written short, resized after the splice)."""
    return [
        t for t in sheet.tables for f in sheet.frames if t.row + 1 == f.row and len(f.frame) > 1
    ]


def _write_sheet(
    workbook: xlsxwriter.Workbook,
    ws: Worksheet,
    sheet: Sheet,
    styles: Styles,
    texts: PrintTexts,
) -> None:
    for frame in sheet.frames:
        _write_frame(ws, frame, styles)
    for (row, col), cell in sheet.cells.items():
        _write_cell(ws, row, col, cell, styles)
    short = _frame_tables(sheet)
    for table in sheet.tables:
        ws.add_table(
            table.row,
            table.col,
            table.row + 1 if table in short else table.last_row,
            table.last_col,
            {
                "name": table.name,
                "style": table.style,
                "columns": [
                    {"header": h, "header_format": styles("header")} for h in table.headers
                ],
            },
        )
    for v in sheet.validations:
        options: dict[str, Any] = {"validate": v.kind, "ignore_blank": True}
        if v.kind == "list":
            options["source"] = v.source if v.source.startswith("=") else v.source.split(",")
        elif v.kind == "date":
            options.update(
                criteria="between", minimum=dt.date(1990, 1, 1), maximum=dt.date(2100, 12, 31)
            )
        else:
            if v.minimum is not None and v.maximum is not None:
                options.update(criteria="between", minimum=v.minimum, maximum=v.maximum)
            else:
                options.update(criteria=">=", value=v.minimum or 0)
        if v.message:
            options["input_message"] = v.message[:255]
        ws.data_validation(v.r1, v.c1, v.r2, v.c2, options)
    palette = {
        "good": ("#C6EFCE", "#006100"),
        "neutral": ("#FFEB9C", "#9C5700"),
        "bad": ("#FFC7CE", "#9C0006"),
        "good_strong": ("#63BE7B", "#000000"),
        "bad_strong": ("#F8696B", "#000000"),
        "plan": ("#DDEBF7", "#1F4E78"),  # a month an action runs (Gantt bar)
    }
    for cf in sheet.cond_formats:
        if cf.kind == "scale":
            ws.conditional_format(
                cf.r1,
                cf.c1,
                cf.r2,
                cf.c2,
                {
                    "type": "2_color_scale",
                    "min_color": "#FFFFFF",
                    "max_color": cf.color or "#63BE7B",
                },
            )
            continue
        fill, font = palette[cf.style]
        fmt = workbook.add_format({"bg_color": fill, "font_color": font})
        if cf.kind == "equals":
            criteria = {"type": "cell", "criteria": "==", "value": '"' + cf.value + '"'}
            if cf.value.lstrip("-").isdigit():
                criteria["value"] = cf.value
        else:
            criteria = {"type": "formula", "criteria": "=" + cf.value}
        ws.conditional_format(cf.r1, cf.c1, cf.r2, cf.c2, {**criteria, "format": fmt})
    for chart in sheet.charts:
        _write_chart(workbook, ws, chart)
    for col, width in sheet.widths.items():
        ws.set_column(col, col, width)
    for row, height in wrapped_row_heights(sheet).items():
        ws.set_row(row, height)
    ws.set_row(0, TITLE_ROW_PT)
    if sheet.freeze:
        ws.freeze_panes(*sheet.freeze)
    if sheet.tab_color:
        ws.set_tab_color(sheet.tab_color)
    setup = page_setup(sheet, texts)
    if setup is not None:
        _print_setup(ws, setup)
    if sheet.rtl:
        ws.right_to_left()
    if sheet.protect:
        ws.protect(
            "",
            {
                "format_columns": True,
                "format_rows": True,
                "select_locked_cells": True,
                "select_unlocked_cells": True,
            },
        )
    if sheet.hidden:
        if sheet.role == "manifest":
            ws.very_hidden()
        else:
            ws.hide()


def _print_setup(ws: Worksheet, setup: PageSetup) -> None:
    """A4, the print area, repeated rows and columns, header, footer, fit to width."""
    ws.set_paper(9)  # A4
    margins = MARGIN_IN
    ws.set_margins(margins["left"], margins["right"], margins["top"], margins["bottom"])
    ws.center_horizontally()
    if setup.landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.print_area(*setup.area)
    ws.fit_to_pages(setup.pages_wide, setup.pages_tall)  # 0 tall: as many as needed
    if setup.title_rows:
        ws.repeat_rows(*setup.title_rows)
    if setup.title_cols:
        ws.repeat_columns(*setup.title_cols)
    if setup.row_breaks:
        ws.set_h_pagebreaks(list(setup.row_breaks))
    ws.set_header(setup.header, {"margin": margins["header"]})
    ws.set_footer(setup.footer, {"margin": margins["footer"]})


PRINT_NAMES = ("_xlnm.Print_Area", "_xlnm.Print_Titles")


def print_names(sheet_name: str, setup: PageSetup) -> dict[str, str]:
    """The sheet-scoped defined names of a print set-up, spelt as XlsxWriter writes them."""
    quoted = quote_sheetname(sheet_name)
    names = {"_xlnm.Print_Area": f"{quoted}!{xl_range_abs(*setup.area)}"}
    titles = []
    if setup.title_cols:
        first, last = (xl_col_to_name(c, True) for c in setup.title_cols)
        titles.append(f"{quoted}!{first}:{last}")
    if setup.title_rows:
        titles.append(f"{quoted}!${setup.title_rows[0] + 1}:${setup.title_rows[1] + 1}")
    if titles:
        names["_xlnm.Print_Titles"] = ",".join(titles)
    return names


def future_prefixed(formula: str) -> str:
    """Store functions newer than Excel 2007 with their ``_xlfn.`` prefix."""
    return _FUTURE.sub(lambda m: m.group(1) or f"_xlfn.{m.group(2)}(", formula)


def _write_cell(ws: Worksheet, row: int, col: int, cell: Cell, styles: Styles) -> None:
    fmt = styles(cell.style)
    if cell.formula is not None:
        value = _cached(cell.value)
        formula = future_prefixed(cell.formula)
        if cell.array:
            ws.write_array_formula(row, col, row, col, "{=" + formula + "}", fmt, value)
        else:
            ws.write_formula(row, col, "=" + formula, fmt, value)
        return
    value = cell.value
    if cell.link:
        ws.write_url(row, col, "internal:" + cell.link, fmt, string=str(value))
    elif value is None or (isinstance(value, float) and math.isnan(value)):
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    elif isinstance(value, dt.date):
        ws.write_number(row, col, serial(value), fmt)
    elif isinstance(value, int | float):
        ws.write_number(row, col, value, fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


def _cached(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, dt.date):
        return serial(value)
    return value


def _write_frame(ws: Worksheet, frame: Frame, styles: Styles) -> None:
    """Write a DataFrame's first row, fixing its styles (the rest is spliced in after closing)."""
    for j, value in enumerate(frame.frame.iloc[0].tolist()):
        if isinstance(value, pd.Timestamp):
            value = value.date()
        cell = Cell(value=None if value == "" else value, style=frame.styles[j])
        _write_cell(ws, frame.row, frame.col + j, cell, styles)


def _write_chart(workbook: xlsxwriter.Workbook, ws: Worksheet, chart: Chart) -> None:
    kind = {"type": "scatter", "subtype": "straight"} if chart.kind == "scatter" else {}
    xl_chart = workbook.add_chart({"type": chart.kind, **kind})
    assert xl_chart is not None
    overlay = None
    for series in chart.series:
        options: dict[str, Any] = {
            "name": series.name,
            "categories": "=" + series.categories,
            "values": "=" + series.values,
        }
        if series.points:
            options["points"] = [{"fill": {"color": c}} for c in series.points]
        if series.reference:
            options["line"] = {"color": series.color, "width": 1.75, "dash_type": "dash"}
            options["marker"] = {"type": "none"}
            overlay = overlay or workbook.add_chart({"type": "line"})
            assert overlay is not None
            overlay.add_series(options)
            continue
        if series.marker:
            options["marker"] = {
                "type": series.marker,
                "size": 9,
                "fill": {"color": series.color},
                "border": {"color": series.color},
            }
            options["line"] = {"none": True}
        elif series.color and chart.kind in ("line", "scatter"):
            options["line"] = {"color": series.color, "width": 2.25}
            options["marker"] = {"type": "none"}
        elif series.color:
            options["fill"] = {"color": series.color}
            options["border"] = {"color": series.color}
        xl_chart.add_series(options)
    if overlay is not None:
        xl_chart.combine(overlay)
    xl_chart.set_title({"name": chart.title, "name_font": {"size": 12}})
    if chart.kind != "pie":
        value_axis, category_axis = (
            (xl_chart.set_x_axis, xl_chart.set_y_axis)
            if chart.kind == "bar"
            else (xl_chart.set_y_axis, xl_chart.set_x_axis)
        )
        if chart.value_format:
            value_axis({"num_format": chart.value_format})
        axis: dict[str, Any] = {}
        if chart.category_format:
            axis = {"num_format": chart.category_format, "num_font": {"rotation": -45}}
        if chart.level_labels:  # rotation 0 written out: LibreOffice then wraps, not tilts
            axis["num_font"] = {"rotation": 0, "size": chart.level_labels}
        if axis:
            category_axis(axis)
    if chart.kind != "pie":
        xl_chart.set_legend({"position": "bottom"})
    xl_chart.set_size({"width": chart.size[0], "height": chart.size[1]})
    ws.insert_chart(chart.anchor[0], chart.anchor[1], xl_chart)
