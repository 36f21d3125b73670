"""The Dashboard sheet: KPI tiles, status counts and four charts."""

from __future__ import annotations

from xlmplan.core import rules
from xlmplan.core.catalog import Metric
from xlmplan.sheets import strategy_kpi
from xlmplan.sheets.context import FIRST, TABLE_ROW, Ctx, blank, metric_style, quoted
from xlmplan.sheets.layout import (
    Chart,
    Series,
    Sheet,
    col_letter,
    quote_sheet,
    rng,
)
from xlmplan.sheets.tables import title, traffic_lights
from xlmplan.sheets.text_width import widest

# Fixed colours: money in green, money out orange, the plan in blue; statuses and
# scenarios in traffic-light colours (optimistic green, realistic blue, pessimistic red).
REVENUE, SPEND, PLANNED, REFERENCE = "#548235", "#ED7D31", "#5B9BD5", "#404040"
GLIDE_BAND = "#BDD7EE"  # the forecast's 80 % band: a light tint of the forecast's blue
STATUS_COLOURS = ("#70AD47", "#FFC000", "#C00000")  # green, amber, red
SCENARIO_COLOURS = ("#70AD47", "#4472C4", "#C0504D")  # optimistic, realistic, pessimistic

TILES = 8
PER_ROW = 4  # at most
TILE_W = 3  # columns per tile: figure, its label, gap (figures in the wide first column,
# which plans written before labelled tiles also have)
TILE_H = 6  # rows per tile including the gap: name, actual, target, attainment, status
FIGURES = ("actual", "target", "attainment", "status")
LABEL_W, VALUE_W, GAP_W = 11.0, 17.0, 3.0  # least label width; figure and gap widths
PAGE_W = 4 * (LABEL_W + VALUE_W + GAP_W + 4)  # column units the tiles may span
CHART_PX = 560  # a chart's width at most: two side by side within the tiles' width
NAME_SIZE = 11.0  # points: a tile's name, drawn across its label and figure columns


def _column_at(widths: list[float], pixels: float) -> int:
    """The first column whose left edge lies at least ``pixels`` from the sheet's edge."""
    x = 0.0
    for col, width in enumerate([*widths, *[8.43] * 40]):
        if x >= pixels:
            return col
        x += width * 7 + 5
    return len(widths) + 40


