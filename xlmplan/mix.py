"""Budget mix: response curves from a plan's Data and the split of a future budget.

The plan is opened with the refresh's reader (``refresh.analyse``), its Data summed by
channel and week, each paid channel's curve fitted (``core/response.py``) and the budget
allocated (``core/allocator.py``). ``write_split`` puts the recommended weekly split into
the Budget mix sheet's proposed column through a refresh.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from xlmplan.core.allocator import (
    EXTRAPOLATION,
    Allocation,
    Channel,
    allocate,
    fixed_spend,
    least_spend,
    predict,
)
from xlmplan.core.model import add_months
from xlmplan.core.response import RESPONSE_METRICS, Fit, ResponseMetric, weekly
from xlmplan.errors import XlmplanError
from xlmplan.sheets.budget_mix import fits_for

DEFAULT_MONTHS = 3  # the period when the plan has no months left
DAYS_PER_WEEK = 7.0

NOT_EXPERIMENTS = (
    "These curves come from each channel's own reported results in Data, which are not "
    "experiments: they show how spend and results moved together, not what the spend "
    "caused (a season, a promotion or the platform's own attribution can move both). "
    "Treat the split as a direction to test — move part of the budget, compare, refit — "
    "not as a promise."
)


@dataclass(frozen=True)
class Bound:
    """One --bounds item: weekly amounts already divided out by the caller."""

    channel: str
    low: float | None
    high: float | None
    locked: bool
    text: str  # as typed, for messages


_BOUND = re.compile(r"^\s*(?P<name>[^=]+?)\s*=\s*(?P<rest>.*?)\s*$")


def parse_bounds(items: Sequence[str]) -> list[Bound]:
    """'Channel=min:max' (either side may be empty), 'Channel=amount' (fixed) or
    'Channel=locked' (held at current spend); amounts are totals over the period."""
    out = []
    for text in items:
        match = _BOUND.match(text)
        if not match:
            raise XlmplanError(
                f"--bounds {text!r}: write it as 'Channel=min:max', 'Channel=amount' or "
                "'Channel=locked' (amounts are totals over the period)"
            )
        name, rest = match["name"], match["rest"]
        if rest.lower() in ("locked", "lock"):
            out.append(Bound(name, None, None, True, text))
            continue
        low_text, _, high_text = rest.partition(":") if ":" in rest else (rest, "", rest)
        low, high = _amount(low_text, text), _amount(high_text, text)
        if low is not None and high is not None and low > high:
            raise XlmplanError(
                f"--bounds {text!r}: the minimum {low:,.0f} is above the maximum {high:,.0f} — "
                f"write it as '{name}={high:g}:{low:g}'"
            )
        out.append(Bound(name, low, high, False, text))
    return out


def _amount(text: str, item: str) -> float | None:
    text = text.strip().replace(",", "")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise XlmplanError(
            f"--bounds {item!r}: {text!r} is not an amount — use digits, e.g. 'Display=0:5000'"
        ) from None
    if not math.isfinite(value) or value < 0:
        raise XlmplanError(f"--bounds {item!r}: amounts cannot be negative — use 0 or more")
    return value


@dataclass(frozen=True)
class ChannelMix:
    """One channel's curve, current and recommended weekly spend and predictions."""

    fit: Fit
    channel: Channel  # as the allocator saw it
    recommended: float
    predicted_current: float
    predicted_recommended: float
    band_current: tuple[float, float] | None
    band_recommended: tuple[float, float] | None


@dataclass(frozen=True)
class Target:
    amount: float  # over the period
    reachable: bool
    budget: float  # the least budget over the period (or the largest tried when unreachable)
    response: float  # what that budget buys over the period
    spend: dict[str, float]  # weekly split at that budget


