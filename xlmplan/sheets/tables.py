"""Helpers shared by the sheet modules: titles, input tables and derived columns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from typing import Any

from xlmplan.sheets.context import TABLE_ROW, Ctx
from xlmplan.sheets.layout import CondFormat, Sheet, Table, Validation, col_letter, rng


def headers_of(ctx: Ctx, prefix: str, item_type: type) -> list[str]:
    """Header labels of an input Table: one per field of the model class, in field order."""
    return [ctx.t(f"{prefix}.{f.name}") for f in fields(item_type)]


def title(sheet: Sheet, text: str, subtitle: str) -> None:
    sheet.put(0, 0, text, "title")
    sheet.put(1, 0, subtitle, "note")


def input_table(
    sheet: Sheet,
    ctx: Ctx,
    *,
    name: str,
    role: str,
    col: int,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    styles: Sequence[str],
    row: int = TABLE_ROW,
    caption: str = "",
) -> Table:
    """An Excel Table of inputs; every column gets a workbook-scoped name ``<name>_<i>``."""
    table = Table(name=name, role=role, row=row, col=col, headers=list(headers), n_rows=len(rows))
    if caption:
        sheet.put(row - 1, col, caption, "section")
    for j, header in enumerate(headers):
        sheet.put(row, col + j, header, "header")
    for i, values in enumerate(rows):
        for j, value in enumerate(values):
            sheet.put(row + 1 + i, col + j, value, "input:" + styles[j])
    for i in range(len(rows), 1):  # an empty table still gets one input row
        for j in range(len(headers)):
            sheet.put(row + 1 + i, col + j, None, "input:" + styles[j])
    sheet.tables.append(table)
    return table


def table_name(ctx: Ctx, sheet: Sheet, table: Table, index: int, name: str) -> str:
    """Define ``name`` as one data column of ``table``; returns the name."""
    r1, c1, r2, c2 = table.column(index)
    ctx.define(name, rng(sheet.name, r1, c1, r2, c2))
    return name


def list_validation(sheet: Sheet, table: Table, index: int, source: str, message: str = "") -> None:
    r1, c1, r2, c2 = table.column(index)
    sheet.validations.append(Validation(r1, c1, r2, c2, "list", source, message=message))


def number_validation(
    sheet: Sheet,
    table: Table,
    index: int,
    kind: str,
    lo: float | None,
    hi: float | None,
    message: str = "",
) -> None:
    r1, c1, r2, c2 = table.column(index)
    sheet.validations.append(
        Validation(r1, c1, r2, c2, kind, minimum=lo, maximum=hi, message=message)
    )


def cell(col: int, row: int) -> str:
    """A relative address in the same sheet, e.g. ``cell(2, 5)`` -> ``C6``."""
    return f"{col_letter(col)}{row + 1}"


def traffic_lights(sheet: Sheet, r1: int, c1: int, r2: int, c2: int, words: Sequence[str]) -> None:
    """Green/amber/red fills for cells equal to the three words (best first)."""
    for word, style in zip(words, ("good", "neutral", "bad"), strict=True):
        sheet.cond_formats.append(CondFormat(r1, c1, r2, c2, "equals", word, style))
