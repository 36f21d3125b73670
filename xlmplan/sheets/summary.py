"""The Summary sheet: the executive summary on one A4 page.

Health, KPIs on and off pace, budget used and left, the scenario the plan is in and what
it calls for, the strongest TOWS pairs with their strategies, the next review date. Every
figure is a native formula over the other sheets' defined names (with its cached value),
so the page recalculates without xlmplan.
"""

from __future__ import annotations

from typing import Any

from xlmplan.core import rules, tows
from xlmplan.core import summary as rule
from xlmplan.core.engine import TOP_N
from xlmplan.core.model import TOWS_TYPES
from xlmplan.sheets import swot
from xlmplan.sheets.cellrefs import parse_a1
from xlmplan.sheets.context import TABLE_ROW, Ctx, blank, quoted
from xlmplan.sheets.layout import CondFormat, Sheet, a1, quote_sheet, rng
from xlmplan.sheets.tables import traffic_lights
from xlmplan.sheets.text_width import fit_columns

LABEL, VALUE, DETAIL = 0, 1, 2  # columns
HELPER = 5  # ranking keys of the TOWS grid's pairs, outside the print area
PAGE_WIDTH = 90.0  # width units of the three columns: one A4 portrait page wide
TOP_PAIRS = 3


def build(ctx: Ctx, start_sheet: Sheet) -> Sheet:
    """``start_sheet``: the Start sheet as built (its plan-health and review cells)."""
    t, res, plan, w = ctx.t, ctx.results, ctx.plan, ctx.words
    sheet = Sheet("summary", ctx.sheet("summary"), protect=True, tab_color="#1F4E78")
    # The cover block: the plan's name as the title, then the company, dates and health.
    sheet.formula(0, LABEL, 'PlanName&""', plan.settings.plan_name, "title")
    sheet.put(1, LABEL, t("summary.title"), "section")
    sheet.put(2, LABEL, t("summary.subtitle"), "note")
    start = quote_sheet(ctx.sheet("start"))
    row = TABLE_ROW - 1

    def section(key: str) -> None:
        nonlocal row
        row += 1
        sheet.put(row, LABEL, t(f"summary.{key}"), "section")
        row += 1

    def line(key: str, formula: str, value: Any, style: str) -> str:
        """A labelled figure; returns its address."""
        nonlocal row
        sheet.put(row, LABEL, t(f"summary.{key}"), "label")
        sheet.formula(row, VALUE, formula, blank(value), style)
        row += 1
        return a1(row - 1, VALUE)

    section("plan")
    line("company", 'Company&""', plan.settings.company, "derived:text")
    sheet.put(row, LABEL, t("summary.period"), "label")
    sheet.formula(row, VALUE, "PlanStart", rules.serial(plan.settings.start), "derived:date")
    sheet.formula(row, DETAIL, "PlanEnd", rules.serial(plan.settings.end), "derived:date")
    row += 1
    as_of = rules.serial(res.as_of) if res.as_of else ""
    line("as_of", 'IF(ISNUMBER(AsOf),AsOf,"")', as_of, "derived:date")
    line("next_review", "NextReview", _named(ctx, start_sheet, "NextReview"), "derived:date")
    health_cell = parse_a1(ctx.positions["health.start"])
    health_word = start_sheet.cells[health_cell].value
    health_ref = a1(*health_cell, abs_row=True, abs_col=True)
    here = line("health", f'{start}!{health_ref}&""', health_word, "derived:status")
    words = [t(f"health.{k}") for k in ("on_track", "watch", "attention")]
    r = int(here[1:]) - 1
    traffic_lights(sheet, r, VALUE, r, VALUE, words)

    section("kpis")
    statuses = [k.status for k in res.kpis]
    n_kpis = sum(1 for k in plan.kpis if k.id != "")
    count = line("kpi_count", 'SUMPRODUCT((k_id<>"")*1)', n_kpis, "derived:int")
    counts = []
    for key, word in zip(("on_pace", "watch", "off_pace"), w.status, strict=True):
        n = sum(1 for s in statuses if s and s.casefold() == word.casefold())
        counts.append(n)
        cell = line(key, f"COUNTIF(k_status,{quoted(word)})", n, "derived:int")
        _share(sheet, row - 1, cell, count, n, n_kpis)
    unmeasured = n_kpis - sum(counts)
    counted = "+".join(a1(row - 3 + i, VALUE) for i in range(3))
    cell = line("unmeasured", f"{count}-({counted})", unmeasured, "derived:int")
    _share(sheet, row - 1, cell, count, unmeasured, n_kpis)
    for i, style in enumerate(("good", "neutral", "bad")):
        sheet.cond_formats.append(_positive(row - 4 + i, style))

    section("budget")
    budget = plan.settings.plan_budget
    spent = float(sum(res.actual_spend))
    b = line("plan_budget", "PlanBudget", budget, "derived:money0")
    line("planned", "PlannedCost", _named(ctx, start_sheet, "PlannedCost"), "derived:money0")
    s = line(
        "spent",
        'SUMIFS(d_spend,d_date,">="&PlanStart,d_date,"<="&PlanEnd)',
        spent,
        "derived:money0",
    )
    used = spent / budget if rules.is_num(budget) and budget > 0 else None
    line("used", f'IF(AND(ISNUMBER({b}),{b}>0),{s}/{b},"")', used, "derived:pct")
    left = budget - spent if rules.is_num(budget) else None
    line("left", f'IF(ISNUMBER({b}),{b}-{s},"")', left, "derived:money0")
    sheet.cond_formats.append(_negative(row - 1))

    section("scenario")
    card_row, col = ctx.positions["scenario_card"]
    n_rows = max(len(plan.kpis), 1)
    now_range = rng(ctx.sheet("scenarios"), card_row + 1, col["now"], card_row + n_rows, col["now"])
    names = w.scenarios
    now = rule.plan_scenario([k.scenario for k in res.kpis], names)
    sc = line("scenario_now", rule.plan_scenario_xl(now_range, names), now, "derived:status")
    traffic_lights(sheet, row - 1, VALUE, row - 1, VALUE, names)
    in_case = sum(1 for k in res.kpis if now and (k.scenario or "").casefold() == now.casefold())
    line(
        "in_case",
        f'IF({sc}="","",COUNTIF({now_range},{sc}))',
        in_case if now else "",
        "derived:int",
    )
    chosen = next(
        (i for i, name in enumerate(names) if now and name.casefold() == now.casefold()), None
    )
    scenario = plan.scenarios[chosen] if chosen is not None else None
    line(
        "calls_for",
        f'IF({sc}="","",IFERROR(INDEX(sc_cont,MATCH({sc},sc_name,0))&"",""))',
        scenario.contingency if scenario else "",
        "derived:text",
    )
    line(
        "extra",
        f'IF({sc}="","",IFERROR(INDEX(sc_extra,MATCH({sc},sc_name,0)),""))',
        scenario.extra_budget if scenario else "",
        "derived:money0",
    )
    _move_long_text(sheet, row - 2)

    section("tows")
    for j, key in ((LABEL, "pair"), (VALUE, "score"), (DETAIL, "strategies")):
        sheet.put(row, j, t(f"summary.{key}"), "header:derived")
    row += 1
    _top_pairs(ctx, sheet, row)
    row += TOP_PAIRS
    fit_columns(sheet)
    sheet.width(LABEL, max(sheet.widths.get(LABEL, 0.0), 30.0))
    sheet.width(VALUE, max(sheet.widths.get(VALUE, 0.0), 16.0))
    sheet.width(DETAIL, max(30.0, PAGE_WIDTH - sheet.widths[LABEL] - sheet.widths[VALUE]))
    sheet.width(HELPER - 1, 4.0)  # a gap before the ranking keys
    return sheet


