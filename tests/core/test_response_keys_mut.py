"""Answer key for response curves (``xlmplan.core.response``), each figure worked by hand.

The curve is R(x) = base + β·x^α / (x^α + K^α) and its slope β·α·K^α·x^(α-1) / (x^α + K^α)².
With K = 10: x = 10 is half-saturation (10^α / (10^α + 10^α) = 0.5 for any α), and at α = 2
x = 20 gives 400 / (400 + 100) = 0.8. Each Python rule and its ``*_xl`` twin (evaluated by the
`formulas` package over constants) get the same expectation.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tests.core.keys import xl
from xlmplan.core import response as rsp
from xlmplan.core.response import Curve, adstock, fit_all, fit_channel, hill, weekly

pytestmark = pytest.mark.core

ARGS = ("A1", "B1", "C1", "D1", "E1")


def twin(rule: Any, spend: Any, base: Any, beta: Any, k: Any, alpha: Any) -> Any:
    value = xl(rule(*ARGS), A1=spend, B1=base, C1=beta, D1=k, E1=alpha)
    return None if value == "" else value


def test_hill_at_half_saturation_and_beyond() -> None:
    assert hill(10.0, 10.0, 2.0) == 0.5  # 100 / (100 + 100)
    assert hill(20.0, 10.0, 2.0) == 0.8  # 400 / (400 + 100)
    assert hill(0.0, 10.0, 2.0) == 0.0
    assert hill(30.0, 10.0, 1.0) == 0.75  # 30 / (30 + 10)
    assert hill(np.array([10.0, 20.0]), 10.0, 2.0).tolist() == [0.5, 0.8]


# (spend, base, beta, K, alpha, response, marginal, roas)
CURVE_POINTS = [
    # 5 + 100 * 0.8 = 85; slope 100*2*100*20 / 500^2 = 400000 / 250000 = 1.6; 85 / 20 = 4.25
    (20.0, 5.0, 100.0, 10.0, 2.0, 85.0, 1.6, 4.25),
    # 5 + 100 * 0.5 = 55; slope 100*2*100*10 / 200^2 = 200000 / 40000 = 5; 55 / 10 = 5.5
    (10.0, 5.0, 100.0, 10.0, 2.0, 55.0, 5.0, 5.5),
    # alpha 1: 0 + 100 * 30/40 = 75; slope 100*1*10 / 40^2 = 0.625; 75 / 30 = 2.5
    (30.0, 0.0, 100.0, 10.0, 1.0, 75.0, 0.625, 2.5),
    # alpha 0.5, x = K: 100 * 0.5 = 50; slope 100*0.5*sqrt(10)/sqrt(10) / (2 sqrt(10))^2 = 1.25
    (10.0, 0.0, 100.0, 10.0, 0.5, 50.0, 1.25, 5.0),
    # at zero spend: the base; slope 0 when alpha > 1; no ROAS
    (0.0, 5.0, 100.0, 10.0, 2.0, 5.0, 0.0, None),
    # at zero spend, alpha 1: slope beta / K = 10
    (0.0, 5.0, 100.0, 10.0, 1.0, 5.0, 10.0, None),
    # at zero spend, alpha below 1: the slope is infinite, so blank
    (0.0, 5.0, 100.0, 10.0, 0.5, 5.0, None, None),
    # K below 1: 10 * 0.5 / (0.5 + 0.5) = 5; slope 10 * 0.5 / 1^2 = 5; 5 / 0.5 = 10
    (0.5, 0.0, 10.0, 0.5, 1.0, 5.0, 5.0, 10.0),
    # a negative base and beta are kept as given: -5 + (-100) * 0.5 = -55; slope -5
    (10.0, -5.0, -100.0, 10.0, 2.0, -55.0, -5.0, -5.5),
]


@pytest.mark.parametrize(("x", "base", "beta", "k", "alpha", "r", "m", "roas"), CURVE_POINTS)
def test_curve_rules_and_their_twins(
    x: float, base: float, beta: float, k: float, alpha: float, r: float, m: Any, roas: Any
) -> None:
    args = (x, base, beta, k, alpha)
    assert rsp.curve_response(*args) == pytest.approx(r, rel=1e-12)
    assert twin(rsp.curve_response_xl, *args) == pytest.approx(r, rel=1e-12)
    assert rsp.marginal_return(*args) == (None if m is None else pytest.approx(m, rel=1e-12))
    assert twin(rsp.marginal_return_xl, *args) == (
        None if m is None else pytest.approx(m, rel=1e-12)
    )
    assert rsp.roas_at(*args) == (None if roas is None else pytest.approx(roas, rel=1e-12))
    assert twin(rsp.roas_at_xl, *args) == (None if roas is None else pytest.approx(roas, rel=1e-12))


@pytest.mark.parametrize(
    "args",
    [
        (-1.0, 5.0, 100.0, 10.0, 2.0),  # negative spend
        (10.0, 5.0, 100.0, 0.0, 2.0),  # K = 0
        (10.0, 5.0, 100.0, -10.0, 2.0),  # K < 0
        (10.0, 5.0, 100.0, 10.0, 0.0),  # alpha = 0
        (10.0, 5.0, 100.0, 10.0, -1.0),  # alpha < 0
        (None, 5.0, 100.0, 10.0, 2.0),  # a blank in any place
        (10.0, None, 100.0, 10.0, 2.0),
        (10.0, 5.0, None, 10.0, 2.0),
        (10.0, 5.0, 100.0, None, 2.0),
        (10.0, 5.0, 100.0, 10.0, None),
        ("n/a", 5.0, 100.0, 10.0, 2.0),  # text
        (10.0, 5.0, "x", 10.0, 2.0),
        (10.0, 5.0, 100.0, "x", 2.0),  # text compares above every number in a formula
        (10.0, 5.0, 100.0, 10.0, "x"),
    ],
)
def test_curve_rules_are_blank_outside_their_domain(args: tuple[Any, ...]) -> None:
    for rule, rule_xl in (
        (rsp.curve_response, rsp.curve_response_xl),
        (rsp.marginal_return, rsp.marginal_return_xl),
        (rsp.roas_at, rsp.roas_at_xl),
    ):
        assert rule(*args) is None, rule.__name__
        assert twin(rule_xl, *args) is None, rule.__name__


def test_curve_object_matches_the_rules_and_names_its_parameters() -> None:
    c = Curve(base=5.0, beta=100.0, k=10.0, alpha=2.0, theta=0.3)
    assert c.response(20.0) == pytest.approx(85.0)  # as CURVE_POINTS[0]
    assert c.response(-3.0) == pytest.approx(5.0)  # negative spend counts as none
    assert c.marginal(20.0) == pytest.approx(1.6)
    assert c.marginal(10.0) == pytest.approx(5.0)
    assert c.response(np.array([10.0, 20.0])) == pytest.approx([55.0, 85.0])
    # at zero the slope is taken at 1e-12 K: 100*2*100*(1e-11) / (1e-22 + 100)^2 = 2e-11
    assert c.marginal(0.0) == pytest.approx(2e-11, rel=1e-6)
    assert c.as_dict() == {
        "base": 5.0,
        "beta": 100.0,
        "half_saturation": 10.0,
        "shape": 2.0,
        "carryover": 0.3,
    }


# --- carry-over -----------------------------------------------------------------------------


def test_adstock_by_hand() -> None:
    # theta 0.5, starting as if 10 had run before: 0.5*10 + 0.5*10 = 10; 0 + 0.5*10 = 5;
    # 0 + 0.5*5 = 2.5; 0.5*20 + 0.5*2.5 = 11.25
    x = np.array([10.0, 0.0, 0.0, 20.0])
    assert adstock(x, 0.5).tolist() == [10.0, 5.0, 2.5, 11.25]
    # theta 0.2: 10; 0.8*0 + 0.2*10 = 2; 0.2*2 = 0.4; 0.8*20 + 0.2*0.4 = 16.08
    assert adstock(x, 0.2) == pytest.approx([10.0, 2.0, 0.4, 16.08])
    assert adstock(x, 0.0).tolist() == x.tolist()  # no carry-over: the spend itself
    assert adstock(np.array([]), 0.5).tolist() == []
    # a steady spend adstocks to itself (the weights sum to one)
    assert adstock(np.array([7.0] * 5), 0.6) == pytest.approx([7.0] * 5)


def test_adstock_slope_by_hand() -> None:
    # level_t = (1-θ)x_t + θ level_(t-1), level_(-1) = x_0: at θ = 0.5 the levels are
    # 10, 10θ, 10θ², 20(1-θ) + 10θ³, so d/dθ = 0, 10, 20θ = 10, -20 + 30θ² = -12.5
    x = np.array([10.0, 0.0, 0.0, 20.0])
    assert rsp._adstock_slope(x, 0.5) == pytest.approx([0.0, 10.0, 10.0, -12.5])


def test_jacobian_is_the_models_derivative() -> None:
    """Each column of the Jacobian equals the central difference of the model."""
    x = np.array([0.2, 0.5, 1.0, 0.0, 0.7, 0.4])
    p = np.array([0.1, 2.0, 0.4, 1.5, 0.3])
    jac = rsp._jacobian(p, x)
    for j in range(5):
        h = np.zeros(5)
        h[j] = 1e-6
        numeric = (rsp._model(p + h, x) - rsp._model(p - h, x)) / 2e-6
        assert jac[:, j] == pytest.approx(numeric, rel=1e-5, abs=1e-8), j


# --- weekly series --------------------------------------------------------------------------


def test_weekly_keeps_full_monday_to_sunday_weeks() -> None:
    # 2026-01-01 is a Thursday: the first full week starts Monday 5 January; 2026-01-27 is
    # a Tuesday, so the last full week ends Sunday 25 January: weeks of 5, 12 and 19
    # January, the 12th with no rows at all. Email has rows only in the cut first week.
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime(
                [
                    "2026-01-01",
                    "2026-01-01",
                    "2026-01-05",
                    "2026-01-11",
                    "2026-01-19",
                    "2026-01-25",
                    "2026-01-25",
                    "2026-01-27",
                ]
            ),  # fmt: skip
            "channel": [
                "Search",
                "Email",
                "Search",
                "Search",
                "Social",
                "Search",
                "Social",
                "Search",
            ],  # fmt: skip
            "spend": [1.0, 9.0, 10.0, 20.0, 5.0, 7.0, "n/a", 99.0],
            "revenue": [1.0, 9.0, 100.0, 200.0, 50.0, 70.0, 30.0, 990.0],
            "conversions": [0.0, 9.0, 1.0, 2.0, 3.0, 4.0, "n/a", 6.0],
        }
    )
    series = weekly(frame)
    assert [str(d.date()) for d in series.weeks] == ["2026-01-05", "2026-01-12", "2026-01-19"]
    assert list(series.spend.columns) == ["Email", "Search", "Social"]
    # Email: nothing in the full weeks; Search: 10 + 20, none, 7; Social: 5 + "n/a" as 0
    assert series.spend.to_numpy().tolist() == [[0.0, 30.0, 0.0], [0.0, 0.0, 0.0], [0.0, 7.0, 5.0]]
    assert series.response.to_numpy().tolist() == [
        [0.0, 300.0, 0.0],
        [0.0, 0.0, 0.0],
        [0.0, 70.0, 80.0],
    ]
    conversions = weekly(frame, "conversions")  # "n/a" counts as 0
    assert conversions.response.to_numpy().tolist() == [
        [0.0, 3.0, 0.0],
        [0.0, 0.0, 0.0],
        [0.0, 4.0, 3.0],
    ]
    assert series.spend.dtypes.tolist() == [np.dtype(float)] * 3
    with pytest.raises(ValueError, match="unknown response metric 'clicks'"):
        weekly(frame, "clicks")  # type: ignore[arg-type]


def test_weekly_without_a_full_week_is_empty() -> None:
    # Monday 5 to Saturday 10 January: no Sunday, so no full week
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime(["2026-01-05", "2026-01-10"]),
            "channel": ["Search", "Social"],
            "spend": [1.0, 2.0],
            "revenue": [1.0, 2.0],
        }
    )
    series = weekly(frame)
    assert len(series.weeks) == 0 and list(series.spend.columns) == ["Search", "Social"]
    assert series.response.empty and list(series.response.columns) == ["Search", "Social"]
    empty = weekly(frame.iloc[:0])
    assert len(empty.weeks) == 0 and empty.spend.empty and empty.response.empty
    # exactly one full week, Monday to Sunday
    one = weekly(
        pd.DataFrame(
            {
                "date": pd.to_datetime(["2026-01-05", "2026-01-11"]),
                "channel": ["Search", "Search"],
                "spend": [1.0, 2.0],
                "revenue": [3.0, 4.0],
            }
        )
    )
    assert [str(d.date()) for d in one.weeks] == ["2026-01-05"]
    assert one.spend.to_numpy().tolist() == [[3.0]] and one.response.to_numpy().tolist() == [[7.0]]


# --- verdicts: when a curve is not fitted ----------------------------------------------------


def test_no_spend() -> None:
    fit = fit_channel("Email", np.zeros(30), np.full(30, 4.0))
    assert (fit.estimable, fit.reason, fit.curve) == (False, "no spend", None)
    # weeks since the first spend: none
    assert (fit.weeks, fit.spend_weeks, fit.cv, fit.max_weekly_spend) == (0, 0, 0.0, 0.0)
    assert fit.current_weekly_response == 4.0 and fit.band(1.0) is None


def test_short_history_counts_weeks_since_the_first_spend() -> None:
    # 40 weeks of which the first 15 have no spend: 25 weeks since the first, below 26
    spend = np.array([0.0] * 15 + [50.0, 150.0] * 12 + [50.0])
    fit = fit_channel("Search", spend, np.ones(40))
    assert fit.reason == "only 25 weeks of history (a curve needs 26)"
    assert (fit.weeks, fit.spend_weeks, fit.max_weekly_spend) == (25, 25, 150.0)
    # the last 13 weeks: 50 150 ... 50 (7 of 50, 6 of 150) = (350 + 900) / 13
    assert fit.current_weekly_spend == pytest.approx(1250 / 13)
    assert fit.current_weekly_response == 1.0
    assert fit_channel("Search", spend[1:], np.ones(39)).reason == fit.reason
    assert fit_channel("Search", np.concatenate([[0.0], spend]), np.ones(41)).reason == fit.reason
    # one more week with spend: 26, the history is long enough and the next check runs
    # (a response of twice the spend: a commission of 1/2, no curve fitted)
    longer = np.concatenate([spend, [50.0]])
    assert fit_channel("Search", longer, 2.0 * longer).reason.startswith(
        "spend is a fixed share of the results (50.0%, a commission)"
    )


def test_few_weeks_with_spend() -> None:
    # 30 weeks since the first spend, spend in 7 of them (one short of 8)
    spend = np.array([100.0, 0.0, 0.0, 0.0] * 7 + [0.0, 0.0])
    fit = fit_channel("Display", spend, np.ones(30))
    assert fit.reason == "spend in only 7 weeks (a curve needs 8)"
    assert (fit.weeks, fit.spend_weeks) == (30, 7)


def test_spend_that_barely_varied() -> None:
    # 30 weeks of 90.6 and 109.4: mean 100, population std 9.4, cv 0.094 -> shown as 9 %
    spend = np.array([90.6, 109.4] * 15)
    fit = fit_channel("Social", spend, np.ones(30))
    assert fit.cv == pytest.approx(0.094)
    assert fit.reason == "spend barely varied: coefficient of variation 9 %"
    # 90 and 110: cv exactly 0.10, "10 %" is not below 10 %: the next check runs (a
    # response of 10 x spend is a commission of 1/10, so no curve is fitted: a quick key)
    steady = np.array([90.0, 110.0] * 15)
    assert fit_channel("Social", steady, 10.0 * steady).reason == (
        "spend is a fixed share of the results (10.0%, a commission): "
        "spend follows the results, a curve would only echo that rate"
    )
    # 95.05 / 104.95: cv 0.0495 rounds to 0.05, shown as 5 %
    assert fit_channel("Social", np.array([95.05, 104.95] * 15), np.ones(30)).reason == (
        "spend barely varied: coefficient of variation 5 %"
    )


# --- the fit -------------------------------------------------------------------------------

TRUE = Curve(base=50.0, beta=400.0, k=100.0, alpha=1.5, theta=0.3)
SPEND = np.array([40.0, 80, 120, 160, 200, 60, 100, 140, 180, 20] * 4)


def exact_response(curve: Curve, spend: np.ndarray) -> np.ndarray:
    a = adstock(spend, curve.theta)
    return curve.base + curve.beta * hill(a, curve.k, curve.alpha)


def test_fit_recovers_a_curve_from_exact_data() -> None:
    """Forty weeks made by the model itself (base 50, β 400, K 100, α 1.5, θ 0.3): the fit
    finds those parameters, explains every change (R² 1, error 0) and the bootstrap band at
    K is the single value R(K) = 50 + 400 · 0.5 = 250."""
    fit = fit_channel("Search", SPEND, exact_response(TRUE, SPEND))
    assert fit.estimable and fit.reason == "" and fit.curve is not None
    for name in ("base", "beta", "k", "alpha", "theta"):
        assert getattr(fit.curve, name) == pytest.approx(getattr(TRUE, name), rel=1e-6), name
    assert fit.r2 == pytest.approx(1.0, abs=1e-9) and fit.mape == pytest.approx(0.0, abs=1e-9)
    assert len(fit.boot) == rsp.BOOTSTRAP
    lo, hi = fit.band(100.0) or (0.0, 0.0)
    assert lo == pytest.approx(250.0, rel=1e-6) and hi == pytest.approx(250.0, rel=1e-6)
    # the last 13 weeks: 140 180 20 40 80 120 160 200 60 100 140 180 20 -> 1440 / 13
    assert fit.current_weekly_spend == pytest.approx(1440 / 13)
    assert (fit.weeks, fit.spend_weeks, fit.max_weekly_spend) == (40, 40, 200.0)


def test_fit_that_explains_nothing_is_not_trusted() -> None:
    # a response that ignores spend, alternating 0 and 10 against a spend that climbs:
    # no curve explains 20 % of it
    spend = np.array([20.0 * (i % 10 + 1) for i in range(30)])
    noise = np.array([0.0, 10.0] * 15)
    fit = fit_channel("Search", spend, noise)
    assert not fit.estimable and fit.curve is None and fit.boot == []
    assert re_share(fit.reason) < 20
    assert fit.reason.endswith("% of the weekly changes in revenue")
    # fit_all passes its metric on to each channel's verdict
    weeks = pd.DatetimeIndex(pd.date_range("2026-01-05", periods=30, freq="7D"))
    series = rsp.Weekly(weeks, pd.DataFrame({"Search": spend}), pd.DataFrame({"Search": noise}))
    (other,) = fit_all(series, "new_customers")
    assert other.reason.endswith("% of the weekly changes in new customers")


def re_share(reason: str) -> int:
    """The percentage in 'the curve explains only N % of …'."""
    prefix = "the curve explains only "
    assert reason.startswith(prefix), reason
    return int(reason[len(prefix) :].split(" ")[0])


def test_fit_all_is_in_channel_order() -> None:
    spend = pd.DataFrame({"B": np.zeros(3), "A": np.zeros(3)})
    series = rsp.Weekly(pd.DatetimeIndex(pd.date_range("2026-01-05", periods=3, freq="7D")),
                        spend[["A", "B"]], spend[["A", "B"]])  # fmt: skip
    assert [f.channel for f in fit_all(series)] == ["A", "B"]
    assert all(f.reason == "no spend" for f in fit_all(series))


def test_seeds_follow_the_channels_own_series_not_its_name() -> None:
    # the same weekly series gives the same draws (a channel named in another language
    # fits alike); a different series gives others
    x, y = np.array([1.0, 2.0, 3.0]), np.array([10.0, 20.0, 35.0])
    a, b = (
        rsp._seed(x, y).integers(0, 2**31, 3),
        rsp._seed(x.copy(), y.copy()).integers(0, 2**31, 3),
    )
    assert a.tolist() == b.tolist()
    assert rsp._seed(x, y + 1).integers(0, 2**31, 3).tolist() != a.tolist()
    assert not math.isnan(float(a[0]))


def judged(r2: float, betas: list[float], *, base: float = 0.0, current: float = 10.0) -> rsp.Fit:
    """A fit of R(x) = base + 100·x/(x + 10) whose bootstrap curves differ in β alone: at
    x = 10 each refit gives base + β/2."""
    curve = Curve(base=base, beta=100.0, k=10.0, alpha=1.0, theta=0.0)
    boot = [Curve(base=base, beta=b, k=10.0, alpha=1.0, theta=0.0) for b in betas]
    return rsp.Fit("Search", True, "", curve, 30, 30, 0.5, 20.0, current, 50.0, r2, 0.1, boot)


def test_doubt_about_a_fit_that_explains_too_little() -> None:
    x = np.array([0.0, 4.0, 10.0, 16.0])
    narrow = [100.0, 100.0]
    assert rsp._doubt(judged(0.19, narrow), x, "revenue") == (
        "the curve explains only 19 % of the weekly changes in revenue"
    )
    assert rsp._doubt(judged(-0.5, narrow), x, "new customers") == (
        "the curve explains only 0 % of the weekly changes in new customers"
    )
    assert rsp._doubt(judged(0.2, narrow), x, "revenue") == ""  # exactly 20 % is enough


def test_doubt_about_a_band_too_wide_at_current_spend() -> None:
    x = np.array([0.0, 4.0, 10.0, 16.0])  # spend weeks' median 10: the current 10 is used
    # refits at 10: 0, 50, 100; the 10th and 90th percentiles 10 and 90 around R(10) = 50:
    # (90 - 10) / 50 = 160 % wide
    assert rsp._doubt(judged(0.9, [0.0, 100.0, 200.0]), x, "revenue") == (
        "too uncertain: the 80 % band at current spend is 160 % wide"
    )
    # refits 0 and 62.5: percentiles 6.25 and 56.25, (56.25 - 6.25) / 50 = 100 %: trusted
    assert rsp._doubt(judged(0.9, [0.0, 125.0]), x, "revenue") == ""
    # a prediction of 0 (base -50): any band is too wide
    assert rsp._doubt(judged(0.9, [100.0, 100.0], base=-50.0), x, "revenue") == (
        "too uncertain: the 80 % band at current spend is inf % wide"
    )


def test_doubt_measures_the_band_at_the_larger_of_current_and_median_spend() -> None:
    # A flat fitted curve R = 20 with refits 20 and 20 + 100·x/(x + 10): the band is
    # 0.8 · 100·x/(x + 10) wide against 20, so its width tells where it was measured:
    # at 10: 0.8 · 50 / 20 = 200 %; at 4: 0.8 · 28.57 / 20 = 114 %; at 2: 0.8 · 16.67 / 20
    # = 67 % (trusted).
    flat = replace(
        judged(0.9, [], current=2.0),
        curve=Curve(20.0, 0.0, 10.0, 1.0, 0.0),
        boot=[Curve(20.0, b, 10.0, 1.0, 0.0) for b in (0.0, 100.0)],
    )
    assert flat.band(10.0) == pytest.approx((25.0, 65.0))
    # current 2 below the spend weeks' median 10 (the zero weeks left out: with them, 2)
    too_wide = "too uncertain: the 80 % band at current spend is {} % wide"
    x = np.array([0.0, 0.0, 0.0, 4.0, 10.0, 16.0])
    assert rsp._doubt(flat, x, "revenue") == too_wide.format(200)
    assert rsp._doubt(flat, np.array([2.0, 2.0]), "revenue") == ""
    # current 10 above the median 4
    assert rsp._doubt(replace(flat, current_weekly_spend=10.0), np.array([4.0] * 3), "revenue") == (
        too_wide.format(200)
    )
    assert rsp._doubt(replace(flat, current_weekly_spend=0.0), np.array([4.0] * 3), "revenue") == (
        too_wide.format(114)
    )


def test_bootstrap_refits_shift_the_base_by_a_constant_residual() -> None:
    # Residuals all equal to 0.05: every block resample is 0.05 in each week, so each of the
    # 40 refits fits the curve's own values plus 0.05 exactly with the base 0.05 higher and
    # the rest unchanged. With α = 1 the shape prior's residual, prior · log α, is 0 too.
    x = np.array([0.2, 0.5, 1.0, 0.0, 0.7, 0.4, 0.9, 0.3])
    p = np.array([0.1, 0.8, 0.4, 1.0, 0.3])
    fitted = rsp._model(p, x)
    refits = rsp._bootstrap(x, fitted, np.full(8, 0.05), p, np.random.default_rng(1), 0.3)
    assert len(refits) == rsp.BOOTSTRAP
    for refit in refits:
        assert refit == pytest.approx([0.15, 0.8, 0.4, 1.0, 0.3], abs=1e-6)


def test_fit_in_units_below_one() -> None:
    """The exact-data key in thousands: spend 0.02..0.2 a week, base 0.05, β 0.4, K 0.1; every
    week has spend and a response below 1, and the fit still finds the curve."""
    small = Curve(base=0.05, beta=0.4, k=0.1, alpha=1.5, theta=0.3)
    fit = fit_channel("Search", SPEND / 1000, exact_response(small, SPEND / 1000))
    assert fit.estimable and fit.curve is not None
    for name in ("base", "beta", "k", "alpha", "theta"):
        assert getattr(fit.curve, name) == pytest.approx(getattr(small, name), rel=1e-6), name
    assert (fit.weeks, fit.spend_weeks, fit.max_weekly_spend) == (40, 40, 0.2)
    assert fit.current_weekly_spend == pytest.approx(1.44 / 13)
    assert fit.r2 == pytest.approx(1.0, abs=1e-9) and fit.mape == pytest.approx(0.0, abs=1e-9)


def test_commission_verdict_at_its_edges() -> None:
    # spend of 0.5 a week with 0.05 back each time: spend is 10 times the results, shown as
    # 1000.0 %; the unpaid first week is left out
    x, y = np.array([0.0, 0.5, 0.5]), np.array([3.0, 0.05, 0.05])
    assert rsp._commission(x, y).startswith("spend is a fixed share of the results (1000.0%")
    # no results at all: no rate to echo
    assert rsp._commission(np.array([1.0, 2.0]), np.zeros(2)) == ""


def test_verdict_edges() -> None:
    assert rsp._verdict(30, 30, 0.5, 0.5) == ""  # a total below 1 is still spend
    assert rsp._verdict(30, 8, 0.5, 100.0) == ""  # exactly eight weeks with spend
    assert rsp._verdict(30, 30, 0.09949, 100.0) == ""  # shown as 10 %: not below
    # 9.46 % is shown as 9 %
    assert rsp._verdict(30, 30, 0.0946, 100.0) == (
        "spend barely varied: coefficient of variation 9 %"
    )


def test_prior_weight_by_hand() -> None:
    # sqrt(2 · cost / (n - 5)) / 0.5: cost 2, nine weeks: sqrt(1) / 0.5 = 2; seven weeks:
    # sqrt(2) / 0.5; at most five parameters' worth of weeks: divided by 1
    assert rsp._prior_weight(2.0, 9) == pytest.approx(2.0)
    assert rsp._prior_weight(2.0, 7) == pytest.approx(2 * math.sqrt(2))
    assert rsp._prior_weight(2.0, 6) == pytest.approx(4.0)
    assert rsp._prior_weight(2.0, 5) == pytest.approx(4.0)


def test_doubt_shares_and_small_predictions() -> None:
    x = np.array([0.0, 4.0, 10.0, 16.0])
    assert rsp._doubt(judged(0.194, [100.0, 100.0]), x, "revenue") == (
        "the curve explains only 19 % of the weekly changes in revenue"
    )
    # a prediction of 0.5 at 10 (base -49.5): without refits there is no band, trusted;
    # with refits 0.5 and 1.5 apart (β 100 and 102: 0.5 and 1.5), the band 0.6..1.4 is
    # 0.8 / 0.5 = 160 % wide
    assert rsp._doubt(judged(0.9, [], base=-49.5), x, "revenue") == ""
    assert rsp._doubt(judged(0.9, [100.0, 102.0], base=-49.5), x, "revenue") == (
        "too uncertain: the 80 % band at current spend is 160 % wide"
    )


def test_no_weeks_and_one_week() -> None:
    empty = fit_channel("Email", np.array([]), np.array([]))
    assert (empty.reason, empty.weeks, empty.max_weekly_spend) == ("no spend", 0, 0.0)
    assert (empty.current_weekly_spend, empty.current_weekly_response) == (0.0, 0.0)
    one = fit_channel("Email", np.array([5.0]), np.array([2.0]))
    assert one.reason == "only 1 weeks of history (a curve needs 26)"
    assert (one.max_weekly_spend, one.current_weekly_spend, one.current_weekly_response) == (
        5.0,
        5.0,
        2.0,
    )
