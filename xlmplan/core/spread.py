"""Money lines and action hours spread evenly over the plan's periods.

A line runs from its start to its end; its months are the months of the plan's calendar
it overlaps, and each of them takes an equal share of its amount. Inside the plan those
months are the plan's periods (Solar Hijri months in a Solar Hijri plan, the fiscal year's
months after a fiscal start); before it, the twelve periods of the Calendar's history;
further out, Gregorian months (no Excel function knows another calendar), so in a
Gregorian plan a line's months are its Gregorian months wherever it runs. The share of a
month outside the plan is not in the plan. Each rule is a Python function beside its
``*_xl`` formula twin over the Calendar's names (``cal_first``, ``cal_last``,
``cal_hist_first``, ``cal_hist_last``, ``PlanEnd``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from xlmplan.core import rules
from xlmplan.core.periods import Periods

ONE_DAY = dt.timedelta(days=1)


def _gregorian(a: dt.date, b: dt.date) -> int:
    """Gregorian months from ``a``'s month to ``b``'s (``b`` ≥ ``a``)."""
    return (b.year - a.year) * 12 + b.month - a.month + 1


def _gregorian_xl(a: str, b: str) -> str:
    return f"(YEAR({b})-YEAR({a}))*12+MONTH({b})-MONTH({a})+1"


def _overlapping(start: dt.date, end: dt.date, periods: Periods) -> int:
    return sum(1 for p in periods.items if p.first <= end and p.last >= start)


def months_spanned(
    start: dt.date | None, end: dt.date | None, periods: Periods, history: Periods
) -> float | None:
    """The months a line from ``start`` to ``end`` spans: plan periods and history periods
    it overlaps, plus Gregorian months before the history and after the plan; 0 when it
    ends before it starts, None without both dates."""
    if start is None or end is None:
        return None
    if end < start:
        return 0.0
    n = _overlapping(start, end, periods) + _overlapping(start, end, history)
    if start < history.first:
        n += _gregorian(start, min(end, history.first - ONE_DAY))
    if end > periods.last:
        n += _gregorian(max(start, periods.last + ONE_DAY), end)
    return float(n)


def months_spanned_xl(start: str, end: str) -> str:
    edge = "INDEX(cal_hist_first,1)"
    inside = (
        f"SUMPRODUCT((cal_first<={end})*(cal_last>={start}))"
        f"+SUMPRODUCT((cal_hist_first<={end})*(cal_hist_last>={start}))"
    )
    before = f"IF({start}<{edge},{_gregorian_xl(start, f'MIN({end},{edge}-1)')},0)"
    after = f"IF({end}>PlanEnd,{_gregorian_xl(f'MAX({start},PlanEnd+1)', end)},0)"
    return (
        f"IF(AND(ISNUMBER({start}),ISNUMBER({end})),"
        f'IF({end}<{start},0,{inside}+{before}+{after}),"")'
    )


def spread(
    amount: Any,
    n_months: Any,
    start: dt.date | None,
    end: dt.date | None,
    first: dt.date,
    last: dt.date,
) -> float:
    """The share of ``amount`` in the period [``first``, ``last``]: amount ÷ months when
    the line overlaps the period, else 0."""
    if not (rules.is_num(amount) and rules.is_num(n_months)) or start is None or end is None:
        return 0.0
    if n_months < 1 or first > end or last < start:
        return 0.0
    return float(amount / n_months)


def spread_xl(amount: str, n_months: str, start: str, end: str, first: str, last: str) -> str:
    return (
        f"IF(AND(ISNUMBER({amount}),ISNUMBER({n_months}),ISNUMBER({start}),ISNUMBER({end})),"
        f"IF(AND({n_months}>=1,{first}<={end},{last}>={start}),{amount}/{n_months},0),0)"
    )
