"""The allocator on curves fitted to simulated data, scored under the true curves; the
optimality condition, bounds, held channels, the extrapolation warning and the inverse."""

from __future__ import annotations

import math

import numpy as np
import pytest
from mix_sim import TRUE_CHANNELS, simulate

from xlmplan.core.allocator import (
    EXTRAPOLATION,
    Channel,
    allocate,
    least_spend,
    predict,
)
from xlmplan.core.response import Curve, Fit, fit_all, weekly

TRUTH = {sim.name: sim.curve for sim in TRUE_CHANNELS}


def channels(fits: list[Fit], truth: bool = False) -> list[Channel]:
    """The allocator's channels, capped at 1.5 × the highest weekly spend seen (the default
    of `xlmplan allocate`); with ``truth`` the true curves replace the fitted ones."""
    return [
        Channel(
            f.channel,
            (TRUTH.get(f.channel) if f.estimable else None) if truth else f.curve,
            f.current_weekly_spend,
            f.current_weekly_response,
            f.max_weekly_spend,
            0.0,
            EXTRAPOLATION * f.max_weekly_spend,
            draws=() if truth else tuple(f.boot),
        )
        for f in fits
    ]


@pytest.fixture(scope="module")
def fits() -> list[Fit]:
    return fit_all(weekly(simulate(7)))


def test_recommended_split_captures_most_of_the_true_gain(fits: list[Fit]) -> None:
    fitted, true = channels(fits), channels(fits, truth=True)
    budget = sum(ch.current for ch in fitted)
    current = predict(true, {ch.name: ch.current for ch in true}).total_response
    optimum = allocate(true, budget).total_response
    recommended = allocate(fitted, budget)
    scored = predict(true, recommended.spend).total_response
    assert recommended.total_spend == pytest.approx(budget, rel=1e-9)
    assert optimum > current * 1.1  # the current split leaves something to gain
    assert (scored - current) / (optimum - current) >= 0.9


SEEDS = range(15)  # a fixed set, every one of them held to the criterion


@pytest.mark.parametrize("seed", SEEDS)
def test_recommended_split_captures_most_of_the_true_gain_on_every_seed(seed: int) -> None:
    """The criterion on 15 simulated data sets, not one: the shape prior and the split's
    expected response over the bootstrap refits keep an ill-identified curve (an S-shape
    fitted to a channel that truly falls from the first unit) from cutting a channel to
    zero. Without them 4 of the first 15 seeds fell below 90 % (seed 13 at 80 %)."""
    fits = fit_all(weekly(simulate(seed)))
    fitted, true = channels(fits), channels(fits, truth=True)
    budget = sum(ch.current for ch in fitted)
    current = predict(true, {ch.name: ch.current for ch in true}).total_response
    optimum = allocate(true, budget).total_response
    recommended = allocate(fitted, budget)
    scored = predict(true, recommended.spend).total_response
    assert recommended.kkt_ok
    assert (scored - current) / (optimum - current) >= 0.9
    assert [f.channel for f in fits if not f.estimable] == ["Affiliate", "Organic Search"]


def test_true_optimum_beats_every_random_split(fits: list[Fit]) -> None:
    true = channels(fits, truth=True)
    free = [ch for ch in true if not ch.held]
    budget = sum(ch.current for ch in true)
    held = sum(ch.current_response for ch in true if ch.held)
    best = allocate(true, budget)
    rest = budget - sum(ch.current for ch in true if ch.held)
    splits = np.random.default_rng(0).dirichlet(np.full(len(free), 0.7), 20000) * rest
    splits = splits[(splits <= [ch.high for ch in free]).all(axis=1)]
    assert len(splits) > 5000
    values = held + sum(ch.curve.response(splits[:, i]) for i, ch in enumerate(free) if ch.curve)
    assert best.total_response >= values.max() - 1e-6 * best.total_response


def test_interior_channels_earn_equal_marginal_returns(fits: list[Fit]) -> None:
    """Equal on the expected curves (the fit and its refits), which the split maximises."""
    result = allocate(channels(fits), sum(f.current_weekly_spend for f in fits))
    assert result.kkt_ok and result.kkt_spread < 0.01
    interior = [
        ch.expected_marginal(result.spend[ch.name])
        for ch in channels(fits)
        if ch.curve and ch.low + 1 < result.spend[ch.name] < ch.high - 1
    ]
    assert len(interior) >= 2
    assert max(interior) / min(interior) == pytest.approx(1.0, abs=0.01)


def test_held_locked_and_bounded_channels(fits: list[Fit]) -> None:
    base = channels(fits)
    search = next(ch for ch in base if ch.name == "Paid Search")
    video = next(ch for ch in base if ch.name == "Video")
    bounded = [
        Channel(ch.name, ch.curve, ch.current, ch.current_response, ch.max_seen, locked=True)
        if ch is search
        else Channel(ch.name, ch.curve, ch.current, ch.current_response, ch.max_seen, 500, 900)
        if ch is video
        else ch
        for ch in base
    ]
    budget = sum(ch.current for ch in base)
    result = allocate(bounded, budget)
    assert result.spend["Paid Search"] == search.current
    assert result.spend["Affiliate"] == next(f.current_weekly_spend for f in fits if not f.curve)
    assert result.spend["Organic Search"] == 0.0
    assert 500 - 1e-6 <= result.spend["Video"] <= 900 + 1e-6
    assert result.total_spend == pytest.approx(budget)
    with pytest.raises(ValueError, match="outside what the bounds allow"):
        allocate(bounded, 10.0)


def test_spend_past_one_and_a_half_times_the_highest_seen_is_warned() -> None:
    curve = Curve(0.0, 10000.0, 1000.0, 1.0, 0.2)
    both = [
        Channel("A", curve, 500.0, 3000.0, 1000.0),
        Channel("B", Curve(0.0, 100.0, 1000.0, 1.0, 0.2), 500.0, 30.0, 1000.0),
    ]
    result = allocate(both, 2000.0)
    assert result.spend["A"] > EXTRAPOLATION * 1000.0
    assert result.warnings == [
        f"A: {result.spend['A']:,.0f} a week is {result.spend['A'] / 1000:.1f} × the highest "
        "weekly spend seen (1,000); the curve there is an extrapolation"
    ]
    assert allocate(both, 1400.0).warnings == []


def test_least_spend_reaches_the_target_and_no_less_does(fits: list[Fit]) -> None:
    chans = channels(fits)
    at_current = allocate(chans, sum(ch.current for ch in chans))
    target = at_current.total_response * 1.03
    found = least_spend(chans, target)
    assert found.reachable
    assert found.allocation.total_response >= target
    cheaper = allocate(chans, found.allocation.total_spend * 0.995)
    assert cheaper.total_response < target
    assert found.allocation.total_spend < at_current.total_spend * 1.5


def test_unreachable_target_reports_the_most_the_curves_allow(fits: list[Fit]) -> None:
    chans = channels(fits)
    ceiling = sum(ch.curve.base + ch.curve.beta for ch in chans if ch.curve)
    held = sum(ch.current_response for ch in chans if ch.curve is None)
    found = least_spend(chans, ceiling + held)
    assert not found.reachable
    assert found.allocation.total_response < ceiling + held
    for ch in chans:
        if ch.curve is not None:  # searched up to 1.5 × the highest spend seen
            assert found.allocation.spend[ch.name] <= EXTRAPOLATION * ch.max_seen * (1 + 1e-9)
    assert math.isfinite(found.allocation.total_spend)
