"""The pandas engine: every derived value of a plan, computed from its inputs and Data.

The sheet modules write the matching native formulas; this module supplies the values
they cache. Blank results are ``None``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from xlmplan.core import budget_pacing, rules, spread
from xlmplan.core import target_path as tp
from xlmplan.core.catalog import Catalog, Metric
from xlmplan.core.data import MEASURES
from xlmplan.core.kpi_forecast import KpiForecast, within_forecast
from xlmplan.core.model import (
    SCENARIO_KEYS,
    SWOT_TYPES,
    TOWS_TYPES,
    Kpi,
    Plan,
    add_months,
)
from xlmplan.core.periods import (
    GREGORIAN,
    Periods,
    as_of_period,
    label_pattern,
    month_names,
    period_complete,
    period_index,
    previous_first,
    same_days_end,
)

WINDOWS = ("todate", "last", "prev")
TOP_N = 3

Sums = dict[str, float]


@dataclass(frozen=True)
class Words:
    """Label words that formulas compare with or return (from the label pack)."""

    all_channels: str = "All"
    higher: str = "higher"
    lower: str = "lower"
    status: tuple[str, str, str] = ("Green", "Amber", "Red")
    scenarios: tuple[str, str, str] = ("Optimistic", "Realistic", "Pessimistic")
    qualitative: str = "Qualitative"
    primary: str = "Primary"
    methods: tuple[str, str, str] = (tp.EVEN, tp.SEASONAL, tp.MANUAL)  # path methods

    def method_key(self, typed: str) -> str:
        """The path method a typed word names (blank or unknown: even)."""
        folded = typed.strip().casefold()
        keys = (tp.EVEN, tp.SEASONAL, tp.MANUAL)
        return next(
            (k for k, w in zip(keys, self.methods, strict=True) if w.casefold() == folded), tp.EVEN
        )


@dataclass
class KpiResult:
    """One KPI's figures. ``attainment`` and ``status`` are *on pace*: actual to date
    against target to date. The *year-end* verdict is ``year_end`` (the forecast to the
    plan's end; the run-rate projection until a forecast fills it, with ``year_end_low``/
    ``year_end_high`` its interval and ``year_end_model`` the model used) against the plan
    target: ``projected_attainment`` and ``scenario``."""

    sums: dict[str, Sums]
    actual: float | None
    last: float | None
    prev: float | None
    trend: float | None
    attainment: float | None
    status: str | None
    additive: bool
    projection: float | None
    scenario_projections: list[float | None]
    projected_attainment: float | None
    gap: float | None
    scenario: str | None
    contingency: str | None
    extra_budget: float | None
    rows: dict[str, int] = field(default_factory=dict)  # Data rows of its channel per window
    path: tp.TargetPath | None = None  # the target per plan period
    method: str = tp.EVEN  # the method typed (a key of target_path.METHODS)
    baseline: float | None = None
    history: list[float | None] = field(default_factory=list)  # last year's same months
    seasonal_ok: bool = False  # Data holds a usable last year for a seasonal path
    target_to_date: float | None = None
    last_year: float | None = None  # the metric over the twelve months before the plan
    year_end: float | None = None
    year_end_low: float | None = None
    year_end_high: float | None = None
    year_end_model: str = "run-rate"


@dataclass
class Results:
    """Every derived value, keyed the way the sheets lay them out."""

    as_of: dt.date | None
    plan_days: float
    elapsed_days: float
    last_month_start: dt.date | None
    periods: Periods
    due_shares: list[float] = field(default_factory=list)  # per period, due by the as-of
    as_of_period: int | None = None  # 0-based period holding the as-of date (none: None)
    swot_score: list[float | None] = field(default_factory=list)
    swot_rank: list[float | None] = field(default_factory=list)
    swot_key: list[str] = field(default_factory=list)
    swot_top: dict[str, list[tuple[str, str, float | None]]] = field(default_factory=dict)
    tows: dict[str, list[list[float | None]]] = field(default_factory=dict)
    kpis: list[KpiResult] = field(default_factory=list)
    smart: list[list[int]] = field(default_factory=list)
    objective_rows: list[dict[str, Any]] = field(default_factory=list)
    people_cost: list[list[float]] = field(default_factory=list)
    people_capacity: list[list[float]] = field(default_factory=list)
    people_demand: list[list[float]] = field(default_factory=list)
    people_over: list[float] = field(default_factory=list)
    money_months: list[float | None] = field(default_factory=list)
    money_grid: list[list[float]] = field(default_factory=list)
    action_months: list[float | None] = field(default_factory=list)
    action_grid: list[list[float]] = field(default_factory=list)
    actual_spend: list[float] = field(default_factory=list)
    month_sums: list[Sums] = field(default_factory=list)
    channel_sums: list[Sums] = field(default_factory=list)
    cross_sums: list[list[Sums]] = field(default_factory=list)
    forecasts: list[KpiForecast] = field(default_factory=list)  # per KPI, at the as-of date
    data_total: float = 0.0  # every Data measure summed (the forecast's staleness check)
    pacing: budget_pacing.Pacing | None = None
    as_of_number: int = 0  # 1-based period of the as-of date; 0 before the plan, n + 1 after
    same_days: tuple[dt.date, dt.date] | None = None  # the period before, as many days
    same_days_sums: Sums = field(default_factory=lambda: dict.fromkeys(MEASURES, 0.0))


class Engine:
    """Computes :class:`Results` for a plan, its Data and the metric catalog."""

    def __init__(
        self,
        plan: Plan,
        data: pd.DataFrame,
        catalog: Catalog,
        words: Words,
        periods: Periods | None = None,
        *,
        forecasts: bool = True,
    ) -> None:
        self.plan = plan
        self.forecasts = forecasts
        self.catalog = catalog
        self.words = words
        s = plan.settings
        self.start = s.start
        self.periods = periods or s.periods()
        self.end = self.periods.last
        dates = data["date"].to_numpy(dtype="datetime64[D]")
        self.days = dates
        self.values = {m: np.nan_to_num(data[m].to_numpy(dtype=float)) for m in MEASURES}
        self.channel_cf = data["channel"].astype(str).str.casefold().to_numpy(dtype=object)

    # --- Data sums ----------------------------------------------------------------------

    def _mask(self, lo: dt.date | None, hi_incl: dt.date | None) -> np.ndarray:
        mask = np.ones(len(self.days), dtype=bool)
        if lo is not None:
            mask &= self.days >= np.datetime64(lo, "D")
        if hi_incl is not None:
            mask &= self.days <= np.datetime64(hi_incl, "D")
        return mask

    def _sums(self, mask: np.ndarray, channel: str | None = None) -> Sums:
        if channel is not None:
            mask = mask & (self.channel_cf == channel.casefold())
        return {m: float(self.values[m][mask].sum()) for m in MEASURES}

    def _rows(self, mask: np.ndarray, channel: str | None = None) -> int:
        if channel is not None:
            mask = mask & (self.channel_cf == channel.casefold())
        return int(mask.sum())

    def metric_value(self, metric: Metric | None, sums: Sums) -> float | None:
        if metric is None:
            return None
        return rules.blank_if_nan(float(metric.evaluate(sums)))

    # --- the whole plan -----------------------------------------------------------------

    def run(self) -> Results:
        s = self.plan.settings
        if s.as_of is not None:
            as_of: dt.date | None = s.as_of
        else:
            in_plan = self._mask(self.start, self.end)
            as_of = pd.Timestamp(self.days[in_plan].max()).date() if in_plan.any() else None
        plan_days = float((self.end - self.start).days + 1)
        elapsed = float((as_of - self.start).days + 1) if as_of else 0.0
        lm_start = dt.date(as_of.year, as_of.month, 1) if as_of else None
        index = self.periods.index_of(as_of) if as_of else None
        if index is not None and s.calendar != GREGORIAN:  # the as-of period's first day
            lm_start = self.periods[index].first
        res = Results(as_of, plan_days, elapsed, lm_start, self.periods)
        periods = self.periods
        res.due_shares = [tp.due_share(p.first, p.last, as_of, periods.last) for p in periods.items]
        if as_of is not None and as_of >= periods.first:
            res.as_of_period = periods.index_of(min(as_of, periods.last))
        res.as_of_number = as_of_period(as_of, periods)
        self._swot(res)
        self._kpis(res)
        if self.forecasts:
            self._forecast(res)
        self._objectives(res)
        self._budget(res)
        self._analysis(res)
        self._pacing(res)
        return res

    def _swot(self, res: Results) -> None:
        factors = self.plan.swot
        res.swot_score = [rules.swot_score(f.impact, f.certainty) for f in factors]
        for i, f in enumerate(factors):
            score = res.swot_score[i]
            if score is None:
                res.swot_rank.append(None)
                res.swot_key.append("")
                continue
            higher = sum(
                1
                for j, g in enumerate(factors)
                if g.type.casefold() == f.type.casefold() and _gt(res.swot_score[j], score)
            )
            ties = sum(
                1
                for j, g in enumerate(factors[:i])
                if g.type.casefold() == f.type.casefold() and res.swot_score[j] == score
            )
            rank = float(higher + ties + 1)
            res.swot_rank.append(rank)
            res.swot_key.append(f"{f.type}#{int(rank)}")
        for t in SWOT_TYPES:
            top: list[tuple[str, str, float | None]] = []
            for k in range(1, TOP_N + 1):
                key = f"{t}#{k}".casefold()
                hit = next((i for i, x in enumerate(res.swot_key) if x.casefold() == key), None)
                if hit is None:
                    top.append(("", "", None))
                else:
                    top.append((factors[hit].id, factors[hit].factor, res.swot_score[hit]))
            res.swot_top[t] = top
        for quadrant in TOWS_TYPES:
            a, b = res.swot_top[quadrant[0]], res.swot_top[quadrant[1]]
            res.tows[quadrant] = [
                [x[2] * y[2] if x[2] is not None and y[2] is not None else None for y in b]
                for x in a
            ]

    def _kpis(self, res: Results) -> None:
        w = self.words
        windows: dict[str, np.ndarray] = {}
        if res.as_of and res.last_month_start:
            windows["todate"] = self._mask(self.start, res.as_of)
            windows["last"] = self._mask(res.last_month_start, res.as_of)
            before = previous_first(res.as_of, self.periods)  # the period before
            prev_start = before or add_months(res.last_month_start, -1)
            # the as-of period, usually partial, is compared with as many days of the period
            # before (KPIs' month before and Analysis alike), never with a whole period
            complete = period_complete(res.as_of, self.periods)
            prev_end = same_days_end(res.as_of, res.last_month_start, prev_start, complete)
            res.same_days = (prev_start, prev_end)
            windows["prev"] = self._mask(prev_start, prev_end)
        scen = {sc.key: sc for sc in self.plan.scenarios}
        multipliers = [scen[k].multiplier if k in scen else None for k in SCENARIO_KEYS]
        for kpi in self.plan.kpis:
            metric = self.catalog.by_label(kpi.metric)
            channel = None if kpi.channel.casefold() == w.all_channels.casefold() else kpi.channel
            sums = {
                win: (
                    self._sums(windows[win], channel) if windows else dict.fromkeys(MEASURES, 0.0)
                )
                for win in WINDOWS
            }
            # a window with no Data row of the channel has no value (blank, never 0 and Red)
            rows = {win: self._rows(windows[win], channel) if windows else 0 for win in WINDOWS}
            actual = self.metric_value(metric, sums["todate"]) if rows["todate"] else None
            last = self.metric_value(metric, sums["last"]) if rows["last"] else None
            prev = self.metric_value(metric, sums["prev"]) if rows["prev"] else None
            direction = "lower" if kpi.direction.casefold() == w.lower.casefold() else "higher"
            additive = metric.additive if metric else False
            pace = self._pace(res, kpi, metric, channel)
            att = tp.attainment_to_date(actual, pace.target_to_date, direction)
            projection = rules.run_rate(actual, additive, res.plan_days, res.elapsed_days)
            # Year-end: the forecast to the plan's end (the run-rate until a forecast exists)
            year_end = projection
            scen_proj = [rules.scenario_projection(year_end, m, direction) for m in multipliers]
            patt = rules.attainment(year_end, kpi.target, direction)
            now = rules.scenario_now(patt, self.plan.settings.pessimistic_trigger, w.scenarios)
            chosen = None
            if now is not None:
                chosen = scen.get(SCENARIO_KEYS[w.scenarios.index(now)])
            gap = (
                projection - kpi.target
                if projection is not None and kpi.target is not None and rules.is_num(kpi.target)
                else None
            )
            res.kpis.append(
                KpiResult(
                    rows=rows,
                    sums=sums,
                    actual=actual,
                    last=last,
                    prev=prev,
                    trend=rules.trend(last, prev),
                    attainment=att,
                    status=tp.pace_status(att, self.plan.settings.amber_threshold, w.status),
                    additive=additive,
                    projection=projection,
                    scenario_projections=scen_proj,
                    projected_attainment=patt,
                    gap=gap,
                    scenario=now,
                    contingency=chosen.contingency if chosen else None,
                    extra_budget=chosen.extra_budget if chosen else None,
                    path=pace.path,
                    method=pace.method,
                    baseline=pace.baseline,
                    history=pace.history,
                    seasonal_ok=pace.seasonal_ok,
                    target_to_date=pace.target_to_date,
                    last_year=pace.last_year,
                    year_end=year_end,
                )
            )

    def _forecast(self, res: Results) -> None:
        from xlmplan.core.kpi_forecast import SeriesData, apply_forecasts, plan_forecasts, typed

        w = self.words
        data = SeriesData(self.days, self.values, self.channel_cf)
        res.forecasts = plan_forecasts(
            self.plan,
            self.catalog,
            data,
            res.as_of,
            w.all_channels,
            w.lower,
            typed(self.plan),
            self.plan.settings.calendar,
        )
        res.data_total = float(sum(v.sum() for v in self.values.values()))
        apply_forecasts(self.plan, res.kpis, res.forecasts, w.lower, w.scenarios)
    def _pace(self, res: Results, kpi: Kpi, metric: Metric | None, channel: str | None) -> _Pace:
        """The KPI's target path (Targets sheet) and its target to date."""
        periods, w = self.periods, self.words
        folded = kpi.id.strip().casefold()
        row = next((p for p in self.plan.paths if p.kpi.strip().casefold() == folded), None)
        baseline = row.baseline if row and folded else None
        method = w.method_key(row.method) if row and folded else tp.EVEN
        additive = metric.additive if metric else False
        history: list[float | None] = []
        for h in tp.history_periods(periods).items:
            sums = self._sums(self._mask(h.first, h.last), channel)
            history.append(self.metric_value(metric, sums) if additive else None)
        manual: list[float | None] = []
        for p in periods.items:
            typed = [
                t.target
                for t in self.plan.period_targets
                if folded
                and t.kpi.strip().casefold() == folded
                and rules.is_num(t.target)
                and _names_period(t.period, p.first, p.last, p.label)
            ]
            manual.append(float(sum(typed)) if typed else None)  # type: ignore[arg-type]
        data_first = pd.Timestamp(self.days.min()).date() if len(self.days) else None
        weights = [float(v) if v is not None else 0.0 for v in history]
        path = tp.target_path(
            kpi.target if folded else None,
            baseline,
            additive,
            periods,
            method,
            history=weights,
            data_first=data_first,
            manual=manual,
        )
        total = sum(tp.seasonal_weights(weights, len(periods)))
        first = tp.history_periods(periods).first
        ok = tp.seasonal_ok(data_first, first, total, additive) is None
        due = tp.target_due(list(path.values), res.due_shares, res.as_of_period, additive)
        last_year = None
        if data_first is not None and data_first <= first:
            year = self._mask(first, periods.first - dt.timedelta(days=1))
            if self._rows(year, channel):
                last_year = self.metric_value(metric, self._sums(year, channel))
        return _Pace(path, method, baseline, history, ok, due, last_year)

    def _objectives(self, res: Results) -> None:
        w, s = self.words, self.plan.settings
        kpi_index = {k.id.casefold(): i for i, k in enumerate(self.plan.kpis)}
        swot_ids = [f.id for f in self.plan.swot]
        for ob in self.plan.objectives:
            ki = kpi_index.get(ob.kpi.casefold()) if ob.kpi else None
            kpi = self.plan.kpis[ki] if ki is not None else None
            named = ob.kpi != ""
            # one target: the objective's own where typed, else its KPI's (shown by formula)
            target = objective_target(ob.target, kpi.target if kpi else None)
            has_target = rules.is_num(target)
            specific = int(rules.word_count(ob.objective) >= 4 and named)
            qualitative = ob.kind.casefold() == w.qualitative.casefold()
            metric = self.catalog.by_label(kpi.metric) if kpi is not None else None
            if qualitative:
                measurable = int(named and has_target)
                achievable = 1
            else:
                nums = rules.is_num(ob.baseline) and has_target
                measurable = int(metric is not None and nums)
                achievable = 0
                if kpi is not None and nums and ob.baseline != 0:
                    assert ob.baseline is not None and target is not None
                    if kpi.direction.casefold() == w.lower.casefold():
                        achievable = int(
                            rules.xl_round(1 - target / ob.baseline) <= s.max_growth_down
                        )
                    else:
                        achievable = int(
                            rules.xl_round(target / ob.baseline - 1) <= s.max_growth_up
                        )
            best = res.forecasts[ki].cases[0] if ki is not None and res.forecasts else None
            if not qualitative and best is not None and has_target and kpi:
                assert target is not None
                achievable = within_forecast(target, best, _direction(kpi.direction, w))
            cited = cited_ids(ob.substantiation, swot_ids)
            parent_primary = ob.parent != "" and any(
                o.id.casefold() == ob.parent.casefold()
                and o.level.casefold() == w.primary.casefold()
                for o in self.plan.objectives
            )
            relevant = int(bool(cited) or parent_primary)
            timebound = int(ob.deadline is not None and s.start <= ob.deadline <= s.end)
            flags = [specific, measurable, achievable, relevant, timebound]
            res.smart.append(flags + [sum(flags)])
            texts = [f.factor for f in self.plan.swot if f.id in cited]
            strategies = [
                st.strategy
                for st in self.plan.strategies
                if st.objective.casefold() == ob.id.casefold() and ob.id != ""
            ]
            direction = (
                "lower"
                if kpi is not None and kpi.direction.casefold() == w.lower.casefold()
                else "higher"
            )
            # measured over its own window: plan start to its deadline (or the plan's end)
            end = tp.objective_end(ob.deadline, self.end)
            sums, rows = dict.fromkeys(MEASURES, 0.0), 0
            if res.as_of is not None and kpi is not None:
                channel = (
                    None if kpi.channel.casefold() == w.all_channels.casefold() else kpi.channel
                )
                mask = self._mask(self.start, min(res.as_of, end))
                sums, rows = self._sums(mask, channel), self._rows(mask, channel)
            actual = self.metric_value(metric, sums) if rows else None
            additive = metric.additive if metric else False
            due = tp.objective_due(target, ob.baseline, additive, self.start, end, res.as_of)
            att = rules.attainment(actual, due, direction)
            res.objective_rows.append(
                {
                    "substantiation": "; ".join(texts),
                    "strategies": "; ".join(strategies),
                    "kpi_name": kpi.name if kpi else "",
                    "target": target,
                    "due": due,
                    "actual": actual,
                    "attainment": att,
                    "status": rules.status(att, s.amber_threshold, w.status),
                    "sums": sums,
                    "rows": rows,
                    "end": end,
                }
            )

    def _budget(self, res: Results) -> None:
        s = self.plan.settings
        periods = s.periods()
        history = tp.history_periods(periods)
        months = [p.first for p in periods.items]
        for p in self.plan.people:
            cost, cap = [], []
            for period in periods.items:
                on = rules.active(p.start, p.end, period.first, period.last)
                fte = p.fte if on and rules.is_num(p.fte) else None
                monthly = p.monthly_cost if rules.is_num(p.monthly_cost) else None
                cost.append(
                    float(monthly * fte) if fte is not None and monthly is not None else 0.0
                )
                cap.append(float(fte * s.hours_per_month) if fte is not None else 0.0)
            res.people_cost.append(cost)
            res.people_capacity.append(cap)
        for items, counts, grid in (
            ([(m.start, m.end, m.amount) for m in self.plan.money], res.money_months,
             res.money_grid),
            ([(a.start, a.end, a.hours) for a in self.plan.actions], res.action_months,
             res.action_grid),
        ):  # fmt: skip
            for st, en, amount in items:
                n = spread.months_spanned(st, en, periods, history)
                counts.append(n)
                cells = [spread.spread(amount, n, st, en, p.first, p.last) for p in periods.items]
                grid.append(cells)
        for i, p in enumerate(self.plan.people):
            demand = []
            for mi in range(len(months)):
                demand.append(
                    float(
                        sum(
                            res.action_grid[a][mi]
                            for a, act in enumerate(self.plan.actions)
                            if act.owner.casefold() == p.name.casefold() and p.name != ""
                        )
                    )
                )
            res.people_demand.append(demand)
            res.people_over.append(
                float(
                    sum(
                        1
                        for d, c in zip(demand, res.people_capacity[i], strict=True)
                        if rules.xl_round(d) > rules.xl_round(c)
                    )
                )
            )

    def _pacing(self, res: Results) -> None:
        """Media money lines against spend per channel and period, and the reconciliation
        of the strategies' budgets with the money lines."""
        plan, s = self.plan, self.plan.settings
        periods = s.periods()
        channels = budget_pacing.pacing_channels(
            plan.channels, [m.channel for m in plan.money], [st.channel for st in plan.strategies]
        )
        known = {c.casefold() for c in channels}
        media = s.media_category.casefold()
        planned: dict[str, list[float]] = {}
        for line, grid in zip(plan.money, res.money_grid, strict=True):
            if line.category.casefold() != media:
                continue
            key = line.channel.casefold() if line.channel.casefold() in known else ""
            row = planned.setdefault(key, [0.0] * len(periods))
            for k, v in enumerate(grid):
                row[k] += v
        a = budget_pacing.as_of_period(res.as_of, periods)
        keys = [*(c.casefold() for c in channels), ""]
        n = len(periods)
        spend: dict[str, list[float]] = {}
        if res.as_of is not None and a >= 1:
            idx = np.searchsorted(periods.firsts(), self.days, side="right") - 1
            last = np.datetime64(min(res.as_of, periods.last))
            seen = (idx >= 0) & (idx < a) & (self.days <= last)
            rows, names = pd.factorize(self.channel_cf)
            where = {key: j for j, key in enumerate(keys[:-1])}
            code = np.array([where.get(x, len(keys) - 1) for x in names], dtype=np.int64)[rows]
            sums = np.bincount(
                (code * n + idx)[seen], weights=self.values["spend"][seen], minlength=len(keys) * n
            )
            spend = {key: sums[j * n : (j + 1) * n].tolist() for j, key in enumerate(keys)}
        res.pacing = budget_pacing.pace(
            channels,
            planned,
            spend,
            res.as_of,
            periods,
            cap=s.budget_cap,
            buffer=s.budget_buffer,
            committed=s.budget_committed,
            outlook_by=s.budget_outlook,
            forecasts=self._spend_forecasts(res, known),
        )
        res.pacing.reconciled.extend(
            budget_pacing.reconcile(
                channels,
                [(st.channel, st.budget) for st in plan.strategies],
                [(m.channel, m.amount) for m in plan.money],
            )
        )

    def _spend_forecasts(self, res: Results, channels: set[str]) -> dict[str, list[Any]]:
        """Per pacing channel (casefolded): the spend forecast still ahead per period, from
        the first KPI of that channel whose metric forecasts spend."""
        out: dict[str, list[Any]] = {}
        for kpi, fc in zip(self.plan.kpis, res.forecasts, strict=False):
            key = kpi.channel.casefold()
            if key not in channels or key in out:
                continue
            spend = next((m for m in fc.measures if m.measure == "spend"), None)
            if spend is not None and any(v is not None for v in spend.mean):
                out[key] = list(spend.mean)
        return out

    def _analysis(self, res: Results) -> None:
        """Sums by plan month, by channel (plan to date) and by channel × month: one pass each."""
        n_months = self.plan.settings.months
        month = period_index(self.days, self.periods)
        in_plan = month >= 0
        channels = [c.casefold() for c in self.plan.channels]
        # -1 for a Data channel the plan does not list
        code = pd.Index(channels).get_indexer(pd.Index(self.channel_cf)).astype(np.int64)
        known = code >= 0
        n_ch = len(channels)
        table = {m: self.values[m] for m in MEASURES}

        def binned(keys: np.ndarray, size: int, mask: np.ndarray) -> dict[str, np.ndarray]:
            return {
                m: np.bincount(keys[mask], weights=v[mask], minlength=size)
                for m, v in table.items()
            }

        whole = binned(month, n_months, in_plan)  # Budget_3M's actual spend: whole periods
        res.actual_spend = [float(x) for x in whole["spend"]]
        todate = self._mask(self.start, res.as_of) if res.as_of else np.zeros(len(self.days), bool)
        in_plan &= self._mask(None, res.as_of) if res.as_of else False  # one as-of date bounds all
        by_month = binned(month, n_months, in_plan)
        res.month_sums = [{m: float(by_month[m][i]) for m in MEASURES} for i in range(n_months)]
        if res.same_days:
            res.same_days_sums = self._sums(self._mask(*res.same_days))
        by_channel = binned(code, n_ch, todate & known)
        res.channel_sums = [{m: float(by_channel[m][c]) for m in MEASURES} for c in range(n_ch)]
        cross = binned(code * n_months + month, n_ch * n_months, in_plan & known)
        res.cross_sums = [
            [{m: float(cross[m][c * n_months + i]) for m in MEASURES} for i in range(n_months)]
            for c in range(n_ch)
        ]


