"""The budget allocator: the weekly split that maximises predicted response, and the least
spend that reaches a target.

Channels with a curve share what the budget leaves after the held channels (no curve, or
locked): SLSQP maximises the sum of their expected steady-state responses under the
budget (an equality) and each channel's bounds, from several starts, since S-shaped
curves can have more than one local optimum. A channel's expected response is the mean
of its fitted curve and its bootstrap refits (``Channel.draws``): where the data leave a
curve's shape open (few weeks at low spend, none near saturation), the refits disagree
and their mean keeps one extreme shape from deciding the split alone. Reported
predictions are the fitted curve's, as the workbook shows them. The result is checked
against the optimality condition on the expected curves: every channel strictly inside
its bounds earns the same marginal return, channels at their minimum earn no more and
channels at their maximum no less.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from xlmplan.core.response import Curve

EXTRAPOLATION = 1.5  # warn above this multiple of the highest weekly spend seen
STARTS = 6
KKT_TOLERANCE = 0.01  # relative spread of marginal returns accepted as equal

# Optimiser settings (docs/mutation.md names the key that shows what each guarantees).
NO_ROOM = 1e-12  # bounds' room, relative to the budget (at least 1), met by the minimums alone
MIN_SCALE = 1e-9  # the least budget the optimiser's unknowns are scaled by
FTOL = 1e-10  # SLSQP's tolerance on the objective (the response over the curves' total β)
MAXITER = 200  # SLSQP's iterations per start
NUDGE = 1e-9  # added to each start's shape, so an all-zero shape still splits evenly
GREEDY_STEPS = 200  # steps of the greedy start
BOUND_SLACK = 1e-9  # relative rounding accepted when a budget meets its bounds' sum
ROOT_TOL = 1e-6  # least spend's relative tolerance on the budget
ROOT_STEP = 2e-6  # least spend's step past a budget just short of the target, relative


@dataclass(frozen=True)
class Channel:
    """A channel as the allocator sees it (weekly amounts)."""

    name: str
    curve: Curve | None  # None: cannot be estimated, held at current spend
    current: float  # current weekly spend
    current_response: float  # current weekly response (used for held channels)
    max_seen: float  # highest weekly spend in Data
    low: float = 0.0
    high: float = math.inf
    locked: bool = False
    draws: tuple[Curve, ...] = ()  # bootstrap refits of the curve (the expected response)

    @property
    def held(self) -> bool:
        return self.curve is None or self.locked

    def response(self, x: float) -> float:
        return self.current_response if self.curve is None else float(self.curve.response(x))

    @cached_property
    def _ensemble(self) -> Curve:
        """The curve and its refits as one Curve of parameter arrays (vectorised)."""
        assert self.curve is not None
        curves = (self.curve, *self.draws)
        k, alpha = np.array([c.k for c in curves]), np.array([c.alpha for c in curves])
        base, beta = np.array([c.base for c in curves]), np.array([c.beta for c in curves])
        return Curve(base, beta, k, alpha, 0.0)  # type: ignore[arg-type]

    def expected(self, x: float) -> float:
        """The mean response of the curve and its refits: what the split maximises."""
        return float(np.mean(self._ensemble.response(x)))

    def expected_marginal(self, x: float) -> float:
        """The slope of ``expected``."""
        return float(np.mean(self._ensemble.marginal(x)))


@dataclass(frozen=True)
class Allocation:
    """A weekly split and what the curves predict for it."""

    spend: dict[str, float]
    response: dict[str, float]
    marginal: dict[str, float | None]
    total_spend: float
    total_response: float
    kkt_spread: float  # relative spread of marginal returns among interior channels
    kkt_ok: bool
    warnings: list[str]


@dataclass(frozen=True)
class Inverse:
    """The least weekly spend that reaches a weekly target, or the most the curves allow."""

    reachable: bool
    allocation: Allocation  # at the least spend, or at the largest budget tried


def predict(channels: Sequence[Channel], spend: dict[str, float]) -> Allocation:
    """What the curves predict for a given weekly split (held channels at their current):
    each fitted curve's response, and the marginal return of the expected curve, which
    the recommended split equalises."""
    response: dict[str, float] = {}
    marginal: dict[str, float | None] = {}
    for ch in channels:
        x = spend[ch.name]
        response[ch.name] = ch.response(x)
        marginal[ch.name] = None if ch.curve is None else ch.expected_marginal(x)
    warnings = [
        f"{ch.name}: {spend[ch.name]:,.0f} a week is {spend[ch.name] / ch.max_seen:.1f} × the "
        f"highest weekly spend seen ({ch.max_seen:,.0f}); the curve there is an extrapolation"
        for ch in channels
        if ch.curve is not None and spend[ch.name] > EXTRAPOLATION * ch.max_seen
    ]
    spread, ok = _kkt(channels, spend, marginal)
    return Allocation(
        dict(spend),
        response,
        marginal,
        sum(spend.values()),
        sum(response.values()),
        spread,
        ok,
        warnings,
    )


def fixed_spend(channels: Sequence[Channel]) -> float:
    """Weekly spend the allocator cannot move: held channels, and the free ones' minimums."""
    return sum(ch.current for ch in channels if ch.held) + sum(
        ch.low for ch in channels if not ch.held
    )


