"""The SWOT sheet: scored factors, rank within type, the 2×2 of top factors and TOWS."""

from __future__ import annotations

from xlmplan.core import rules, tows
from xlmplan.core.engine import TOP_N
from xlmplan.core.model import SWOT_TYPES, TOWS_TYPES, SwotFactor, table_row
from xlmplan.sheets.context import FIRST, TABLE_ROW, Ctx, quoted
from xlmplan.sheets.layout import CondFormat, Sheet, rng
from xlmplan.sheets.tables import cell, headers_of, input_table, list_validation, table_name, title

SCORE_COL = 8  # derived columns start after one blank column
GRID_COL = 13
# Colour by meaning: strong strengths and opportunities green, strong weaknesses and
# threats red; a TOWS pair's strength in its quadrant's colour (SO to seize, WT to defend).
STRONG, NOTABLE = 15, 8  # score thresholds (impact × certainty, 1-25)
TOWS_COLOURS = {"SO": "#63BE7B", "ST": "#FFC000", "WO": "#FFC000", "WT": "#F8696B"}


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
    _score_colours(sheet, last)

    # The 2×2 grid of top factors: S | W over O | T.
    sheet.put(TABLE_ROW - 1, GRID_COL, t("swot.grid"), "section")
    score_cells: dict[tuple[str, int], str] = {}
    id_cells: dict[tuple[str, int], str] = {}
    factor_cells: dict[tuple[str, int], str] = {}
    for q, swot_type in enumerate(SWOT_TYPES):
        top_row = TABLE_ROW + (q // 2) * (TOP_N + 2)
        left = GRID_COL + (q % 2) * 3
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
            factor_cells[(swot_type, k)] = cell(left + 1, r)
            score_cells[(swot_type, k)] = cell(left + 2, r)

    tows_row = TABLE_ROW + 2 * (TOP_N + 2) + 2
    sheet.put(tows_row - 1, GRID_COL, t("swot.tows"), "section")
    strategies = [(st.id, st.pair, st.strategy) for st in ctx.plan.strategies]
    none_text = t("swot.no_strategy")
    block = TOP_N * TOP_N + 2
    for q, quadrant in enumerate(TOWS_TYPES):
        top_row = tows_row + q * block
        a, b = quadrant[0], quadrant[1]
        for j, key in enumerate((f"tows_{quadrant}", "pair", "citing")):
            sheet.put(top_row, GRID_COL + j, t(f"swot.{key}"), "header:derived")
        for k in range(1, TOP_N + 1):
            for m in range(1, TOP_N + 1):
                r = top_row + (k - 1) * TOP_N + m
                (a_id, a_text, _), (b_id, b_text, _) = (
                    res.swot_top[a][k - 1],
                    res.swot_top[b][m - 1],
                )
                a_ref, b_ref = factor_cells[(a, k)], factor_cells[(b, m)]
                x, y = score_cells[(a, k)], score_cells[(b, m)]
                value = res.tows[quadrant][k - 1][m - 1]
                sheet.formula(
                    r,
                    GRID_COL,
                    f'IF(AND(ISNUMBER({x}),ISNUMBER({y})),{x}*{y},"")',
                    value if value is not None else "",
                    "derived:int",
                )
                sheet.formula(
                    r,
                    GRID_COL + 1,
                    tows.pair_text_xl(id_cells[(a, k)], a_ref, id_cells[(b, m)], b_ref),
                    tows.pair_text(a_id, a_text, b_id, b_text),
                    "derived:wrap",
                )
                sheet.formula(
                    r,
                    GRID_COL + 2,
                    tows.citing_xl(id_cells[(a, k)], id_cells[(b, m)], none_text),
                    tows.citing(a_id, b_id, strategies, none_text),
                    "derived:wrap",
                    array=True,
                )
        first, last_pair = top_row + 1, top_row + TOP_N * TOP_N
        sheet.cond_formats.append(
            CondFormat(first, GRID_COL, last_pair, GRID_COL, "scale", color=TOWS_COLOURS[quadrant])
        )
    notes_row = tows_row + len(TOWS_TYPES) * block
    sheet.put(notes_row, GRID_COL, t("swot.tows_note"), "note")
    _position(ctx, sheet, notes_row + 3)
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
        13: 12,  # top factors: id, factor, score; TOWS: score, paired factors, strategies
        14: 40,
        15: 36,
        16: 12,
        17: 40,
        18: 8,
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


def _score_colours(sheet: Sheet, last: int) -> None:
    """Scores shaded by type: strengths and opportunities green, weaknesses and threats red."""
    score = cell(SCORE_COL, FIRST)
    for types, strong, notable in (("SO", "good_strong", "good"), ("WT", "bad_strong", "bad")):
        kind = f'OR($B{FIRST + 1}="{types[0]}",$B{FIRST + 1}="{types[1]}")'
        for threshold, style in ((STRONG, strong), (NOTABLE, notable)):
            sheet.cond_formats.append(
                CondFormat(
                    FIRST,
                    SCORE_COL,
                    last,
                    SCORE_COL,
                    "formula",
                    f"AND({kind},ISNUMBER({score}),{score}>={threshold})",
                    style,
                )
            )
