"""Deterministic example data: a small online shop, edge cases and sized benchmark sets."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

import numpy as np
import pandas as pd

from xlmplan.core.data import DATA_COLUMNS, canonical_frame

CHANNELS = (
    "Organic Search",
    "Paid Search",
    "Paid Social",
    "Email",
    "Display",
    "Affiliate",
    "Direct",
)
ZERO_SPEND_CHANNELS = ("Organic Search", "Email", "Direct")


class _Campaign(NamedTuple):
    channel: str
    campaign: str
    impressions: float  # per day at the start
    ctr: float  # clicks / impressions
    landing: float  # sessions / clicks
    cvr: float  # conversions / sessions
    aov: float  # average order value
    cpc: float  # spend per click (0 = free channel)
    commission: float  # spend as share of revenue (affiliates)
    new_share: float  # new customers / conversions


_CAMPAIGNS = (
    _Campaign("Organic Search", "SEO", 42_000, 0.035, 0.95, 0.022, 74, 0, 0, 0.55),
    _Campaign("Paid Search", "Brand", 9_000, 0.09, 0.92, 0.05, 79, 0.38, 0, 0.25),
    _Campaign("Paid Search", "Generic", 55_000, 0.028, 0.9, 0.019, 71, 0.92, 0, 0.6),
    _Campaign("Paid Social", "Prospecting", 140_000, 0.009, 0.8, 0.01, 64, 0.68, 0, 0.75),
    _Campaign("Paid Social", "Retargeting", 38_000, 0.013, 0.85, 0.032, 76, 0.85, 0, 0.2),
    _Campaign("Email", "Newsletter", 24_000, 0.032, 0.97, 0.038, 83, 0, 0, 0.08),
    _Campaign("Display", "Awareness", 260_000, 0.0016, 0.75, 0.003, 68, 1.6, 0, 0.7),
    _Campaign("Affiliate", "Partners", 30_000, 0.012, 0.93, 0.03, 77, 0, 0.09, 0.5),
    _Campaign("Direct", "", 3_500, 1.0, 1.0, 0.04, 86, 0, 0, 0.3),
)
class _Flight(NamedTuple):
    """How a paid campaign's budget moves from week to week, and what that buys."""

    spread: float  # log-normal sd of the weekly budget level
    pauses: float  # share of weeks cut to a trickle (PAUSED of the usual level)
    half: float  # level (1 = usual) at which conversions per click have halved


# Paid campaigns run in flights, as a real shop's do: budgets raised for a push, cut or
# paused between, so each paid channel's weekly spend varies enough for a response curve;
# more spend in a week buys less per click (saturation). Brand search and affiliates
# (paid by commission) keep their steady level.
_FLIGHTS = {
    "Generic": _Flight(0.3, 0.04, 1.0),
    "Prospecting": _Flight(0.4, 0.08, 1.0),
    "Retargeting": _Flight(0.25, 0.0, 0.6),
    "Awareness": _Flight(0.35, 0.12, 1.5),
}
PAUSED = 0.15
_WEEKDAY = np.array([1.06, 1.08, 1.04, 1.0, 0.95, 0.88, 0.92])  # Monday first
_ANNUAL_GROWTH = 0.15


def _days(start: date, months: int) -> pd.DatetimeIndex:
    first = pd.Timestamp(start)
    return pd.date_range(first, first + pd.DateOffset(months=months), inclusive="left")


