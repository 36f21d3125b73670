"""Response curves per paid channel: weekly series, carry-over, saturation, fit and verdict.

The model, per channel and week t, with weekly spend x_t and response y_t (revenue,
conversions or new customers as the channel reports them):

    a_t = (1 - θ)·x_t + θ·a_(t-1)              geometric adstock, normalised
    y_t = base + β·a_t^α / (a_t^α + K^α)       Hill saturation

The adstock is normalised by (1 - θ): its weights sum to one, so a steady weekly spend x
adstocks to x itself (the plain adstock's x / (1 - θ), times 1 - θ). The steady-state
weekly response to a weekly spend x is then R(x) = base + β·x^α / (x^α + K^α): no θ in
it, K is the weekly spend that buys half of β, and the workbook formula needs four
parameters. θ only says how fast a change of spend shows in the results.

Every rule the workbook shows is a pair, as in ``rules.py``: the Python function and its
``*_xl`` formula twin over cell references (response, marginal return, ROAS at a spend).
scipy is imported inside the fitting functions only, so the twins cost nothing to import.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from xlmplan.core.rules import is_num

ResponseMetric = Literal["revenue", "conversions", "new_customers"]
RESPONSE_METRICS: tuple[ResponseMetric, ...] = ("revenue", "conversions", "new_customers")

MIN_WEEKS = 26  # weeks since a channel's first spend before a curve is fitted
MIN_SPEND_WEEKS = 8  # weeks with spend among them
MIN_CV = 0.10  # coefficient of variation of weekly spend below which it "barely varied"
MIN_R2 = 0.2  # share of the week-to-week variation the curve must explain
MIN_RATIO_CV = 0.02  # results per unit of spend steadier than this: spend is a commission
MAX_BAND = 1.0  # widest 80 % band at current spend, relative to the prediction
CURRENT_WEEKS = 13  # "current" spend and response: the mean of the last quarter
STARTS = 3  # least-squares fits per channel, from the best points of a grid
BOOTSTRAP = 40  # bootstrap refits per channel
BLOCK = 4  # weeks per block of residuals (keeps their autocorrelation)
SEED = 2026
BAND = (10.0, 90.0)  # percentiles of the 80 % band
# A weak prior on the shape: log α ~ Normal(0, SHAPE_PRIOR²), weighed against the fit's own
# noise. Weeks at low spend are few (spend switched off, with carry-over from the week
# before), so the data often cannot tell an S-curve from one that falls from the first
# unit; least squares alone then picks an extreme shape by chance (simulations: Display,
# truly α = 0.8, fitted α = 3 with a high base in 1 seed of 5, and cut to zero spend).
SHAPE_PRIOR = 0.5

# Bounds of the parameters in scaled units (spend / highest weekly spend, response /
# highest weekly response): base, β, K, α, θ. K at most the highest weekly spend seen:
# the curve must bend within the data, so beyond it the prediction errs on the low side
# instead of extrapolating a straight line (simulations: a larger K bound lost more of
# the optimum's gain).
_LOWER = np.array([0.0, 0.0, 0.05, 0.5, 0.0])
_UPPER = np.array([1.0, 50.0, 1.0, 3.0, 0.8])


# --- the curve's rules, each a Python function and its formula twin -----------------------


def hill(x: Any, k: float, alpha: float) -> Any:
    """x^α / (x^α + K^α) for non-negative x (numbers or arrays)."""
    xa = np.power(x, alpha)
    return xa / (xa + k**alpha)


def _params_ok(x: Any, *params: Any) -> bool:
    return all(is_num(v) for v in (x, *params))


def curve_response(spend: Any, base: Any, beta: Any, k: Any, alpha: Any) -> float | None:
    """Steady-state weekly response at weekly spend x: base + β·x^α / (x^α + K^α)."""
    if not _params_ok(spend, base, beta, k, alpha) or spend < 0 or k <= 0 or alpha <= 0:
        return None
    return float(base + beta * spend**alpha / (spend**alpha + k**alpha))


def _all_numbers(*refs: str) -> str:
    return "AND(" + ",".join(f"ISNUMBER({r})" for r in refs) + ")"


def curve_response_xl(spend: str, base: str, beta: str, k: str, alpha: str) -> str:
    x, a = spend, alpha
    return (
        f'IF({_all_numbers(x, base, beta, k, a)},IF(OR({x}<0,{k}<=0,{a}<=0),"",'
        f'{base}+{beta}*{x}^{a}/({x}^{a}+{k}^{a})),"")'
    )


def marginal_return(spend: Any, base: Any, beta: Any, k: Any, alpha: Any) -> float | None:
    """The curve's slope at x: response per next unit of weekly spend,
    β·α·K^α·x^(α-1) / (x^α + K^α)². At x = 0: 0 when α > 1, β/K when α = 1, blank below."""
    if not _params_ok(spend, base, beta, k, alpha) or spend < 0 or k <= 0 or alpha <= 0:
        return None
    if spend == 0:
        return 0.0 if alpha > 1 else float(beta / k) if alpha == 1 else None
    return float(beta * alpha * k**alpha * spend ** (alpha - 1) / (spend**alpha + k**alpha) ** 2)


def marginal_return_xl(spend: str, base: str, beta: str, k: str, alpha: str) -> str:
    x, a = spend, alpha
    return (
        f'IF({_all_numbers(x, base, beta, k, a)},IF(OR({x}<0,{k}<=0,{a}<=0),"",'
        f'IF({x}=0,IF({a}>1,0,IF({a}=1,{beta}/{k},"")),'
        f'{beta}*{a}*{k}^{a}*{x}^({a}-1)/({x}^{a}+{k}^{a})^2)),"")'
    )


def roas_at(spend: Any, base: Any, beta: Any, k: Any, alpha: Any) -> float | None:
    """Predicted response per unit of spend at weekly spend x (blank at 0)."""
    response = curve_response(spend, base, beta, k, alpha)
    return None if response is None or spend == 0 else response / spend


def roas_at_xl(spend: str, base: str, beta: str, k: str, alpha: str) -> str:
    x, a = spend, alpha
    return (
        f'IF({_all_numbers(x, base, beta, k, a)},IF(OR({x}<=0,{k}<=0,{a}<=0),"",'
        f'({base}+{beta}*{x}^{a}/({x}^{a}+{k}^{a}))/{x}),"")'
    )


@dataclass(frozen=True)
class Curve:
    """A fitted channel curve in the data's own units (weekly spend, weekly response)."""

    base: float  # weekly response without this channel's spend
    beta: float  # the most the spend adds per week
    k: float  # weekly spend that buys half of β
    alpha: float  # shape: above 1 an S-curve, at or below 1 diminishing from the first unit
    theta: float  # carry-over: the share of a week's effect that lasts into the next

    def response(self, x: Any) -> Any:
        """Steady-state weekly response (numbers or arrays); ``curve_response`` vectorised."""
        return self.base + self.beta * hill(np.maximum(x, 0.0), self.k, self.alpha)

    def marginal(self, x: Any) -> Any:
        """The slope of ``response``; ``marginal_return`` vectorised (x > 0)."""
        x = np.maximum(x, 1e-12 * self.k)
        xa, ka = np.power(x, self.alpha), self.k**self.alpha
        return self.beta * self.alpha * ka * xa / x / (xa + ka) ** 2

    def as_dict(self) -> dict[str, float]:
        return {
            "base": self.base,
            "beta": self.beta,
            "half_saturation": self.k,
            "shape": self.alpha,
            "carryover": self.theta,
        }


