"""Each KPI's forecast to plan end: its base measures forecast period by period, with the
80 % interval, and the KPI's year-end value derived from them.

The forecast origin is the as-of date. A measure's history is its sums by whole calendar
period (the plan's calendar) from the first period Data covers entirely to the last one
that ends on or before the as-of date, for the KPI's channel. The forecast runs from the
next period to the plan's last one; the as-of period counts only with its days after the
as-of date. Year-end total = actual to date + the remaining forecast; its bounds add the
period bounds (a band that treats the periods' errors as moving together, the cautious
reading for a year's total). A ratio metric's year-end value is the metric over the
year-end totals; its bounds are the least and greatest the metric takes over the box of
its measures' bounds. Scenario cases are the better bound, the centre and the worse bound
in the metric's direction; a number the user typed for a case wins.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from xlmplan.core import rules
from xlmplan.core.catalog import Catalog, Metric
from xlmplan.core.forecast import ETS, RUN_RATE, Backtest, backtest, forecast
from xlmplan.core.model import SCENARIO_KEYS, Plan
from xlmplan.core.periods import GREGORIAN, month_first, month_of, plan_periods, shift_month

if TYPE_CHECKING:
    from xlmplan.core.engine import KpiResult

ACTUAL = "actual"
"""The model of a KPI with no period left to forecast: its year-end value is its actual."""
MODELS = (ETS, RUN_RATE, ACTUAL)
SEASON = 12  # monthly periods: one season is a year
BACKTEST_STEP = 3  # origins every third period (docs/forecasting.md)

Number = float | None


@dataclass(frozen=True)
class MeasureForecast:
    """One base measure of one KPI: the plan periods' remaining forecast and the totals."""

    measure: str
    model: str
    to_date: float
    mean: tuple[Number, ...]  # per plan period; blank for periods before the as-of date
    lower: tuple[Number, ...]
    upper: tuple[Number, ...]
    total: Number  # year-end: actual to date + the remaining forecast
    total_lower: Number
    total_upper: Number
    history: tuple[float, ...] = field(default=(), repr=False)  # whole-period sums
    history_days: tuple[float, ...] = field(default=(), repr=False)
    actual: tuple[Number, ...] = field(default=(), repr=False)  # per plan period, to the as-of


@dataclass(frozen=True)
class KpiForecast:
    """A KPI's year-end value with its interval, and the scenario values it gives.

    ``cases`` are the values for the optimistic, realistic and pessimistic scenario (in the
    label pack's order) from the forecast, before the user's typed values; ``typed`` are
    those typed values (None where nothing is typed).
    """

    model: str | None
    measures: tuple[MeasureForecast, ...]
    year_end: Number
    lower: Number
    upper: Number
    cases: tuple[Number, Number, Number]
    typed: tuple[Number, Number, Number] = (None, None, None)

    @property
    def exists(self) -> bool:
        return self.year_end is not None


NO_FORECAST = KpiForecast(None, (), None, None, None, (None, None, None))


@dataclass(frozen=True)
class Horizon:
    """Where the forecast starts and what it covers, in whole calendar periods."""

    origin: dt.date
    history_firsts: np.ndarray  # datetime64[D], first day of each history period
    history_days: np.ndarray
    future_days: np.ndarray  # each forecast period's days
    share: np.ndarray  # share of each forecast period that is still ahead inside the plan
    plan_index: np.ndarray  # the plan period of each forecast period (-1: outside the plan)
    n_plan: int
    plan_first: dt.date
    history_last: dt.date | None  # last day of the last whole history period


def horizon(
    plan_first: dt.date,
    n_plan: int,
    origin: dt.date,
    data_first: dt.date,
    calendar: str = GREGORIAN,
) -> Horizon:
    """The history periods (whole periods of Data up to ``origin``) and the forecast periods
    (the rest, up to the plan's last period)."""
    plan = plan_periods(plan_first, n_plan, calendar)
    y, m = month_of(data_first, calendar)
    if month_first(y, m, calendar) < data_first:
        y, m = shift_month(y, m, 1)  # a period Data covers only in part is no history
    oy, om = month_of(origin, calendar)
    next_y, next_m = shift_month(oy, om, 1)
    if month_first(next_y, next_m, calendar) - dt.timedelta(days=1) == origin:
        oy, om = next_y, next_m  # the as-of period is complete: it is history
    n_hist = max(0, (oy * 12 + om) - (y * 12 + m))
    hist = plan_periods(month_first(y, m, calendar), n_hist, calendar) if n_hist else None
    fy, fm = oy, om
    ly, lm = month_of(plan.last, calendar)
    n_future = max(0, (ly * 12 + lm) - (fy * 12 + fm) + 1)
    future = plan_periods(month_first(fy, fm, calendar), n_future, calendar) if n_future else None
    items = future.items if future else ()
    share, index = [], []
    for p in items:
        lo = max(p.first, origin + dt.timedelta(days=1), plan.first)
        hi = min(p.last, plan.last)
        share.append(max(0, (hi - lo).days + 1) / p.days)
        index.append(plan.index_of(p.first) if plan.first <= p.first <= plan.last else -1)
    return Horizon(
        origin=origin,
        history_firsts=hist.firsts() if hist else np.array([], dtype="datetime64[D]"),
        history_days=np.array([p.days for p in hist.items] if hist else [], dtype=float),
        future_days=np.array([p.days for p in items], dtype=float),
        share=np.array(share, dtype=float),
        plan_index=np.array(index, dtype=np.int64),
        n_plan=n_plan,
        plan_first=plan.first,
        history_last=hist.last if hist else None,
    )


