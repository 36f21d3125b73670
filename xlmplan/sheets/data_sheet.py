"""The Data sheet: the performance rows as one Excel Table, with names sized to it."""

from __future__ import annotations

import pandas as pd

from xlmplan.core.data import DATA_COLUMNS, MEASURES
from xlmplan.sheets.context import Ctx
from xlmplan.sheets.layout import Frame, Sheet, Table, rng

MONEY = ("revenue", "spend")


def build(ctx: Ctx, data: pd.DataFrame) -> Sheet:
    sheet = Sheet("data", ctx.sheet("data"), tab_color="#4472C4")
    headers = [ctx.t(f"data.{c}") for c in DATA_COLUMNS] + [str(c) for c in data.columns[10:]]
    for j, h in enumerate(headers):
        sheet.put(0, j, h, "header")
    styles = ["data:date", "data:text", "data:text"]
    styles += ["data:money" if m in MONEY else "data:num" for m in MEASURES]
    styles += ["data:text"] * (len(headers) - len(DATA_COLUMNS))
    sheet.frames.append(Frame(1, 0, data, styles))
    sheet.tables.append(Table("tblData", "data", 0, 0, headers, len(data), "Table Style Light 1"))
    last = max(len(data), 1)
    for j, column in enumerate(DATA_COLUMNS):
        ctx.define(f"d_{column}", rng(sheet.name, 1, j, last, j))
    for j, w in enumerate([12, 18, 24] + [13] * (len(headers) - 3)):
        sheet.width(j, w)
    sheet.freeze = (1, 0)
    return sheet
