"""The Budget_3M sheet: the inputs of the 3Ms — people, money lines and actions.

The three input Tables stand side by side from the top, at fixed columns whatever the
plan's length, so each can grow downwards with nothing below it. Their periods, media
pacing and the action calendar are on the Budget_Months sheet (``budget_months.py``).
A plan whose Tables stand elsewhere (an older layout) keeps them where they are: the
Tables are laid out at the positions the file gives (``Ctx.positions["table_at"]``).
"""

from __future__ import annotations

from xlmplan.core.labels import Labels
from xlmplan.core.model import Action, MoneyLine, Person, table_row
from xlmplan.sheets.context import TABLE_ROW, Ctx
from xlmplan.sheets.layout import Sheet, Table, rng
from xlmplan.sheets.tables import headers_of, input_table, list_validation, number_validation, title

LAYOUT = "2"  # the manifest's layout.budget: 2 = inputs only, their periods on Budget_Months
PEOPLE_COL, MONEY_COL, ACTIONS_COL = 0, 7, 14  # each Table is six columns wide, one apart
WIDTHS = {
    "tblPeople": (18, 18, 7, 12, 11, 11),
    "tblMoney": (12, 14, 28, 11, 11, 12),
    "tblActions": (30, 9, 12, 11, 11, 8),
}


def table_origin(ctx: Ctx, name: str, col: int) -> tuple[int, int]:
    """(header row, first column) of an input Table: where the file has it, else the layout's."""
    at: dict[str, tuple[int, int]] = ctx.positions.get("table_at", {})
    return at.get(name, (TABLE_ROW, col))


def build(ctx: Ctx) -> Sheet:
    t, plan = ctx.t, ctx.plan
    sheet = Sheet("budget", ctx.sheet("budget"), tab_color="#7030A0")
    title(sheet, t("budget.title"), t("budget.subtitle"))
    specs = (
        ("tblPeople", "people", Person, plan.people, PEOPLE_COL,
         ["text", "text", "num", "money", "date", "date"]),
        ("tblMoney", "money", MoneyLine, plan.money, MONEY_COL,
         ["text", "text", "text", "date", "date", "money"]),
        ("tblActions", "actions", Action, plan.actions, ACTIONS_COL,
         ["wrap", "text", "text", "date", "date", "num"]),
    )  # fmt: skip
    tables: dict[str, Table] = {}
    for name, role, cls, items, default_col, styles in specs:
        row, col = table_origin(ctx, name, default_col)
        tables[role] = input_table(
            sheet,
            ctx,
            name=name,
            role=role,
            col=col,
            row=row,
            headers=headers_of(ctx, role, cls),
            rows=[table_row(x) for x in items],
            styles=styles,
            caption=t(f"{role}.caption"),
        )
        for offset, width in enumerate(WIDTHS[name]):
            sheet.width(col + offset, width)
    number_validation(sheet, tables["people"], 2, "decimal", 0, 5)
    list_validation(sheet, tables["money"], 0, "=lst_categories")
    list_validation(sheet, tables["money"], 1, "=lst_channels")
    list_validation(sheet, tables["actions"], 1, "=st_id")
    list_validation(sheet, tables["actions"], 2, "=p_name")
    people = tables["people"]
    r1, c1, r2, _ = people.column(0)
    ctx.define("p_name", rng(sheet.name, r1, c1, r2, c1))
    ctx.positions["budget_tables"] = tables
    sheet.freeze = (TABLE_ROW + 1, 0)
    sheet.print_rows = (TABLE_ROW, TABLE_ROW)  # repeated on every printed page
    return sheet


def layout_moved(manifest: dict[str, str], labels: Labels, names: dict[str, str]) -> list[str]:
    """The note a refresh prints for a plan laid out before Budget_Months (its manifest
    has no ``layout.budget``): where the month grids went; the Tables and the user's own
    cells stayed. ``names``: role -> the sheet's name in the plan."""
    if manifest.get("layout.budget", "1") == LAYOUT:
        return []
    inputs = names.get("budget", labels["sheet.budget"])
    months = names.get("budget_months", labels["sheet.budget_months"])
    return [labels["check.budget_moved"].format(sheet=inputs, months=months)]
