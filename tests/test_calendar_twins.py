"""The Calendar's as-of rules and the direction colours: each ``*_xl`` formula equals its
Python rule, in the `formulas` package and in LibreOffice.

One sheet holds a plan's periods (Gregorian and Solar Hijri blocks) and random as-of dates;
every formula cell's expected value is computed by ``xlmplan.core``.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest
import xlsxwriter
from engines import NEEDS_LO, formulas_values

from xlmplan.core import rules
from xlmplan.core.periods import (
    SOLAR_HIJRI,
    as_of_period,
    as_of_period_xl,
    label_xl,
    parse_start,
    plan_periods,
    previous_first,
    previous_first_xl,
    same_days_end,
    same_days_end_xl,
)
from xlmplan.core.rules import serial
from xlmplan.libreoffice import runner

N = 12
NAMES = [f"M{m:02d}" for m in range(1, 13)]


def _case_book(path: Path) -> dict[str, object]:
    """Write the cases; return the expected value of every formula cell by address."""
    rng = random.Random(7)
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("T")
    expected: dict[str, object] = {}
    blocks = [
        ("g", plan_periods(dt.date(2026, 4, 1), N), 1),
        ("s", plan_periods(parse_start("1404-07", SOLAR_HIJRI), N, SOLAR_HIJRI), 1 + N + 2),
    ]
    for key, periods, top in blocks:
        hist = plan_periods(previous_first(periods.first, periods) or periods.first, 1)
        for i, p in enumerate(periods.items):
            sheet.write_number(top + i, 0, serial(p.first))
            sheet.write_number(top + i, 1, serial(p.last))
            if key == "g":  # the Gregorian label formula, from the first day
                sheet.write_formula(top + i, 2, label_xl(f"A{top + i + 1}", NAMES), None, "")
                expected[f"C{top + i + 1}"] = f"M{p.first.month:02d} {p.first.year}"
        first, last = f"$A${top + 1}:$A${top + N}", f"$B${top + 1}:$B${top + N}"
        book.define_name(f"cal_first_{key}", f"=T!{first}")
        del hist
        lo = periods.first - dt.timedelta(days=20)
        span = (periods.last - lo).days + 40
        for j in range(10):
            r = top + j
            as_of = lo + dt.timedelta(days=rng.randrange(span))
            if j == 0:
                as_of = periods.first
            if j == 1:
                as_of = periods.last
            k = as_of_period(as_of, periods)
            sheet.write_number(r, 4, serial(as_of))
            sheet.write_formula(r, 5, as_of_period_xl(f"E{r + 1}", first, last, N), None, k)
            expected[f"F{r + 1}"] = k
            if 1 <= k <= N:
                month_first = periods[k - 1].first
                before = previous_first(as_of, periods)
                assert before is not None
                hist_first = previous_first(periods.first, periods)
                sheet.write_number(r, 6, serial(month_first))
                sheet.write_number(r, 9, serial(hist_first))
                # previous_first_xl reads cal_first / cal_hist_first: given here per block
                formula = previous_first_xl(f"E{r + 1}", f"F{r + 1}", N, f"G{r + 1}")
                formula = formula.replace("cal_first", first).replace(
                    "INDEX(cal_hist_first,12)", f"J{r + 1}"
                )
                sheet.write_formula(r, 7, formula, None, serial(before))
                expected[f"H{r + 1}"] = serial(before)
                same = same_days_end(as_of, month_first, before)
                sheet.write_formula(
                    r, 8, same_days_end_xl(f"E{r + 1}", f"G{r + 1}", f"H{r + 1}"), None, ""
                )
                expected[f"I{r + 1}"] = serial(same)
    # direction: better / worse and the bands, higher and lower
    values = [rng.choice([None, round(rng.uniform(-50, 50), 2)]) for _ in range(9)] + [7.0]
    base = 2 * N + 6
    for i, v in enumerate(values):
        if v is not None:
            sheet.write_number(base + i, 0, v)
    cells = f"$A${base + 1}:$A${base + len(values)}"
    for c, direction in enumerate(("higher", "lower")):
        sheet.write_string(base - 1, 1 + 5 * c, direction)
        d = f"${'BCDEFGHIJK'[5 * c]}${base}"
        for i, v in enumerate(values):
            cell = f"A{base + i + 1}"
            col = 1 + 5 * c
            sheet.write_formula(base + i, col, rules.better_xl(cell, d, "lower"), None, "")
            sheet.write_formula(base + i, col + 1, rules.worse_xl(cell, d, "lower"), None, "")
            side = rules.better(v, direction)
            expected[f"{'BCDEFGHIJK'[col - 1]}{base + i + 1}"] = side is True
            expected[f"{'BCDEFGHIJK'[col]}{base + i + 1}"] = side is False
            # conditional formats apply the first band that holds, in band_xl's order
            first_true = '""'
            for name, condition in reversed(rules.band_xl(cell, cells, d, "lower").items()):
                first_true = f'IF({condition},"{name}",{first_true})'
            sheet.write_formula(base + i, col + 2, first_true, None, "")
            expected[f"{'BCDEFGHIJK'[col + 1]}{base + i + 1}"] = (
                rules.band(v, values, direction) or ""
            )
    book.close()
    return expected


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    path = tmp_path_factory.mktemp("calendar_twins") / "twins.xlsx"
    return path, _case_book(path)


def _check(values: dict[str, object], expected: dict[str, object]) -> None:
    wrong = {
        a: (values.get(a), e)
        for a, e in expected.items()
        if not (values.get(a) == e or values.get(a) == pytest.approx(e))
    }
    assert len(expected) > 100 and not wrong, wrong


def test_twins_agree_in_formulas(cases: tuple[Path, dict[str, object]]) -> None:
    path, expected = cases
    _check(formulas_values(path)["T"], expected)


@NEEDS_LO
def test_twins_agree_in_libreoffice(cases: tuple[Path, dict[str, object]]) -> None:
    path, expected = cases
    _check(runner.recalculate(path).values["T"], expected)