# --- weekly series ------------------------------------------------------------------------


@dataclass(frozen=True)
class Weekly:
    """Full Monday-to-Sunday weeks of spend and response per channel."""

    weeks: pd.DatetimeIndex  # each week's Monday
    spend: pd.DataFrame  # weeks × channels
    response: pd.DataFrame  # weeks × channels


def weekly(data: pd.DataFrame, metric: ResponseMetric = "revenue") -> Weekly:
    """Sum Data by channel and full week (Monday to Sunday); weeks cut by the first or last
    Data date are left out, weeks with no rows of a channel count as zero."""
    if metric not in RESPONSE_METRICS:
        raise ValueError(f"unknown response metric {metric!r}")
    dates = pd.to_datetime(data["date"]).dt.normalize()
    channels = sorted({str(c) for c in data["channel"].dropna().unique()})
    empty = pd.DataFrame(columns=channels, dtype=float)
    if dates.empty or dates.isna().all():
        return Weekly(pd.DatetimeIndex([]), empty, empty)
    first, last = dates.min(), dates.max()
    start = first + pd.Timedelta(days=(7 - first.weekday()) % 7)
    end = last - pd.Timedelta(days=(last.weekday() + 1) % 7)  # the last full week's Sunday
    weeks = pd.date_range(start, end - pd.Timedelta(days=6), freq="7D")
    if len(weeks) == 0:
        return Weekly(weeks, empty, empty)
    monday = dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")
    frame = pd.DataFrame(
        {
            "week": monday,
            "channel": data["channel"].astype(str),
            "spend": pd.to_numeric(data["spend"], errors="coerce").fillna(0.0),
            "response": pd.to_numeric(data[metric], errors="coerce").fillna(0.0),
        }
    )
    frame = frame[(frame["week"] >= weeks[0]) & (frame["week"] <= weeks[-1])]
    sums = frame.groupby(["week", "channel"])[["spend", "response"]].sum()

    def grid(column: str) -> pd.DataFrame:
        table = sums[column].unstack("channel")
        return table.reindex(index=weeks, columns=channels).fillna(0.0).astype(float)

    return Weekly(weeks, grid("spend"), grid("response"))


