"""Answer key for the budget allocator (``xlmplan.core.allocator``), worked by hand.

Two channels with α = 1 curves (no S-shape, one optimum): A = 100·x/(x + 10) and
B = 400·y/(y + 10), slopes 1000/(x + 10)² and 4000/(y + 10)². The best split equalises the
slopes: (y + 10)² = 4(x + 10)², so y = 2x + 10; with x + y = 50, x = 40/3 and y = 110/3.
Then A = 100·(40/3)/(70/3) = 400/7 = 57.142857, B = 400·(110/3)/(140/3) = 2200/7 =
314.285714, total 2600/7 = 371.428571, and both slopes are 1000·9/4900 = 90/49 = 1.836735.
"""

from __future__ import annotations

from typing import Any

import pytest

from xlmplan.core import allocator as al
from xlmplan.core.allocator import Channel, allocate, fixed_spend, least_spend, predict
from xlmplan.core.response import Curve

pytestmark = pytest.mark.core

CURVE_A = Curve(base=0.0, beta=100.0, k=10.0, alpha=1.0, theta=0.0)
CURVE_B = Curve(base=0.0, beta=400.0, k=10.0, alpha=1.0, theta=0.0)


def channels(**changes: dict[str, object]) -> list[Channel]:
    base = {
        "A": Channel("A", CURVE_A, current=25.0, current_response=50.0, max_seen=100.0),
        "B": Channel("B", CURVE_B, current=25.0, current_response=200.0, max_seen=100.0),
    }
    out = []
    for name, ch in base.items():
        fields = {**ch.__dict__, **changes.get(name, {})}
        out.append(Channel(**fields))  # type: ignore[arg-type]
    return out


def test_best_split_equalises_marginal_returns() -> None:
    best = allocate(channels(), 50.0)
    assert best.spend["A"] == pytest.approx(40 / 3, rel=1e-4)
    assert best.spend["B"] == pytest.approx(110 / 3, rel=1e-4)
    assert best.total_spend == pytest.approx(50.0, rel=1e-9)
    assert best.response["A"] == pytest.approx(400 / 7, rel=1e-4)
    assert best.response["B"] == pytest.approx(2200 / 7, rel=1e-4)
    assert best.total_response == pytest.approx(2600 / 7, rel=1e-6)
    assert best.marginal["A"] == pytest.approx(90 / 49, rel=1e-3)
    assert best.marginal["B"] == pytest.approx(90 / 49, rel=1e-3)
    assert best.kkt_ok and best.kkt_spread == pytest.approx(0.0, abs=1e-3)
    assert best.warnings == []


def test_a_channel_at_its_maximum() -> None:
    # A may take at most 5: B takes 45. A = 100*5/15 = 33.3333, B = 400*45/55 = 327.2727;
    # A's slope 1000/225 = 4.444 is above B's 4000/3025 = 1.322, as it must be at a maximum
    best = allocate(channels(A={"high": 5.0}), 50.0)
    assert best.spend["A"] == pytest.approx(5.0, rel=1e-6)
    assert best.spend["B"] == pytest.approx(45.0, rel=1e-6)
    assert best.total_response == pytest.approx(100 / 3 + 400 * 45 / 55, rel=1e-6)
    assert best.kkt_ok and best.kkt_spread == 0.0  # one interior channel: no spread


def test_a_channel_at_its_minimum() -> None:
    # A must take at least 30: B gets 20 (A's slope 1000/1600 = 0.625 is below B's
    # 4000/900 = 4.44, as it must be at a minimum)
    best = allocate(channels(A={"low": 30.0}), 50.0)
    assert best.spend["A"] == pytest.approx(30.0, rel=1e-6)
    assert best.spend["B"] == pytest.approx(20.0, rel=1e-6)
    assert best.kkt_ok


