"""The Scenarios sheet: the three scenarios and the per-KPI scorecard."""

from __future__ import annotations

from xlmplan.core import rules
from xlmplan.core.kpi_forecast import scenario_value_xl
from xlmplan.core.model import SCENARIO_KEYS
from xlmplan.sheets import budget_mix
from xlmplan.sheets.context import FIRST, TABLE_ROW, Ctx, blank, metric_style, quoted
from xlmplan.sheets.layout import Sheet, a1, quote_sheet, rng
from xlmplan.sheets.tables import input_table, number_validation, title, traffic_lights

CARD_ROW = TABLE_ROW + 8  # header row of the scorecard
CARD_KEYS = (
    "kpi",
    "name",
    "metric",
    "target",
    "actual",
    "projection",
    "proj_0",
    "proj_1",
    "proj_2",
    "proj_att",
    "att_0",
    "att_1",
    "att_2",
    "gap",
    "now",
    "contingency",
    "extra",
    "goal",
)


def build(ctx: Ctx, n_kpi_rows: int) -> Sheet:
    t, res, plan = ctx.t, ctx.results, ctx.plan
    sheet = Sheet("scenarios", ctx.sheet("scenarios"), tab_color="#C00000")
    title(sheet, t("scenarios.title"), t("scenarios.subtitle"))
    by_key = {s.key: s for s in plan.scenarios}
    names = ctx.words.scenarios
    rows = [
        [names[i], by_key[k].multiplier, by_key[k].contingency, by_key[k].extra_budget]
        for i, k in enumerate(SCENARIO_KEYS)
    ]
    table = input_table(
        sheet,
        ctx,
        name="tblScenarios",
        role="scenarios",
        col=0,
        headers=[t(f"scenarios.{k}") for k in ("scenario", "multiplier", "contingency", "extra")],
        rows=rows,
        styles=["text", "ratio", "wrap", "money0"],
        caption=t("scenarios.caption"),
    )
    number_validation(sheet, table, 1, "decimal", 0.01, 10)
    for i, name in enumerate(("sc_name", "sc_mult", "sc_cont", "sc_extra")):
        r1, c1, r2, c2 = table.column(i)
        ctx.define(name, rng(sheet.name, r1, c1, r2, c2))
    sheet.put(TABLE_ROW, 5, t("scenarios.trigger"), "header:derived")
    trig = plan.settings.pessimistic_trigger
    triggers = [
        (t("scenarios.trigger_opt"), t("scenarios.trigger_opt")),
        ('">= "&TEXT(PessTrigger,"0.0%")', f">= {trig * 100:.1f}%"),
        ('"< "&TEXT(PessTrigger,"0.0%")', f"< {trig * 100:.1f}%"),
    ]
    for i, (formula, value) in enumerate(triggers):
        if i == 0:
            sheet.put(FIRST, 5, value, "derived:text")
        else:
            sheet.formula(FIRST + i, 5, formula, value, "derived:text")

    name_refs = (
        a1(FIRST, 0, True, True),
        a1(FIRST + 1, 0, True, True),
        a1(FIRST + 2, 0, True, True),
    )
    mult_refs = [a1(FIRST + i, 1, True, True) for i in range(3)]
    kpi_sheet = quote_sheet(ctx.sheet("strategy_kpi"))
    fc_sheet = quote_sheet(ctx.sheet("forecast"))
    fc_row, fc_col = ctx.positions["forecast_kpis"]
    sheet.put(CARD_ROW - 1, 0, t("scenarios.card"), "section")
    for j, key in enumerate(CARD_KEYS):
        if key[:-1] in ("proj_", "att_"):
            i, word = int(key[-1]), t(f"scenarios.{key[:-2]}")
            sheet.formula(
                CARD_ROW,
                j,
                f"{quoted(word + ' ')}&{name_refs[i]}",
                f"{word} {names[i]}",
                "header:derived",
            )
        else:
            sheet.put(CARD_ROW, j, t(f"scenarios.{key}"), "header:derived")
    col = {k: j for j, k in enumerate(CARD_KEYS)}
    for i in range(n_kpi_rows):
        r, src = CARD_ROW + 1 + i, FIRST + i + 1
        kpi = plan.kpis[i] if i < len(plan.kpis) else None
        kr = res.kpis[i] if kpi else None
        metric = ctx.catalog.by_label(kpi.metric) if kpi else None
        unit = metric_style("derived", metric)
        direction = f"{kpi_sheet}!$F{src}"
        c = {k: a1(r, j) for k, j in col.items()}
        fc = {k: f"{fc_sheet}!{a1(fc_row + 1 + i, j, True, True)}" for k, j in fc_col.items()}
        att_k = [
            rules.attainment(
                p,
                kpi.target,
                "lower" if kpi.direction.casefold() == ctx.words.lower.casefold() else "higher",
            )
            if kpi and kr
            else None
            for p in (kr.scenario_projections if kr else [None, None, None])
        ]
        cells: dict[str, tuple[str, object, str]] = {
            "kpi": (f'{kpi_sheet}!A{src}&""', kpi.id if kpi else "", "derived:text"),
            "name": (f'{kpi_sheet}!B{src}&""', kpi.name if kpi else "", "derived:text"),
            "metric": (f'{kpi_sheet}!C{src}&""', kpi.metric if kpi else "", "derived:text"),
            "target": (
                f'IF(ISNUMBER({kpi_sheet}!E{src}),{kpi_sheet}!E{src},"")',
                blank(kpi.target if kpi else None),
                unit,
            ),
            "actual": (f"{kpi_sheet}!H{src}", blank(kr.actual if kr else None), unit),
            "projection": (
                f"IF(ISNUMBER({fc['year_end']}),{fc['year_end']},"
                + rules.run_rate_xl(
                    c["actual"],
                    f"IFERROR(INDEX(m_additive,MATCH({rules.literal_lookup_xl(c['metric'])},"
                    "lst_metrics,0)),FALSE)",
                    "PlanDays",
                    "ElapsedDays",
                )
                + ")",
                blank(kr.projection if kr else None),
                unit,
            ),
            "proj_att": (
                rules.attainment_xl(c["projection"], c["target"], direction, ctx.words.lower),
                blank(kr.projected_attainment if kr else None),
                "derived:pct",
            ),
            "gap": (
                f"IF(AND(ISNUMBER({c['projection']}),ISNUMBER({c['target']})),"
                f'{c["projection"]}-{c["target"]},"")',
                blank(kr.gap if kr else None),
                unit,
            ),
            "now": (
                rules.scenario_now_xl(c["proj_att"], "PessTrigger", name_refs),
                blank(kr.scenario if kr else None),
                "derived:status",
            ),
            "contingency": (  # the user's text, then the Budget mix's reallocation
                f'IFERROR(INDEX(sc_cont,MATCH({c["now"]},sc_name,0))&"","")&'
                + budget_mix.contingency_xl(c["now"], name_refs[1], name_refs[2]),
                (kr.contingency or "") + budget_mix.contingency(ctx, kr.scenario) if kr else "",
                "derived:wrap",
            ),
            "extra": (
                f'IFERROR(INDEX(sc_extra,MATCH({c["now"]},sc_name,0)),"")',
                blank(kr.extra_budget if kr else None),
                "derived:money0",
            ),
        }
        for k in range(3):
            cells[f"proj_{k}"] = (
                scenario_value_xl(
                    fc[f"typed_{k}"],
                    fc[f"case_{k}"],
                    rules.scenario_projection_xl(
                        c["projection"], mult_refs[k], direction, ctx.words.lower
                    ),
                ),
                blank(kr.scenario_projections[k] if kr else None),
                unit,
            )
            cells[f"att_{k}"] = (
                rules.attainment_xl(c[f"proj_{k}"], c["target"], direction, ctx.words.lower),
                blank(att_k[k]),
                "derived:pct",
            )
        for key, (formula, cached, style) in cells.items():
            sheet.formula(r, col[key], formula, cached, style)
        sheet.put(r, col["goal"], 1.0, "derived:pct")  # the 100 % line of the Dashboard
    last = CARD_ROW + max(n_kpi_rows, 1)
    now_col = col["now"]
    traffic_lights(sheet, CARD_ROW + 1, now_col, last, now_col, names)
    ctx.positions["scenario_card"] = (CARD_ROW, col)
    widths = [12, 22, 30, 14, 14, 14, 14, 14, 14, 12, 12, 12, 12, 14, 13, 44, 12, 12]
    for j, w in enumerate(widths):
        sheet.width(j, w)
    sheet.freeze = (CARD_ROW + 1, 2)
    sheet.print_rows = (CARD_ROW, CARD_ROW)  # repeated on every printed page
    return sheet