def tows_grid() -> tuple[int, int]:
    """The SWOT sheet's TOWS grid: its first header row and the rows of each quadrant's
    block (a header, the pairs, a blank row), as ``swot.build`` lays them out."""
    return TABLE_ROW + 2 * (TOP_N + 2) + 2, TOP_N * TOP_N + 2


def _named(ctx: Ctx, sheet: Sheet, name: str) -> Any:
    """The cached value of a single-cell defined name on ``sheet``."""
    return sheet.cells[parse_a1(ctx.names[name].rpartition("!")[2].replace("$", ""))].value


def _share(sheet: Sheet, r: int, cell: str, count: str, n: int, total: int) -> None:
    """The share of all KPIs beside a count."""
    value = n / total if total else ""
    sheet.formula(r, DETAIL, f'IF({count}>0,{cell}/{count},"")', value, "derived:pct")


def _positive(r: int, style: str) -> CondFormat:
    """A count above zero in its status colour."""
    return CondFormat(r, VALUE, r, VALUE, "formula", f"{a1(r, VALUE)}>0", style)


def _negative(r: int) -> CondFormat:
    """An amount below zero in red."""
    return CondFormat(r, VALUE, r, VALUE, "formula", f"{a1(r, VALUE)}<0", "bad")


def _move_long_text(sheet: Sheet, r: int) -> None:
    """The contingency action is a sentence: it reads in the wide detail column."""
    cell = sheet.cells.pop((r, VALUE))
    cell.style = "derived:wrap"
    sheet.cells[(r, DETAIL)] = cell