@dataclass
class MixResult:
    path: Path
    metric: ResponseMetric
    currency: str
    as_of: dt.date
    period: tuple[dt.date, dt.date]
    weeks: float
    budget: float  # over the period
    channels: list[ChannelMix]
    current: Allocation
    recommended: Allocation
    band_current: tuple[float, float]  # over the period
    band_recommended: tuple[float, float]
    target: Target | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def uplift(self) -> float:
        """Predicted change over the period from the current split to the recommended one."""
        return (self.recommended.total_response - self.current.total_response) * self.weeks

    def explanation(self) -> list[str]:
        """Plain sentences for a marketer: what was done, what is held, how sure it is."""
        unit = "revenue" if self.metric == "revenue" else self.metric.replace("_", " ")
        fitted = [c for c in self.channels if c.fit.estimable]
        held = [c for c in self.channels if not c.fit.estimable and c.fit.max_weekly_spend > 0]
        period = f"{self.weeks:.1f} weeks ({self.period[0]} to {self.period[1]})"
        lines = [
            f"Weekly {unit} was fitted against weekly spend for {len(fitted)} paid channel(s), "
            "with carry-over (spend keeps working in later weeks) and saturation (each extra "
            "unit buys less). The recommended split maximises the predicted "
            f"{unit} for a budget of {self.budget:,.0f} over {period}."
            if fitted
            else f"No paid channel could be fitted, so the budget of {self.budget:,.0f} over "
            f"{period} stays split as it is now."
        ]
        if held:
            lines.append(
                "Held at current spend (cannot estimate): "
                + "; ".join(f"{c.fit.channel} — {c.fit.reason}" for c in held)
                + "."
            )
        lo, hi = self.band_recommended
        lines.append(
            f"Predicted {unit}: {self.current.total_response * self.weeks:,.0f} at the current "
            f"split, {self.recommended.total_response * self.weeks:,.0f} at the recommended one "
            f"(80 % band {lo:,.0f} to {hi:,.0f}), a change of {self.uplift:+,.0f}."
        )
        level = self._common_return()
        if level is not None:
            lines.append(
                f"At the recommended split one more unit of weekly spend returns about "
                f"{level:,.2f} in {unit} in every channel not held at a bound: moving budget "
                "between them would not raise the total."
            )
        lines.append(NOT_EXPERIMENTS)
        return lines

    def summary(self) -> list[str]:
        """Short lines for a message box: each paid channel's current and recommended
        weekly spend, the predicted change, and how sure it is."""
        lines = [
            f"• {c.fit.channel}: {c.channel.current:,.0f} → {c.recommended:,.0f} a week"
            + ("" if c.fit.estimable else f" (held: {c.fit.reason})")
            for c in self.channels
            if c.fit.max_weekly_spend > 0
        ]
        explained = self.explanation()
        return [*lines, *explained[1:-1], *self.warnings, explained[-1]]

    def _common_return(self) -> float | None:
        """The marginal return the adjustable channels share at the recommended split."""
        values = [
            m
            for c in self.channels
            if not c.channel.held
            and c.channel.low < c.recommended * (1 - 1e-6)
            and c.recommended < c.channel.high * (1 - 1e-6)
            and (m := self.recommended.marginal.get(c.fit.channel)) is not None
        ]
        return float(np.mean(values)) if values else None

    def as_json(self) -> dict[str, Any]:
        def band(b: tuple[float, float] | None, scale: float = 1.0) -> list[float] | None:
            return None if b is None else [b[0] * scale, b[1] * scale]

        current_total = self.current.total_response * self.weeks
        return {
            "file": str(self.path),
            "metric": self.metric,
            "currency": self.currency,
            "as_of": self.as_of.isoformat(),
            "period": {
                "start": self.period[0].isoformat(),
                "end": self.period[1].isoformat(),
                "weeks": self.weeks,
            },
            "budget": self.budget,
            "weekly_budget": self.budget / self.weeks,
            "channels": [
                {
                    "channel": c.fit.channel,
                    "estimable": c.fit.estimable,
                    "reason": c.fit.reason,
                    "locked": c.channel.locked,
                    "current_weekly_spend": c.channel.current,
                    "recommended_weekly_spend": c.recommended,
                    "min_weekly_spend": c.channel.low,
                    "max_weekly_spend": None if math.isinf(c.channel.high) else c.channel.high,
                    "highest_weekly_spend_seen": c.fit.max_weekly_spend,
                    "predicted_weekly_response": {
                        "current": c.predicted_current,
                        "recommended": c.predicted_recommended,
                    },
                    "band": {
                        "current": band(c.band_current),
                        "recommended": band(c.band_recommended),
                    },
                    "marginal_return": {
                        "current": self.current.marginal.get(c.fit.channel),
                        "recommended": self.recommended.marginal.get(c.fit.channel),
                    },
                    "curve": None if c.fit.curve is None else c.fit.curve.as_dict(),
                    "fit": {
                        "weeks": c.fit.weeks,
                        "r2": c.fit.r2,
                        "mape": c.fit.mape,
                        "spend_cv": c.fit.cv,
                    },
                }
                for c in self.channels
            ],
            "predicted_response": {
                "current": current_total,
                "recommended": self.recommended.total_response * self.weeks,
                "current_band": list(self.band_current),
                "recommended_band": list(self.band_recommended),
            },
            "uplift": {
                "absolute": self.uplift,
                "relative": self.uplift / current_total if current_total else None,
            },
            "optimality": {
                "marginal_return_spread": self.recommended.kkt_spread,
                "equal_marginal_returns": self.recommended.kkt_ok,
            },
            "target": None
            if self.target is None
            else {
                "amount": self.target.amount,
                "reachable": self.target.reachable,
                "least_budget": self.target.budget if self.target.reachable else None,
                "most_reachable": None if self.target.reachable else self.target.response,
                "weekly_spend": self.target.spend,
            },
            "warnings": self.warnings,
            "explanation": self.explanation(),
        }


