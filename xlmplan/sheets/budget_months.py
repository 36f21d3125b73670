"""The Budget_Months sheet: the 3Ms by period, in blocks stacked one under another.

Each block has its title, its header row and its row labels in the frozen columns A–C
(``month_frame.py``): the summary, media pacing and the strategy budgets against money
lines (``pacing_block.py``), people (cost, capacity, demand), money lines and the action
calendar (a Gantt chart of hours). Row i of a block reads row i of its input Table on
Budget_3M. Nothing here is an input: the sheet is protected and laid out at every refresh.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from xlmplan.core import budget_pacing as bp
from xlmplan.core import rules, spread
from xlmplan.core.model import MONEY_CATEGORIES
from xlmplan.sheets import pacing_block
from xlmplan.sheets.context import Ctx, blank, quoted
from xlmplan.sheets.layout import CondFormat, Sheet, Table, a1, quote_sheet, ref, rng
from xlmplan.sheets.month_frame import (
    BAND,
    DETAIL,
    EXTRA,
    LABEL,
    P0,
    SHARE_ROW,
    Grid,
    MonthFrame,
)
from xlmplan.sheets.tables import title

SUMMARY_KEYS = (
    "people",
    *(f"cat_{c}" for c in MONEY_CATEGORIES),
    "money_total",
    "total",
    "media",
    "actual",
    "variance",
    "demand",
    "capacity",
)
PEOPLE_GRIDS = ("cost", "capacity", "demand")


def build(ctx: Ctx) -> Sheet:
    t, res = ctx.t, ctx.results
    assert res.pacing is not None
    sheet = Sheet("budget_months", ctx.sheet("budget_months"), protect=True, tab_color="#7030A0")
    title(sheet, t("pacing.title"), t("pacing.subtitle"))
    tables: dict[str, Table] = ctx.positions["budget_tables"]
    f = MonthFrame(ctx, sheet, ctx.periods, tables, quote_sheet(ctx.sheet("budget")))
    f.band()

    # row positions of every block, decided before anything is written
    n_p, n_m, n_a = (max(tables[r].n_rows, 1) for r in ("people", "money", "actions"))
    n_ch = len(res.pacing.rows) - 1
    cursor = SHARE_ROW + 2

    def take(rows: int) -> int:
        nonlocal cursor
        start, cursor = cursor, cursor + rows
        return start

    summary_title = take(2)  # title, header
    summary = Grid(take(len(SUMMARY_KEYS)), len(SUMMARY_KEYS))
    take(1)
    pacing = pacing_block.place(take, n_ch)
    take(1)
    reconcile_title = take(2)
    reconcile = Grid(take(max(n_ch, 1)), n_ch)
    take(1)
    people_title = take(2)
    people: dict[str, Grid] = {}
    for key in PEOPLE_GRIDS:
        take(1)  # the grid's caption
        people[key] = Grid(take(n_p), n_p)
    take(1)
    money_title = take(2)
    money = Grid(take(n_m), n_m)
    take(1)
    actions_title = take(2)
    actions = Grid(take(n_a), n_a)

    _people(f, people_title, people, actions)
    _spread(f, money_title, money, "money")
    _spread(f, actions_title, actions, "actions")
    pacing_block.build(f, pacing, money)
    pacing_block.reconcile(f, reconcile_title, reconcile, money)
    f.block_title(summary_title, t("pacing.summary"), [t("start.item"), "", ""])
    _summary(f, summary, people, money, pacing)

    sheet.freeze = (BAND + 1, P0)
    sheet.print_rows = (BAND, BAND)  # repeated on every printed page
    for col, width in ((LABEL, 28), (DETAIL, 16), (EXTRA, 11)):
        sheet.width(col, width)
    for k in range(f.n + 1):
        sheet.width(f.col(k), 11)
    return sheet


def _people(f: MonthFrame, block: int, grids: dict[str, Grid], actions: Grid) -> None:
    """Cost, hours capacity and hours demanded per person and period; months over."""
    ctx, sheet, t, res = f.ctx, f.sheet, f.ctx.t, f.ctx.results
    people = ctx.plan.people
    heads = [t("people.name"), t("people.role"), t("people.over")]
    f.block_title(block, t("pacing.people_block"), heads)
    a_owner = f.table_col("actions", 2, actions.n)
    values = {"cost": res.people_cost, "capacity": res.people_capacity, "demand": res.people_demand}
    for key in PEOPLE_GRIDS:
        grid = grids[key]
        sheet.put(grid.first - 1, LABEL, t(f"people.{key}_grid"), "label:strong")
        style = "derived:money0_dash" if key == "cost" else "derived:hours_dash"
        for i, r in enumerate(grid.rows()):
            person = people[i] if i < len(people) else None
            name, role, fte, cost, st, en = (f.table_cell("people", i, j) for j in range(6))
            f.label_from(r, LABEL, name, person.name if person else "")
            f.label_from(r, DETAIL, role, person.role if person else "")
            for k in range(f.n):
                on = f"ISNUMBER({st}),ISNUMBER({en}),{st}<={f.last(k)},{en}>={f.first(k)}"
                formula = {
                    "cost": f"IF(AND({on},ISNUMBER({fte}),ISNUMBER({cost})),{cost}*{fte},0)",
                    "capacity": f"IF(AND({on},ISNUMBER({fte})),{fte}*HoursPerMonth,0)",
                    "demand": f'IF({name}="",0,SUMIF({a_owner},'
                    f"{rules.literal_criterion_xl(name)},{f.grid_col(actions, k)}))",
                }[key]
                value = values[key][i][k] if person else 0.0
                sheet.formula(r, f.col(k), formula, value, style)
            f.row_total(r, sum(values[key][i]) if person else 0.0, style)
    demand, capacity = grids["demand"], grids["capacity"]
    for i, r in enumerate(demand.rows()):
        dem, cap = f.row_range(r), f.row_range(capacity.first + i)
        over = res.people_over[i] if i < len(people) else 0.0
        formula = f"SUMPRODUCT((ROUND({dem},6)>ROUND({cap},6))*1)"
        sheet.formula(r, EXTRA, formula, over, "derived:int")
    last = demand.first + demand.n - 1
    ctx.define("p_over", rng(sheet.name, demand.first, EXTRA, last, EXTRA))
    over_hours = f"ROUND({a1(demand.first, P0)},6)>ROUND({a1(capacity.first, P0)},6)"
    sheet.cond_formats += [
        CondFormat(demand.first, P0, last, f.total_col - 1, "formula", over_hours, "bad"),
        CondFormat(
            demand.first, EXTRA, last, EXTRA, "formula", f"{a1(demand.first, EXTRA)}>0", "bad"
        ),
    ]


# per spread block: its title and heads, the item's label and detail (Table column and
# attribute), the plan's items, the engine's months and grid, and the cells' style
SPREADS = {
    "money": ("money_block", ("money.item", "money.channel"), (2, 1, "item", "channel"),
              "money", "money_months", "money_grid", "derived:money0_dash"),
    "actions": ("actions_block", ("actions.action", "actions.owner"), (0, 2, "action", "owner"),
                "actions", "action_months", "action_grid", "derived:hours_dash"),
}  # fmt: skip


def _spread(f: MonthFrame, block: int, grid: Grid, key: str) -> None:
    """A block of amounts (money lines) or hours (actions) spread over the plan's periods:
    label, detail, months spanned and one column per period, row i from row i of the Table."""
    ctx, sheet, t = f.ctx, f.sheet, f.ctx.t
    title_key, heads, labels, attr, months_attr, grid_attr, style = SPREADS[key]
    f.block_title(block, t(f"pacing.{title_key}"), [*(t(h) for h in heads), t("budget.months")])
    items: Sequence[object] = getattr(ctx.plan, attr)
    months: list[float | None] = getattr(ctx.results, months_attr)
    cells: list[list[float]] = getattr(ctx.results, grid_attr)
    label_col, detail_col, label_attr, detail_attr = labels
    for i, r in enumerate(grid.rows()):
        item = items[i] if i < len(items) else None
        f.label_from(r, LABEL, f.table_cell(key, i, label_col), getattr(item, label_attr, ""))
        f.label_from(r, DETAIL, f.table_cell(key, i, detail_col), getattr(item, detail_attr, ""))
        st, en, amount = (f.table_cell(key, i, j) for j in (3, 4, 5))
        spanned = spread.months_spanned_xl(st, en)
        sheet.formula(r, EXTRA, spanned, blank(months[i]) if item else "", "derived:int")
        n_ref = a1(r, EXTRA, False, True)
        for k in range(f.n):
            formula = spread.spread_xl(amount, n_ref, st, en, f.first(k), f.last(k))
            sheet.formula(r, f.col(k), formula, cells[i][k] if item else 0.0, style)
        f.row_total(r, sum(cells[i]) if item else 0.0, style)
    if key == "actions":  # the action calendar: a Gantt chart of hours
        last = grid.first + grid.n - 1
        bar = f"{a1(grid.first, P0)}>0"
        sheet.cond_formats.append(
            CondFormat(grid.first, P0, last, f.total_col - 1, "formula", bar, "plan")
        )


def _summary(
    f: MonthFrame,
    summary: Grid,
    people: dict[str, Grid],
    money: Grid,
    pacing: pacing_block.PacingRows,
) -> None:
    """Period totals of every block: people cost, money by category, media against actual."""
    ctx, sheet, t, plan, res = f.ctx, f.sheet, f.ctx.t, f.ctx.plan, f.ctx.results
    assert res.pacing is not None
    n = f.n
    cat_labels = [t(f"category.{c}") for c in MONEY_CATEGORIES]
    m_cat = f.table_col("money", 0, money.n)
    media = rules.literal_criterion_xl("MediaCategory")

    def col_sum(grids: Sequence[list[float]], k: int, keep: Callable[[int], bool]) -> float:
        return float(sum(g[k] for i, g in enumerate(grids) if keep(i)))

    def by_category(label: str) -> Callable[[int], bool]:
        return lambda i: plan.money[i].category.casefold() == label.casefold()

    def every(i: int) -> bool:
        return True

    values: dict[str, list[object]] = {
        "people": [col_sum(res.people_cost, k, every) for k in range(n)],
        "money_total": [col_sum(res.money_grid, k, every) for k in range(n)],
        "media": [
            col_sum(res.money_grid, k, by_category(plan.settings.media_category)) for k in range(n)
        ],
        "actual": [blank(a) for a in res.pacing.total.actual],
        "variance": [blank(v) for v in res.pacing.total.variance],
        "demand": [col_sum(res.people_demand, k, every) for k in range(n)],
        "capacity": [col_sum(res.people_capacity, k, every) for k in range(n)],
    }
    for cat, label in zip(MONEY_CATEGORIES, cat_labels, strict=True):
        values[f"cat_{cat}"] = [col_sum(res.money_grid, k, by_category(label)) for k in range(n)]
    people_cost = [float(v) for v in values["people"]]  # type: ignore[arg-type]
    money_total = [float(v) for v in values["money_total"]]  # type: ignore[arg-type]
    values["total"] = [a + b for a, b in zip(people_cost, money_total, strict=True)]
    row_of = {key: summary.first + i for i, key in enumerate(SUMMARY_KEYS)}
    total = pacing.n_channels + 1
    for key in SUMMARY_KEYS:
        r = row_of[key]
        if key.startswith("cat_"):
            label = cat_labels[MONEY_CATEGORIES.index(key[4:])]
            sheet.put(r, LABEL, t("budget.money_in").format(category=label), "label")
        else:
            label = t("budget.total_key") if key == "total" else t(f"budget.{key}")
            sheet.put(r, LABEL, label, "label:strong" if key == "total" else "label")
        style = "derived:hours_dash" if key in ("demand", "capacity") else "derived:money0_dash"
        for k in range(n):
            c = f.col(k)
            formula = {
                "people": f"SUM({f.grid_col(people['cost'], k)})",
                "money_total": f"SUM({f.grid_col(money, k)})",
                "total": f"{a1(row_of['people'], c)}+{a1(row_of['money_total'], c)}",
                "media": f"SUMIF({m_cat},{media},{f.grid_col(money, k)})",
                "actual": a1(pacing.row("actual", total), c),
                "variance": a1(pacing.row("variance", total), c),
                "demand": f"SUM({f.grid_col(people['demand'], k)})",
                "capacity": f"SUM({f.grid_col(people['capacity'], k)})",
            }.get(key)
            if formula is None:
                label = cat_labels[MONEY_CATEGORIES.index(key[4:])]
                formula = f"SUMIF({m_cat},{quoted(label)},{f.grid_col(money, k)})"
            sheet.formula(r, c, formula, values[key][k], style)
        f.row_total(r, sum(float(v) for v in values[key] if isinstance(v, int | float)), style)
    ctx.define("BudgetTotal", ref(sheet.name, row_of["total"], f.total_col))
    ctx.positions["budget_total"] = sum(values["total"])  # type: ignore[arg-type]
    var = row_of["variance"]
    overspent = bp.overspent_xl(a1(var, P0))
    sheet.cond_formats.append(
        CondFormat(var, P0, var, f.total_col - 1, "formula", overspent, "bad")
    )
    ctx.positions["budget_rows"] = {**row_of, "header": BAND}
    ctx.positions["budget_cols"] = (P0, f.total_col - 1)
