"""Response curves: weekly series, adstock, the fit and its verdict, and the formula twins
(Python equals the native formula in the `formulas` package and in LibreOffice)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import xlsxwriter
from engines import NEEDS_LO, is_error, normalise
from mix_sim import CONSTANT, TRUE_CHANNELS, simulate

from xlmplan.core import response as rs
from xlmplan.core.response import Curve, adstock, fit_all, fit_channel, weekly
from xlmplan.libreoffice import runner

TWINS = {
    "response": (rs.curve_response, rs.curve_response_xl),
    "marginal": (rs.marginal_return, rs.marginal_return_xl),
    "roas": (rs.roas_at, rs.roas_at_xl),
}
REFS = ("A1", "B1", "C1", "D1", "E1")  # spend, base, beta, K, alpha


@pytest.fixture(scope="module")
def fits() -> dict[str, rs.Fit]:
    return {f.channel: f for f in fit_all(weekly(simulate(7)))}


# --- weekly series and adstock -----------------------------------------------------------------


def test_weekly_sums_full_weeks_and_drops_cut_ones() -> None:
    days = pd.date_range("2026-01-01", "2026-01-31", freq="D")  # Thursday to Saturday
    data = pd.DataFrame(
        {
            "date": np.repeat(days, 2),
            "channel": ["Search", "Social"] * len(days),
            "spend": np.tile([10.0, 0.0], len(days)),
            "revenue": np.tile([30.0, 5.0], len(days)),
        }
    )
    series = weekly(data)
    assert list(series.weeks.strftime("%Y-%m-%d")) == ["2026-01-05", "2026-01-12", "2026-01-19"]
    assert series.spend["Search"].tolist() == [70.0, 70.0, 70.0]
    assert series.response["Social"].tolist() == [35.0, 35.0, 35.0]
    gap = data[~data["date"].between("2026-01-12", "2026-01-18") | (data["channel"] == "Social")]
    assert weekly(gap).spend["Search"].tolist() == [70.0, 0.0, 70.0]  # a week with no rows


def test_weekly_reads_the_chosen_metric() -> None:
    data = simulate(3, weeks=4)
    series = weekly(data, "conversions")
    week = data[data["date"] < pd.Timestamp("2025-01-13")]
    assert series.response["Video"].iloc[0] == pytest.approx(
        week.loc[week["channel"] == "Video", "conversions"].sum()
    )


def test_adstock_keeps_a_steady_spend_and_carries_over() -> None:
    assert adstock(np.full(10, 500.0), 0.6) == pytest.approx(np.full(10, 500.0))
    pulse = adstock(np.array([100.0, 0.0, 0.0, 0.0]), 0.5)
    assert pulse == pytest.approx([100.0, 50.0, 25.0, 12.5])
    x = np.random.default_rng(1).random(30)
    expected, level = [], x[0]
    for v in x:
        level = 0.3 * v + 0.7 * level
        expected.append(level)
    assert adstock(x, 0.7) == pytest.approx(expected)


def test_jacobian_matches_finite_differences() -> None:
    x = np.random.default_rng(2).random(40)
    x[[3, 4]] = 0.0
    p = np.array([0.1, 1.3, 0.4, 1.7, 0.45])
    numeric = np.column_stack(
        [(rs._model(p + e * 1e-7, x) - rs._model(p - e * 1e-7, x)) / 2e-7 for e in np.eye(5)]
    )
    assert np.abs(rs._jacobian(p, x) - numeric).max() < 1e-6


# --- the fit and its verdict -------------------------------------------------------------------


def test_fit_recovers_the_true_curves_within_the_data(fits: dict[str, rs.Fit]) -> None:
    for sim in TRUE_CHANNELS:
        fit = fits[sim.name]
        assert fit.estimable, fit.reason
        assert fit.curve is not None and fit.r2 is not None and fit.r2 > 0.7
        assert fit.mape is not None and fit.mape < 0.15
        for share in (0.5, 1.0, 1.3):
            x = share * fit.current_weekly_spend
            assert fit.curve.response(x) == pytest.approx(sim.curve.response(x), rel=0.08)
        assert abs(fit.curve.theta - sim.curve.theta) < 0.15


def test_band_brackets_the_prediction_and_usually_the_truth(fits: dict[str, rs.Fit]) -> None:
    inside = 0
    for sim in TRUE_CHANNELS:
        fit = fits[sim.name]
        assert fit.curve is not None and len(fit.boot) == rs.BOOTSTRAP
        for x in (0.5 * fit.current_weekly_spend, fit.current_weekly_spend):
            band = fit.band(x)
            assert band is not None and band[0] < fit.curve.response(x) < band[1]
            inside += band[0] <= sim.curve.response(x) <= band[1]
    assert inside >= 5  # of 8: an 80 % band


def test_constant_spend_and_no_spend_cannot_be_estimated(fits: dict[str, rs.Fit]) -> None:
    constant = fits[CONSTANT.name]
    assert not constant.estimable and constant.curve is None and not constant.boot
    assert constant.reason == "spend barely varied: coefficient of variation 0 %"
    assert constant.current_weekly_spend == pytest.approx(CONSTANT.level, rel=1e-3)
    organic = fits["Organic Search"]
    assert not organic.estimable and organic.reason == "no spend"


def test_short_history_and_little_variation_are_named() -> None:
    rng = np.random.default_rng(5)
    curve = Curve(100.0, 5000.0, 1000.0, 1.0, 0.2)
    x = np.concatenate([np.zeros(60), rng.uniform(200, 2000, 9)])
    fit = fit_channel("New", x, curve.response(x))
    assert not fit.estimable and fit.reason == "only 9 weeks of history (a curve needs 26)"
    flat = 1000.0 * (1 + rng.normal(0, 0.03, 80))
    fit = fit_channel("Flat", flat, curve.response(flat) * (1 + rng.normal(0, 0.1, 80)))
    assert not fit.estimable and fit.reason == "spend barely varied: coefficient of variation 3 %"
    sparse = np.zeros(80)
    sparse[::12] = 900.0
    fit = fit_channel("Sparse", sparse, curve.response(sparse))
    assert not fit.estimable and fit.reason == "spend in only 7 weeks (a curve needs 8)"


def test_spend_paid_as_a_share_of_results_gets_no_curve() -> None:
    """An affiliate paid 8 % of its revenue: spend varies, but only because revenue does."""
    rng = np.random.default_rng(8)
    revenue = 12000 * np.exp(rng.normal(0, 0.2, 80))
    fit = fit_channel("Affiliate", np.round(revenue * 0.08, 2), revenue)
    assert not fit.estimable and fit.curve is None
    assert fit.reason.startswith("spend is a fixed share of the results (8.0%, a commission)")


def test_spend_that_explains_nothing_gets_no_curve() -> None:
    rng = np.random.default_rng(6)
    x = rng.uniform(500, 3000, 80)
    noise = 4000 * (1 + rng.normal(0, 0.3, 80))  # revenue unrelated to spend
    fit = fit_channel("Noise", x, noise)
    assert not fit.estimable and fit.curve is None
    assert fit.reason.startswith(("the curve explains only", "too uncertain"))


def test_fits_are_repeatable() -> None:
    a = fit_all(weekly(simulate(4)))
    b = fit_all(weekly(simulate(4)))
    assert [f.curve for f in a] == [f.curve for f in b]
    assert [f.band(1000.0) for f in a] == [f.band(1000.0) for f in b]


# --- the twins ---------------------------------------------------------------------------------


def _case(rng: np.random.Generator) -> tuple[Any, ...]:
    """spend, base, beta, K, alpha: mostly sensible; zero spend, α = 1, and in a quarter of
    the cases one blank, zero, negative or text argument."""
    spend = 0.0 if rng.random() < 0.1 else float(rng.uniform(0, 5000))
    alpha = 1.0 if rng.random() < 0.15 else float(rng.uniform(0.5, 3))
    case = [spend, float(rng.uniform(0, 500)), float(rng.uniform(0, 30000))]
    case += [float(rng.uniform(100, 4000)), alpha]
    if rng.random() < 0.25:
        bad: list[Any] = [None, "x", -10.0, 0.0]
        case[int(rng.integers(5))] = bad[int(rng.integers(4))]
    return tuple(case)


CASES = [_case(np.random.default_rng([31, i])) for i in range(240)]


def _agrees(expected: float | None, got: Any) -> bool:
    if expected is None:
        return got in (None, "")
    return isinstance(got, float) and math.isclose(expected, got, rel_tol=1e-9, abs_tol=1e-12)


def test_twin_cases_reach_every_branch() -> None:
    for name, (python, _) in TWINS.items():
        results = [python(*case) for case in CASES]
        assert sum(r is None for r in results) >= 20, name
        assert len({round(r, 6) for r in results if r is not None}) >= 100, name
    assert any(c[0] == 0.0 and c[4] == 1.0 and c[3] for c in CASES)  # marginal's β/K branch


@pytest.mark.parametrize("name", list(TWINS))
def test_twin_equals_python_in_formulas(name: str) -> None:
    import formulas
    from schedula.utils.cst import EMPTY

    python, excel = TWINS[name]
    func = formulas.Parser().ast("=" + excel(*REFS))[1].compile()
    problems = []
    for case in CASES:
        cells = dict(zip(REFS, case, strict=True))
        got = func(*[EMPTY if cells[k] is None else cells[k] for k in func.inputs])
        got = normalise(got.ravel()[0] if isinstance(got, np.ndarray) else got)
        if is_error(got) or not _agrees(python(*case), got):
            problems.append(f"{case}: python {python(*case)!r} vs formulas {got!r}")
    assert not problems, "\n".join(problems[:10])


def test_curve_methods_are_the_twins_rules() -> None:
    curve = Curve(120.0, 9000.0, 1500.0, 1.7, 0.3)
    for x in (10.0, 700.0, 1500.0, 6000.0):
        params = (curve.base, curve.beta, curve.k, curve.alpha)
        assert curve.response(x) == pytest.approx(rs.curve_response(x, *params), rel=1e-12)
        assert curve.marginal(x) == pytest.approx(rs.marginal_return(x, *params), rel=1e-12)


@NEEDS_LO
def test_twins_equal_python_in_libreoffice(tmp_path: Path) -> None:
    path = tmp_path / "curves.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Cases")
    expected: dict[str, float | None] = {}
    for i, case in enumerate(CASES):
        refs = [f"{c}{i + 1}" for c in "ABCDE"]
        for j, value in enumerate(case):
            if isinstance(value, str):
                sheet.write_string(i, j, value)
            elif value is not None:
                sheet.write_number(i, j, value)
        for j, (python, excel) in enumerate(TWINS.values()):
            sheet.write_formula(i, 6 + j, "=" + excel(*refs))
            expected[f"{'GHI'[j]}{i + 1}"] = python(*case)
    book.close()
    got = runner.recalculate(path).values["Cases"]
    problems = [
        f"{ref}: python {e!r} vs libreoffice {got.get(ref)!r}"
        for ref, e in expected.items()
        if is_error(got.get(ref)) or not _agrees(e, got.get(ref))
    ]
    assert not problems, f"{len(problems)} of {len(expected)} differ:\n" + "\n".join(problems[:10])


def test_steady_state_needs_no_carry_over_parameter() -> None:
    """A spend held for long enough reaches the curve's value whatever the carry-over."""
    for theta in (0.0, 0.4, 0.8):
        curve = Curve(50.0, 2000.0, 800.0, 1.4, theta)
        a = adstock(np.concatenate([np.zeros(1), np.full(200, 900.0)]), theta)
        weekly_response = curve.base + curve.beta * rs.hill(a, curve.k, curve.alpha)
        assert weekly_response[-1] == pytest.approx(
            rs.curve_response(900.0, 50.0, 2000.0, 800.0, 1.4)
        )