def allocate_plan(
    path: Path,
    budget: float | None = None,
    months: int | None = None,
    bounds: Sequence[str] = (),
    target: float | None = None,
    metric: str = "revenue",
) -> MixResult:
    """Fit the plan's channels and split ``budget`` (a total over the period; default: the
    current weekly spend over the period) over the next ``months`` (default: the plan's
    remaining months)."""
    from xlmplan.refresh import analyse

    path = Path(path)
    if metric not in RESPONSE_METRICS:
        raise XlmplanError(f"--metric {metric!r}: choose one of {', '.join(RESPONSE_METRICS)}")
    if budget is not None and (not math.isfinite(budget) or budget < 0):
        raise XlmplanError(
            f"--budget {budget:g}: a budget cannot be negative — give the total to spend "
            "over the period, e.g. --budget 120000"
        )
    if months is not None and months < 1:
        raise XlmplanError(f"--period {months}: give the number of months ahead, 1 or more")
    if target is not None and (not math.isfinite(target) or target <= 0):
        raise XlmplanError(f"--target {target:g}: give a positive amount over the period")
    parsed = parse_bounds(bounds)
    an = analyse(path, forecasts=False)  # reads Data and settings: no model to fit
    try:
        data, settings = an.data, an.plan.settings
    finally:
        an.pf.close()
    if data.empty or data["date"].isna().all():
        raise XlmplanError(f"{path}: the Data sheet has no rows — import or paste data first")
    as_of = data["date"].max().date()
    start = as_of + dt.timedelta(days=1)
    if months is None:
        end = settings.end if settings.end >= start else _months_after(start, DEFAULT_MONTHS)
    else:
        end = _months_after(start, months)
    weeks = ((end - start).days + 1) / DAYS_PER_WEEK

    chosen: ResponseMetric = metric  # type: ignore[assignment]
    series = weekly(data, chosen)
    user = _match_bounds(path, parsed, series.spend)
    fits = fits_for(data, chosen)  # the refresh's reader fitted these already
    for fit in fits:
        bound = user.get(fit.channel)
        if bound is not None and not bound.locked and not fit.estimable:
            raise XlmplanError(
                f"{path.name}: --bounds {bound.text!r}: {fit.channel} keeps its current "
                f"spend because it has no curve: {fit.reason} — leave it out of --bounds"
            )
    channels = [_channel(f, user.get(f.channel), weeks) for f in fits]
    weekly_budget = sum(ch.current for ch in channels) if budget is None else budget / weeks
    total = weekly_budget * weeks
    floor = fixed_spend(channels)
    if weekly_budget < floor - 1e-9 * max(floor, 1.0):
        what = "the current spend" if budget is None else "--budget"
        raise XlmplanError(
            f"{what} ({total:,.0f} over the period) is below the {floor * weeks:,.0f} that "
            "locked and held channels (at current spend) and the minimums in --bounds take — "
            "raise the budget or lower the minimums"
        )
    channels, notes = _fit_caps(channels, user, weekly_budget, total, weeks)
    current = predict(channels, {ch.name: ch.current for ch in channels})
    recommended = allocate(channels, weekly_budget)
    result = MixResult(
        path,
        chosen,
        settings.currency,
        as_of,
        (start, end),
        weeks,
        total,
        [],
        current,
        recommended,
        _total_band(fits, channels, current.spend, weeks),
        _total_band(fits, channels, recommended.spend, weeks),
        warnings=notes + recommended.warnings,
    )
    result.channels = [
        ChannelMix(
            fit,
            ch,
            recommended.spend[ch.name],
            current.response[ch.name],
            recommended.response[ch.name],
            fit.band(ch.current) if fit.estimable else None,
            fit.band(recommended.spend[ch.name]) if fit.estimable else None,
        )
        for fit, ch in zip(fits, channels, strict=True)
    ]
    if not recommended.kkt_ok:
        result.warnings.append(
            "the optimiser's split does not equalise the channels' marginal returns "
            f"(spread {recommended.kkt_spread:.1%}); treat it as approximate"
        )
    if target is not None:
        inverse = least_spend(channels, target / weeks)
        found = inverse.allocation
        result.target = Target(
            target,
            inverse.reachable,
            found.total_spend * weeks,
            found.total_response * weeks,
            found.spend,
        )
    return result