def period_actuals(
    index: np.ndarray, values: np.ndarray, started: Sequence[bool]
) -> tuple[Number, ...]:
    """Sums of ``values`` per plan period up to the as-of date: ``index`` holds each row's
    plan period (-1: outside the plan or after the as-of date); None for a period that
    starts after the as-of date (``started`` False)."""
    inside = index >= 0
    sums = np.bincount(index[inside], weights=values[inside], minlength=len(started))
    return tuple(float(v) if ok else None for v, ok in zip(sums, started, strict=True))


def history_sums(days: np.ndarray, values: np.ndarray, h: Horizon) -> np.ndarray:
    """Sums of ``values`` by history period (``days`` as datetime64[D])."""
    n = len(h.history_days)
    if n == 0 or h.history_last is None:
        return np.zeros(0)
    idx = np.searchsorted(h.history_firsts, days, side="right") - 1
    inside = (idx >= 0) & (days <= np.datetime64(h.history_last, "D"))
    return np.bincount(idx[inside], weights=values[inside], minlength=n)


def measure_forecast(
    measure: str, history: np.ndarray, to_date: float, h: Horizon
) -> MeasureForecast:
    """Forecast one measure's remaining plan periods and its year-end total."""
    n = h.n_plan
    mean: list[Number] = [None] * n
    lower: list[Number] = [None] * n
    upper: list[Number] = [None] * n
    inside = h.plan_index >= 0
    if not inside.any() or not (h.share > 0).any():
        return MeasureForecast(
            measure, ACTUAL, to_date, tuple(mean), tuple(lower), tuple(upper),
            to_date, to_date, to_date, tuple(history), tuple(h.history_days),
        )  # fmt: skip
    f = forecast(history, len(h.future_days), SEASON, h.history_days, h.future_days)
    sums: list[Number] = [to_date, to_date, to_date]
    for j, p in enumerate(h.plan_index):
        if p < 0:
            continue
        for k, (out, vals) in enumerate(((mean, f.mean), (lower, f.lower), (upper, f.upper))):
            value = vals[j]
            part = None if value is None else value * float(h.share[j])
            out[p] = part
            total = sums[k]
            sums[k] = None if total is None or part is None else total + part
    return MeasureForecast(
        measure, f.model, to_date, tuple(mean), tuple(lower), tuple(upper),
        sums[0], sums[1], sums[2], tuple(history), tuple(h.history_days),
    )  # fmt: skip


def metric_range(
    metric: Metric, lows: Mapping[str, float], highs: Mapping[str, float]
) -> tuple[Number, Number]:
    """The least and greatest value of ``metric`` over the box of its measures' bounds
    (blank when the metric is blank at any corner)."""
    names = list(lows)
    values = []
    for corner in itertools.product((0, 1), repeat=len(names)):
        point = {m: (lows[m], highs[m])[c] for m, c in zip(names, corner, strict=True)}
        value = rules.blank_if_nan(float(metric.evaluate(point)))
        if value is None:
            return None, None
        values.append(value)
    return min(values), max(values)