def test_held_and_locked_channels_keep_their_current_spend() -> None:
    held = Channel("C", None, current=20.0, current_response=60.0, max_seen=40.0)
    locked = Channel("D", CURVE_A, current=10.0, current_response=1.0, max_seen=40.0, locked=True)
    # 80 = 20 held + 10 locked + the 50 of the two-channel split
    best = allocate([*channels(), held, locked], 80.0)
    assert best.spend["C"] == 20.0 and best.spend["D"] == 10.0
    assert best.spend["A"] == pytest.approx(40 / 3, rel=1e-4)
    # C: its current response 60; D: its curve at 10, 100*10/20 = 50
    assert best.response["C"] == 60.0 and best.response["D"] == pytest.approx(50.0)
    assert best.marginal["C"] is None and best.marginal["D"] == pytest.approx(1000 / 400)
    assert best.total_response == pytest.approx(2600 / 7 + 60 + 50, rel=1e-6)
    assert fixed_spend([*channels(A={"low": 2.0}, B={"low": 3.0}), held, locked]) == 35.0
    assert [ch.held for ch in (held, locked, *channels())] == [True, True, False, False]


def test_budgets_outside_the_bounds_are_refused() -> None:
    with pytest.raises(ValueError, match="outside what the bounds allow"):
        allocate(channels(A={"high": 5.0}, B={"high": 5.0}), 50.0)  # at most 10
    with pytest.raises(ValueError, match=r"^the budget is outside what the bounds allow$"):
        allocate(channels(A={"high": 5.0}, B={"high": 5.0}), 10.5)
    with pytest.raises(ValueError, match="outside what the bounds allow"):
        allocate(channels(A={"low": 30.0}, B={"low": 30.0}), 50.0)  # at least 60
    # exactly at the bounds' sum: every channel at its maximum
    full = allocate(channels(A={"high": 20.0}, B={"high": 30.0}), 50.0)
    assert (full.spend["A"], full.spend["B"]) == pytest.approx((20.0, 30.0))


def test_no_budget_spends_nothing() -> None:
    best = allocate(channels(), 0.0)
    assert best.spend == {"A": 0.0, "B": 0.0} and best.total_response == 0.0


def test_predict_reports_an_unequal_split() -> None:
    # 25 each: slopes 1000/1225 = 0.8163 and 4000/1225 = 3.2653; their mean 2.0408; spread
    # (3.2653 - 0.8163) / 2.0408 = 1.2, far above 1 %: not optimal
    p = predict(channels(), {"A": 25.0, "B": 25.0})
    assert p.kkt_spread == pytest.approx(1.2)
    assert not p.kkt_ok
    assert p.response == pytest.approx({"A": 2500 / 35, "B": 10000 / 35})
    assert p.total_spend == 50.0


def test_predict_judges_channels_at_their_bounds() -> None:
    # A at its minimum 0 earns 1000/100 = 10 > B's 4000/1600 = 2.5: A should have more
    p = predict(channels(), {"A": 0.0, "B": 30.0})
    assert p.kkt_spread == 0.0 and not p.kkt_ok
    # B at its maximum 30 earns 2.5 > A's interior 1000/1600 = 0.625: fine
    ok = predict(channels(B={"high": 30.0}), {"A": 30.0, "B": 30.0})
    assert ok.kkt_ok
    # A at its maximum earning 0.625 below B's interior 2.5: wrong side
    bad = predict(channels(A={"high": 30.0}), {"A": 30.0, "B": 30.0})
    assert not bad.kkt_ok
    # both at bounds: A at its minimum earns 10, B at its maximum 2.5: B should give way
    both = predict(channels(B={"high": 30.0}), {"A": 0.0, "B": 30.0})
    assert not both.kkt_ok
    # A at its minimum earning 0.625, B at its maximum earning 2.5: the right sides
    fine = predict(channels(A={"low": 30.0}, B={"high": 30.0}), {"A": 30.0, "B": 30.0})
    assert fine.kkt_ok
    # the reverse (A held up at a maximum, B held down at a minimum): B should grow
    wrong = predict(channels(A={"high": 30.0}, B={"low": 30.0}), {"A": 30.0, "B": 30.0})
    assert not wrong.kkt_ok
    only_held = predict([Channel("C", None, 20.0, 60.0, 40.0)], {"C": 20.0})
    assert (only_held.kkt_spread, only_held.kkt_ok) == (0.0, True)


def test_extrapolation_is_warned() -> None:
    # A's highest weekly spend seen is 5: 13.3 a week is 2.7 times it (above 1.5 times)
    best = allocate(channels(A={"max_seen": 5.0}), 50.0)
    assert best.warnings == [
        "A: 13 a week is 2.7 × the highest weekly spend seen (5); the curve there is an "
        "extrapolation"
    ]
    # exactly 1.5 times is no extrapolation
    p = predict(channels(A={"max_seen": 20.0}), {"A": 30.0, "B": 20.0})
    assert p.warnings == []


