"""Answer key for what each optimiser setting of the allocator guarantees
(``xlmplan.core.allocator``'s named settings), on the exact two-channel case.

A = 100·x/(x + 10) and B = 400·y/(y + 10): the best split of a budget b ≥ 10 equalises the
slopes 1000/(x + 10)² and 4000/(y + 10)², so y + 10 = 2(x + 10): x = (b − 10)/3 and
y = b − x. For b = 50: x = 40/3, y = 110/3, response 2600/7.
"""

from __future__ import annotations

import pytest

from xlmplan.core import allocator as al
from xlmplan.core.allocator import Channel, allocate
from xlmplan.core.response import Curve

pytestmark = pytest.mark.core


def pair(scale: float = 1.0, **changes: dict[str, float]) -> list[Channel]:
    """A and B with their β times ``scale``, current spend 25 each, highest seen 100."""
    out = []
    for name, beta in (("A", 100.0), ("B", 400.0)):
        curve = Curve(base=0.0, beta=beta * scale, k=10.0, alpha=1.0, theta=0.0)
        fields: dict[str, float] = {"current": 25.0, "current_response": 0.0, "max_seen": 100.0}
        out.append(Channel(name, curve, **{**fields, **changes.get(name, {})}))  # type: ignore[arg-type]
    return out


def test_the_split_is_within_a_millionth_of_the_exact_optimum() -> None:
    # FTOL (1e-10 on the response over the curves' total β) puts the split within 1e-6 of
    # x = 40/3; SLSQP's default 1e-6 stops about 1e-3 away
    best = allocate(pair(), 50.0)
    assert best.spend["A"] == pytest.approx(40 / 3, rel=1e-6)
    assert best.spend["B"] == pytest.approx(110 / 3, rel=1e-6)


@pytest.mark.parametrize("scale", [1e-6, 1e6])
def test_responses_in_millionths_or_millions_split_alike(scale: float) -> None:
    # The objective is the response over the curves' total β (500 × scale), so the
    # tolerance is relative: the same split for any unit of response. Unscaled, a response
    # in millionths stops about 1e-4 from the optimum.
    best = allocate(pair(scale), 50.0)
    assert best.spend["A"] == pytest.approx(40 / 3, rel=1e-6)
    assert best.total_response == pytest.approx(2600 / 7 * scale, rel=1e-9)


def test_a_budget_within_a_trillionth_of_the_minimums_is_met_by_them() -> None:
    # NO_ROOM: A may take 10 to 10 + 1e-11, B exactly 40; a budget of 50 + 1e-11 leaves
    # room of 1e-11, below 1e-12 × 50: the minimums, exactly, without the optimiser
    tight = pair(A={"low": 10.0, "high": 10.0 + 1e-11}, B={"low": 40.0, "high": 40.0})
    best = allocate(tight, 50.0 + 1e-11)
    assert (best.spend["A"], best.spend["B"]) == (10.0, 40.0)
    # room of 1e-10, above 5e-11: A's steeper slope (2.5 against 1.6) takes all of it
    wider = pair(A={"low": 10.0, "high": 10.0 + 1e-10}, B={"low": 40.0, "high": 40.0})
    best = allocate(wider, 50.0 + 1e-10)
    assert best.spend["A"] == pytest.approx(10.0 + 1e-10, abs=1e-13) and best.spend["A"] > 10.0


def test_below_a_budget_of_one_the_room_is_measured_against_one() -> None:
    # one channel: its room is the budget itself. 1e-12 is within 1e-12 × 1: nothing spent;
    # 1.5e-12 is not: all of it is spent
    (a,) = pair()[:1]
    assert allocate([a], 1e-12).spend == {"A": 0.0}
    assert allocate([a], 1.5e-12).spend["A"] == pytest.approx(1.5e-12, rel=1e-6)


def test_a_budget_meets_its_bounds_up_to_a_billionth() -> None:
    # BOUND_SLACK: minimums 20 + 30 = 50; a budget short of them by 4e-8 (under 1e-9 × 50)
    # is rounding and is accepted, at the minimums; short by 6e-8 it is refused
    floors = pair(A={"low": 20.0}, B={"low": 30.0})
    assert allocate(floors, 50.0 - 4e-8).spend == pytest.approx({"A": 20.0, "B": 30.0})
    with pytest.raises(ValueError, match="outside what the bounds allow"):
        allocate(floors, 50.0 - 6e-8)
    # maximums 20 + 30: 4e-8 above is accepted (both at their maximums), 6e-8 refused
    caps = pair(A={"high": 20.0}, B={"high": 30.0})
    assert allocate(caps, 50.0 + 4e-8).spend == pytest.approx({"A": 20.0, "B": 30.0})
    with pytest.raises(ValueError, match="outside what the bounds allow"):
        allocate(caps, 50.0 + 6e-8)