def kpi_forecast(
    metric: Metric | None,
    measures: Sequence[MeasureForecast],
    direction: str,
    typed: tuple[Number, Number, Number] = (None, None, None),
) -> KpiForecast:
    """The KPI's year-end value, interval and scenario cases from its measures' forecasts."""
    if metric is None or not measures:
        return KpiForecast(None, tuple(measures), None, None, None, (None, None, None), typed)
    models = list(dict.fromkeys(m.model for m in measures))
    model = next((m for m in (RUN_RATE, ETS, ACTUAL) if m in models), models[0])
    centre = {m.measure: m.total for m in measures}
    if any(v is None for v in centre.values()):
        return KpiForecast(model, tuple(measures), None, None, None, (None, None, None), typed)
    year_end = rules.blank_if_nan(float(metric.evaluate(centre)))
    lower = upper = None
    if all(m.total_lower is not None and m.total_upper is not None for m in measures):
        lower, upper = metric_range(
            metric,
            {m.measure: float(m.total_lower) for m in measures},  # type: ignore[arg-type]
            {m.measure: float(m.total_upper) for m in measures},  # type: ignore[arg-type]
        )
    better, worse = (lower, upper) if direction == "lower" else (upper, lower)
    return KpiForecast(
        model, tuple(measures), year_end, lower, upper, (better, year_end, worse), typed
    )


def scenario_value(typed: Number, bound: Number, fallback: Number) -> Number:
    """A scenario case's year-end value: typed wins, then the forecast's, then the
    multiplier rule's (``fallback``)."""
    return typed if typed is not None else bound if bound is not None else fallback


def scenario_value_xl(typed: str, bound: str, fallback: str) -> str:
    return f"IF(ISNUMBER({typed}),{typed},IF(ISNUMBER({bound}),{bound},{fallback}))"


def stale_xl(stamp: str, as_of: str, total_then: str, total_now: str) -> str:
    """TRUE when the forecast is out of date: the as-of date or Data's measures total moved
    since the refresh that wrote it (totals compared to 1e-9 of their size)."""
    return (
        f"OR(NOT(ISNUMBER({as_of})),{as_of}<>{stamp},"
        # an integer divisor: a spreadsheet that saves the file keeps it as written
        f"ABS({total_now}-{total_then})>MAX(1,ABS({total_then}))/1000000000)"
    )


def stale(
    stamp: dt.date | None, as_of: dt.date | None, total_then: float, total_now: float
) -> bool:
    if as_of is None or stamp is None:
        return True
    return as_of != stamp or abs(total_now - total_then) > max(1.0, abs(total_then)) / 1e9


# --- the plan's KPIs ---------------------------------------------------------------------------


@dataclass
class SeriesData:
    """Data as the engine holds it: days (datetime64[D]), measures, casefolded channels."""

    days: np.ndarray
    values: Mapping[str, np.ndarray]
    channel_cf: np.ndarray


def plan_forecasts(
    plan: Plan,
    catalog: Catalog,
    data: SeriesData,
    as_of: dt.date | None,
    all_channels: str,
    lower_word: str,
    typed: Mapping[str, tuple[Number, Number, Number]] | None = None,
    calendar: str = GREGORIAN,
) -> list[KpiForecast]:
    """Every KPI's forecast (in KPI order); NO_FORECAST for a KPI the forecast cannot
    judge: no metric, no as-of date, or no Data row of its channel up to the as-of date."""
    s = plan.settings
    if as_of is None or len(data.days) == 0:
        return [NO_FORECAST for _ in plan.kpis]
    first_day = data.days.min().astype("datetime64[D]").item()
    h = horizon(s.start, s.months, as_of, first_day, calendar)
    upto = data.days <= np.datetime64(as_of, "D")
    in_plan = upto & (data.days >= np.datetime64(s.start, "D"))
    cache: dict[tuple[str | None, str], MeasureForecast] = {}
    plan_p = plan_periods(s.start, s.months, calendar)
    started = [p.first <= as_of for p in plan_p.items]
    index = np.searchsorted(plan_p.firsts(), data.days, side="right") - 1
    index = np.where(in_plan & (data.days <= np.datetime64(plan_p.last, "D")), index, -1)
    out = []
    for kpi in plan.kpis:
        metric = catalog.by_label(kpi.metric)
        channel = None if kpi.channel.casefold() == all_channels.casefold() else kpi.channel
        rows = upto if channel is None else upto & (data.channel_cf == channel.casefold())
        key_typed = (typed or {}).get(kpi.id.casefold(), (None, None, None))
        if metric is None or not rows.any():
            out.append(KpiForecast(None, (), None, None, None, (None, None, None), key_typed))
            continue
        measures = []
        for m in metric.measures:
            key = (None if channel is None else channel.casefold(), m)
            if key not in cache:
                history = history_sums(data.days[rows], data.values[m][rows], h)
                to_date = float(data.values[m][rows & in_plan].sum())
                actual = period_actuals(index[rows], data.values[m][rows], started)
                cache[key] = replace(measure_forecast(m, history, to_date, h), actual=actual)
            measures.append(cache[key])
        direction = "lower" if kpi.direction.casefold() == lower_word.casefold() else "higher"
        out.append(kpi_forecast(metric, measures, direction, key_typed))
    return out


