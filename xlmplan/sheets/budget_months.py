"""The Budget_Months sheet: the 3Ms by period, in blocks stacked one under another.

Columns A–C hold each block's row labels (frozen, so a row always shows what it is) and
the periods follow from column D, one column each, then the total. A band on top gives
every period's label, first and last day, number and the share of its plan still ahead
of the as-of date; every block reads it. Blocks: the summary, media pacing (plan against
actual spend per channel), strategy budgets against money lines, people (cost, capacity,
demand), money lines and the action calendar (a Gantt chart of hours). Nothing here is
an input: the sheet is protected, and it is laid out again at every refresh.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from xlmplan.core import budget_pacing as bp
from xlmplan.core import rules
from xlmplan.core.model import MONEY_CATEGORIES
from xlmplan.sheets.context import Ctx, blank, quoted
from xlmplan.sheets.layout import CondFormat, Sheet, Table, a1, quote_sheet, ref, rng
from xlmplan.sheets.tables import title

LABEL, DETAIL, EXTRA, P0 = 0, 1, 2, 3  # label columns, then the first period column
BAND = 3  # the period band: labels, first days, last days, numbers, shares ahead
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
SECTIONS = ("planned", "actual", "outlook", "variance", "cum_planned", "cum_outlook")
LINES = (
    "as_of_period",
    "remaining",
    "cap",
    "buffer",
    "committed",
    "planned_total",
    "actual_to_date",
    "planned_ahead",
    "left",
)


@dataclass
class Grid:
    """Where a block's rows start and how many there are."""

    first: int
    n: int

    def rows(self) -> range:
        return range(self.first, self.first + self.n)