def test_least_spend_reaches_a_target() -> None:
    # the best split of 50 gives 2600/7: the least spend for that target is 50
    inverse = least_spend(channels(), 2600 / 7)
    assert inverse.reachable
    assert inverse.allocation.total_spend == pytest.approx(50.0, rel=1e-4)
    assert inverse.allocation.total_response >= 2600 / 7


def test_least_spend_caps_each_channel_at_one_and_a_half_times_its_highest() -> None:
    # caps 1.5 * 20 = 30 each: at most 100*30/40 + 400*30/40 = 75 + 300 = 375
    capped = channels(A={"max_seen": 20.0}, B={"max_seen": 20.0})
    inverse = least_spend(capped, 400.0)
    assert inverse.reachable is False
    assert inverse.allocation.total_spend == pytest.approx(60.0)
    assert inverse.allocation.total_response == pytest.approx(375.0)
    assert least_spend(capped, 375.0 - 1e-9).reachable
    # exactly the most the capped curves give is still reachable, at the caps
    exact = least_spend(capped, 375.0)
    assert exact.reachable is True
    assert exact.allocation.total_spend == pytest.approx(60.0, rel=1e-4)
    # with minimums the search still ends at the caps: 5 + 25 more each at most
    floors = least_spend(channels(A={"max_seen": 20.0, "low": 5.0}, B={"max_seen": 20.0}), 400.0)
    assert floors.reachable is False and floors.allocation.total_spend == pytest.approx(60.0)


def test_least_spend_of_a_target_the_held_channels_already_reach() -> None:
    held = Channel("C", None, current=20.0, current_response=60.0, max_seen=40.0)
    inverse = least_spend([*channels(), held], 60.0)
    assert inverse.reachable and inverse.allocation.total_spend == pytest.approx(20.0)
    assert inverse.allocation.spend["A"] == 0.0


def test_project_shifts_evenly_then_clips() -> None:
    import numpy as np

    top = 100.0  # the allocator caps every channel at the budget, so the bounds are finite
    # (1, 2) to a total of 9: +3 each
    out = al._project(np.array([1.0, 2.0]), 9.0, np.zeros(2), np.array([top, top]))
    assert out.tolist() == pytest.approx([4.0, 5.0])
    # the first capped at 3: +4 on the second
    out = al._project(np.array([1.0, 2.0]), 9.0, np.zeros(2), np.array([3.0, top]))
    assert out.tolist() == pytest.approx([3.0, 6.0])
    # down to a total of 1 with floors at 0: the second keeps 1
    out = al._project(np.array([1.0, 2.0]), 1.0, np.zeros(2), np.array([top, top]))
    assert out.tolist() == pytest.approx([0.0, 1.0])


def test_greedy_split_follows_the_steepest_gain() -> None:
    import numpy as np

    # B's slope is four times A's at the same spend: it is served first, until
    # 4000/(y+10)^2 falls to A's 1000/(x+10)^2, i.e. y + 10 = 2(x + 10)
    free = channels()
    x = al._greedy(free, 50.0, np.zeros(2), np.array([50.0, 50.0]))
    assert x[0] + x[1] == pytest.approx(50.0, abs=1e-6)
    assert x[1] == pytest.approx(110 / 3, abs=0.5)  # to within a step of 50/200


def kkt(spend: dict[str, float], marginal: dict[str, float], **bounds: Any) -> tuple[float, bool]:
    """The optimality check for a split with the marginal returns given (not computed)."""
    free = channels(**bounds)
    return al._kkt(free, spend, {**marginal})  # type: ignore[arg-type]


def test_optimality_condition_at_its_edges() -> None:
    # interior channels: marginals 199 and 201, mean 200, spread 2 / 200 = 1 % exactly: met
    assert kkt({"A": 20.0, "B": 30.0}, {"A": 199.0, "B": 201.0}) == (0.01, True)
    # 198 and 202: spread 4 / 200 = 2 %: not met
    assert kkt({"A": 20.0, "B": 30.0}, {"A": 198.0, "B": 202.0}) == (0.02, False)
    # a mean below 1 still divides: 0.5 and 0.7, spread 0.2 / 0.6
    spread, ok = kkt({"A": 20.0, "B": 30.0}, {"A": 0.5, "B": 0.7})
    assert spread == pytest.approx(1 / 3) and not ok
    # both past saturation, marginals 0: no spread to speak of
    assert kkt({"A": 20.0, "B": 30.0}, {"A": 0.0, "B": 0.0}) == (0.0, True)


