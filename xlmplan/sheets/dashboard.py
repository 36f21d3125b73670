"""The Dashboard sheet: KPI tiles, status counts and four charts."""

from __future__ import annotations

import math

from xlmplan.core import rules
from xlmplan.core.catalog import Metric
from xlmplan.core.units import number_formats, number_key
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
from xlmplan.sheets.print_setup import ROW_PX, SLACK, column_points, printable_width
from xlmplan.sheets.tables import title, traffic_lights
from xlmplan.sheets.text_width import text_points, widest

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
CHART_H, GLIDE_H = 300, 340  # pixels; a glide chart's legend has five lines
AXIS_PT = 8.0  # period labels, level under the plot (a month and a date fit twelve slots)
WORD_ROOM_PT = 4.0  # room beside a period's widest word in its slot
AXIS_ROOM_PX = 110  # beside the plot: the value axis's labels and ticks, the chart's margins


def _pixels(width: float) -> int:
    """A column's width in pixels (the print set-up's rule)."""
    return round(column_points(width) / 0.75)


def _column_at(widths: list[float], pixels: float) -> int:
    """The first column whose left edge lies at least ``pixels`` from the sheet's edge."""
    x = 0
    for col, width in enumerate([*widths, *[8.43] * 40]):
        if x >= pixels:
            return col
        x += _pixels(width)
    return len(widths) + 40


def period_chart_width(labels: list[str], least: int) -> int:
    """The width (pixels) of a chart over periods whose ``labels`` are drawn level at
    ``AXIS_PT``, wrapped at spaces: every period's slot holds the widest word of the labels
    (measured in their language), at least ``least``; 0 when even a landscape page's width
    is too narrow (the chart is then ``least`` wide and the application tilts its labels)."""
    words = [word for label in labels for word in label.split()]
    slot = max((text_points(word, AXIS_PT) for word in words), default=0.0) + WORD_ROOM_PT
    need = math.ceil(len(labels) * slot / 0.75) + AXIS_ROOM_PX
    page = int(printable_width(True) * SLACK / 0.75)
    return max(least, need) if need <= page else 0


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
    sheet.keep = [(tiles_row + k * TILE_H, tiles_row + k * TILE_H + 4) for k in range(n_tile_rows)]
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
    spent_to = actual_to(ctx, c1, c2)
    sc = quote_sheet(ctx.sheet("scenarios"))
    card_row, card_col = ctx.positions["scenario_card"]
    n_k = max(len(plan.kpis), 1)
    kpi_ids = f"{sc}!{rng(None, card_row + 1, card_col['kpi'], card_row + n_k, card_col['kpi'])}"
    att = [card_col[f"att_{k}"] for k in range(3)]
    goal = f"{sc}!{rng(None, card_row + 1, card_col['goal'], card_row + n_k, card_col['goal'])}"
    widths = [(VALUE_W, label_w, GAP_W)[col % TILE_W] for col in range(per_row * TILE_W)]
    tiles_px = sum(_pixels(w) for w in widths)
    right = _column_at(widths, tiles_px / 2)
    edge = sum(_pixels(w) for w in widths[:right])  # the right-hand chart's left edge
    size = (int(min(CHART_PX, edge - 20, (tiles_px - edge) * 0.9)), CHART_H)  # 10 % spare
    # Charts over periods span the tiles' width, one to a row: their labels stay level.
    months_w = period_chart_width([p.label for p in ctx.periods.items], tiles_px)
    wide = (months_w or tiles_px, CHART_H)
    level = AXIS_PT if months_w else 0.0
    pies_row = chart_row + 2 * _rows(CHART_H)
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
            wide,
            value_format="#,##0",
            category_format="",  # the Calendar's labels (text): months after the as-of are blank
            level_labels=level,
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
                    f"{bud}!{rng(None, rows['actual'], c1, rows['actual'], spent_to)}",
                    SPEND,
                ),
            ],
            (chart_row + _rows(CHART_H), 0),
            wide,
            value_format="#,##0",
            category_format="mmm yy",
            level_labels=level,
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
            (pies_row, 0),
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
            (pies_row, right),
            size,
            value_format="0%",
        ),
    ]
    sheet.charts += glide_charts(ctx, pies_row + _rows(CHART_H), tiles_px)
    for col, width in enumerate(widths):
        sheet.width(col, width)
    return sheet


def actual_to(ctx: Ctx, first: int, last: int) -> int:
    """The last column of a period row (``first``..``last``) an actual series draws: the
    as-of period's. Later periods hold "" (no data yet), which a line chart draws as 0 in
    Excel and LibreOffice alike; a series shorter than its categories ends there instead.
    Before the plan it is the first period's (one point: no line)."""
    period = ctx.results.as_of_period
    return first if period is None else min(first + period, last)


def _rows(pixels: int) -> int:
    """The rows a chart ``pixels`` tall covers, and a row between it and the next."""
    return math.ceil(pixels / ROW_PX) + 1


def glide_charts(ctx: Ctx, row: int, least: int) -> list[Chart]:
    """A glidepath chart per lead KPI, one to a row (at least ``least`` pixels wide): target
    path, actual to the as-of date (marked in the period axis), forecast and its 80 % band
    (the Forecast sheet's rows; periods without a value are gaps, never 0)."""
    header, col, n, blocks, names = ctx.positions["glides"]
    labels = ctx.positions.get("glide_labels") or [p.label for p in ctx.periods.items]
    width = period_chart_width(list(labels), least)
    fc = quote_sheet(ctx.sheet("forecast"))
    categories = f"{fc}!{rng(None, header, col, header, col + n - 1)}"
    colours = (REFERENCE, SPEND, PLANNED, GLIDE_BAND, GLIDE_BAND)
    formats = number_formats(ctx.plan.settings.currency)
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
        title = ctx.t("chart.glide").format(kpi=name)
        metric = ctx.catalog.by_label(ctx.plan.kpis[b].metric)
        unit = number_key(metric.unit, metric.additive) if metric else "num"
        charts.append(
            Chart(
                "line",
                title,
                series,
                (row + b * _rows(GLIDE_H), 0),
                (width or least, GLIDE_H),
                value_format=formats[unit],  # the KPI's unit: a rate reads 3.0 %, not 0.03
                level_labels=AXIS_PT if width else 0.0,
            )
        )
    return charts
