"""The Budget_3M sheet: Men, Money and Minutes by month.

A summary band of month totals sits on top; below it the people, money-line and action
Tables stand side by side, each followed by its row-aligned month grid, so every Table can
grow downwards without running into anything.
"""

from __future__ import annotations

from xlmplan.core import rules
from xlmplan.core.model import MONEY_CATEGORIES, Action, MoneyLine, Person, table_row
from xlmplan.sheets.context import TABLE_ROW, Ctx, blank, quoted
from xlmplan.sheets.layout import CondFormat, Sheet, a1, ref, rng
from xlmplan.sheets.tables import headers_of, input_table, list_validation, number_validation, title

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
TABLES_ROW = TABLE_ROW + len(SUMMARY_KEYS) + 4


def build(ctx: Ctx) -> Sheet:
    t, res, plan = ctx.t, ctx.results, ctx.plan
    months = plan.settings.month_starts()
    n_m = len(months)
    sheet = Sheet("budget", ctx.sheet("budget"), tab_color="#7030A0")
    title(sheet, t("budget.title"), t("budget.subtitle"))
    first = TABLES_ROW + 1

    # --- people: table, cost grid, capacity grid, demand grid, months over ----------------
    people = plan.people
    p_rows = [table_row(p) for p in people]
    p_table = input_table(
        sheet,
        ctx,
        name="tblPeople",
        role="people",
        col=0,
        row=TABLES_ROW,
        headers=headers_of(ctx, "people", Person),
        rows=p_rows,
        styles=["text", "text", "num", "money", "date", "date"],
        caption=t("people.caption"),
    )
    number_validation(sheet, p_table, 2, "decimal", 0, 5)
    n_p = max(p_table.n_rows, 1)
    cost_col, cap_col = 7, 7 + n_m + 1
    dem_col, over_col = 7 + 2 * (n_m + 1), 7 + 3 * (n_m + 1)

    # --- money lines ------------------------------------------------------------------------
    m_col = over_col + 2
    m_rows = [table_row(m) for m in plan.money]
    m_table = input_table(
        sheet,
        ctx,
        name="tblMoney",
        role="money",
        col=m_col,
        row=TABLES_ROW,
        headers=headers_of(ctx, "money", MoneyLine),
        rows=m_rows,
        styles=["text", "text", "text", "date", "date", "money"],
        caption=t("money.caption"),
    )
    list_validation(sheet, m_table, 0, "=lst_categories")
    list_validation(sheet, m_table, 1, "=lst_channels")
    n_money = max(m_table.n_rows, 1)
    m_months_col, m_grid = m_col + 6, m_col + 8

    # --- actions ----------------------------------------------------------------------------
    a_col = m_grid + n_m + 1
    a_rows = [table_row(a) for a in plan.actions]
    a_table = input_table(
        sheet,
        ctx,
        name="tblActions",
        role="actions",
        col=a_col,
        row=TABLES_ROW,
        headers=headers_of(ctx, "actions", Action),
        rows=a_rows,
        styles=["wrap", "text", "text", "date", "date", "num"],
        caption=t("actions.caption"),
    )
    list_validation(sheet, a_table, 1, "=st_id")
    list_validation(sheet, a_table, 2, "=p_name")
    n_a = max(a_table.n_rows, 1)
    a_months_col, a_grid = a_col + 6, a_col + 8

    def span(col: int, n: int) -> str:
        return rng(None, first, col, first + n - 1, col)

    m_cat, a_owner = span(m_col, n_money), span(a_col + 2, n_a)
    ctx.define("p_name", rng(sheet.name, first, 0, first + n_p - 1, 0))
    ctx.define("p_over", rng(sheet.name, first, over_col, first + n_p - 1, over_col))

    # month headers of the summary band; every grid header points at them
    sheet.put(TABLE_ROW, 0, t("budget.month"), "header")
    month_hdr = []
    for j, month in enumerate(months):
        sheet.formula(
            TABLE_ROW, 1 + j, f"EDATE(PlanStart,{j})", rules.serial(month), "header:month"
        )
        month_hdr.append(a1(TABLE_ROW, 1 + j, True, False))
    sheet.put(TABLE_ROW, 1 + n_m, t("budget.total"), "header")

    def grid_header(col: int, caption: str) -> None:
        sheet.put(TABLES_ROW - 1, col, caption, "section")
        for j in range(n_m):
            sheet.formula(
                TABLES_ROW, col + j, month_hdr[j], rules.serial(months[j]), "header:month"
            )

    grid_header(cost_col, t("people.cost_grid"))
    grid_header(cap_col, t("people.capacity_grid"))
    grid_header(dem_col, t("people.demand_grid"))
    sheet.put(TABLES_ROW, over_col, t("people.over"), "header:derived")
    for i in range(n_p):
        r, R = first + i, first + i + 1
        p = people[i] if i < len(people) else None
        for j in range(n_m):
            on = rules.active_xl(f"$E{R}", f"$F{R}", month_hdr[j])
            sheet.formula(
                r,
                cost_col + j,
                f"IF(AND({on},ISNUMBER($C{R}),ISNUMBER($D{R})),$D{R}*$C{R},0)",
                res.people_cost[i][j] if p else 0.0,
                "derived:money0_dash",
            )
            sheet.formula(
                r,
                cap_col + j,
                f"IF(AND({on},ISNUMBER($C{R})),$C{R}*HoursPerMonth,0)",
                res.people_capacity[i][j] if p else 0.0,
                "derived:hours_dash",
            )
            cal = rng(None, first, a_grid + j, first + n_a - 1, a_grid + j)
            sheet.formula(
                r,
                dem_col + j,
                f'IF($A{R}="",0,SUMIF({a_owner},{rules.literal_criterion_xl(f"$A{R}")},{cal}))',
                res.people_demand[i][j] if p else 0.0,
                "derived:hours_dash",
            )
        dem = f"{a1(r, dem_col)}:{a1(r, dem_col + n_m - 1)}"
        cap = f"{a1(r, cap_col)}:{a1(r, cap_col + n_m - 1)}"
        sheet.formula(
            r,
            over_col,
            f"SUMPRODUCT((ROUND({dem},6)>ROUND({cap},6))*1)",
            res.people_over[i] if p else 0.0,
            "derived:int",
        )
    last_p = first + n_p - 1
    sheet.cond_formats.append(
        CondFormat(
            first,
            dem_col,
            last_p,
            dem_col + n_m - 1,
            "formula",
            f"ROUND({a1(first, dem_col)},6)>ROUND({a1(first, cap_col)},6)",
            "bad",
        )
    )
    sheet.cond_formats.append(
        CondFormat(first, over_col, last_p, over_col, "formula", f"{a1(first, over_col)}>0", "bad")
    )

    # money grid
    sheet.put(TABLES_ROW, m_months_col, t("budget.months"), "header:derived")
    grid_header(m_grid, t("money.grid"))
    for i in range(n_money):
        r, R = first + i, first + i + 1
        line = plan.money[i] if i < len(plan.money) else None
        st, en = a1(r, m_col + 3, False, True), a1(r, m_col + 4, False, True)
        amount, n_ref = a1(r, m_col + 5, False, True), a1(r, m_months_col, False, True)
        sheet.formula(
            r,
            m_months_col,
            rules.months_spanned_xl(st, en),
            blank(res.money_months[i]) if line else "",
            "derived:int",
        )
        for j in range(n_m):
            sheet.formula(
                r,
                m_grid + j,
                rules.spread_xl(amount, n_ref, st, en, month_hdr[j]),
                res.money_grid[i][j] if line else 0.0,
                "derived:money0_dash",
            )
        del R

    # action calendar
    sheet.put(TABLES_ROW, a_months_col, t("budget.months"), "header:derived")
    grid_header(a_grid, t("actions.calendar"))
    for i in range(n_a):
        r = first + i
        act = plan.actions[i] if i < len(plan.actions) else None
        st, en = a1(r, a_col + 3, False, True), a1(r, a_col + 4, False, True)
        hours, n_ref = a1(r, a_col + 5, False, True), a1(r, a_months_col, False, True)
        sheet.formula(
            r,
            a_months_col,
            rules.months_spanned_xl(st, en),
            blank(res.action_months[i]) if act else "",
            "derived:int",
        )
        for j in range(n_m):
            sheet.formula(
                r,
                a_grid + j,
                rules.spread_xl(hours, n_ref, st, en, month_hdr[j]),
                res.action_grid[i][j] if act else 0.0,
                "derived:hours_dash",
            )
    sheet.cond_formats.append(
        CondFormat(
            first,
            a_grid,
            first + n_a - 1,
            a_grid + n_m - 1,
            "formula",
            f"{a1(first, a_grid)}>0",
            "plan",
        )
    )

    # --- the summary band ------------------------------------------------------------------
    def col_range(col: int, n: int, j: int) -> str:
        return rng(None, first, col + j, first + n - 1, col + j)

    cat_labels = [t(f"category.{c}") for c in MONEY_CATEGORIES]
    media = plan.settings.media_category
    rows_values: dict[str, list[float]] = {
        "people": [sum(g[j] for g in res.people_cost) for j in range(n_m)],
        "money_total": [sum(g[j] for g in res.money_grid) for j in range(n_m)],
        "media": [
            sum(
                g[j]
                for g, m in zip(res.money_grid, plan.money, strict=True)
                if m.category.casefold() == media.casefold()
            )
            for j in range(n_m)
        ],
        "actual": res.actual_spend,
        "demand": [sum(g[j] for g in res.people_demand) for j in range(n_m)],
        "capacity": [sum(g[j] for g in res.people_capacity) for j in range(n_m)],
    }
    for c, label in zip(MONEY_CATEGORIES, cat_labels, strict=True):
        rows_values[f"cat_{c}"] = [
            sum(
                g[j]
                for g, m in zip(res.money_grid, plan.money, strict=True)
                if m.category.casefold() == label.casefold()
            )
            for j in range(n_m)
        ]
    rows_values["total"] = [
        a + b for a, b in zip(rows_values["people"], rows_values["money_total"], strict=True)
    ]
    rows_values["variance"] = [
        a - b for a, b in zip(rows_values["media"], rows_values["actual"], strict=True)
    ]
    row_of = {key: TABLE_ROW + 1 + i for i, key in enumerate(SUMMARY_KEYS)}
    media_crit = rules.literal_criterion_xl("MediaCategory")
    for key in SUMMARY_KEYS:
        r = row_of[key]
        if key.startswith("cat_"):
            label = cat_labels[MONEY_CATEGORIES.index(key[4:])]
            sheet.put(r, 0, t("budget.money_in").format(category=label), "label")
        else:
            label = t("budget.total_key") if key == "total" else t(f"budget.{key}")
            sheet.put(r, 0, label, "label:strong" if key == "total" else "label")
        style = "derived:hours_dash" if key in ("demand", "capacity") else "derived:money0_dash"
        for j in range(n_m):

            def here(k: str, j: int = j) -> str:
                return a1(row_of[k], 1 + j)

            formula = {
                "people": f"SUM({col_range(cost_col, n_p, j)})",
                "money_total": f"SUM({col_range(m_grid, n_money, j)})",
                "total": f"{here('people')}+{here('money_total')}",
                "media": f"SUMIF({m_cat},{media_crit},{col_range(m_grid, n_money, j)})",
                "actual": f'SUMIFS(d_spend,d_date,">="&{month_hdr[j]},'
                f'd_date,"<"&EDATE({month_hdr[j]},1))',
                "variance": f"{here('media')}-{here('actual')}",
                "demand": f"SUM({col_range(dem_col, n_p, j)})",
                "capacity": f"SUM({col_range(cap_col, n_p, j)})",
            }.get(key)
            if formula is None:
                label = cat_labels[MONEY_CATEGORIES.index(key[4:])]
                formula = f"SUMIF({m_cat},{quoted(label)},{col_range(m_grid, n_money, j)})"
            sheet.formula(r, 1 + j, formula, rows_values[key][j], style)
        sheet.formula(
            r,
            1 + n_m,
            f"SUM({a1(r, 1)}:{a1(r, n_m)})",
            sum(rows_values[key]),
            style.replace("derived:", "total:"),
        )
    total_cell = (row_of["total"], 1 + n_m)
    ctx.define("BudgetTotal", ref(sheet.name, *total_cell))
    ctx.positions["budget_total"] = sum(rows_values["total"])
    var_r = row_of["variance"]
    sheet.cond_formats.append(
        CondFormat(var_r, 1, var_r, n_m, "formula", f"{a1(var_r, 1)}<0", "bad")
    )
    ctx.positions["budget_rows"] = row_of

    sheet.width(0, 26)
    for col in range(1, 1 + n_m + 1):
        sheet.width(col, 13)
    for col in range(cost_col, over_col + 1):
        sheet.width(col, 11)
    for offset, width in enumerate((12, 13, 30, 11, 11, 12, 7)):  # money table + months
        sheet.width(m_col + offset, width)
    for offset, width in enumerate((30, 8, 12, 11, 11, 8, 7)):  # actions table + months
        sheet.width(a_col + offset, width)
    for col in [*range(m_grid, m_grid + n_m), *range(a_grid, a_grid + n_m)]:
        sheet.width(col, 10)
    sheet.freeze = (TABLE_ROW + 1, 1)
    sheet.print_rows = (TABLE_ROW, TABLE_ROW)  # repeated on every printed page
    return sheet
