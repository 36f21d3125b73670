"""Target paths: where a KPI should be in each period, and by the as-of date.

Each rule is a Python function beside its ``*_xl`` formula twin over cell references, as in
``rules.py``. A path is ``even`` (additive: target × period days ÷ plan days; ratio:
baseline + (target − baseline) × elapsed share of the plan at the period's end),
``seasonal`` (last year's shape, additive metrics with a year of history only) or typed per
period (a typed value wins in its period). Blank results are ``None`` in Python and ``""``
in the formulas.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from xlmplan.core import rules
from xlmplan.core.periods import Periods, month_first, month_of, plan_periods, shift_month

EVEN, SEASONAL, MANUAL = "even", "seasonal", "manual"
METHODS = (EVEN, SEASONAL, MANUAL)

# Why a seasonal path fell back to even (label keys for the sheet's note).
NO_HISTORY = "no_history"  # Data starts less than 12 months before the plan
RATIO_METRIC = "ratio_metric"  # a ratio has no share of a total
EMPTY_HISTORY = "empty_history"  # last year's same months sum to zero or less

Number = float | None


@dataclass(frozen=True)
class TargetPath:
    """A KPI's path: one value per period, the method that made it and why it fell back."""

    values: tuple[Number, ...]
    method: str
    fallback: str | None = None


# --- even ------------------------------------------------------------------------------------


def even_path(target: Any, baseline: Any, additive: bool, periods: Periods) -> list[Number]:
    """The even path: additive target × days ÷ plan days; ratio linear from the baseline.

    A ratio metric without a baseline keeps its target in every period.
    """
    if not rules.is_num(target):
        return [None] * len(periods)
    plan_days = periods.days
    out: list[Number] = []
    for p in periods.items:
        if additive:
            out.append(target * p.days / plan_days)
        elif rules.is_num(baseline):
            elapsed = (p.last - periods.first).days + 1  # the formula's order of operations
            out.append(baseline + (target - baseline) * elapsed / plan_days)
        else:
            out.append(float(target))
    return out


def even_path_xl(
    target: str,
    baseline: str,
    additive: str,
    first: str,
    last: str,
    plan_first: str,
    plan_days: str,
) -> str:
    """One period of :func:`even_path`; ``first``/``last`` are the period's days."""
    return (
        f"IF(ISNUMBER({target}),IF({additive},{target}*({last}-{first}+1)/{plan_days},"
        f"IF(ISNUMBER({baseline}),{baseline}+({target}-{baseline})*({last}-{plan_first}+1)"
        f'/{plan_days},{target})),"")'
    )


# --- seasonal --------------------------------------------------------------------------------


def history_periods(periods: Periods, names: Sequence[str] | None = None) -> Periods:
    """The twelve periods before the plan start, in the plan's calendar (last year)."""
    year, month = month_of(periods.first, periods.calendar)
    y, m = shift_month(year, month, -12)
    return plan_periods(month_first(y, m, periods.calendar), 12, periods.calendar, names)


def seasonal_weights(history: Sequence[float], count: int) -> list[float]:
    """Period ``p`` weighs last year's sum of the same month, ``history[p % 12]``."""
    return [float(history[p % len(history)]) for p in range(count)]


def seasonal_ok(
    data_first: dt.date | None, history_first: dt.date, weight_total: float, additive: bool
) -> str | None:
    """None when a seasonal path can be made, else why not (a fallback code)."""
    if not additive:
        return RATIO_METRIC
    if data_first is None or data_first > history_first:
        return NO_HISTORY
    if rules.xl_round(weight_total) <= 0:
        return EMPTY_HISTORY
    return None


def seasonal_ok_xl(data_first: str, history_first: str, weight_total: str, additive: str) -> str:
    """TRUE when :func:`seasonal_ok` finds nothing against a seasonal path.

    ``data_first`` is MIN of Data's dates (0 when Data is empty).
    """
    return (
        f"AND({additive},ISNUMBER({data_first}),{data_first}>0,{data_first}<={history_first},"
        f"ROUND({weight_total},6)>0)"
    )


def seasonal_path(target: Any, weights: Sequence[float]) -> list[Number]:
    """target × the period's weight ÷ the plan's total weight (the path sums to the target)."""
    total = sum(weights)
    if not rules.is_num(target) or rules.xl_round(total) <= 0:
        return [None] * len(weights)
    return [target * w / total for w in weights]