def _levels(dates: np.ndarray, camp: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row the campaign's budget level that week (1 = usual) and the factor on its
    conversions per click (saturation), from a generator of their own: the unpaid
    campaigns' numbers do not depend on the flights."""
    rng = np.random.default_rng([seed, 2])
    # a flight calendar by week of the year (ISO weeks, Monday to Sunday), the same every
    # year as a shop's campaign calendar is: the pushes recur, so a seasonal forecast can
    # learn them
    weeks = pd.DatetimeIndex(dates).isocalendar().week.to_numpy().astype(np.int64) - 1
    n_weeks = 53
    level = np.ones(len(camp))
    factor = np.ones(len(camp))
    for i, c in enumerate(_CAMPAIGNS):
        flight = _FLIGHTS.get(c.campaign)
        if flight is None:
            continue
        week_level = np.exp(rng.normal(-(flight.spread**2) / 2, flight.spread, n_weeks))
        week_level[rng.random(n_weeks) < flight.pauses] = PAUSED
        rows = camp == i
        level[rows] = week_level[weeks[rows]]
        factor[rows] = (1 + flight.half) / (level[rows] + flight.half)
    return level, factor


def _simulate(
    dates: np.ndarray, camp: np.ndarray, rng: np.random.Generator, scale: float = 1.0, seed: int = 0
) -> dict[str, np.ndarray]:
    """Funnel measures for rows (dates[i], _CAMPAIGNS[camp[i]]), all vectorised."""
    p = {f: np.array([getattr(c, f) for c in _CAMPAIGNS], dtype=float)[camp] for f in _FIELDS}
    stamps = pd.DatetimeIndex(dates)
    years = (dates - dates.min()) / np.timedelta64(365, "D")
    season = 1 + 0.08 * np.cos(2 * np.pi * (stamps.day_of_year.to_numpy() - 340) / 365)
    demand = scale * (1 + _ANNUAL_GROWTH * years) * _WEEKDAY[stamps.day_of_week] * season
    level, saturation = _levels(dates, camp, seed)
    noise = rng.lognormal(0, 0.12, len(camp))
    impressions = rng.poisson(p["impressions"] * demand * noise * level).astype(float)
    clicks = rng.binomial(impressions.astype(np.int64), p["ctr"]).astype(float)
    sessions = rng.binomial(clicks.astype(np.int64), p["landing"]).astype(float)
    cvr = np.minimum(p["cvr"] * saturation, 1.0)
    conversions = rng.binomial(sessions.astype(np.int64), cvr).astype(float)
    revenue = np.round(conversions * p["aov"] * rng.lognormal(0, 0.12, len(camp)), 2)
    cost = clicks * p["cpc"] * rng.lognormal(0, 0.08, len(camp))
    spend = np.round(cost + revenue * p["commission"], 2)
    new = rng.binomial(conversions.astype(np.int64), p["new_share"]).astype(float)
    return {
        "impressions": impressions,
        "clicks": clicks,
        "sessions": sessions,
        "conversions": conversions,
        "revenue": revenue,
        "spend": spend,
        "new_customers": new,
    }


_FIELDS = ("impressions", "ctr", "landing", "cvr", "aov", "cpc", "commission", "new_share")


def _frame(dates: np.ndarray, camp: np.ndarray, measures: dict[str, np.ndarray]) -> pd.DataFrame:
    channels = np.array([c.channel for c in _CAMPAIGNS], dtype=object)
    names = np.array([c.campaign for c in _CAMPAIGNS], dtype=object)
    df = pd.DataFrame({"date": dates, "channel": channels[camp], "campaign": names[camp]})
    for key, values in measures.items():
        df[key] = values
    return df[list(DATA_COLUMNS)]


def example_data(start: date = date(2026, 1, 1), months: int = 12, seed: int = 7) -> pd.DataFrame:
    """A year of a growing online shop: one row per day per campaign (9 campaigns, 7 channels).

    Organic Search, Email and Direct cost nothing; Display converts rarely. Generic search,
    the social campaigns and Display run in flights (budgets that move week to week, some
    weeks cut to a trickle) with diminishing returns, so their response curves can be
    fitted; brand search and affiliates spend steadily.
    """
    rng = np.random.default_rng(seed)
    days = _days(start, months).to_numpy(dtype="datetime64[ns]")
    dates = np.repeat(days, len(_CAMPAIGNS))
    camp = np.tile(np.arange(len(_CAMPAIGNS)), len(days))
    measures = _simulate(dates, camp, rng, seed=seed)
    return canonical_frame(_frame(dates, camp, measures), "example data")


def edge_case_data(start: date = date(2026, 1, 1), months: int = 6, seed: int = 11) -> pd.DataFrame:
    """Example data with the awkward bits: exactly two zero-spend channels (Organic Search,
    Direct — Email pays a small platform fee here), no rows at all in the 3rd month, and
    Display with zero conversions, revenue and new customers everywhere."""
    df = example_data(start, months, seed)
    third = pd.Timestamp(start) + pd.DateOffset(months=2)
    in_third = (df["date"] >= third) & (df["date"] < third + pd.DateOffset(months=1))
    df = df.loc[~in_third].reset_index(drop=True)
    email = df["channel"] == "Email"
    df.loc[email, "spend"] = 15.0
    display = df["channel"] == "Display"
    df.loc[display, ["conversions", "revenue", "new_customers"]] = 0.0
    return canonical_frame(df, "edge-case data")


def sized_data(
    n_rows: int, start: date = date(2026, 1, 1), months: int = 12, seed: int = 3
) -> pd.DataFrame:
    """Exactly `n_rows` rows spread evenly over the days and campaigns (for benchmarks).

    When there are more rows than day x campaign slots, campaigns get numbered
    variants ('Generic #2') so keys stay unique and volumes are split between them.
    """
    if n_rows < 1:
        raise ValueError("n_rows must be at least 1")
    rng = np.random.default_rng(seed)
    days = _days(start, months).to_numpy(dtype="datetime64[ns]")
    n_camp = len(_CAMPAIGNS)
    idx = np.arange(n_rows, dtype=np.int64)
    day = idx * len(days) // n_rows
    first_of_day = -(-day * n_rows // len(days))  # ceil: first row index of each day
    slot = idx - first_of_day
    camp = idx % n_camp  # rotates channels even with fewer rows than campaigns per day
    variant = slot // n_camp
    per_day = -(-n_rows // len(days))
    variants = max(1, -(-per_day // n_camp))
    dates = days[day]
    df = _frame(dates, camp, _simulate(dates, camp, rng, scale=1 / variants, seed=seed))
    if variants > 1:
        labels = [
            f"{c.campaign or c.channel} #{v + 1}" if v else c.campaign
            for c in _CAMPAIGNS
            for v in range(variants)
        ]
        df["campaign"] = np.array(labels, dtype=object)[camp * variants + variant]
    return canonical_frame(df, "sized data")