def build(ctx: Ctx) -> Sheet:
    t, plan, res = ctx.t, ctx.plan, ctx.results
    periods = ctx.periods
    n = len(periods)
    tot = P0 + n  # the total column
    pacing = res.pacing
    assert pacing is not None
    sheet = Sheet("budget_months", ctx.sheet("budget_months"), protect=True, tab_color="#7030A0")
    title(sheet, t("pacing.title"), t("pacing.subtitle"))
    tables: dict[str, Table] = ctx.positions["budget_tables"]
    bud = quote_sheet(ctx.sheet("budget"))

    def col_of(role: str, index: int, rows: int) -> str:
        """A column of an input Table, as long as its block has rows."""
        tb = tables[role]
        r1 = tb.row + 1
        return f"{bud}!{rng(None, r1, tb.col + index, r1 + rows - 1, tb.col + index)}"

    def table_cell(role: str, i: int, index: int) -> str:
        tb = tables[role]
        return f"{bud}!{a1(tb.row + 1 + i, tb.col + index, True, True)}"

    def k_col(k: int) -> int:
        return P0 + k

    # --- the period band ------------------------------------------------------------------
    first_row, last_row, num_row, share_row = BAND + 1, BAND + 2, BAND + 3, BAND + 4
    sheet.put(BAND, LABEL, t("pacing.period"), "header")
    sheet.put(BAND, DETAIL, "", "header")
    sheet.put(BAND, EXTRA, "", "header")
    for band_row, key in (
        (first_row, "first_day"),
        (last_row, "last_day"),
        (num_row, "number"),
        (share_row, "share"),
    ):
        sheet.put(band_row, LABEL, t(f"pacing.{key}"), "label")
    for k, period in enumerate(periods.items):
        c = k_col(k)
        sheet.formula(BAND, c, f"INDEX(cal_label,{k + 1})", period.label, "header")
        sheet.formula(first_row, c, f"INDEX(cal_first,{k + 1})", rules.serial(period.first),
                      "derived:date")  # fmt: skip
        sheet.formula(last_row, c, f"INDEX(cal_last,{k + 1})", rules.serial(period.last),
                      "derived:date")  # fmt: skip
        sheet.put(num_row, c, k + 1, "derived:int")
    sheet.put(BAND, tot, t("pacing.total"), "header")

    def first(k: int) -> str:
        return a1(first_row, k_col(k), True, False)

    def last(k: int) -> str:
        return a1(last_row, k_col(k), True, False)

    def num(k: int) -> str:
        return a1(num_row, k_col(k), True, False)

    def share(k: int) -> str:
        return a1(share_row, k_col(k), True, False)


    # --- row positions of every block, decided before anything is written ------------------
    n_p, n_m, n_a = (max(tables[r].n_rows, 1) for r in ("people", "money", "actions"))
    channels = [r.channel for r in pacing.rows[:-1]]
    n_ch = len(channels)
    cursor = share_row + 2

    def take(rows: int) -> int:
        nonlocal cursor
        start, cursor = cursor, cursor + rows
        return start

    summary_title = take(2)  # title, header
    summary = Grid(take(len(SUMMARY_KEYS)), len(SUMMARY_KEYS))
    take(1)
    pacing_title = take(1)
    lines = Grid(take(len(LINES)), len(LINES))
    take(1)
    pacing_header = take(1)
    section_rows: dict[str, Grid] = {}
    for key in SECTIONS:
        take(1)  # the section's label row
        section_rows[key] = Grid(take(n_ch + 2), n_ch + 2)  # channels, unassigned, total
    take(1)
    reconcile_title = take(2)
    reconcile = Grid(take(max(n_ch, 1)), n_ch)
    take(1)
    people_title = take(2)
    people_grids = {}
    for key in ("cost", "capacity", "demand"):
        take(1)
        people_grids[key] = Grid(take(n_p), n_p)
    take(1)
    money_title = take(2)
    money = Grid(take(n_m), n_m)
    take(1)
    actions_title = take(2)
    actions = Grid(take(n_a), n_a)

    def block_title(row: int, text: str, labels: Sequence[str]) -> None:
        sheet.put(row, LABEL, text, "section")
        for j, label in enumerate(labels):
            sheet.put(row + 1, j, label, "header:derived")
        for k in range(n):
            c = k_col(k)
            sheet.formula(row + 1, c, a1(BAND, c, True, False), periods[k].label, "header")
        sheet.put(row + 1, tot, t("pacing.total"), "header:derived")

    def grid_col(grid: Grid, k: int) -> str:
        return rng(None, grid.first, k_col(k), grid.first + grid.n - 1, k_col(k))

    def row_total(r: int, value: float, style: str) -> None:
        sheet.formula(r, tot, f"SUM({a1(r, P0)}:{a1(r, tot - 1)})", value,
                      style.replace("derived:", "total:"))  # fmt: skip

    def label_from(r: int, col: int, source: str, value: str) -> None:
        sheet.formula(r, col, f'{source}&""', value, "label")

    m_cat, m_channel = col_of("money", 0, n_m), col_of("money", 1, n_m)
    media = rules.literal_criterion_xl("MediaCategory")

    # --- people: cost, capacity, demand ----------------------------------------------------
    block_title(people_title, t("pacing.people_block"),
                [t("people.name"), t("people.role"), t("people.over")])  # fmt: skip
    a_owner = col_of("actions", 2, n_a)
    for key, caption in (
        ("cost", "people.cost_grid"),
        ("capacity", "people.capacity_grid"),
        ("demand", "people.demand_grid"),
    ):
        grid = people_grids[key]
        sheet.put(grid.first - 1, LABEL, t(caption), "label:strong")
        for i, r in enumerate(grid.rows()):
            person = plan.people[i] if i < len(plan.people) else None
            name, role = (table_cell("people", i, j) for j in (0, 1))
            fte, cost = (table_cell("people", i, j) for j in (2, 3))
            st, en = (table_cell("people", i, j) for j in (4, 5))
            label_from(r, LABEL, name, person.name if person else "")
            label_from(r, DETAIL, role, person.role if person else "")
            values = {
                "cost": res.people_cost,
                "capacity": res.people_capacity,
                "demand": res.people_demand,
            }[key]
            for k in range(n):
                on = f"ISNUMBER({st}),ISNUMBER({en}),{st}<={last(k)},{en}>={first(k)}"
                formula = {
                    "cost": f"IF(AND({on},ISNUMBER({fte}),ISNUMBER({cost})),{cost}*{fte},0)",
                    "capacity": f"IF(AND({on},ISNUMBER({fte})),{fte}*HoursPerMonth,0)",
                    "demand": f'IF({name}="",0,SUMIF({a_owner},'
                    f"{rules.literal_criterion_xl(name)},{grid_col(actions, k)}))",
                }[key]
                style = "derived:money0_dash" if key == "cost" else "derived:hours_dash"
                sheet.formula(r, k_col(k), formula, values[i][k] if person else 0.0, style)
            row_total(r, sum(values[i]) if person else 0.0,
                      "derived:money0_dash" if key == "cost" else "derived:hours_dash")  # fmt: skip
    demand, capacity = people_grids["demand"], people_grids["capacity"]
    for i, r in enumerate(demand.rows()):
        dem = f"{a1(r, P0)}:{a1(r, tot - 1)}"
        cap = f"{a1(capacity.first + i, P0)}:{a1(capacity.first + i, tot - 1)}"
        over = res.people_over[i] if i < len(plan.people) else 0.0
        sheet.formula(r, EXTRA, f"SUMPRODUCT((ROUND({dem},6)>ROUND({cap},6))*1)", over,
                      "derived:int")  # fmt: skip
    ctx.define("p_over", rng(sheet.name, demand.first, EXTRA, demand.first + n_p - 1, EXTRA))
    cap0 = a1(capacity.first, P0)
    sheet.cond_formats.append(
        CondFormat(
            demand.first,
            P0,
            demand.first + n_p - 1,
            tot - 1,
            "formula",
            f"ROUND({a1(demand.first, P0)},6)>ROUND({cap0},6)",
            "bad",
        )  # fmt: skip
    )
    over0 = a1(demand.first, EXTRA)
    sheet.cond_formats.append(
        CondFormat(
            demand.first, EXTRA, demand.first + n_p - 1, EXTRA, "formula", f"{over0}>0", "bad"
        )  # fmt: skip
    )

    # --- money lines -----------------------------------------------------------------------
    block_title(money_title, t("pacing.money_block"),
                [t("money.item"), t("money.channel"), t("budget.months")])  # fmt: skip
    for i, r in enumerate(money.rows()):
        line = plan.money[i] if i < len(plan.money) else None
        item, channel = table_cell("money", i, 2), table_cell("money", i, 1)
        st, en, amount = (table_cell("money", i, j) for j in (3, 4, 5))
        label_from(r, LABEL, item, line.item if line else "")
        label_from(r, DETAIL, channel, line.channel if line else "")
        n_ref = a1(r, EXTRA, False, True)
        sheet.formula(r, EXTRA, rules.months_spanned_xl(st, en),
                      blank(res.money_months[i]) if line else "", "derived:int")  # fmt: skip
        for k in range(n):
            sheet.formula(r, k_col(k), rules.spread_xl(amount, n_ref, st, en, first(k)),
                          res.money_grid[i][k] if line else 0.0, "derived:money0_dash")  # fmt: skip
        row_total(r, sum(res.money_grid[i]) if line else 0.0, "derived:money0_dash")

    # --- action calendar (a Gantt chart of hours) -----------------------------------------
    block_title(actions_title, t("pacing.actions_block"),
                [t("actions.action"), t("actions.owner"), t("budget.months")])  # fmt: skip
    for i, r in enumerate(actions.rows()):
        act = plan.actions[i] if i < len(plan.actions) else None
        action, owner = table_cell("actions", i, 0), table_cell("actions", i, 2)
        st, en, hours = (table_cell("actions", i, j) for j in (3, 4, 5))
        label_from(r, LABEL, action, act.action if act else "")
        label_from(r, DETAIL, owner, act.owner if act else "")
        n_ref = a1(r, EXTRA, False, True)
        sheet.formula(r, EXTRA, rules.months_spanned_xl(st, en),
                      blank(res.action_months[i]) if act else "", "derived:int")  # fmt: skip
        for k in range(n):
            sheet.formula(r, k_col(k), rules.spread_xl(hours, n_ref, st, en, first(k)),
                          res.action_grid[i][k] if act else 0.0, "derived:hours_dash")  # fmt: skip
        row_total(r, sum(res.action_grid[i]) if act else 0.0, "derived:hours_dash")
    sheet.cond_formats.append(
        CondFormat(
            actions.first,
            P0,
            actions.first + n_a - 1,
            tot - 1,
            "formula",
            f"{a1(actions.first, P0)}>0",
            "plan",
        )  # fmt: skip
    )

    # --- media pacing ------------------------------------------------------------------------
    sheet.put(pacing_title, LABEL, t("pacing.block"), "section")
    line_row = {key: lines.first + i for i, key in enumerate(LINES)}
    asof_p, remaining = (
        a1(line_row["as_of_period"], EXTRA, True, True),
        a1(line_row["remaining"], EXTRA, True, True),
    )
    for k in range(n):
        sheet.formula(share_row, k_col(k), bp.plan_share_xl(num(k), asof_p, remaining),
                      pacing.shares[k], "derived:pct")  # fmt: skip
    sheet.put(pacing_header, LABEL, t("pacing.channel"), "header:derived")
    for col in (DETAIL, EXTRA):
        sheet.put(pacing_header, col, "", "header:derived")
    for k in range(n):
        c = k_col(k)
        sheet.formula(pacing_header, c, a1(BAND, c, True, False), periods[k].label, "header")
    sheet.put(pacing_header, tot, t("pacing.total"), "header:derived")
    crit = [
        rules.literal_criterion_xl(a1(section_rows["planned"].first + j, LABEL, True, True))
        for j in range(n_ch)
    ]

    def sec(key: str, j: int) -> int:
        return section_rows[key].first + j  # j: channel index, n_ch unassigned, n_ch+1 total

    def cells(key: str, k: int) -> str:
        """The channel rows and the unassigned row of a section in period k."""
        return rng(None, sec(key, 0), k_col(k), sec(key, n_ch), k_col(k))

    all_rows = [*pacing.rows, pacing.total]
    for key in SECTIONS:
        grid = section_rows[key]
        sheet.put(grid.first - 1, LABEL, t(f"pacing.{key}"), "label:strong")
        for j, row in enumerate(all_rows):
            r = grid.first + j
            is_total, is_other = j == n_ch + 1, j == n_ch
            text = t("pacing.total") if is_total else row.channel or t("pacing.unassigned")
            sheet.put(r, LABEL, text, "label:strong" if is_total else "label")
            style = "total:money0_dash" if is_total else "derived:money0_dash"
            for k in range(n):
                here = a1(r, k_col(k))
                planned, actual = a1(sec("planned", j), k_col(k)), a1(sec("actual", j), k_col(k))
                if key == "planned":
                    if is_total:
                        formula = f"SUM({cells(key, k)})"
                    elif is_other:
                        body = rng(None, sec(key, 0), k_col(k), sec(key, n_ch - 1), k_col(k))
                        others = f"-SUM({body})" if n_ch else ""
                        formula = f"SUMIF({m_cat},{media},{grid_col(money, k)}){others}"
                    else:
                        formula = (
                            f"SUMIFS({grid_col(money, k)},{m_cat},{media},{m_channel},{crit[j]})"
                        )
                    value: object = row.planned[k]
                elif key == "actual":
                    if is_other:
                        body = rng(None, sec(key, 0), k_col(k), sec(key, n_ch - 1), k_col(k))
                        total = a1(sec(key, n_ch + 1), k_col(k))
                        others = f"-SUM({body})" if n_ch else ""
                        formula = f'IF({num(k)}<={asof_p},{total}{others},"")'
                    else:
                        head = "SUMIFS(d_spend," + ("" if is_total else f"d_channel,{crit[j]},")
                        formula = bp.actual_xl(head, first(k), last(k), "AsOf", num(k), asof_p)
                    value = blank(row.actual[k])
                elif key == "outlook":
                    formula = bp.outlook_xl(actual, planned, share(k), num(k), asof_p)
                    value = row.outlook[k]
                elif key == "variance":
                    formula = bp.variance_xl(planned, actual, share(k), num(k), asof_p)
                    value = blank(row.variance[k])
                else:
                    source = sec("planned" if key == "cum_planned" else "outlook", j)
                    formula = f"SUM({a1(source, P0, False, True)}:{a1(source, k_col(k))})"
                    value = (row.cum_planned if key == "cum_planned" else row.cum_outlook)[k]
                del here
                sheet.formula(r, k_col(k), formula, value, style)
            if key in ("cum_planned", "cum_outlook"):
                continue
            year = {
                "planned": sum(row.planned),
                "actual": row.actual_to_date,
                "outlook": sum(row.outlook),
                "variance": row.variance_to_date,
            }[key]
            row_total(r, year, style)
        if key == "variance":
            top = a1(grid.first, P0)
            sheet.cond_formats.append(
                CondFormat(
                    grid.first,
                    P0,
                    grid.first + grid.n - 1,
                    tot,
                    "formula",
                    bp.overspent_xl(top),
                    "bad",
                )  # fmt: skip
            )

    # the pacing lines: as-of period, caps and what is left to plan
    planned_total = a1(sec("planned", n_ch + 1), tot, True, True)
    actual_total = a1(sec("actual", n_ch + 1), tot, True, True)
    plan_row = rng(None, sec("planned", n_ch + 1), P0, sec("planned", n_ch + 1), tot - 1)
    shares = rng(None, share_row, P0, share_row, tot - 1)
    line_values: dict[str, tuple[str, object, str]] = {
        "as_of_period": (
            "AsOfPeriod",
            pacing.as_of_period,
            "derived:int",
        ),
        "remaining": (
            bp.remaining_share_xl("AsOf", asof_p, n, "cal_first", "cal_last"),
            pacing.remaining,
            "derived:pct",
        ),
        "cap": (
            'IF(ISNUMBER(BudgetCap),BudgetCap,"")',
            blank(plan.settings.budget_cap),
            "derived:money0",
        ),  # fmt: skip
        "buffer": (
            "IF(ISNUMBER(BudgetBuffer),BudgetBuffer,0)",
            plan.settings.budget_buffer or 0.0,
            "derived:money0",
        ),  # fmt: skip
        "committed": (
            "IF(ISNUMBER(BudgetCommitted),BudgetCommitted,0)",
            plan.settings.budget_committed or 0.0,
            "derived:money0",
        ),  # fmt: skip
        "planned_total": (planned_total, sum(pacing.total.planned), "derived:money0"),
        "actual_to_date": (actual_total, pacing.total.actual_to_date, "derived:money0"),
        "planned_ahead": (
            f"SUMPRODUCT({plan_row},{shares})",
            pacing.planned_remaining,
            "derived:money0",
        ),  # fmt: skip
        "left": (
            bp.left_to_plan_xl(
                "BudgetCap",
                "BudgetBuffer",
                "BudgetCommitted",
                planned_total,
                actual_total,
                a1(line_row["planned_ahead"], EXTRA, True, True),
            ),
            pacing.left_to_plan,
            "total:money0",
        ),  # fmt: skip
    }
    for key in LINES:
        r = line_row[key]
        formula, value, style = line_values[key]
        sheet.put(r, LABEL, t(f"pacing.{key}"), "label:strong" if key == "left" else "label")
        sheet.formula(r, EXTRA, formula, value, style)
    left = line_row["left"]
    sheet.cond_formats.append(
        CondFormat(left, EXTRA, left, EXTRA, "formula", f"ROUND({a1(left, EXTRA)},2)<0", "bad")
    )
    ctx.define("PacingActual", ref(sheet.name, line_row["actual_to_date"], EXTRA))
    ctx.define("PacingLeft", ref(sheet.name, left, EXTRA))

    # --- strategy budgets against money lines ---------------------------------------------
    sheet.put(reconcile_title, LABEL, t("pacing.reconcile"), "section")
    heads = (t("pacing.channel"), "", "", t("pacing.strategies"), t("pacing.money"),
             t("pacing.difference"))  # fmt: skip
    for col, text in enumerate(heads):
        sheet.put(reconcile_title + 1, col, text, "header:derived")
    m_amount = col_of("money", 5, n_m)
    for j, rec in enumerate(pacing.reconciled):
        r = reconcile.first + j
        sheet.put(r, LABEL, rec.channel, "label")
        own = rules.literal_criterion_xl(a1(r, LABEL, True, True))
        sheet.formula(r, P0, f"SUMIF(st_channel,{own},st_budget)", rec.strategies,
                      "derived:money0")  # fmt: skip
        sheet.formula(r, P0 + 1, f"SUMIF({m_channel},{own},{m_amount})", rec.money,
                      "derived:money0")  # fmt: skip
        sheet.formula(r, P0 + 2, f"{a1(r, P0 + 1)}-{a1(r, P0)}", rec.money - rec.strategies,
                      "derived:money0")  # fmt: skip
    if n_ch:
        sheet.cond_formats.append(
            CondFormat(
                reconcile.first,
                P0 + 2,
                reconcile.first + n_ch - 1,
                P0 + 2,
                "formula",
                bp.disagrees_xl(a1(reconcile.first, P0), a1(reconcile.first, P0 + 1)),
                "bad",
            )  # fmt: skip
        )

    # --- the summary -----------------------------------------------------------------------
    block_title(summary_title, t("pacing.summary"), [t("start.item"), "", ""])
    _summary(ctx, sheet, summary, people_grids, money, m_cat, media, section_rows, n_ch, k_col,
             tot, grid_col)  # fmt: skip

    sheet.freeze = (BAND + 1, P0)
    sheet.print_rows = (BAND, BAND)  # repeated on every printed page
    for col, width in ((LABEL, 28), (DETAIL, 16), (EXTRA, 11)):
        sheet.width(col, width)
    for k in range(n + 1):
        sheet.width(k_col(k), 11)
    return sheet