def seasonal_path_xl(target: str, weight: str, weight_total: str) -> str:
    return (
        f'IF(AND(ISNUMBER({target}),ROUND({weight_total},6)>0),{target}*{weight}/{weight_total},"")'
    )


# --- the path a KPI follows ------------------------------------------------------------------


def target_path(
    target: Any,
    baseline: Any,
    additive: bool,
    periods: Periods,
    method: str = EVEN,
    *,
    history: Sequence[float] | None = None,
    data_first: dt.date | None = None,
    manual: Sequence[Any] = (),
) -> TargetPath:
    """The KPI's path over ``periods``.

    ``history`` holds last year's sums of the KPI's measure for the twelve
    :func:`history_periods`; ``data_first`` is Data's first date. A seasonal path that
    cannot be made falls back to even and says why. A number typed in ``manual[p]`` wins
    in period ``p`` whatever the method.
    """
    method = method.strip().casefold() or EVEN
    even = even_path(target, baseline, additive, periods)
    values, used, fallback = even, EVEN, None
    if method == SEASONAL:
        weights = seasonal_weights(history or [0.0] * 12, len(periods))
        first = history_periods(periods).first
        fallback = seasonal_ok(data_first, first, sum(weights), additive)
        if fallback is None:
            values, used = seasonal_path(target, weights), SEASONAL
    typed = [rules.is_num(v) for v in manual]
    if any(typed):
        values = [manual[i] if i < len(manual) and typed[i] else v for i, v in enumerate(values)]
        used = MANUAL
    elif method == MANUAL:
        used = MANUAL  # nothing typed yet: the even path until values are typed
    return TargetPath(tuple(float(v) if v is not None else None for v in values), used, fallback)


def path_xl(manual: str, method: str, seasonal_word: str, ok: str, seasonal: str, even: str) -> str:
    """One period of :func:`target_path` from its typed value, the method and both paths."""
    return (
        f'IF(ISNUMBER({manual}),{manual},IF(AND({method}="{seasonal_word}",{ok}),'
        f"{seasonal},{even}))"
    )


def typed_path_xl(
    typed: str, value: str, method: str, seasonal_word: str, ok: str, seasonal: str, even: str
) -> str:
    """:func:`path_xl` where ``typed`` counts the numbers typed for the period (a Table of
    typed targets) and ``value`` sums them."""
    return f'IF({typed}>0,{value},IF(AND({method}="{seasonal_word}",{ok}),{seasonal},{even}))'


# --- to date ---------------------------------------------------------------------------------


def target_to_date(
    path: Sequence[Number], periods: Periods, as_of: dt.date | None, additive: bool
) -> Number:
    """The target due by ``as_of``.

    Additive: the path summed over the periods before the as-of period, plus the as-of
    period's value × its elapsed days ÷ its days. Ratio: the path's value for the as-of
    period. An as-of after the plan counts as its last day; before the plan (or none), blank.
    """
    if as_of is None or as_of < periods.first:
        return None
    as_of = min(as_of, periods.last)
    k = periods.index_of(as_of)
    assert k is not None
    if not additive:
        return path[k]
    if any(v is None for v in path):
        return None
    current = periods[k]
    done = sum(float(v) for v in path[:k] if v is not None)
    value = path[k]
    assert value is not None
    return done + value * ((as_of - current.first).days + 1) / current.days


def target_to_date_xl(
    path: str,
    firsts: str,
    lasts: str,
    as_of: str,
    plan_first: str,
    plan_last: str,
    additive: str,
) -> str:
    """:func:`target_to_date` over the row (or column) of the path and of the periods'
    first and last days."""
    a = f"MIN({as_of},{plan_last})"
    done = f"SUMPRODUCT(({lasts}<{a})*{path})"
    part = (
        f"SUMPRODUCT(({firsts}<={a})*({lasts}>={a})*{path}*({a}-{firsts}+1)/({lasts}-{firsts}+1))"
    )
    ratio = f"INDEX({path},MATCH({a},{firsts},1))"
    return (
        f"IF(AND(ISNUMBER({as_of}),{as_of}>={plan_first}),IF({additive},"
        f'IF(COUNT({path})=COUNTA({path}),{done}+{part},""),{ratio}),"")'
    )


