"""The Calendar sheet: the plan's periods, the twelve before them and the as-of period.

One row per plan period: number, first day, last day, days and label (text). Beside it the
same for the twelve periods before the plan start ("same months last year"). Every month
grid reads these through workbook-scoped names: ``cal_first``, ``cal_last``, ``cal_days``,
``cal_label``, ``cal_hist_first``, ``cal_hist_last`` and ``AsOfPeriod``. Gregorian days and
labels are formulas over ``PlanStart``; Solar Hijri ones are values (no Excel function knows
that calendar), rewritten by every refresh.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from xlmplan.core import periods as per
from xlmplan.core import rules
from xlmplan.core.model import add_months
from xlmplan.sheets.context import FIRST, TABLE_ROW, Ctx, blank
from xlmplan.sheets.layout import Sheet, a1, ref, rng
from xlmplan.sheets.tables import title

COLUMNS = ("number", "first", "last", "days", "label")
HIST_COL = len(COLUMNS) + 1  # the history block, right of the plan's periods
AS_OF_COL = HIST_COL + len(COLUMNS) + 1  # as-of date and period, right of the history

ONE_DAY = dt.timedelta(days=1)
NAMES = {"first": "cal_first", "last": "cal_last", "days": "cal_days", "label": "cal_label"}
HIST_NAMES = {"first": "cal_hist_first", "last": "cal_hist_last", "label": "cal_hist_label"}


def _block(
    ctx: Ctx, sheet: Sheet, col: int, periods: per.Periods, offset: int, caption: str
) -> dict[str, str]:
    """One periods block at column ``col``; period k is month ``k + offset`` from PlanStart.
    Returns each column's range."""
    gregorian = periods.calendar == per.GREGORIAN
    texts = ctx.labels.texts
    names, pattern = per.month_names(texts, periods.calendar), per.label_pattern(texts)
    sheet.put(TABLE_ROW - 1, col, caption, "section")
    for j, key in enumerate(COLUMNS):
        sheet.put(TABLE_ROW, col + j, ctx.t(f"calendar.{key}"), "header:derived")
    for i, period in enumerate(periods.items):
        r, k = FIRST + i, i + 1 + offset
        first, last = a1(r, col + 1), a1(r, col + 2)
        sheet.put(r, col, k, "derived:int")
        first_value, last_value = rules.serial(period.first), rules.serial(period.last)
        if gregorian:
            sheet.formula(
                r, col + 1, per.gregorian_first_xl("PlanStart", k), first_value, "derived:date"
            )
            sheet.formula(
                r, col + 2, per.gregorian_last_xl("PlanStart", k), last_value, "derived:date"
            )
            sheet.formula(
                r, col + 4, per.label_xl(first, names, pattern), period.label, "derived:text"
            )
        else:
            sheet.put(r, col + 1, first_value, "derived:date")
            sheet.put(r, col + 2, last_value, "derived:date")
            sheet.put(r, col + 4, period.label, "derived:text")
        sheet.formula(r, col + 3, per.period_days_xl(first, last), period.days, "derived:int")
    last_row = FIRST + len(periods) - 1
    return {
        key: rng(sheet.name, FIRST, col + j, last_row, col + j) for j, key in enumerate(COLUMNS)
    }


def history_periods(periods: per.Periods, names: Sequence[str], pattern: str) -> per.Periods:
    """The twelve periods before the plan's first, labelled like the plan's."""
    year, month = per.month_of(periods.first, periods.calendar)
    year, month = per.shift_month(year, month, -12)
    first = per.month_first(year, month, periods.calendar)
    return per.plan_periods(first, 12, periods.calendar, names, pattern)