def test_below_a_budget_of_one_the_slack_is_a_billionth() -> None:
    # minimums 0.2 + 0.3: the slack is 1e-9 × max(budget, 1) = 1e-9, so 0.5 − 0.5e-9 is
    # accepted and 0.5 − 1.5e-9 refused
    floors = pair(A={"low": 0.2}, B={"low": 0.3})
    assert allocate(floors, 0.5 - 0.5e-9).spend == pytest.approx({"A": 0.2, "B": 0.3})
    with pytest.raises(ValueError, match="outside what the bounds allow"):
        allocate(floors, 0.5 - 1.5e-9)


def test_least_spend_near_the_caps_still_reaches_its_target() -> None:
    # Caps 1.5 × 100 = 150 each, so the search runs to 300. B reaches its cap at
    # y = 2x + 10 = 150, a budget of 220; past it A takes the rest. At 290: A 140, B 150,
    # 100·140/150 + 400·150/160 = 280/3 + 375 = 1405/3. When brentq stops just short of 290
    # the step ROOT_STEP × (300 + 290) covers it; a step of ROOT_STEP × (300 − 290) does not.
    target = 1405 / 3
    inverse = al.least_spend(pair(), target)
    assert inverse.reachable
    assert inverse.allocation.total_response >= target
    # at most brentq's 1e-6 × 300 and one step of 2e-6 × 590 above 290: within 0.0015
    assert 290.0 - 3e-4 <= inverse.allocation.total_spend <= 290.0 + 1.5e-3
    assert inverse.allocation.spend["B"] == pytest.approx(150.0, abs=1e-9)


def test_a_tie_between_equal_channels_is_settled_alike_on_every_run() -> None:
    # Two equal S-curves 100·x³/(x³ + 10³) and 12 a week: all of it in either channel gives
    # 100·1728/2728, a tie. The random starts are seeded by the number of channels, so the
    # tie goes the same way on every run and machine: to B.
    s_curve = Curve(base=0.0, beta=100.0, k=10.0, alpha=3.0, theta=0.0)
    tie = [Channel(n, s_curve, current=6.0, current_response=0.0, max_seen=30.0) for n in "AB"]
    best = allocate(tie, 12.0)
    assert best.spend["A"] == pytest.approx(0.0, abs=1e-9)
    assert best.spend["B"] == pytest.approx(12.0, abs=1e-9)


def test_the_greedy_start_leaves_the_even_split_a_local_best_can_hold() -> None:
    # Two equal S-curves 100·x⁴/(x⁴ + 10⁴) and 18 a week. The even split (9, 9) lies past
    # the curves' inflection (10·(3/5)^¼ = 8.80), so it is a local best: 2·100·6561/16561 =
    # 79.234346. All of it in one channel gives 100·104976/114976 = 91.302533. Starts that
    # keep their shape (the greedy one puts every step in one channel) find it; the tie
    # between the two channels goes the same way on every run: to B.
    s_curve = Curve(base=0.0, beta=100.0, k=10.0, alpha=4.0, theta=0.0)
    pair_ = [Channel(n, s_curve, current=9.0, current_response=0.0, max_seen=30.0) for n in "AB"]
    best = allocate(pair_, 18.0)
    assert best.total_response == pytest.approx(100 * 104976 / 114976, rel=1e-9)
    assert best.spend["A"] == pytest.approx(0.0, abs=1e-9)
    assert best.spend["B"] == pytest.approx(18.0, abs=1e-9)


def test_a_tie_among_three_equal_channels_is_settled_alike_on_every_run() -> None:
    # Three equal S-curves as above and 18 a week: all of it in any one channel gives
    # 91.302533; the seeded starts and the first of equal results settle it on C.
    s_curve = Curve(base=0.0, beta=100.0, k=10.0, alpha=4.0, theta=0.0)
    three = [Channel(n, s_curve, current=9.0, current_response=0.0, max_seen=30.0) for n in "ABC"]
    best = allocate(three, 18.0)
    assert best.total_response == pytest.approx(100 * 104976 / 114976, rel=1e-9)
    assert best.spend["A"] == pytest.approx(0.0, abs=1e-9)
    assert best.spend["B"] == pytest.approx(0.0, abs=1e-9)
    assert best.spend["C"] == pytest.approx(18.0, abs=1e-9)