@dataclass(frozen=True)
class SeriesBacktest:
    """The backtest of one KPI's base measure on the plan's own Data."""

    kpi: str
    channel: str
    measure: str
    result: Backtest


def plan_backtests(
    plan: Plan, forecasts: Sequence[KpiForecast], horizon_periods: int | None = None
) -> list[SeriesBacktest]:
    """A rolling-origin backtest of each distinct KPI base series (origins every third
    period, up to the plan's length ahead); a series of fewer than four whole periods has
    none."""
    seen: set[tuple[str, str]] = set()
    out = []
    ahead = horizon_periods or plan.settings.months
    for kpi, f in zip(plan.kpis, forecasts, strict=True):
        for m in f.measures:
            key = (kpi.channel.casefold(), m.measure)
            if key in seen or len(m.history) < 4:
                continue
            seen.add(key)
            result = backtest(m.history, ahead, SEASON, m.history_days, step=BACKTEST_STEP)
            out.append(SeriesBacktest(kpi.id, kpi.channel, m.measure, result))
    return out


def typed(plan: Plan) -> dict[str, tuple[Number, Number, Number]]:
    """The scenario values typed per KPI id (casefolded): for each case, the first row of
    the id holding a number for it (:func:`typed_value_xl`)."""
    out: dict[str, list[Number]] = {}
    for row in plan.scenario_values:
        key = row.kpi.casefold()
        if not key:
            continue
        values = out.setdefault(key, [None, None, None])
        for k, v in enumerate((row.optimistic, row.realistic, row.pessimistic)):
            if values[k] is None and rules.is_num(v):
                values[k] = v
    return {key: (v[0], v[1], v[2]) for key, v in out.items()}


def typed_value_xl(kpi: str, ids: str, values: str) -> str:
    """The first number typed in ``values`` on a row whose id is ``kpi`` (any case), else
    blank; an array formula. No INDEX of a possibly empty cell is tested with ISNUMBER (the
    ``formulas`` package reads such a cell as 0)."""
    return (
        f'IF({kpi}="","",IFERROR(INDEX({values},'
        f'MATCH(1,(UPPER({ids})=UPPER({kpi}))*ISNUMBER({values}),0)),""))'
    )


def apply_forecasts(
    plan: Plan,
    kpis: Sequence[KpiResult],
    forecasts: Sequence[KpiForecast],
    lower_word: str,
    names: tuple[str, str, str],
) -> None:
    """Give each KPI's scenario columns the forecast: the year-end value (else the
    run-rate projection) decides the scenario, and each case takes the typed value, else
    the forecast's, else the projection × the case's multiplier."""
    scen = {sc.key: sc for sc in plan.scenarios}
    multipliers = [scen[k].multiplier if k in scen else None for k in SCENARIO_KEYS]
    trigger = plan.settings.pessimistic_trigger
    for kpi, kr, f in zip(plan.kpis, kpis, forecasts, strict=True):
        direction = "lower" if kpi.direction.casefold() == lower_word.casefold() else "higher"
        projection = f.year_end if f.exists else kr.projection
        kr.projection = kr.year_end = projection
        if f.exists:
            kr.year_end_low, kr.year_end_high = f.lower, f.upper
            kr.year_end_model = f.model or RUN_RATE
        kr.scenario_projections = [
            scenario_value(
                f.typed[k], f.cases[k], rules.scenario_projection(projection, mult, direction)
            )
            for k, mult in enumerate(multipliers)
        ]
        kr.projected_attainment = rules.attainment(projection, kpi.target, direction)
        target = kpi.target
        kr.gap = projection - target if projection is not None and target is not None else None
        kr.scenario = rules.scenario_now(kr.projected_attainment, trigger, names)
        chosen = scen.get(SCENARIO_KEYS[names.index(kr.scenario)]) if kr.scenario else None
        kr.contingency = chosen.contingency if chosen else None
        kr.extra_budget = chosen.extra_budget if chosen else None


# --- SMART "Achievable" against the forecast ------------------------------------------------


def within_forecast(target: float, best: float, direction: str) -> int:
    """1 when the target lies within the forecast's better bound at plan end (at most the
    upper bound when higher is better, at least the lower bound when lower is), else 0."""
    gap = target - best if direction == "lower" else best - target
    return int(rules.xl_round(gap) >= 0)