def test_optimality_condition_for_channels_at_their_bounds() -> None:
    # B interior at 200; A at its minimum 0 may earn at most 1 % more: 202 (= 200 * 1.01) is
    # met, 203 is not, and 250 is far off
    at_low = {"A": 0.0, "B": 30.0}
    assert kkt(at_low, {"A": 202.0, "B": 200.0}) == (0.0, True)
    assert kkt(at_low, {"A": 200.0, "B": 200.0}) == (0.0, True)
    assert kkt(at_low, {"A": 203.0, "B": 200.0}) == (0.0, False)
    assert kkt(at_low, {"A": 250.0, "B": 200.0}) == (0.0, False)
    # A at its maximum 20 must earn at least 1 % less than B's 200: 198 is met, 197 is not,
    # 250 is met
    at_high = {"A": 20.0, "B": 30.0}
    assert kkt(at_high, {"A": 198.0, "B": 200.0}, A={"high": 20.0}) == (0.0, True)
    assert kkt(at_high, {"A": 250.0, "B": 200.0}, A={"high": 20.0}) == (0.0, True)
    assert kkt(at_high, {"A": 197.0, "B": 200.0}, A={"high": 20.0}) == (0.0, False)


def test_optimality_condition_with_every_channel_at_a_bound() -> None:
    both = {"A": 0.0, "B": 30.0}
    high = {"B": {"high": 30.0}}
    # A at its minimum may earn 1 % more than B at its maximum: 10.1 (= 10 * 1.01) is met
    assert kkt(both, {"A": 10.1, "B": 10.0}, **high) == (0.0, True)
    assert kkt(both, {"A": 10.2, "B": 10.0}, **high) == (0.0, False)
    assert kkt(both, {"A": 15.0, "B": 10.0}, **high) == (0.0, False)
    # only minimums, or only maximums: nothing to compare
    assert kkt({"A": 0.0, "B": 0.0}, {"A": 10.0, "B": 1.0}) == (0.0, True)
    assert kkt({"A": 20.0, "B": 30.0}, {"A": 1.0, "B": 10.0}, A={"high": 20.0}, **high) == (
        0.0,
        True,
    )


def test_a_bound_is_within_a_millionth_of_the_free_spend() -> None:
    # The tolerance is 1e-6 of the free channels' spend, at least 1e-6 (here 0.5 + 1e-6
    # spent: 1e-6). A at 1e-6 counts as at its minimum 0 (its marginal 1 below B's 2 is
    # right there); at 1.5e-6 it is interior, and 1 against 2 is no equal return.
    assert kkt({"A": 1e-6, "B": 0.5}, {"A": 1.0, "B": 2.0}) == (0.0, True)
    spread, ok = kkt({"A": 1.5e-6, "B": 0.5}, {"A": 1.0, "B": 2.0})
    assert (spread, ok) == (pytest.approx(1 / 1.5), False)
    # 100 spent: a tolerance of about 1e-4, so A at 5e-5 is at its minimum
    assert kkt({"A": 5e-5, "B": 100.0}, {"A": 1.0, "B": 2.0}) == (0.0, True)
    # B at 0.5 - 1e-6, within the tolerance of its maximum 0.5: at the maximum, where its
    # 2.5 above A's 2 is right; counted interior it would make a spread of 0.5 / 2.25
    top = {"A": 0.3, "B": 0.5 - 1e-6}
    assert kkt(top, {"A": 2.0, "B": 2.5}, B={"high": 0.5}) == (0.0, True)


def test_starts_beyond_the_even_split_find_the_better_optimum() -> None:
    # Two equal S-curves 100·x³/(x³ + 10³) and 12 a week: the even split (6, 6) is a
    # stationary point, 2 · 100 · 216/1216 = 35.53, where the current, equal and
    # highest-seen starts all sit; putting all 12 in one channel gives
    # 100 · 1728/2728 = 63.34. The greedy and random starts find it.
    s_curve = Curve(base=0.0, beta=100.0, k=10.0, alpha=3.0, theta=0.0)
    pair = [Channel(n, s_curve, current=6.0, current_response=0.0, max_seen=30.0) for n in "AB"]
    best = allocate(pair, 12.0)
    assert sorted(best.spend.values()) == pytest.approx([0.0, 12.0], abs=1e-6)
    assert best.total_response == pytest.approx(172800 / 2728, rel=1e-9)
    # the channel at 0 earns nothing more there (slope 0 at zero for α > 1): the split is
    # optimal by the condition at the bounds
    assert best.kkt_ok


