"""Answer key for the on-pace verdict as the engine and the Targets sheet compute it.

Each figure is worked by hand beside it. The sheets sum the path weighted by each period's
share due by the as-of date (``due_share``, ``target_due``), and every formula twin is
evaluated with ``formulas`` over the same constants.

Plan Q1 2024: January (31 days), a leap February (29) and March (31) = 91 days.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.core.keys import CATALOG, SCENARIOS, WORDS, D, data, run, settings, xl
from xlmplan.core import target_path as tp
from xlmplan.core.engine import Engine
from xlmplan.core.model import Kpi, KpiPath, Objective, PeriodTarget, Plan
from xlmplan.core.periods import plan_periods
from xlmplan.core.rules import serial

pytestmark = pytest.mark.core
Q1 = plan_periods(D(2024, 1, 1), 3)


def shares(as_of: dt.date | None) -> list[float]:
    return [tp.due_share(p.first, p.last, as_of, Q1.last) for p in Q1.items]


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (None, [0.0, 0.0, 0.0]),  # no as-of: nothing is due
        (D(2023, 12, 31), [0.0, 0.0, 0.0]),  # before the plan
        (D(2024, 1, 1), [1 / 31, 0.0, 0.0]),  # first day: one day of January
        (D(2024, 1, 31), [1.0, 0.0, 0.0]),  # January's last day closes it
        (D(2024, 2, 28), [1.0, 28 / 29, 0.0]),  # the day before the leap day
        (D(2024, 2, 29), [1.0, 1.0, 0.0]),  # the leap day closes February
        (D(2024, 3, 15), [1.0, 1.0, 15 / 31]),
        (D(2024, 5, 1), [1.0, 1.0, 1.0]),  # after the plan: its last day
    ],
)
def test_share_of_each_period_due(as_of: dt.date | None, expected: list[float]) -> None:
    assert shares(as_of) == pytest.approx(expected)
    for p, want in zip(Q1.items, expected, strict=True):
        formula = tp.due_share_xl("F", "L", "A", "E")
        got = xl(formula, F=serial(p.first), L=serial(p.last), A=serial(as_of), E=serial(Q1.last))
        assert got == pytest.approx(want)


@pytest.mark.parametrize(
    ("as_of", "period", "expected"),
    [
        (D(2024, 1, 1), 0, 10.0),  # 310 x 1/31
        (D(2024, 1, 31), 0, 310.0),  # month boundary: all of January
        (D(2024, 2, 1), 1, 320.0),  # 310 + 290 x 1/29
        (D(2024, 2, 29), 1, 600.0),  # leap day: 310 + 290
        (D(2024, 3, 15), 2, 750.0),  # 600 + 310 x 15/31 = 600 + 150
        (D(2024, 3, 31), 2, 910.0),  # the whole target on the plan's last day
    ],
)
def test_additive_target_due_pro_rates_the_current_period(
    as_of: dt.date, period: int, expected: float
) -> None:
    path = tp.target_path(910.0, None, True, Q1).values  # 310, 290, 310
    due = tp.target_due(list(path), shares(as_of), period, True)
    assert due == pytest.approx(expected)
    formula = tp.target_due_xl("P1:P3", "S1:S3", "K", 3, "A")
    cells = {f"P{i + 1}": v for i, v in enumerate(path)} | {
        f"S{i + 1}": s for i, s in enumerate(shares(as_of))
    }
    assert xl_range(formula, cells, K=period + 1, A=True) == pytest.approx(expected)


def xl_range(formula: str, cells: dict[str, object], **scalars: object) -> object:
    """A formula over the ranges P1:P3 and S1:S3, evaluated with ``formulas``."""
    import formulas
    import numpy as np

    func = formulas.Parser().ast("=" + formula)[1].compile()
    args = []
    for name in func.inputs:
        if ":" in name:
            first, last = name.split(":")
            letter = first[0]
            rows = range(int(first[1:]), int(last[1:]) + 1)
            args.append(np.array([[cells[f"{letter}{r}"] for r in rows]], dtype=object))
        else:
            args.append(scalars[name])
    value = np.asarray(func(*args)).ravel()[0]
    return float(value) if isinstance(value, int | float | np.number) else value


def test_a_blank_period_leaves_the_additive_target_due_blank_and_ratio_reads_its_period() -> None:
    assert tp.target_due([310.0, None, 310.0], shares(D(2024, 3, 15)), 2, True) is None
    # ratio: CPA path 4240/91, 3950/91, 40 (from 50 to 40): the as-of period's value
    path = list(tp.target_path(40.0, 50.0, False, Q1).values)
    assert tp.target_due(path, shares(D(2024, 2, 10)), 1, False) == pytest.approx(3950 / 91)
    assert tp.target_due(path, shares(None), None, False) is None  # no as-of period


# --- the engine: path settings, typed targets, lower is better --------------------------------

ROWS = [
    # date, channel, campaign, impressions, clicks, sessions, conversions, revenue, spend
    (D(2024, 1, 10), "Search", "", 0, 0, 100, 5, 300, 200),
    (D(2024, 2, 20), "Search", "", 0, 0, 100, 4, 300, 100),
]


def plan(*kpis: Kpi, **kw: object) -> Plan:
    return Plan(
        settings(D(2024, 1, 1), 3, amber_threshold=0.9),
        kpis=list(kpis),
        scenarios=list(SCENARIOS),
        channels=["Search"],
        **kw,  # type: ignore[arg-type]
    )


def test_on_pace_at_a_mid_month_as_of() -> None:
    # As of 2024-02-20 (last Data day): revenue 600; even path of 910: 310 + 290 x 20/29 = 510
    res = run(plan(Kpi("K1", "Revenue", "Revenue", "Search", 910.0, "higher")), data(*ROWS))
    k1 = res.kpis[0]
    assert res.as_of == D(2024, 2, 20) and res.as_of_period == 1
    assert k1.target_to_date == pytest.approx(310 + 290 * 20 / 29)  # 510
    assert k1.attainment == 1.176471  # 600 / 510 = 1.17647058...
    assert k1.status == "Green"


def test_lower_is_better_ratio_with_a_baseline() -> None:
    # CPA to date = spend 300 / conversions 9 = 33.333; path from 50 down to 30 over 91
    # days: February's value 50 - 20 x 60/91 = 36.813187; lower is better: 36.813187 /
    # 33.333333 = 1.104396 -> Green.
    kpi = Kpi("K2", "CPA", "CPA", "Search", 30.0, "lower")
    res = run(plan(kpi, paths=[KpiPath("k2", 50.0, "even")]), data(*ROWS))
    k2 = res.kpis[0]
    assert k2.baseline == 50.0  # the path row is found whatever the id's case
    assert k2.target_to_date == pytest.approx(50 - 20 * 60 / 91)
    assert k2.attainment == 1.104396
    assert k2.status == "Green"


def test_a_typed_period_target_wins_by_label_or_by_a_day_inside_it() -> None:
    # January typed 500 (by its label), February typed 100 by a day inside it: path 500,
    # 100, 310; due by 2024-02-20: 500 + 100 x 20/29 = 568.965517; 600 / 568.965517 =
    # 1.054545 -> Green.
    kpi = Kpi("K1", "Revenue", "Revenue", "Search", 910.0, "higher")
    typed = [
        PeriodTarget("K1", "january 2024", 500.0),
        PeriodTarget("K1", "2024-02-05", 100.0),
        PeriodTarget("K1", "March 2024", None),  # nothing typed: the even value stays
        PeriodTarget("K9", "March 2024", 1.0),  # another KPI's
    ]
    res = run(plan(kpi, period_targets=typed), data(*ROWS))
    k1 = res.kpis[0]
    assert k1.path is not None and k1.path.values == (500.0, 100.0, 310.0)
    assert k1.path.method == tp.MANUAL
    assert k1.target_to_date == pytest.approx(500 + 100 * 20 / 29)
    assert k1.attainment == 1.054545


def test_seasonal_path_from_last_years_months_in_data() -> None:
    # Last year (2023) in Data: January 100, February 300, March 600 (and nine months of
    # 0, the first on 2023-01-01). Weights 100 : 300 : 600; target 1000 -> path 100, 300,
    # 600. As of 2024-02-20: 100 + 300 x 20/29 = 306.896552; revenue 600 -> 1.955056.
    history = [
        (D(2023, 1, 1), "Search", "", 0, 0, 0, 0, 100, 0),
        (D(2023, 2, 1), "Search", "", 0, 0, 0, 0, 300, 0),
        (D(2023, 3, 1), "Search", "", 0, 0, 0, 0, 600, 0),
    ]
    kpi = Kpi("K1", "Revenue", "Revenue", "Search", 1000.0, "higher")
    res = run(plan(kpi, paths=[KpiPath("K1", None, "Seasonal")]), data(*history, *ROWS))
    k1 = res.kpis[0]
    assert k1.seasonal_ok and k1.path is not None and k1.path.method == tp.SEASONAL
    assert k1.history[:3] == [100.0, 300.0, 600.0]
    assert k1.path.values == pytest.approx((100.0, 300.0, 600.0))
    assert k1.attainment == 1.955056
    assert k1.last_year == 1000.0  # revenue over 2023
    # Data starting a day after 2023-01-01 holds no full year: even, and says why
    late = [(D(2023, 1, 2), *history[0][1:]), *history[1:]]
    res = run(plan(kpi, paths=[KpiPath("K1", None, "seasonal")]), data(*late, *ROWS))
    assert res.kpis[0].path is not None and res.kpis[0].path.fallback == tp.NO_HISTORY


def test_objective_window_after_its_deadline() -> None:
    # O1 on K1 with deadline 2024-01-31: measured Jan 1..31 only (revenue 300), against the
    # whole typed target 250 -> 1.2 Green; O2 without its own target takes K1's 910 over the
    # plan: due by 2024-02-20 910 x 51/91 = 510 -> 600 / 510 = 1.176471.
    kpi = Kpi("K1", "Revenue", "Revenue", "Search", 910.0, "higher")
    objectives = [
        Objective("O1", "Primary", "", "Short", "Quantitative", "Convert", "Sell in January",
                  "K1", 200.0, 250.0, D(2024, 1, 31), ""),
        Objective("O2", "Primary", "", "Short", "Quantitative", "Convert", "Sell all quarter",
                  "K1", 800.0, None, None, ""),
    ]  # fmt: skip
    res = Engine(plan(kpi, objectives=objectives), data(*ROWS), CATALOG, WORDS).run()
    o1, o2 = res.objective_rows
    assert (o1["actual"], o1["due"], o1["attainment"], o1["status"]) == (300.0, 250.0, 1.2,
                                                                         "Green")  # fmt: skip
    assert o2["target"] == 910.0 and o2["due"] == pytest.approx(510.0)
    assert o2["attainment"] == 1.176471
    formula = tp.objective_due_xl("T", "B", "A", "S", "E", "N")
    got = xl(formula, T=910.0, B=800.0, A=True, S=serial(D(2024, 1, 1)),
             E=serial(D(2024, 3, 31)), N=serial(D(2024, 2, 20)))  # fmt: skip
    assert got == pytest.approx(510.0)