def _top_pairs(ctx: Ctx, sheet: Sheet, first: int) -> None:
    """The strongest TOWS pairs of the SWOT sheet's grid, with the strategies citing them."""
    res = ctx.results
    plan_swot = quote_sheet(ctx.sheet("swot"))
    tows_row, block = tows_grid()
    strategies = [(st.id, st.pair, st.strategy) for st in ctx.plan.strategies]
    none_text = ctx.t("swot.no_strategy")
    pairs: list[tuple[int, float | None, str, str]] = []  # grid row, product, pair, citing
    for q, quadrant in enumerate(TOWS_TYPES):
        a, b = quadrant[0], quadrant[1]
        for k in range(TOP_N):
            for m in range(TOP_N):
                r = tows_row + q * block + k * TOP_N + m + 1
                a_id, a_text, _ = res.swot_top[a][k]
                b_id, b_text, _ = res.swot_top[b][m]
                product = res.tows[quadrant][k][m]
                pairs.append(
                    (
                        r,
                        product,
                        tows.pair_text(a_id, a_text, b_id, b_text),
                        tows.citing(a_id, b_id, strategies, none_text),
                    )
                )
    keys = []
    for i, (r, product, _, _) in enumerate(pairs):
        key = rule.tie_key(product, i + 1)
        keys.append(key)
        source = f"{plan_swot}!{a1(r, swot.GRID_COL, True, True)}"
        sheet.formula(first + i, HELPER, rule.tie_key_xl(source, i + 1), blank(key), "helper:num")
    sheet.put(first - 1, HELPER, ctx.t("summary.ranking"), "helper:text")
    key_range = rng(None, first, HELPER, first + len(pairs) - 1, HELPER)
    span = (pairs[0][0], pairs[-1][0])  # SWOT rows from the first pair to the last

    def pick(at: str, offset: int, text: bool) -> str:
        c = swot.GRID_COL + offset
        return _pick(at, rng(ctx.sheet("swot"), span[0], c, span[1], c), block, text)

    for k, pos in enumerate(rule.top_positions(keys, TOP_PAIRS)):
        r, at = first + k, rule.top_position_xl(key_range, k + 1)
        _, product, pair, citing = pairs[pos] if pos is not None else (0, None, "", "")
        sheet.formula(r, LABEL, pick(at, 1, True), pair, "derived:wrap")
        sheet.formula(r, VALUE, pick(at, 0, False), blank(product), "derived:int")
        sheet.formula(r, DETAIL, pick(at, 2, True), citing, "derived:wrap")


def _pick(at: str, column: str, block: int, text: bool) -> str:
    """The grid cell of the pair at helper position ``at`` (1-based, pairs in grid order;
    each quadrant's block holds ``block - 2`` pairs below its header row)."""
    per = block - 2
    offset = f"INT(({at}-1)/{per})*{block}+MOD({at}-1,{per})+1"
    value = f"INDEX({column},{offset})"
    return f'IF({at}="","",{value}&"")' if text else f'IF({at}="","",{value})'
