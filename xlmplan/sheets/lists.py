"""The Lists sheet: the metric catalog and every drop-down list, as named ranges."""

from __future__ import annotations

from xlmplan.core.model import (
    HORIZONS,
    KINDS,
    LEVELS,
    MONEY_CATEGORIES,
    RACE_STAGES,
    SWOT_TYPES,
    TOWS_TYPES,
)
from xlmplan.sheets.context import Ctx
from xlmplan.sheets.layout import Sheet, rng
from xlmplan.sheets.tables import title

START = 4  # first list row


def build(ctx: Ctx) -> Sheet:
    t = ctx.t
    sheet = Sheet("lists", ctx.sheet("lists"), protect=True, tab_color="#808080")
    title(sheet, t("lists.title"), t("lists.subtitle"))
    headers = [
        t("lists.metric"),
        t("lists.key"),
        t("lists.expression"),
        t("lists.direction"),
        t("lists.unit"),
        t("lists.additive"),
    ]
    for j, h in enumerate(headers):
        sheet.put(START - 1, j, h, "header")
    for i, m in enumerate(ctx.catalog):
        direction = ctx.words.lower if m.direction == "lower" else ctx.words.higher
        for j, v in enumerate(
            [m.label, m.key, m.expr, direction, t(f"unit.{m.unit}"), int(m.additive)]
        ):
            sheet.put(START + i, j, v, "derived:text" if j != 5 else "derived:bool")
    last = START + len(ctx.catalog) - 1
    ctx.define("lst_metrics", rng(sheet.name, START, 0, last, 0))
    ctx.define("m_direction", rng(sheet.name, START, 3, last, 3))
    ctx.define("m_additive", rng(sheet.name, START, 5, last, 5))
    lists: list[tuple[str, str, list[str]]] = [
        ("lst_channels", t("lists.channels"), [ctx.words.all_channels, *ctx.plan.channels]),
        ("lst_swot_types", t("lists.swot_types"), list(SWOT_TYPES)),
        ("lst_tows", t("lists.tows"), list(TOWS_TYPES)),
        ("lst_levels", t("lists.levels"), [t(f"level.{x}") for x in LEVELS]),
        ("lst_horizons", t("lists.horizons"), [t(f"horizon.{x}") for x in HORIZONS]),
        ("lst_kinds", t("lists.kinds"), [t(f"kind.{x}") for x in KINDS]),
        ("lst_race", t("lists.race"), [t(f"race.{x}") for x in RACE_STAGES]),
        ("lst_categories", t("lists.categories"), [t(f"category.{x}") for x in MONEY_CATEGORIES]),
        ("lst_directions", t("lists.directions"), [ctx.words.higher, ctx.words.lower]),
        ("lst_scores", t("lists.scores"), ["1", "2", "3", "4", "5"]),
        ("lst_methods", t("lists.methods"), list(ctx.words.methods)),
    ]
    col = 7
    for name, header, items in lists:
        sheet.put(START - 1, col, header, "header")
        for i, item in enumerate(items):
            value: object = int(item) if name == "lst_scores" else item
            sheet.put(START + i, col, value, "derived:text")
        ctx.define(name, rng(sheet.name, START, col, START + len(items) - 1, col))
        sheet.width(col, 18)
        col += 1
    for j, w in enumerate([18, 16, 28, 10, 10, 10]):
        sheet.width(j, w)
    sheet.freeze = (START, 0)
    return sheet
