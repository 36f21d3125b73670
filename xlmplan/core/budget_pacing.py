"""Budget pacing: planned media money against actual spend, per channel and period.

Money lines of the media category are the plan; Data's spend is the actual. The as-of
period splits the year: periods before it are actual, periods after it are plan, and
the as-of period is its actual so far plus its plan for the days still to come. Each
rule is a Python function beside its ``*_xl`` formula twin (rules: ``docs/rules.md``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from xlmplan.core import rules
from xlmplan.core.periods import Periods


def as_of_period(as_of: dt.date | None, periods: Periods) -> int:
    """The 1-based number of the period holding ``as_of``: 0 before the plan or without an
    as-of date, ``n + 1`` after the plan (the Calendar sheet's ``AsOfPeriod``)."""
    if as_of is None or as_of < periods.first:
        return 0
    if as_of > periods.last:
        return len(periods) + 1
    index = periods.index_of(as_of)
    assert index is not None
    return index + 1


def remaining_share(as_of: dt.date | None, periods: Periods) -> float:
    """The share of the as-of period still to come: (its last day − as-of) ÷ its days;
    0 when the as-of date lies outside the plan."""
    k = as_of_period(as_of, periods)
    if not 1 <= k <= len(periods) or as_of is None:
        return 0.0
    period = periods[k - 1]
    return (period.last - as_of).days / period.days


def remaining_share_xl(as_of: str, as_of_period: str, n: int, firsts: str, lasts: str) -> str:
    last, first = f"INDEX({lasts},{as_of_period})", f"INDEX({firsts},{as_of_period})"
    return f"IF(AND({as_of_period}>=1,{as_of_period}<={n}),({last}-{as_of})/({last}-{first}+1),0)"


def plan_share(k: int, as_of_period: int, remaining: float) -> float:
    """The share of period ``k``'s plan still ahead: 0 before the as-of period, the
    remaining share in it, 1 after it."""
    return 0.0 if k < as_of_period else remaining if k == as_of_period else 1.0


def plan_share_xl(k: str, as_of_period: str, remaining: str) -> str:
    return f"IF({k}<{as_of_period},0,IF({k}={as_of_period},{remaining},1))"


def actual_xl(spend: str, first: str, last: str, as_of: str, k: str, as_of_period: str) -> str:
    """Spend in period ``k`` up to the as-of date; blank after the as-of period.

    ``spend`` is the SUMIFS head up to its date criteria, e.g. ``SUMIFS(d_spend,`` or
    ``SUMIFS(d_spend,d_channel,"=Email",``.
    """
    return f'IF({k}<={as_of_period},{spend}d_date,">="&{first},d_date,"<="&MIN({last},{as_of})),"")'


PLAN, RUN_RATE = "plan", "run-rate"
OUTLOOKS = (PLAN, RUN_RATE)
"""Start's *budget outlook*: what a period is expected to spend after the as-of date."""


def elapsed_days(as_of: dt.date | None, periods: Periods) -> int:
    """Days from the plan's first day to the as-of date (to the plan's last day after it);
    0 before the plan or without an as-of date."""
    if as_of_period(as_of, periods) == 0 or as_of is None:
        return 0
    return (min(as_of, periods.last) - periods.first).days + 1


def elapsed_days_xl(as_of: str, as_of_period: str) -> str:
    return f"IF({as_of_period}>=1,MIN({as_of},PlanEnd)-INDEX(cal_first,1)+1,0)"


def run_rate(actual_to_date: float, elapsed: int) -> float | None:
    """Spend per day to date; blank when no day has passed."""
    return actual_to_date / elapsed if elapsed > 0 else None


def run_rate_xl(actual_to_date: str, elapsed: str) -> str:
    return f'IF({elapsed}>0,{actual_to_date}/{elapsed},"")'


def ahead(
    planned: float,
    share: float,
    days: int,
    rate: float | None,
    forecast: float | None,
    by_run_rate: bool,
) -> float:
    """The spend expected in a period after the as-of date: the plan × the share still
    ahead; with the run-rate outlook (and a rate), the spend forecast still ahead where one
    exists, else spend per day to date × the period's days × the share still ahead."""
    if not by_run_rate or rate is None:
        return planned * share
    if share <= 0:
        return 0.0
    return forecast if forecast is not None else rate * days * share


def ahead_xl(
    by_run_rate: str, planned: str, share: str, days: str, rate: str, forecast: str
) -> str:
    return (
        f"IF(AND({by_run_rate},ISNUMBER({rate})),IF({share}>0,IF(ISNUMBER({forecast}),"
        f"{forecast},{rate}*{days}*{share}),0),{planned}*{share})"
    )


def outlook(actual: float | None, expected: float) -> float:
    """Actual so far plus the spend expected still ahead (the actual counts only up to the
    as-of date)."""
    return (actual or 0.0) + expected


def outlook_xl(actual: str, expected: str, k: str, as_of_period: str) -> str:
    return f"IF({k}<={as_of_period},{actual},0)+{expected}"


def planned_to_date(planned: float, share: float) -> float:
    return planned * (1 - share)


def variance(planned: float, actual: float | None, share: float) -> float | None:
    """Plan to date − actual (below 0: overspent); blank after the as-of period."""
    if actual is None:
        return None
    return planned_to_date(planned, share) - actual


def variance_xl(planned: str, actual: str, share: str, k: str, as_of_period: str) -> str:
    return f'IF({k}<={as_of_period},{planned}*(1-{share})-{actual},"")'


def overspent(var: float | None) -> bool:
    """Overspent when actual exceeds the plan to date by at least half a cent."""
    return var is not None and rules.xl_round(-var, 2) > 0


def overspent_xl(var: str) -> str:
    return f"AND(ISNUMBER({var}),ROUND(-{var},2)>0)"


def left_to_plan(
    cap: float | None,
    buffer: float | None,
    committed: float | None,
    planned_total: float,
    actual_to_date: float,
    planned_remaining: float,
) -> float:
    """Cap (the planned total when none is set) − buffer − committed − actual to date −
    the plan still ahead."""

    def number(x: float | None, otherwise: float) -> float:
        return x if x is not None and rules.is_num(x) else otherwise

    return (
        number(cap, planned_total)
        - number(buffer, 0.0)
        - number(committed, 0.0)
        - actual_to_date
        - planned_remaining
    )


def left_to_plan_xl(
    cap: str, buffer: str, committed: str, planned_total: str, actual: str, remaining: str
) -> str:
    return (
        f"IF(ISNUMBER({cap}),{cap},{planned_total})-IF(ISNUMBER({buffer}),{buffer},0)"
        f"-IF(ISNUMBER({committed}),{committed},0)-{actual}-{remaining}"
    )


def disagrees(strategies: float, money: float) -> bool:
    """Strategy budgets and money lines of a channel differ by at least half a cent."""
    return rules.xl_round(money - strategies, 2) != 0


def disagrees_xl(strategies: str, money: str) -> str:
    return f"ROUND({money}-{strategies},2)<>0"


# --- the whole block ------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One channel's pacing (or the unassigned lines, or the total) over the periods."""

    channel: str
    planned: list[float]
    actual: list[float | None]  # None after the as-of period
    outlook: list[float]
    variance: list[float | None]
    cum_planned: list[float]
    cum_outlook: list[float]

    @property
    def actual_to_date(self) -> float:
        return sum(a for a in self.actual if a is not None)

    @property
    def variance_to_date(self) -> float:
        return sum(v for v in self.variance if v is not None)

    @property
    def overspent_periods(self) -> list[int]:
        """0-based periods whose actual exceeds the plan to date."""
        return [k for k, v in enumerate(self.variance) if overspent(v)]


@dataclass(frozen=True)
class Reconciled:
    """A channel's strategy budgets against its money lines (every category)."""

    channel: str
    strategies: float
    money: float

    @property
    def differs(self) -> bool:
        return disagrees(self.strategies, self.money)


@dataclass(frozen=True)
class Pacing:
    as_of_period: int
    remaining: float  # share of the as-of period still to come
    shares: list[float]  # per period: share of its plan still ahead
    rows: list[Row]  # channels in order, then the unassigned lines
    total: Row
    planned_remaining: float  # the spend expected after the as-of date (plan or run-rate)
    left_to_plan: float
    reconciled: list[Reconciled] = field(default_factory=list)
    outlook: str = PLAN
    elapsed: int = 0  # days of the plan to the as-of date
    rates: list[float | None] = field(default_factory=list)  # per row: spend per day to date
    forecasts: list[list[float | None]] = field(default_factory=list)  # per row and period


def pacing_row(
    channel: str,
    planned: Sequence[float],
    spend: Sequence[float],
    as_of_period: int,
    shares: Sequence[float],
    expected: Sequence[float] | None = None,
) -> Row:
    """A row from planned money and actual spend (to the as-of date) per period;
    ``expected``: the spend expected still ahead per period (the plan's by default)."""
    actual: list[float | None] = [
        float(s) if k + 1 <= as_of_period else None for k, s in enumerate(spend)
    ]
    if expected is None:
        expected = [p * sh for p, sh in zip(planned, shares, strict=True)]
    out = [outlook(a, e) for a, e in zip(actual, expected, strict=True)]
    var = [variance(p, a, sh) for p, a, sh in zip(planned, actual, shares, strict=True)]
    return Row(
        channel,
        [float(p) for p in planned],
        actual,
        out,
        var,
        _running(planned),
        _running(out),
    )


def pace(
    channels: Sequence[str],
    planned: dict[str, list[float]],
    spend: dict[str, list[float]],
    as_of: dt.date | None,
    periods: Periods,
    *,
    cap: float | None = None,
    buffer: float | None = None,
    committed: float | None = None,
    outlook_by: str = PLAN,
    forecasts: dict[str, list[float | None]] | None = None,
) -> Pacing:
    """Pacing per channel (``planned``/``spend``/``forecasts`` keyed by casefolded channel;
    the key ``""`` holds what no listed channel takes) and the total with its left to plan.
    ``forecasts``: a channel's spend forecast still ahead per period, used by the run-rate
    outlook where it is a number."""
    a = as_of_period(as_of, periods)
    rem = remaining_share(as_of, periods)
    n = len(periods)
    shares = [plan_share(k + 1, a, rem) for k in range(n)]
    elapsed = elapsed_days(as_of, periods)
    by_run_rate = outlook_by == RUN_RATE
    zero = [0.0] * n
    none: list[float | None] = [None] * n
    keys = [*(c.casefold() for c in channels), ""]
    rows, rates, fcs = [], [], []
    for name, key in zip([*channels, ""], keys, strict=True):
        plan_k, spend_k = planned.get(key, zero), spend.get(key, zero)
        fc = (forecasts or {}).get(key, none)
        to_date = sum(float(v) for k, v in enumerate(spend_k) if k + 1 <= a)
        rate = run_rate(to_date, elapsed)
        expected = [
            ahead(plan_k[k], shares[k], periods[k].days, rate, fc[k], by_run_rate)
            for k in range(n)
        ]
        rows.append(pacing_row(name, plan_k, spend_k, a, shares, expected))
        rates.append(rate)
        fcs.append(list(fc))
    plan_total = [sum(r.planned[k] for r in rows) for k in range(n)]
    spend_total = [sum(spend.get(c, zero)[k] for c in keys) for k in range(n)]
    total = pacing_row("", plan_total, spend_total, a, shares)
    # the total's outlook is its rows' (each channel runs at its own rate)
    out = [sum(r.outlook[k] for r in rows) for k in range(n)]
    total = Row("", total.planned, total.actual, out, total.variance, total.cum_planned,
                _running(out))  # fmt: skip
    remaining = sum(out) - total.actual_to_date
    left = left_to_plan(cap, buffer, committed, sum(plan_total), total.actual_to_date, remaining)
    return Pacing(
        a, rem, shares, rows, total, remaining, left,
        outlook=RUN_RATE if by_run_rate else PLAN, elapsed=elapsed, rates=rates, forecasts=fcs,
    )  # fmt: skip


def _running(values: Sequence[float]) -> list[float]:
    out, acc = [], 0.0
    for v in values:
        acc += v
        out.append(acc)
    return out


def pacing_channels(*lists: Sequence[str]) -> list[str]:
    """The channels in order of first appearance (letter case ignored, blanks left out)."""
    seen: dict[str, str] = {}
    for names in lists:
        for name in names:
            if name.strip() and name.casefold() not in seen:
                seen[name.casefold()] = name
    return list(seen.values())


def reconcile(
    channels: Sequence[str],
    strategy_budgets: Sequence[tuple[str, float | None]],
    money_amounts: Sequence[tuple[str, float | None]],
) -> list[Reconciled]:
    """Per channel: the strategies' budgets and the money lines' amounts (numbers only)."""

    def total(pairs: Sequence[tuple[str, float | None]], channel: str) -> float:
        key = channel.casefold()
        return float(
            sum(v for c, v in pairs if c.casefold() == key and rules.is_num(v) and v is not None)
        )

    return [Reconciled(c, total(strategy_budgets, c), total(money_amounts, c)) for c in channels]