def within_forecast_xl(target: str, best: str, direction: str, lower: str) -> str:
    """``lower`` is the formula text of the lower-is-better word (a quoted constant)."""
    return (
        f"IF({direction}={lower},IF(ROUND({target}-{best},6)>=0,1,0),"
        f"IF(ROUND({best}-{target},6)>=0,1,0))"
    )


def uplift_needed(target: float, best: float, direction: str) -> float | None:
    """How far the target lies beyond the better bound, as a share of it: the uplift (or,
    lower being better, the cut) the plan needs over the forecast's best case."""
    if best == 0:
        return None
    return target / best - 1 if direction != "lower" else 1 - target / best


def beyond_forecast(
    target: float | None, direction: str, f: KpiForecast
) -> tuple[float, float | None] | None:
    """(the better bound, the uplift needed) when ``target`` lies beyond the forecast's
    better bound at plan end; None when it is within it or there is no forecast."""
    best = f.cases[0]
    if target is None or best is None or within_forecast(target, best, direction):
        return None
    return best, uplift_needed(target, best, direction)


def number_text(value: float) -> str:
    """A number as a finding shows it: thousands separated, small ones to 4 digits."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


# --- the glidepath ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Glide:
    """A KPI's glidepath per plan period: actual (to the as-of date), forecast and its 80 %
    band, cumulative for an additive metric (each period's value is the total from the
    plan's start to its end), per period for a ratio. None where nothing is plotted."""

    actual: tuple[Number, ...]
    mid: tuple[Number, ...]
    low: tuple[Number, ...]
    high: tuple[Number, ...]


def glide(metric: Metric | None, f: KpiForecast, n: int) -> Glide:
    """The KPI's glidepath over ``n`` plan periods from its measures' forecasts."""
    none: tuple[Number, ...] = (None,) * n
    if metric is None or not f.measures or not f.measures[0].actual:
        return Glide(none, none, none, none)
    additive = metric.additive
    names = [m.measure for m in f.measures]

    def series(
        get: Callable[[MeasureForecast], Sequence[Number]], start: float | None
    ) -> list[dict[str, float] | None]:
        out: list[dict[str, float] | None] = []
        totals = {m.measure: start if start is not None else 0.0 for m in f.measures}
        for p in range(n):
            values = [get(m)[p] if p < len(get(m)) else None for m in f.measures]
            if any(v is None for v in values):
                out.append(None)
                continue
            if additive:
                for name, v in zip(names, values, strict=True):
                    totals[name] += float(v or 0.0)
                out.append(dict(totals))
            else:
                out.append({name: float(v or 0.0) for name, v in zip(names, values, strict=True)})
        return out

    def value(point: dict[str, float] | None) -> Number:
        return None if point is None else rules.blank_if_nan(float(metric.evaluate(point)))

    actual = [value(p) for p in series(lambda m: m.actual, 0.0)]
    if additive:  # the forecast continues from the actual to date
        to_date = {m.measure: m.to_date for m in f.measures}
        mids = _from(to_date, f.measures, lambda m: m.mean, n)
        lows = _from(to_date, f.measures, lambda m: m.lower, n)
        highs = _from(to_date, f.measures, lambda m: m.upper, n)
    else:
        mids = series(lambda m: m.mean, None)
        lows = series(lambda m: m.lower, None)
        highs = series(lambda m: m.upper, None)
    mid = [value(p) for p in mids]
    low: list[Number] = []
    high: list[Number] = []
    for lo, hi in zip(lows, highs, strict=True):
        bounds = metric_range(metric, lo, hi) if lo is not None and hi is not None else (None, None)
        low.append(bounds[0])
        high.append(bounds[1])
    return Glide(tuple(actual), tuple(mid), tuple(low), tuple(high))


def _from(
    start: dict[str, float],
    measures: Sequence[MeasureForecast],
    get: Callable[[MeasureForecast], Sequence[Number]],
    n: int,
) -> list[dict[str, float] | None]:
    """Running totals from ``start`` over the periods that have a forecast (None before)."""
    totals = dict(start)
    out: list[dict[str, float] | None] = []
    for p in range(n):
        values = [get(m)[p] if p < len(get(m)) else None for m in measures]
        if any(v is None for v in values):
            out.append(None)
            continue
        for m, v in zip(measures, values, strict=True):
            totals[m.measure] += float(v or 0.0)
        out.append(dict(totals))
    return out


def cumulative(values: Sequence[Number]) -> tuple[Number, ...]:
    """Running sums (None from the first blank on)."""
    out: list[Number] = []
    total: Number = 0.0
    for v in values:
        total = None if total is None or v is None else total + v
        out.append(total)
    return tuple(out)