# --- the fit ------------------------------------------------------------------------------


def adstock(x: np.ndarray, theta: float) -> np.ndarray:
    """Normalised geometric adstock, starting as if the first week's spend had run before.

    A plain loop: a year or two of weeks takes microseconds, and it keeps scipy.signal
    (a second of import time) out of the run."""
    if len(x) == 0:
        return np.asarray(x, dtype=float)
    keep, carry = 1.0 - theta, float(theta)
    level = float(x[0])
    out = []
    for value in x.tolist():
        level = keep * value + carry * level
        out.append(level)
    return np.array(out)


def _adstock_slope(x: np.ndarray, theta: float) -> np.ndarray:
    """d adstock / d θ, by the same recursion."""
    keep, carry = 1.0 - theta, float(theta)
    level = slope = 0.0
    first = True
    out = []
    for value in x.tolist():
        if first:
            level, first = float(value), False
        slope = level - value + carry * slope
        level = keep * value + carry * level
        out.append(slope)
    return np.array(out)


def _model(p: np.ndarray, x: np.ndarray) -> np.ndarray:
    base, beta, k, alpha, theta = p
    return base + beta * hill(np.maximum(adstock(x, theta), 0.0), k, alpha)


def _jacobian(p: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Partial derivatives of ``_model`` by base, β, K, α and θ (one column each)."""
    _base, beta, k, alpha, theta = p
    a = np.maximum(adstock(x, theta), 0.0)
    h = hill(a, k, alpha)
    g = h * (1.0 - h)  # the Hill curve's slope in log(a / K)
    pos = a > 0
    safe = np.where(pos, a, 1.0)
    log_ratio = np.where(pos, np.log(safe / k), 0.0)
    return np.column_stack(
        [
            np.ones_like(a),
            h,
            -beta * alpha * g / k,
            beta * g * log_ratio,
            np.where(pos, beta * alpha * g / safe, 0.0) * _adstock_slope(x, theta),
        ]
    )


@dataclass(frozen=True)
class Fit:
    """One channel: its verdict, curve, fit quality and bootstrap curves."""

    channel: str
    estimable: bool
    reason: str  # why it cannot be estimated ("" when it can)
    curve: Curve | None
    weeks: int  # weeks since the channel's first spend
    spend_weeks: int  # weeks with spend among them
    cv: float  # coefficient of variation of weekly spend over those weeks
    max_weekly_spend: float
    current_weekly_spend: float
    current_weekly_response: float
    r2: float | None = None
    mape: float | None = None
    boot: list[Curve] = field(default_factory=list)

    def band(self, x: float) -> tuple[float, float] | None:
        """The 80 % bootstrap band of the steady-state weekly response at spend x."""
        if not self.boot:
            return None
        values = np.array([c.response(x) for c in self.boot])
        lo, hi = np.percentile(values, BAND)
        return float(lo), float(hi)


def _least_squares(
    x: np.ndarray, y: np.ndarray, start: np.ndarray, tol: float = 1e-8, prior: float = 0.0
) -> tuple[np.ndarray, float]:
    """Least squares from ``start``; with ``prior`` > 0 the shape's prior is one more
    residual, ``prior · log α``. Returns the parameters and the data's own cost."""
    from scipy.optimize import least_squares

    def residuals(p: np.ndarray) -> np.ndarray:
        return np.append(_model(p, x) - y, prior * math.log(p[3]))

    def jacobian(p: np.ndarray) -> np.ndarray:
        row = np.zeros(len(p))
        row[3] = prior / p[3]
        return np.vstack([_jacobian(p, x), row])

    fit = least_squares(
        residuals,
        np.clip(start, _LOWER, _UPPER),
        jac=jacobian,
        bounds=(_LOWER, _UPPER),
        method="trf",
        x_scale="jac",
        ftol=tol,
        xtol=tol,
    )
    return fit.x, float(0.5 * ((_model(fit.x, x) - y) ** 2).sum())


def _prior_weight(cost: float, n: int) -> float:
    """The shape prior's weight: the fit's residual standard deviation over the prior's."""
    return math.sqrt(2.0 * cost / max(n - 5, 1)) / SHAPE_PRIOR


def _starts(x: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    """The best points of a coarse grid over (θ, K, α), base and β from a linear fit at
    each: several starts for the least-squares fit, without a full fit from every point."""
    scored: list[tuple[float, int, np.ndarray]] = []
    for theta in (0.0, 0.3, 0.6):
        a = adstock(x, theta)
        for k in (0.15, 0.4, 0.7, 1.0):
            for alpha in (0.7, 1.2, 2.0, 3.0):
                h = hill(a, k, alpha)
                design = np.column_stack([np.ones_like(h), h])
                (base, beta), *_ = np.linalg.lstsq(design, y, rcond=None)
                p = np.array([max(base, 0.0), max(beta, 0.01), k, alpha, theta])
                scored.append((float(((_model(p, x) - y) ** 2).sum()), len(scored), p))
    return [p for _, _, p in sorted(scored, key=lambda t: t[:2])[:STARTS]]


def _seed(x: np.ndarray, y: np.ndarray) -> np.random.Generator:
    """A generator seeded by the channel's own weekly series: the same Data gives the same
    bootstrap whatever the channel is called (in any language)."""
    series = np.round(np.concatenate([x, y]), 6).astype(float).tobytes()
    return np.random.default_rng([SEED, zlib.crc32(series)])


def _bootstrap(
    x: np.ndarray,
    fitted: np.ndarray,
    resid: np.ndarray,
    p: np.ndarray,
    rng: np.random.Generator,
    prior: float,
) -> list[np.ndarray]:
    """Moving-block residual bootstrap: refit to the fit plus resampled residual blocks."""
    n = len(resid)
    block = min(BLOCK, n)
    out = []
    for _ in range(BOOTSTRAP):
        starts = rng.integers(0, n - block + 1, size=math.ceil(n / block))
        sample = np.concatenate([resid[s : s + block] for s in starts])[:n]
        params, _ = _least_squares(x, fitted + sample, p, tol=1e-6, prior=prior)
        out.append(params)
    return out


def _commission(x: np.ndarray, y: np.ndarray) -> str:
    """A channel paid as a share of its own results (an affiliate's commission): spend
    follows the results, so a curve through them would only echo the rate."""
    paid = x > 0
    ratio = y[paid] / x[paid]
    mean = float(ratio.mean()) if paid.any() else 0.0
    if mean > 0 and float(ratio.std()) / mean < MIN_RATIO_CV:
        return (
            f"spend is a fixed share of the results ({1 / mean:.1%}, a commission): "
            "spend follows the results, a curve would only echo that rate"
        )
    return ""


def _verdict(weeks: int, spend_weeks: int, cv: float, total: float) -> str:
    if total <= 0:
        return "no spend"
    if weeks < MIN_WEEKS:
        return f"only {weeks} weeks of history (a curve needs {MIN_WEEKS})"
    if spend_weeks < MIN_SPEND_WEEKS:
        return f"spend in only {spend_weeks} weeks (a curve needs {MIN_SPEND_WEEKS})"
    if round(cv, 2) < MIN_CV:  # judged as shown: "10 %" is not below 10 %
        return f"spend barely varied: coefficient of variation {cv * 100:.0f} %"
    return ""


def fit_channel(
    channel: str, spend: np.ndarray, response: np.ndarray, metric: ResponseMetric = "revenue"
) -> Fit:
    """Fit one channel's weekly series, or say why it cannot be estimated."""
    spend = np.asarray(spend, dtype=float)
    response = np.asarray(response, dtype=float)
    paid = np.flatnonzero(spend > 0)
    since = int(paid[0]) if len(paid) else len(spend)
    x, y = spend[since:], response[since:]
    recent = slice(max(len(spend) - CURRENT_WEEKS, 0), len(spend))
    mean = float(x.mean()) if len(x) else 0.0
    cv = float(x.std() / mean) if mean > 0 else 0.0
    has = len(spend) > 0
    held = Fit(
        channel,
        estimable=False,
        reason=_verdict(len(x), int((x > 0).sum()), cv, float(spend.sum())),
        curve=None,
        weeks=len(x),
        spend_weeks=int((x > 0).sum()),
        cv=cv,
        max_weekly_spend=float(spend.max()) if has else 0.0,
        current_weekly_spend=float(spend[recent].mean()) if has else 0.0,
        current_weekly_response=float(response[recent].mean()) if has else 0.0,
    )
    if not held.reason:
        held = replace(held, reason=_commission(x, y))
    if held.reason:
        return held

    s, r = float(x.max()), float(max(np.abs(y).max(), 1e-12))
    xn, yn = x / s, y / r
    best, cost = min((_least_squares(xn, yn, p0) for p0 in _starts(xn, yn)), key=lambda t: t[1])
    prior = _prior_weight(cost, len(yn))
    best, cost = _least_squares(xn, yn, best, prior=prior)
    fitted = _model(best, xn)
    resid = yn - fitted
    sst = float(((yn - yn.mean()) ** 2).sum())
    r2 = 1.0 - 2.0 * cost / sst if sst > 0 else 0.0
    positive = y > 0
    mape = float(np.mean(np.abs(resid[positive] * r) / y[positive])) if positive.any() else None

    def unscale(p: np.ndarray) -> Curve:
        return Curve(float(p[0] * r), float(p[1] * r), float(p[2] * s), float(p[3]), float(p[4]))

    curve = unscale(best)
    boot = [unscale(p) for p in _bootstrap(xn, fitted, resid, best, _seed(x, y), prior)]
    fit = replace(held, estimable=True, curve=curve, r2=r2, mape=mape, boot=boot)
    reason = _doubt(fit, x, metric.replace("_", " "))
    return replace(fit, estimable=False, reason=reason, curve=None, boot=[]) if reason else fit


def _doubt(fit: Fit, x: np.ndarray, metric: str) -> str:
    """Why a fitted curve is still not to be trusted ("" when it is)."""
    assert fit.curve is not None and fit.r2 is not None
    if fit.r2 < MIN_R2:
        share = max(fit.r2, 0.0) * 100
        return f"the curve explains only {share:.0f} % of the weekly changes in {metric}"
    at = max(fit.current_weekly_spend, float(np.median(x[x > 0])))
    lo, hi = fit.band(at) or (0.0, 0.0)
    centre = float(fit.curve.response(at))
    width = (hi - lo) / centre if centre > 0 else math.inf
    if width > MAX_BAND:
        return f"too uncertain: the 80 % band at current spend is {width * 100:.0f} % wide"
    return ""


def fit_all(series: Weekly, metric: ResponseMetric = "revenue") -> list[Fit]:
    """Every channel of the weekly series, in name order."""
    return [
        fit_channel(c, series.spend[c].to_numpy(), series.response[c].to_numpy(), metric)
        for c in series.spend.columns
    ]