def write_split(result: MixResult) -> Path | None:
    """Write the recommended weekly split into the plan's Budget mix (its proposed column),
    refreshing the plan with it; returns the backup copy's path (None: nothing changed)."""
    from xlmplan.refresh import refresh_plan

    spend = {c.fit.channel: c.recommended for c in result.channels}
    return refresh_plan(result.path, proposed=spend).backup


def _match_bounds(path: Path, parsed: list[Bound], spend: pd.DataFrame) -> dict[str, Bound]:
    """Each --bounds item by the channel it names (letter case ignored); only channels
    with spend in Data can be bounded."""
    with_spend = [str(c) for c in spend.columns if spend[c].sum() > 0]
    by_name = {c.casefold(): c for c in with_spend}
    user: dict[str, Bound] = {}
    for b in parsed:
        name = by_name.get(b.channel.strip().casefold())
        if name is None:
            raise XlmplanError(
                f"{path.name}: --bounds {b.text!r} names no channel with spend in Data — "
                f"channels with spend: {', '.join(with_spend) or 'none'}"
            )
        user[name] = b
    return user


def _months_after(start: dt.date, months: int) -> dt.date:
    """The day before the same day ``months`` later (month ends kept)."""
    first = add_months(start, months)
    last_day = (add_months(start, months + 1) - dt.timedelta(days=1)).day
    return dt.date(first.year, first.month, min(start.day, last_day)) - dt.timedelta(days=1)


def _channel(fit: Fit, bound: Bound | None, weeks: float) -> Channel:
    """The allocator's view: user bounds (totals over the period) as weekly amounts, and
    without a maximum 1.5 × the highest weekly spend seen."""
    low = (bound.low or 0.0) / weeks if bound and bound.low is not None else 0.0
    if bound and bound.high is not None:
        high = bound.high / weeks
    else:
        high = max(EXTRAPOLATION * fit.max_weekly_spend, low)
    return Channel(
        fit.channel,
        fit.curve,
        fit.current_weekly_spend,
        fit.current_weekly_response,
        fit.max_weekly_spend,
        low,
        high,
        bool(bound and bound.locked),
        tuple(fit.boot),
    )


def _fit_caps(
    channels: list[Channel],
    user: dict[str, Bound],
    weekly_budget: float,
    total: float,
    weeks: float,
) -> tuple[list[Channel], list[str]]:
    """Raise the default maximums (1.5 × the highest spend seen) evenly when the budget
    needs more than they allow; refuse when the user's own maximums are too small."""
    held = sum(ch.current for ch in channels if ch.held)
    free = [ch for ch in channels if not ch.held]
    room = sum(ch.high for ch in free)
    if weekly_budget - held <= room * (1 + 1e-9):
        return channels, []
    if not free:
        raise XlmplanError(
            f"--budget {total:,.0f}: no channel has a curve to take a different budget "
            f"(see the reasons without --budget); the current rate is {held * weeks:,.0f} "
            "over the period — leave out --budget"
        )
    default = [ch for ch in free if ch.name not in user or user[ch.name].high is None]
    fixed_room = room - sum(ch.high for ch in default)
    need = weekly_budget - held - fixed_room
    base = sum(ch.max_seen for ch in default)
    if not default or base <= 0:
        raise XlmplanError(
            f"--budget {total:,.0f} is above what the channels may take over the period "
            f"({(held + room) * weeks:,.0f} with the maximums in --bounds and the held "
            "channels) — lower the budget or raise the maximums"
        )
    factor = need / base
    raised = [
        replace(ch, high=max(factor * ch.max_seen, ch.low)) if ch in default else ch
        for ch in channels
    ]
    note = (
        f"the budget needs more than {EXTRAPOLATION:g} × each channel's highest weekly spend "
        f"seen; the maximums were raised to {factor:.2f} × it, beyond what the data shows"
    )
    return raised, [note]


def _total_band(
    fits: list[Fit], channels: list[Channel], spend: dict[str, float], weeks: float
) -> tuple[float, float]:
    """80 % band of the whole split's predicted response over the period: bootstrap curve
    b of every channel together, held channels at their current response."""
    held = sum(ch.current_response for ch in channels if ch.curve is None)
    draws = [f for f in fits if f.estimable and f.boot]
    if not draws:
        value = (held + sum(ch.response(spend[ch.name]) for ch in channels if ch.curve)) * weeks
        return value, value
    n = min(len(f.boot) for f in draws)
    totals = np.full(n, held)
    for f in draws:
        totals += np.array([c.response(spend[f.channel]) for c in f.boot[:n]])
    lo, hi = np.percentile(totals * weeks, (10.0, 90.0))
    return float(lo), float(hi)