def test_a_budget_below_one_goes_where_it_earns_most() -> None:
    # 0.5 a week: B's slope 4000/(y + 10)^2 stays above A's first-unit slope 1000/100 = 10
    # up to y = 10, so all of it goes to B: 400 * 0.5/10.5 = 19.047619
    best = allocate(channels(), 0.5)
    assert best.spend["A"] == pytest.approx(0.0, abs=1e-9)
    assert best.spend["B"] == pytest.approx(0.5, rel=1e-9)
    assert best.total_response == pytest.approx(200 / 10.5, rel=1e-9)


def test_the_same_channels_give_the_same_split_to_the_last_digit() -> None:
    # the random starts are seeded: two equal S-curves (a tie between two optima) split alike
    s_curve = Curve(base=0.0, beta=100.0, k=10.0, alpha=3.0, theta=0.0)
    pair = [Channel(n, s_curve, current=6.0, current_response=0.0, max_seen=30.0) for n in "AB"]
    assert allocate(pair, 12.0).spend == allocate(pair, 12.0).spend


def best_response(budget: float) -> float:
    """The best split's response for a budget of at least 10: x = (budget - 10)/3 to A and
    y = 2x + 10 to B (equal slopes, see the module docstring)."""
    x = (budget - 10) / 3
    y = 2 * x + 10
    return 100 * x / (x + 10) + 400 * y / (y + 10)


def test_least_spend_lands_on_or_just_above_the_target() -> None:
    # The target the best split of 20 reaches (x = 10/3, y = 50/3: 25 + 250 = 275) needs 20:
    # brentq stops within 1e-6 of the 300 searched (caps 1.5 x 100 each) and, when the
    # budget it found falls short, one step of 2e-6 x (300 + 20) = 0.00064 more reaches it.
    assert best_response(20.0) == pytest.approx(275.0)
    for budget in (20.0, 30.0):
        inverse = least_spend(channels(), best_response(budget))
        assert inverse.reachable
        assert inverse.allocation.total_response >= best_response(budget)
        assert inverse.allocation.total_spend == pytest.approx(budget, abs=1e-3)


def test_greedy_split_within_bounds_and_budget() -> None:
    import numpy as np

    free = channels()
    # A capped at 5: A ends at its cap (B's slope falls to A's 1000/225 = 4.4 at y = 20),
    # and once A is full every later step goes to B: 5 and 45
    x = al._greedy(free, 50.0, np.zeros(2), np.array([5.0, 50.0]))
    assert x.tolist() == pytest.approx([5.0, 45.0], abs=1e-6)
    # caps of 20 each below a budget of 50: both full, 40 handed out, the rest left
    x = al._greedy(free, 50.0, np.zeros(2), np.array([20.0, 20.0]))
    assert x.tolist() == pytest.approx([20.0, 20.0], abs=1e-6)
    # a floor of 10 on A: only the 40 above the floors is handed out, in steps of 40/200
    x = al._greedy(free, 50.0, np.array([10.0, 0.0]), np.array([50.0, 50.0]))
    assert x.sum() == pytest.approx(50.0, abs=1e-6) and x[0] >= 10.0
    # a budget below 1 is handed out in steps of 0.5/200, all to B (slope above 10)
    x = al._greedy(free, 0.5, np.zeros(2), np.array([0.5, 0.5]))
    assert x.tolist() == pytest.approx([0.0, 0.5], abs=1e-6)


def test_project_clips_at_the_floors_too() -> None:
    import numpy as np

    # (5, 0) down to a total of 2 with floors at 0: shifting by -3 gives (2, -3), clipped
    # to (2, 0)
    out = al._project(np.array([5.0, 0.0]), 2.0, np.zeros(2), np.array([100.0, 100.0]))
    assert out.tolist() == pytest.approx([2.0, 0.0])