def attainment_to_date(actual: Any, target_to_date: Any, direction: str) -> Number:
    """On pace: actual to date ÷ target to date (inverted when lower is better), 6 places."""
    return rules.attainment(actual, target_to_date, direction)


def attainment_to_date_xl(actual: str, target_to_date: str, direction: str, lower: str) -> str:
    return rules.attainment_xl(actual, target_to_date, direction, lower)


def pace_status(att: Any, amber: float, words: tuple[str, str, str]) -> str | None:
    """The on-pace status: the status rule over attainment to date."""
    return rules.status(att, amber, words)


def pace_status_xl(att: str, amber: str, words: tuple[str, str, str]) -> str:
    return rules.status_xl(att, amber, words)


# --- the share of each period due by the as-of date -------------------------------------------


def due_share(first: dt.date, last: dt.date, as_of: dt.date | None, plan_last: dt.date) -> float:
    """The share of a period due by ``as_of``: 1 once it has ended, elapsed days ÷ its days
    while it runs, 0 before it (an as-of after the plan counts as its last day)."""
    if as_of is None:
        return 0.0
    a = min(as_of, plan_last)
    return max(0.0, min(1.0, ((a - first).days + 1) / ((last - first).days + 1)))


def due_share_xl(first: str, last: str, as_of: str, plan_last: str) -> str:
    return (
        f"IF(ISNUMBER({as_of}),MAX(0,MIN(1,(MIN({as_of},{plan_last})-{first}+1)"
        f"/({last}-{first}+1))),0)"
    )


def target_due(
    path: Sequence[Number], shares: Sequence[float], period: int | None, additive: bool
) -> Number:
    """:func:`target_to_date` from the periods' due shares: additive, the path weighted by
    the shares (blank if any period of the path is blank); ratio, the value of ``period``
    (0-based, the as-of period). No as-of period (before the plan, none): blank."""
    if period is None:
        return None
    if not additive:
        return path[period]
    if any(v is None for v in path):
        return None
    return float(sum(float(v) * s for v, s in zip(path, shares, strict=True) if v is not None))


def target_due_xl(path: str, shares: str, period: str, n: int, additive: str) -> str:
    """``period`` is the 1-based as-of period (blank before the plan, n + 1 after it)."""
    return (
        f'IF(ISNUMBER({period}),IF({additive},IF(COUNT({path})={n},SUMPRODUCT({path},{shares}),""),'
        f'INDEX({path},MIN({period},{n}))),"")'
    )


# --- an objective's own window ----------------------------------------------------------------


def objective_end(deadline: dt.date | None, plan_last: dt.date) -> dt.date:
    """The last day an objective is measured on: its deadline, else the plan's last day."""
    return deadline if deadline is not None else plan_last


def objective_due(
    target: Any,
    baseline: Any,
    additive: bool,
    plan_first: dt.date,
    end: dt.date,
    as_of: dt.date | None,
) -> Number:
    """What an objective should have reached by ``as_of``: its target spread evenly over its
    window (plan start to ``end``). Additive: target × elapsed ÷ window days; ratio:
    baseline + (target − baseline) × elapsed ÷ window days (no baseline: the target). From
    the deadline on the whole target is due; no as-of, or one before the window: blank."""
    if not rules.is_num(target) or as_of is None:
        return None
    measured = min(as_of, end)
    if measured < plan_first:
        return None
    elapsed, days = (measured - plan_first).days + 1, (end - plan_first).days + 1
    share = elapsed / days  # the formula's order of operations
    if additive:
        return target * share
    if rules.is_num(baseline):
        return baseline + (target - baseline) * share
    return float(target)


def objective_due_xl(
    target: str, baseline: str, additive: str, plan_first: str, end: str, as_of: str
) -> str:
    m = f"MIN({as_of},{end})"
    share = f"({m}-{plan_first}+1)/({end}-{plan_first}+1)"
    return (
        f'IF(AND(ISNUMBER({target}),ISNUMBER({as_of})),IF({m}<{plan_first},"",'
        f"IF({additive},{target}*{share},IF(ISNUMBER({baseline}),"
        f'{baseline}+({target}-{baseline})*{share},{target}))),"")'
    )