def _summary(
    ctx: Ctx,
    sheet: Sheet,
    summary: Grid,
    people: dict[str, Grid],
    money: Grid,
    m_cat: str,
    media: str,
    sections: dict[str, Grid],
    n_ch: int,
    k_col: Callable[[int], int],
    tot: int,
    grid_col: Callable[[Grid, int], str],
) -> None:
    """Month totals of every block: people cost, money by category, media against actual."""
    t, plan, res = ctx.t, ctx.plan, ctx.results
    pacing = res.pacing
    assert pacing is not None
    n = plan.settings.months
    cat_labels = [t(f"category.{c}") for c in MONEY_CATEGORIES]
    media_cf = plan.settings.media_category.casefold()

    def col_sum(grids: Sequence[list[float]], k: int, keep: Callable[[int], bool]) -> float:
        return float(sum(g[k] for i, g in enumerate(grids) if keep(i)))

    def by_category(label: str) -> Callable[[int], bool]:
        return lambda i: plan.money[i].category.casefold() == label.casefold()

    every: Callable[[int], bool] = lambda i: True  # noqa: E731
    values: dict[str, list[object]] = {
        "people": [col_sum(res.people_cost, k, every) for k in range(n)],
        "money_total": [col_sum(res.money_grid, k, every) for k in range(n)],
        "media": [col_sum(res.money_grid, k, by_category(media_cf)) for k in range(n)],
        "actual": [blank(a) for a in pacing.total.actual],
        "variance": [blank(v) for v in pacing.total.variance],
        "demand": [col_sum(res.people_demand, k, every) for k in range(n)],
        "capacity": [col_sum(res.people_capacity, k, every) for k in range(n)],
    }
    for cat, label in zip(MONEY_CATEGORIES, cat_labels, strict=True):
        values[f"cat_{cat}"] = [col_sum(res.money_grid, k, by_category(label)) for k in range(n)]
    values["total"] = [
        float(a) + float(b)  # type: ignore[arg-type]
        for a, b in zip(values["people"], values["money_total"], strict=True)
    ]
    row_of = {key: summary.first + i for i, key in enumerate(SUMMARY_KEYS)}
    total_row = sections["actual"].first + n_ch + 1
    var_row = sections["variance"].first + n_ch + 1
    for key in SUMMARY_KEYS:
        r = row_of[key]
        if key.startswith("cat_"):
            label = cat_labels[MONEY_CATEGORIES.index(key[4:])]
            sheet.put(r, 0, t("budget.money_in").format(category=label), "label")
        else:
            label = t("budget.total_key") if key == "total" else t(f"budget.{key}")
            sheet.put(r, 0, label, "label:strong" if key == "total" else "label")
        style = "derived:hours_dash" if key in ("demand", "capacity") else "derived:money0_dash"
        for k in range(n):
            c = k_col(k)
            formula = {
                "people": f"SUM({grid_col(people['cost'], k)})",
                "money_total": f"SUM({grid_col(money, k)})",
                "total": f"{a1(row_of['people'], c)}+{a1(row_of['money_total'], c)}",
                "media": f"SUMIF({m_cat},{media},{grid_col(money, k)})",
                "actual": a1(total_row, c),
                "variance": a1(var_row, c),
                "demand": f"SUM({grid_col(people['demand'], k)})",
                "capacity": f"SUM({grid_col(people['capacity'], k)})",
            }.get(key)
            if formula is None:
                label = cat_labels[MONEY_CATEGORIES.index(key[4:])]
                formula = f"SUMIF({m_cat},{quoted(label)},{grid_col(money, k)})"
            sheet.formula(r, c, formula, values[key][k], style)
        year = sum(float(v) for v in values[key] if isinstance(v, int | float))
        sheet.formula(r, tot, f"SUM({a1(r, k_col(0))}:{a1(r, tot - 1)})", year,
                      style.replace("derived:", "total:"))  # fmt: skip
    ctx.define("BudgetTotal", ref(sheet.name, row_of["total"], tot))
    ctx.positions["budget_total"] = sum(values["total"])  # type: ignore[arg-type]
    var_r = row_of["variance"]
    sheet.cond_formats.append(
        CondFormat(
            var_r, k_col(0), var_r, tot - 1, "formula", bp.overspent_xl(a1(var_r, k_col(0))), "bad"
        )  # fmt: skip
    )
    ctx.positions["budget_rows"] = {**row_of, "header": BAND}
    ctx.positions["budget_cols"] = (k_col(0), tot - 1)