def tile_grid(names: list[str], labels: list[str]) -> tuple[int, float]:
    """Tiles per row and the label column's width, so that the widest label fits its
    column and the widest KPI name its tile (measured, in the plan's language)."""
    label_w = max(LABEL_W, widest(labels), widest(names, NAME_SIZE) - VALUE_W)
    per_row = max(1, min(PER_ROW, int(PAGE_W // (label_w + VALUE_W + GAP_W))))
    return per_row, label_w


def tile_style(metric: Metric | None, big: bool = True) -> str:
    """A tile's number in the metric's own format (big for the actual, small for the target)."""
    return metric_style("tile" if big else "derived", metric)


def build(ctx: Ctx, n_months: int) -> Sheet:
    t, res, plan = ctx.t, ctx.results, ctx.plan
    sheet = Sheet("dashboard", ctx.sheet("dashboard"), protect=True, tab_color="#2F5597")
    title(sheet, t("dashboard.title"), t("dashboard.subtitle"))
    kpi_sheet = quote_sheet(ctx.sheet("strategy_kpi"))
    sheet.put(TABLE_ROW - 1, 0, t("dashboard.as_of"), "label:strong")
    sheet.formula(
        TABLE_ROW - 1,
        1,
        'IF(ISNUMBER(AsOf),AsOf,"")',
        rules.serial(res.as_of) if res.as_of else "",
        "label:date",
    )
    tiles_row = TABLE_ROW
    n_tiles = min(TILES, len(plan.kpis))
    figure_labels = [t(f"kpi.{key}") for key in FIGURES]
    per_row, label_w = tile_grid([k.name for k in plan.kpis[:n_tiles]], figure_labels)
    for i in range(n_tiles):
        kpi, kr = plan.kpis[i], res.kpis[i]
        metric = ctx.catalog.by_label(kpi.metric)
        top = tiles_row + (i // per_row) * TILE_H
        left = (i % per_row) * TILE_W
        src = FIRST + i + 1
        src_col = {
            k: col_letter(strategy_kpi.derived_col(k)) for k in ("actual", "attainment", "status")
        }
        sheet.formula(top, left, f'{kpi_sheet}!B{src}&""', kpi.name, "tile:name")
        sheet.put(top, left + 1, None, "tile:name")  # the name spans the tile's width
        for k, label in enumerate(figure_labels):  # every figure beside its label
            sheet.put(top + 1 + k, left + 1, label, "tile:label")
        sheet.formula(
            top + 1,
            left,
            f"{kpi_sheet}!{src_col['actual']}{src}",
            blank(kr.actual),
            tile_style(metric),
        )
        sheet.formula(
            top + 2,
            left,
            f'IF(ISNUMBER({kpi_sheet}!E{src}),{kpi_sheet}!E{src},"")',
            blank(kpi.target),
            tile_style(metric, big=False),
        )
        sheet.formula(
            top + 3,
            left,
            f"{kpi_sheet}!{src_col['attainment']}{src}",
            blank(kr.attainment),
            "tile:pct",
        )
        sheet.formula(
            top + 4,
            left,
            f"{kpi_sheet}!{src_col['status']}{src}",
            blank(kr.status),
            "tile:status",
        )
        traffic_lights(sheet, top + 4, left, top + 4, left, ctx.words.status)
    n_tile_rows = (n_tiles + per_row - 1) // per_row
    counts_row = tiles_row + max(n_tile_rows, 1) * TILE_H  # after the last tiles' gap row
    sheet.put(counts_row, 0, t("dashboard.status_counts"), "section")
    counts = [sum(1 for k in res.kpis if k.status == w) for w in ctx.words.status]
    for i, word in enumerate(ctx.words.status):
        r = counts_row + 1 + i
        sheet.put(r, 0, word, "label:status")
        sheet.formula(r, 1, f"COUNTIF(k_status,{quoted(word)})", counts[i], "derived:int")
    traffic_lights(sheet, counts_row + 1, 0, counts_row + 3, 0, ctx.words.status)
    chart_row = counts_row + 5
    me = quote_sheet(sheet.name)
    an = quote_sheet(ctx.sheet("analysis"))
    m_first, m_last = ctx.positions["analysis_months"]
    months = f"{an}!{rng(None, m_first, 0, m_last, 0)}"
    rev_col, spend_col = 5, 6  # Analysis vertical block: revenue, spend
    bud = quote_sheet(ctx.sheet("budget_months"))
    rows, (c1, c2) = ctx.positions["budget_rows"], ctx.positions["budget_cols"]
    bud_months = f"{bud}!{rng(None, rows['header'], c1, rows['header'], c2)}"
    sc = quote_sheet(ctx.sheet("scenarios"))
    card_row, card_col = ctx.positions["scenario_card"]
    n_k = max(len(plan.kpis), 1)
    kpi_ids = f"{sc}!{rng(None, card_row + 1, card_col['kpi'], card_row + n_k, card_col['kpi'])}"
    att = [card_col[f"att_{k}"] for k in range(3)]
    goal = f"{sc}!{rng(None, card_row + 1, card_col['goal'], card_row + n_k, card_col['goal'])}"
    widths = [(VALUE_W, label_w, GAP_W)[col % TILE_W] for col in range(per_row * TILE_W)]
    pixels = [w * 7 + 5 for w in widths]
    right = _column_at(widths, sum(pixels) / 2)
    edge = sum(pixels[:right])  # the right-hand charts' left edge: both fit the tiles' width
    size = (int(min(CHART_PX, edge - 20, (sum(pixels) - edge) * 0.9)), 300)  # 10 % spare
    sheet.charts = [
        Chart(
            "column",
            t("chart.spend_revenue"),
            [
                Series(
                    t("data.revenue"),
                    months,
                    f"{an}!{rng(None, m_first, rev_col, m_last, rev_col)}",
                    REVENUE,
                ),
                Series(
                    t("data.spend"),
                    months,
                    f"{an}!{rng(None, m_first, spend_col, m_last, spend_col)}",
                    SPEND,
                ),
            ],
            (chart_row, 0),
            size,
            value_format="#,##0",
            category_format="",  # the Calendar's labels (text): months after the as-of are blank
        ),
        Chart(
            "line",
            t("chart.budget_actual"),
            [
                Series(
                    t("budget.media"),
                    bud_months,
                    f"{bud}!{rng(None, rows['media'], c1, rows['media'], c2)}",
                    PLANNED,
                ),
                Series(
                    t("budget.actual"),
                    bud_months,
                    f"{bud}!{rng(None, rows['actual'], c1, rows['actual'], c2)}",
                    SPEND,
                ),
            ],
            (chart_row, right),
            size,
            value_format="#,##0",
            category_format="mmm yy",
        ),
        Chart(
            "pie",
            t("chart.status"),
            [
                Series(
                    t("dashboard.status_counts"),
                    f"{me}!{rng(None, counts_row + 1, 0, counts_row + 3, 0)}",
                    f"{me}!{rng(None, counts_row + 1, 1, counts_row + 3, 1)}",
                    points=STATUS_COLOURS,
                ),
            ],
            (chart_row + 16, 0),
            size,
        ),
        Chart(
            "column",
            t("chart.scenarios"),
            [
                *(
                    Series(
                        ctx.words.scenarios[k],
                        kpi_ids,
                        f"{sc}!{rng(None, card_row + 1, att[k], card_row + n_k, att[k])}",
                        SCENARIO_COLOURS[k],
                    )
                    for k in (2, 1, 0)  # pessimistic, realistic, optimistic
                ),
                Series(t("chart.reference"), kpi_ids, goal, REFERENCE, reference=True),
            ],
            (chart_row + 16, right),
            size,
            value_format="0%",
        ),
    ]
    sheet.charts += glide_charts(ctx, chart_row + 32, right, size)
    for col, width in enumerate(widths):
        sheet.width(col, width)
    return sheet


def glide_charts(ctx: Ctx, row: int, right: int, size: tuple[int, int]) -> list[Chart]:
    """A glidepath chart per lead KPI, two a row: target path, actual to the as-of date
    (marked in the period axis), forecast and its 80 % band (the Forecast sheet's rows;
    periods without a value are gaps, never 0)."""
    header, col, n, blocks, names = ctx.positions["glides"]
    fc = quote_sheet(ctx.sheet("forecast"))
    categories = f"{fc}!{rng(None, header, col, header, col + n - 1)}"
    colours = (REFERENCE, SPEND, PLANNED, GLIDE_BAND, GLIDE_BAND)
    charts = []
    for b, (top, name) in enumerate(zip(blocks, names, strict=True)):
        series = [
            Series(
                ctx.t(f"forecast.glide_{line}"),
                categories,
                f"{fc}!{rng(None, top + j, col, top + j, col + n - 1)}",
                colours[j],
            )
            for j, line in enumerate(("path", "actual", "mid", "low", "high"))
        ]
        anchor = (row + (b // 2) * 21, 0 if b % 2 == 0 else right)
        title = ctx.t("chart.glide").format(kpi=name)
        tall = (size[0], 400)  # five series in the legend and rotated period labels
        charts.append(Chart("line", title, series, anchor, tall, value_format="#,##0.##"))
    return charts
