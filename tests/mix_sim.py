"""Daily Data simulated from known weekly response curves (for the budget-mix tests).

Each paid channel's weekly revenue is base + β·Hill(normalised adstock of spend) plus
multiplicative noise; spend varies from week to week, is switched off in some weeks, and
one channel (Affiliate) spends the same amount every week. Weekly totals are spread over
the week's days with random daily shares, so the weekly sums are exact.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from xlmplan.core.response import Curve, adstock


@dataclass(frozen=True)
class SimChannel:
    name: str
    curve: Curve
    level: float  # typical weekly spend
    spread: float  # log-normal sd of weekly spend
    off: float  # share of weeks with spend switched off
    recent: float = 1.0  # the last quarter's spend, relative to the level


# Different carry-over and saturation: Search near-linear and fast, Social an S-curve with
# long carry-over, Display saturated early, Video under-funded with slow carry-over.
TRUE_CHANNELS = (
    SimChannel("Paid Search", Curve(1500.0, 32000.0, 4000.0, 1.2, 0.2), 3000.0, 0.35, 0.08),
    SimChannel("Paid Social", Curve(400.0, 14000.0, 2500.0, 2.0, 0.5), 2200.0, 0.4, 0.1),
    SimChannel("Display", Curve(200.0, 4000.0, 800.0, 0.8, 0.1), 3200.0, 0.3, 0.1),
    SimChannel("Video", Curve(0.0, 20000.0, 3500.0, 1.5, 0.6), 1300.0, 0.45, 0.1),
)
CONSTANT = SimChannel("Affiliate", Curve(300.0, 6000.0, 1500.0, 1.0, 0.0), 1000.0, 0.0, 0.0)
ORGANIC_WEEKLY = 9000.0


def weekly_spend(ch: SimChannel, weeks: int, rng: np.random.Generator) -> np.ndarray:
    if ch.spread == 0:
        return np.full(weeks, ch.level)
    x = ch.level * np.exp(rng.normal(-(ch.spread**2) / 2, ch.spread, weeks))
    x[rng.random(weeks) < ch.off] = 0.0
    x[-13:] = np.where(x[-13:] > 0, x[-13:] * ch.recent, ch.level * ch.recent)
    return np.round(x, 2)


def simulate(
    seed: int = 7,
    weeks: int = 104,
    start: dt.date = dt.date(2025, 1, 6),
    noise: float = 0.08,
    channels: tuple[SimChannel, ...] = (*TRUE_CHANNELS, CONSTANT),
) -> pd.DataFrame:
    """Daily Data rows (date, channel, campaign, spend, revenue, conversions, ...)."""
    rng = np.random.default_rng(seed)
    days = pd.date_range(start, periods=weeks * 7, freq="D")
    frames = []
    for ch in channels:
        x = weekly_spend(ch, weeks, rng)
        y = ch.curve.base + ch.curve.beta * _hill(adstock(x, ch.curve.theta), ch.curve)
        y = np.maximum(y * (1 + rng.normal(0, noise, weeks)), 0.0)
        frames.append(_daily(ch.name, x, y, days, rng))
    organic = np.full(weeks, ORGANIC_WEEKLY) * (1 + rng.normal(0, noise, weeks))
    frames.append(_daily("Organic Search", np.zeros(weeks), organic, days, rng))
    data = pd.concat(frames, ignore_index=True)
    return data.sort_values(["date", "channel"], kind="stable").reset_index(drop=True)


def _hill(a: np.ndarray, c: Curve) -> np.ndarray:
    return a**c.alpha / (a**c.alpha + c.k**c.alpha)


def _daily(
    name: str, x: np.ndarray, y: np.ndarray, days: pd.DatetimeIndex, rng: np.random.Generator
) -> pd.DataFrame:
    shares = rng.dirichlet(np.full(7, 20.0), size=len(x))
    spend = (x[:, None] * shares).ravel()
    revenue = (y[:, None] * shares).ravel()
    return pd.DataFrame(
        {
            "date": days,
            "channel": name,
            "campaign": "All",
            "impressions": np.round(spend * 120),
            "clicks": np.round(spend * 1.5),
            "sessions": np.round(spend * 1.4 + 50),
            "conversions": np.round(revenue / 80, 2),
            "revenue": np.round(revenue, 2),
            "spend": np.round(spend, 2),
            "new_customers": np.round(revenue / 200, 2),
        }
    )