@dataclass
class _Pace:
    path: tp.TargetPath
    method: str
    baseline: float | None
    history: list[float | None]
    seasonal_ok: bool
    target_to_date: float | None
    last_year: float | None


def _names_period(text: str, first: dt.date, last: dt.date, label: str) -> bool:
    """A typed period names this one: its label (any case), or a date inside it."""
    if rules.same_text(text.strip(), label):
        return True
    try:
        day = dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        return False
    return first <= day <= last


def labelled_periods(plan: Plan, texts: Any) -> Periods:
    """The plan's periods in its calendar, labelled in its language (``texts``: the pack)."""
    s = plan.settings
    return s.periods(month_names(texts, s.calendar), label_pattern(texts))


def objective_target(own: float | None, kpi_target: float | None) -> float | None:
    """An objective's target: the one typed on it, else the target of the KPI measuring it."""
    return own if rules.is_num(own) else kpi_target if rules.is_num(kpi_target) else None


def cited_ids(substantiation: str, ids: list[str]) -> set[str]:
    """SWOT ids cited in a comma-separated substantiation (case-insensitive, spaces ignored)."""
    wanted = {part.casefold() for part in substantiation.replace(" ", "").split(",")}
    return {i for i in ids if i != "" and i.casefold() in wanted}


def _direction(direction: str, w: Words) -> str:
    return "lower" if direction.casefold() == w.lower.casefold() else "higher"


def _gt(a: float | None, b: float) -> bool:
    return a is not None and a > b
