"""The periods and target-path formula twins equal their Python rules, in `formulas` and
(once) in LibreOffice.

One workbook holds random cases, each a block of rows: the periods' first and last days,
last year's weights, typed values, the even, seasonal and chosen paths, sums of a small
Data table by period, then target to date, attainment and status as of a random date.
Every formula cell's value is computed in Python by ``xlmplan.core`` and compared.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter
from engines import NEEDS_LO, formulas_values, is_error
from xlsxwriter.utility import xl_col_to_name

from xlmplan.core import rules
from xlmplan.core.periods import (
    CALENDARS,
    month_first,
    period_days_xl,
    period_number_xl,
    period_sum_xl,
    period_sums,
    plan_periods,
)
from xlmplan.core.target_path import (
    SEASONAL,
    attainment_to_date,
    attainment_to_date_xl,
    even_path,
    even_path_xl,
    history_periods,
    pace_status,
    pace_status_xl,
    path_xl,
    seasonal_ok,
    seasonal_ok_xl,
    seasonal_path,
    seasonal_path_xl,
    seasonal_weights,
    target_path,
    target_to_date,
    target_to_date_xl,
)
from xlmplan.libreoffice import runner

WORDS = ("Green", "Amber", "Red")
AMBER = 0.9
FIRST_COL = 3  # periods from column D
N_DATA = 120


def ref(row: int, col: int) -> str:
    return f"{xl_col_to_name(col)}{row + 1}"


def span(row: int, n: int) -> str:
    return f"{ref(row, FIRST_COL)}:{ref(row, FIRST_COL + n - 1)}"


def data_table(rng: np.random.Generator) -> pd.DataFrame:
    days = pd.to_datetime(dt.date(2023, 6, 1)) + pd.to_timedelta(rng.integers(0, 1400, N_DATA), "D")
    return pd.DataFrame({"date": days, "spend": rng.integers(0, 500, N_DATA).astype(float)})


def pick(rng: np.random.Generator, options: list[Any]) -> Any:
    return options[int(rng.integers(len(options)))]


def draw_case(rng: np.random.Generator) -> dict[str, Any]:
    calendar = pick(rng, list(CALENDARS))
    year = (
        int(rng.integers(1403, 1406)) if calendar != "gregorian" else int(rng.integers(2024, 2027))
    )
    start = month_first(year, int(rng.integers(1, 13)), calendar)
    periods = plan_periods(start, int(rng.integers(1, 15)), calendar)
    n = len(periods)
    hist_first = history_periods(periods).first
    day = lambda: periods.first + dt.timedelta(days=int(rng.integers(0, periods.days)))  # noqa: E731
    k = int(rng.integers(n))
    as_of = pick(
        rng,
        [
            None,
            periods.first - dt.timedelta(days=3),
            periods.first,
            periods[k].first,
            periods[k].last,
            day(),
            day(),
            periods.last,
            periods.last + dt.timedelta(days=20),
        ],
    )
    weights = [float(w) for w in rng.integers(0, 400, 12)]
    if rng.random() < 0.15:
        weights = [0.0] * 12
    manual: list[Any] = [
        pick(rng, [None] * 6 + [float(rng.integers(0, 900)), "n/a"]) for _ in range(n)
    ]
    return {
        "periods": periods,
        "target": pick(rng, [None, 0.0, float(rng.uniform(1, 5000)), float(rng.uniform(0, 1))]),
        "baseline": pick(rng, [None, float(rng.uniform(0, 3000)), float(rng.uniform(0, 1))]),
        "additive": bool(rng.random() < 0.6),
        "method": pick(rng, ["even", "seasonal", "Seasonal", "manual", ""]),
        "data_first": pick(
            rng,
            [None, hist_first, hist_first - dt.timedelta(days=40), hist_first + dt.timedelta(1)],
        ),
        "history": weights,
        "weights": seasonal_weights(weights, n),
        "manual": manual,
        "as_of": as_of,
        "actual": pick(
            rng, [None, 0.0, float(rng.uniform(0, 6000)), float(rng.uniform(0, 2))] + ["near"] * 4
        ),
        "near": float(rng.uniform(0.8, 1.15)),
        "direction": pick(rng, ["higher", "lower"]),
    }


def put(ws: Any, row: int, col: int, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        ws.write_boolean(row, col, value)
    elif isinstance(value, dt.date):
        ws.write_number(row, col, rules.serial(value))
    elif isinstance(value, str):
        ws.write_string(row, col, value)
    else:
        ws.write_number(row, col, float(value))


ROWS = 9  # rows per case block


def write_case(ws: Any, top: int, case: dict[str, Any], data: pd.DataFrame) -> dict[str, Any]:
    """Inputs and formulas of one case; returns the expected value of every formula cell."""
    periods = case["periods"]
    n = len(periods)
    firsts, lasts, weights, manual = top, top + 1, top + 2, top + 3
    even_row, seasonal_row, path_row, sums_row, days_row = range(top + 4, top + 9)
    target, additive = case["target"], case["additive"]
    path = target_path(
        target,
        case["baseline"],
        additive,
        periods,
        case["method"],
        history=case["history"],
        data_first=case["data_first"],
        manual=case["manual"],
    )
    due = target_to_date(path.values, periods, case["as_of"], additive)
    if case["actual"] == "near":  # close to the path, so every status occurs
        case["actual"] = None if due is None else due * case["near"]
    # scalars in column A, their formula results in column B
    names = ["target", "baseline", "additive", "method", "data_first", "as_of", "actual"]
    cell = {}
    for i, key in enumerate(names):
        put(ws, top + i, 0, case[key])
        cell[key] = ref(top + i, 0)
    put(ws, top + 7, 0, case["direction"])
    cell["direction"] = ref(top + 7, 0)
    put(ws, top, 1, periods.first)
    put(ws, top + 1, 1, periods.last)
    put(ws, top + 2, 1, periods.days)
    put(ws, top + 3, 1, history_periods(periods).first)
    plan_first, plan_last, plan_days, hist_first = (ref(top + i, 1) for i in range(4))
    expected: dict[str, Any] = {}

    def formula(row: int, col: int, text: str, value: Any) -> None:
        ws.write_formula(row, col, "=" + text)
        expected[ref(row, col)] = value

    even = even_path(target, case["baseline"], additive, periods)
    total = sum(case["weights"])
    seasonal = seasonal_path(target, case["weights"])
    data_first = case["data_first"]
    sums = period_sums(data, periods, ("spend",))["spend"].tolist()
    for j, p in enumerate(periods.items):
        col = FIRST_COL + j
        put(ws, firsts, col, p.first)
        put(ws, lasts, col, p.last)
        put(ws, weights, col, case["weights"][j])
        put(ws, manual, col, case["manual"][j])
        c = {r: ref(r, col) for r in (firsts, lasts, weights, manual, even_row, seasonal_row)}
        formula(
            even_row,
            col,
            even_path_xl(
                cell["target"],
                cell["baseline"],
                cell["additive"],
                c[firsts],
                c[lasts],
                plan_first,
                plan_days,
            ),
            even[j],
        )
        formula(
            seasonal_row,
            col,
            seasonal_path_xl(cell["target"], c[weights], ref(top + 4, 1)),
            seasonal[j],
        )
        formula(
            path_row,
            col,
            path_xl(
                c[manual], cell["method"], SEASONAL, ref(top + 5, 1), c[seasonal_row], c[even_row]
            ),
            path.values[j],
        )
        formula(
            sums_row,
            col,
            period_sum_xl("Data!$B$2:$B$121", "Data!$A$2:$A$121", c[firsts], c[lasts]),
            sums[j],
        )
        formula(days_row, col, period_days_xl(c[firsts], c[lasts]), float(p.days))
    formula(top + 4, 1, f"SUM({span(weights, n)})", total)
    ok = seasonal_ok(data_first, history_periods(periods).first, total, additive) is None
    formula(
        top + 5,
        1,
        seasonal_ok_xl(cell["data_first"], hist_first, ref(top + 4, 1), cell["additive"]),
        ok,
    )
    formula(
        top + 6,
        1,
        target_to_date_xl(
            span(path_row, n),
            span(firsts, n),
            span(lasts, n),
            cell["as_of"],
            plan_first,
            plan_last,
            cell["additive"],
        ),
        due,
    )
    att = attainment_to_date(case["actual"], due, case["direction"])
    formula(
        top + 7,
        1,
        attainment_to_date_xl(cell["actual"], ref(top + 6, 1), cell["direction"], "lower"),
        att,
    )
    formula(
        top + 8,
        1,
        pace_status_xl(ref(top + 7, 1), str(AMBER), WORDS),
        pace_status(att, AMBER, WORDS),
    )
    k = periods.index_of(case["as_of"]) if case["as_of"] else None
    formula(
        top + 8,
        2,
        period_number_xl(cell["as_of"], span(firsts, n), plan_first, plan_last),
        None if k is None else float(k + 1),
    )
    return expected


def build(path: Path, n_cases: int, seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    data = data_table(rng)
    wb = xlsxwriter.Workbook(str(path))
    sheet = wb.add_worksheet("Data")
    sheet.write_row(0, 0, ["date", "spend"])
    for i, (day, spend) in enumerate(zip(data["date"], data["spend"], strict=True)):
        sheet.write_number(i + 1, 0, rules.serial(day.date()))
        sheet.write_number(i + 1, 1, spend)
    ws = wb.add_worksheet("Cases")
    expected: dict[str, Any] = {}
    for i in range(n_cases):
        expected.update(write_case(ws, i * (ROWS + 1), draw_case(rng), data))
    wb.close()
    return expected


def agrees(expected: Any, got: Any) -> bool:
    if expected is None or expected == "":
        return got in (None, "")
    if isinstance(expected, bool):
        return got is expected or got == float(expected)
    if isinstance(expected, str):
        return got == expected
    numeric = isinstance(got, int | float) and not isinstance(got, bool)
    return numeric and math.isclose(expected, got, rel_tol=1e-9, abs_tol=1e-9)


def mismatches(expected: dict[str, Any], got: dict[str, Any]) -> list[str]:
    return [
        f"{cell}: python {value!r} vs {got.get(cell, 'missing')!r}"
        for cell, value in expected.items()
        if cell not in got or is_error(got[cell]) or not agrees(value, got[cell])
    ]


def check_variety(expected: dict[str, Any]) -> None:
    values = list(expected.values())
    assert sum(v is None for v in values) > 20
    assert {"Green", "Amber", "Red"} <= set(values)
    assert len({round(v, 6) for v in values if isinstance(v, float)}) > 200


def test_twins_equal_python_in_formulas(tmp_path: Path) -> None:
    path = tmp_path / "pacing.xlsx"
    expected = build(path, 30, seed=31)
    check_variety(expected)
    problems = mismatches(expected, formulas_values(path)["Cases"])
    assert not problems, f"{len(problems)} of {len(expected)} differ:\n" + "\n".join(problems[:20])


@NEEDS_LO
def test_twins_equal_python_in_libreoffice(tmp_path: Path) -> None:
    path = tmp_path / "pacing.xlsx"
    expected = build(path, 80, seed=32)
    check_variety(expected)
    problems = mismatches(expected, runner.recalculate(path).values["Cases"])
    assert not problems, f"{len(problems)} of {len(expected)} differ:\n" + "\n".join(problems[:20])
