"""The SWOT sheet: scored factors, rank within type, the 2×2 of top factors and TOWS."""

from __future__ import annotations

from xlmplan.core import rules
from xlmplan.core.engine import TOP_N
from xlmplan.core.model import SWOT_TYPES, TOWS_TYPES, SwotFactor, table_row
from xlmplan.sheets.context import FIRST, TABLE_ROW, Ctx, quoted
from xlmplan.sheets.layout import CondFormat, Sheet, rng
from xlmplan.sheets.tables import cell, headers_of, input_table, list_validation, table_name, title

SCORE_COL = 8  # derived columns start after one blank column
GRID_COL = 13


def build(ctx: Ctx) -> Sheet:
    t, res = ctx.t, ctx.results
    sheet = Sheet("swot", ctx.sheet("swot"), tab_color="#70AD47")
    title(sheet, t("swot.title"), t("swot.subtitle"))
    headers = headers_of(ctx, "swot", SwotFactor)
    rows = [table_row(f) for f in ctx.plan.swot]
    table = input_table(
        sheet,
        ctx,
        name="tblSwot",
        role="swot",
        col=0,
        headers=headers,
        rows=rows,
        styles=["text", "text", "text", "wrap", "wrap", "int", "int"],
        caption=t("swot.factors"),
    )
    for i, name in ((0, "s_id"), (1, "s_type"), (3, "s_factor")):
        table_name(ctx, sheet, table, i, name)
    list_validation(sheet, table, 1, "=lst_swot_types")
    list_validation(sheet, table, 5, "=lst_scores")
    list_validation(sheet, table, 6, "=lst_scores")

    for j, key in enumerate(("score", "rank", "key")):
        sheet.put(TABLE_ROW, SCORE_COL + j, t(f"swot.{key}"), "header:derived")
    n = max(table.n_rows, 1)
    last = FIRST + n - 1
    for i in range(n):
        r = FIRST + i
        sc, rk = cell(SCORE_COL, r), cell(SCORE_COL + 1, r)
        score = res.swot_score[i] if i < len(res.swot_score) else None
        sheet.formula(
            r, SCORE_COL, rules.swot_score_xl(cell(5, r), cell(6, r)), score, "derived:int"
        )
        above_types = f"$B${FIRST + 1}:B{r + 1}"
        above_scores = f"${cell(SCORE_COL, FIRST)[0]}${FIRST + 1}:{sc}"
        typ = rules.literal_criterion_xl(f"B{r + 1}")
        rank_f = (
            f'IF({sc}="","",COUNTIFS(s_type,{typ},s_score,">"&{sc})'
            f"+COUNTIFS({above_types},{typ},{above_scores},{sc}))"
        )
        sheet.formula(
            r, SCORE_COL + 1, rank_f, res.swot_rank[i] if i < len(rows) else None, "derived:int"
        )
        sheet.formula(
            r,
            SCORE_COL + 2,
            f'IF({rk}="","",B{r + 1}&"#"&{rk})',
            res.swot_key[i] if i < len(rows) else "",
            "derived:text",
        )
    ctx.define("s_score", rng(sheet.name, FIRST, SCORE_COL, last, SCORE_COL))
    ctx.define("s_key", rng(sheet.name, FIRST, SCORE_COL + 2, last, SCORE_COL + 2))
    sheet.cond_formats.append(CondFormat(FIRST, SCORE_COL, last, SCORE_COL, "scale"))

    # The 2×2 grid of top factors: S | W over O | T.
    sheet.put(TABLE_ROW - 1, GRID_COL, t("swot.grid"), "section")
    score_cells: dict[tuple[str, int], str] = {}
    id_cells: dict[tuple[str, int], str] = {}
    for q, swot_type in enumerate(SWOT_TYPES):
        top_row = TABLE_ROW + (q // 2) * (TOP_N + 2)
        left = GRID_COL + (q % 2) * 4
        sheet.put(top_row, left, t(f"swot.type_{swot_type}"), "header")
        sheet.put(top_row, left + 1, t("swot.factor"), "header")
        sheet.put(top_row, left + 2, t("swot.score"), "header")
        for k in range(1, TOP_N + 1):
            r = top_row + k
            key = quoted(f"{swot_type}#{k}")
            fid, factor, score = res.swot_top[swot_type][k - 1]
            for j, (name, value, style) in enumerate(
                (
                    ("s_id", fid, "derived:text"),
                    ("s_factor", factor, "derived:text"),
                    ("s_score", score, "derived:int"),
                )
            ):
                formula = f'IFERROR(INDEX({name},MATCH({key},s_key,0)),"")'
                sheet.formula(r, left + j, formula, value if value is not None else "", style)
            id_cells[(swot_type, k)] = cell(left, r)
            score_cells[(swot_type, k)] = cell(left + 2, r)

    tows_row = TABLE_ROW + 2 * (TOP_N + 2) + 2
    sheet.put(tows_row - 1, GRID_COL, t("swot.tows"), "section")
    for q, quadrant in enumerate(TOWS_TYPES):
        top_row = tows_row + (q // 2) * (TOP_N + 2)
        left = GRID_COL + (q % 2) * 4
        a, b = quadrant[0], quadrant[1]
        sheet.put(top_row, left, t(f"swot.tows_{quadrant}"), "header")
        for k in range(1, TOP_N + 1):
            sheet.formula(
                top_row, left + k, id_cells[(b, k)], res.swot_top[b][k - 1][0], "header:derived"
            )
            sheet.formula(
                top_row + k, left, id_cells[(a, k)], res.swot_top[a][k - 1][0], "derived:text"
            )
            for m in range(1, TOP_N + 1):
                x, y = score_cells[(a, k)], score_cells[(b, m)]
                value = res.tows[quadrant][k - 1][m - 1]
                sheet.formula(
                    top_row + k,
                    left + m,
                    f'IF(AND(ISNUMBER({x}),ISNUMBER({y})),{x}*{y},"")',
                    value if value is not None else "",
                    "derived:int",
                )
        sheet.cond_formats.append(
            CondFormat(top_row + 1, left + 1, top_row + TOP_N, left + TOP_N, "scale")
        )
    sheet.put(tows_row + 2 * (TOP_N + 2), GRID_COL, t("swot.tows_note"), "note")
    _position(ctx, sheet, tows_row + 2 * (TOP_N + 2) + 3)
    for col, w in {
        0: 6,
        1: 6,
        2: 13,
        3: 40,
        4: 40,
        5: 8,
        6: 9,
        7: 2,
        8: 8,
        9: 7,
        10: 7,
        11: 2,
        12: 2,
        13: 14,
        14: 34,
        15: 8,
        16: 9,
        17: 14,
        18: 34,
        19: 8,
        20: 9,
    }.items():
        sheet.width(col, w)
    sheet.freeze = (FIRST, 0)
    sheet.print_rows = (TABLE_ROW, TABLE_ROW)  # repeated on every printed page
    return sheet


def _position(ctx: Ctx, sheet: Sheet, row: int) -> None:
    """Total score per type and the strategic position (S + O) − (W + T)."""
    t, plan, res = ctx.t, ctx.plan, ctx.results
    sheet.put(row - 1, GRID_COL, t("swot.position_title"), "section")
    totals: dict[str, float] = {}
    cells: dict[str, str] = {}
    for i, swot_type in enumerate(SWOT_TYPES):
        totals[swot_type] = sum(
            score
            for f, score in zip(plan.swot, res.swot_score, strict=True)
            if score is not None and f.type.casefold() == swot_type.casefold()
        )
        sheet.put(row + i, GRID_COL, t(f"swot.type_{swot_type}"), "label")
        sheet.formula(
            row + i,
            GRID_COL + 2,
            f"SUMIF(s_type,{quoted(swot_type)},s_score)",
            totals[swot_type],
            "derived:int",
        )
        cells[swot_type] = cell(GRID_COL + 2, row + i)
    r = row + len(SWOT_TYPES)
    position = totals["S"] + totals["O"] - totals["W"] - totals["T"]
    sheet.put(r, GRID_COL, t("swot.position"), "label:strong")
    sheet.formula(
        r,
        GRID_COL + 2,
        f"({cells['S']}+{cells['O']})-({cells['W']}+{cells['T']})",
        position,
        "total:int",
    )
    sheet.put(r + 1, GRID_COL, t("swot.position_note"), "note")