def build(ctx: Ctx) -> Sheet:
    t, as_of = ctx.t, ctx.results.as_of
    sheet = Sheet("calendar", ctx.sheet("calendar"), protect=True, tab_color="#7F7F7F")
    title(sheet, t("calendar.title"), t("calendar.subtitle"))
    periods, texts = ctx.periods, ctx.labels.texts
    names, pattern = per.month_names(texts, periods.calendar), per.label_pattern(texts)
    plan_cols = _block(ctx, sheet, 0, periods, 0, t("calendar.plan"))
    history = history_periods(periods, names, pattern)
    hist_cols = _block(ctx, sheet, HIST_COL, history, -12, t("calendar.history"))
    for key, name in NAMES.items():
        ctx.define(name, plan_cols[key])
    for key, name in HIST_NAMES.items():
        ctx.define(name, hist_cols[key])

    col = AS_OF_COL
    sheet.put(TABLE_ROW - 1, col, t("calendar.as_of_section"), "section")
    sheet.put(TABLE_ROW, col, t("calendar.as_of"), "label")
    sheet.formula(
        TABLE_ROW,
        col + 1,
        'IF(ISNUMBER(AsOf),AsOf,"")',
        blank(rules.serial(as_of)),
        "derived:date",
    )
    sheet.put(FIRST, col, t("calendar.as_of_period"), "label")
    formula = per.as_of_period_xl("AsOf", "cal_first", "cal_last", len(periods))
    sheet.formula(FIRST, col + 1, formula, per.as_of_period(as_of, periods), "derived:int")
    ctx.define("AsOfPeriod", ref(sheet.name, FIRST, col + 1))
    month_first = ctx.results.last_month_start  # the as-of period's first day
    before = per.previous_first(as_of, periods)
    if before is None and month_first:  # an as-of date outside the plan
        before = add_months(month_first, -1)
    same = (
        per.same_days_end(as_of, month_first, before) if as_of and month_first and before else None
    )
    same_xl = per.same_days_end_xl("AsOf", "LastMonthStart", "PrevPeriodStart")
    rows = [
        (
            "before_first",
            "PrevPeriodStart",
            per.previous_first_xl("AsOf", "AsOfPeriod", len(periods), "LastMonthStart"),
            before,
        ),
        ("same_days_end", "PrevSameDaysEnd", f'IF(ISNUMBER(AsOf),{same_xl},"")', same),
    ]
    for i, (key, name, formula, day) in enumerate(rows, start=1):
        sheet.put(FIRST + i, col, t(f"calendar.{key}"), "label")
        sheet.formula(FIRST + i, col + 1, formula, blank(rules.serial(day)), "derived:date")
        ctx.define(name, ref(sheet.name, FIRST + i, col + 1))
    sheet.freeze = (FIRST, 0)
    sheet.print_rows = (TABLE_ROW, TABLE_ROW)
    return sheet


def calendar_dates(ctx: Ctx) -> dict[str, tuple[str, object]]:
    """Start's plan end, as-of month start and next review (formula, value) in a calendar
    other than the Gregorian: read from the Calendar's periods instead of EDATE."""
    periods, res = ctx.periods, ctx.results
    s, n = ctx.plan.settings, len(ctx.periods)
    k = per.as_of_period(res.as_of, periods)
    ri = s.review_interval
    review = ri * ((k - 1) // ri + 1) + 1 if res.as_of else ri + 1
    next_review = periods[review - 1].first if review <= n else periods.last + ONE_DAY
    step = "ReviewInterval*(INT((AsOfPeriod-1)/ReviewInterval)+1)+1"
    return {
        "plan_end": ("MAX(cal_last)", rules.serial(periods.last)),
        "last_month": (
            f"IF(ISNUMBER(AsOf),IF(AND(AsOfPeriod>=1,AsOfPeriod<={n}),INDEX(cal_first,AsOfPeriod),"
            'DATE(YEAR(AsOf),MONTH(AsOf),1)),"")',
            blank(rules.serial(res.last_month_start)),
        ),
        "next_review": (
            f"IF(IF(ISNUMBER(AsOf),{step},ReviewInterval+1)<={n},"
            f"INDEX(cal_first,IF(ISNUMBER(AsOf),{step},ReviewInterval+1)),MAX(cal_last)+1)",
            rules.serial(next_review),
        ),
    }