def allocate(channels: Sequence[Channel], weekly_budget: float) -> Allocation:
    """The split of ``weekly_budget`` that maximises the predicted weekly response."""
    held = {ch.name: ch.current for ch in channels if ch.held}
    free = [ch for ch in channels if not ch.held]
    budget = weekly_budget - sum(held.values())
    low = np.array([ch.low for ch in free])
    high = np.array([min(ch.high, max(budget, 0.0)) for ch in free])
    slack = BOUND_SLACK * max(budget, 1.0)
    if budget < low.sum() - slack or budget > high.sum() + BOUND_SLACK * budget:
        raise ValueError("the budget is outside what the bounds allow")
    spend = dict(held)
    if free:
        spend.update(zip([ch.name for ch in free], _maximise(free, budget, low, high), strict=True))
    return predict(channels, spend)


def _maximise(free: list[Channel], budget: float, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    from scipy.optimize import minimize

    if high.sum() - low.sum() <= NO_ROOM * max(budget, 1.0):
        return low.copy()
    scale = max(budget, MIN_SCALE)
    top = sum(ch.curve.beta for ch in free if ch.curve is not None) or 1.0
    lo, hi = low / scale, high / scale

    def value(u: np.ndarray) -> float:
        x = np.clip(u, lo, hi) * scale
        return -sum(ch.expected(v) for ch, v in zip(free, x, strict=True)) / top

    def grad(u: np.ndarray) -> np.ndarray:
        x = np.clip(u, lo, hi) * scale
        return -np.array([ch.expected_marginal(v) for ch, v in zip(free, x, strict=True)]) * (
            scale / top
        )

    best: np.ndarray | None = None
    for start in _starts(free, budget, low, high):
        result = minimize(
            value,
            start / scale,
            jac=grad,
            method="SLSQP",
            bounds=list(zip(lo, hi, strict=True)),
            constraints=[{"type": "eq", "fun": lambda u: u.sum() - 1.0, "jac": np.ones_like}],
            options={"ftol": FTOL, "maxiter": MAXITER},
        )
        u = _project(np.asarray(result.x) * scale, budget, low, high) / scale
        if best is None or value(u) < value(best):
            best = u
    assert best is not None
    return _project(best * scale, budget, low, high)


def _starts(
    free: list[Channel], budget: float, low: np.ndarray, high: np.ndarray
) -> list[np.ndarray]:
    """Current split, equal split, split by highest spend seen, a greedy split, random ones."""
    rng = np.random.default_rng(len(free))
    n = len(free)
    shapes = [
        np.array([ch.current for ch in free]) + NUDGE,
        np.ones(n),
        np.array([ch.max_seen for ch in free]) + NUDGE,
        _greedy(free, budget, low, high),
        *rng.dirichlet(np.ones(n), size=max(STARTS - 4, 0)),
    ]
    return [_project(s / s.sum() * budget, budget, low, high) for s in shapes]


def _greedy(free: list[Channel], budget: float, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Budget handed out in ``GREEDY_STEPS`` steps, each to the channel it buys most
    response in."""
    x = low.astype(float).copy()
    step = max(budget - x.sum(), 0.0) / GREEDY_STEPS
    for _ in range(GREEDY_STEPS):
        gains = [
            ch.expected(min(v + step, h)) - ch.expected(v) if v < h else -math.inf
            for ch, v, h in zip(free, x, high, strict=True)
        ]
        i = int(np.argmax(gains))
        if gains[i] == -math.inf:
            break
        x[i] = min(x[i] + step, high[i])
    return x + NUDGE


def _project(x: np.ndarray, total: float, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """The point of {sum = total, low ≤ x ≤ high} reached by shifting x evenly, then clipping."""
    a, b = float((low - x).min()), float((high - x).max())
    for _ in range(100):
        mid = (a + b) / 2
        if np.clip(x + mid, low, high).sum() < total:
            a = mid
        else:
            b = mid
    return np.clip(x + (a + b) / 2, low, high)


def _kkt(
    channels: Sequence[Channel], spend: dict[str, float], marginal: dict[str, float | None]
) -> tuple[float, bool]:
    """Relative spread of the interior channels' marginal returns, and whether the split
    meets the optimality condition (bound channels on the right side of the common value)."""
    free = [ch for ch in channels if not ch.held]
    if not free:
        return 0.0, True
    scale = max(sum(spend[ch.name] for ch in free), 1.0)
    tol = 1e-6 * scale
    inner: list[float] = []
    at_low: list[float] = []
    at_high: list[float] = []
    for ch in free:
        m = marginal[ch.name]
        if m is None:
            continue
        x = spend[ch.name]
        (at_low if x <= ch.low + tol else at_high if x >= ch.high - tol else inner).append(m)
    if not inner:
        return 0.0, not at_low or not at_high or max(at_low) <= min(at_high) * (1 + KKT_TOLERANCE)
    level = float(np.mean(inner))
    spread = (max(inner) - min(inner)) / level if level > 0 else 0.0
    ok = spread <= KKT_TOLERANCE
    ok = ok and all(m <= level * (1 + KKT_TOLERANCE) for m in at_low)
    ok = ok and all(m >= level * (1 - KKT_TOLERANCE) for m in at_high)
    return spread, ok


def least_spend(channels: Sequence[Channel], weekly_target: float) -> Inverse:
    """The least weekly budget whose best split reaches ``weekly_target``, found by brentq
    on the allocator's best response. Each free channel is searched up to its maximum, but
    never past 1.5 × its highest weekly spend seen: beyond it the data no longer supports
    the curve, and a target out of that reach is "unreachable within the curves"."""
    capped = [
        ch if ch.held else replace(ch, high=min(ch.high, max(EXTRAPOLATION * ch.max_seen, ch.low)))
        for ch in channels
    ]
    lo = fixed_spend(capped)
    hi = lo + sum(ch.high - ch.low for ch in capped if not ch.held)
    most = allocate(capped, hi)
    if most.total_response < weekly_target:
        return Inverse(False, most)
    least = allocate(capped, lo)
    if least.total_response >= weekly_target:
        return Inverse(True, least)
    from scipy.optimize import brentq

    found = brentq(
        lambda budget: allocate(capped, budget).total_response - weekly_target,
        lo,
        hi,
        xtol=ROOT_TOL * hi,
        rtol=ROOT_TOL,
    )
    best = allocate(capped, float(found))
    if best.total_response < weekly_target:  # brentq may stop just below the root
        best = allocate(capped, min(float(found) + ROOT_STEP * (hi + float(found)), hi))
    return Inverse(True, best)
