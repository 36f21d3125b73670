"""Answer key for the metric compiler's less common paths: several denominators over Series,
a constant numerator, a negated quotient, and the exact formula and refusal texts."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from tests.core.keys import xl
from xlmplan.core.catalog import Metric
from xlmplan.errors import TemplateError

pytestmark = pytest.mark.core

# impressions A1, clicks B1, sessions C1, conversions D1, revenue E1, spend F1, customers G1
REFS = {
    m: f"{c}1"
    for m, c in zip(
        ("impressions", "clicks", "sessions", "conversions", "revenue", "spend", "new_customers"),
        "ABCDEFG",
        strict=True,
    )
}


def test_two_denominators_formula_text() -> None:
    m = Metric("mix", "Mix", "revenue / spend + clicks / impressions")
    assert m.excel(REFS) == 'IF(OR(F1=0,A1=0),"",((E1/F1)+(B1/A1)))'


def test_each_denominator_blanks_its_own_rows_of_a_series() -> None:
    m = Metric("mix", "Mix", "revenue / spend + clicks / impressions")
    idx = ["jan", "feb", "mar"]
    values = {
        "revenue": pd.Series([100.0, 150.0, 80.0], index=idx),
        "spend": pd.Series([0.0, 50.0, 40.0], index=idx),  # jan: spend 0
        "clicks": pd.Series([10.0, 20.0, 30.0], index=idx),
        "impressions": pd.Series([100.0, 200.0, 0.0], index=idx),  # mar: impressions 0
    }
    out = m.evaluate(values)
    assert isinstance(out, pd.Series) and list(out.index) == idx
    # feb: 150 / 50 + 20 / 200 = 3 + 0.1; jan and mar each have a zero denominator
    assert math.isnan(out["jan"]) and math.isnan(out["mar"])
    assert out["feb"] == pytest.approx(3.1, rel=1e-12)
    arr = m.evaluate({k: v.to_numpy() for k, v in values.items()})
    assert isinstance(arr, np.ndarray)
    assert math.isnan(arr[0]) and math.isnan(arr[2]) and arr[1] == pytest.approx(3.1)


def test_a_constant_over_a_series_stays_a_series() -> None:
    m = Metric("per_k", "Per 1000 clicks", "1000 / clicks")
    clicks = pd.Series([250.0, 0.0], index=["a", "b"])
    out = m.evaluate({"clicks": clicks})
    assert isinstance(out, pd.Series) and list(out.index) == ["a", "b"]
    assert out["a"] == 4.0 and math.isnan(out["b"])  # 1000 / 250; 1000 / 0 is blank
    assert m.excel(REFS) == 'IF(B1=0,"",(1000/B1))'


def test_a_negated_quotient_is_guarded() -> None:
    m = Metric("neg", "Neg", "-(revenue / spend)")
    assert m.excel(REFS) == 'IF(F1=0,"",-(E1/F1))'
    assert m.evaluate({"revenue": 1500.0, "spend": 400.0}) == -3.75  # -(1500 / 400)
    assert math.isnan(m.evaluate({"revenue": 1500.0, "spend": 0.0}))
    assert xl(m.excel(REFS), E1=1500.0, F1=400.0) == -3.75
    assert xl(m.excel(REFS), E1=1500.0, F1=0.0) == ""


def test_an_unknown_name_lists_every_measure() -> None:
    message = (
        r"^metric 'm': 'visits' is not a Data measure — use one of impressions, clicks, "
        r"sessions, conversions, revenue, spend, new_customers$"
    )
    with pytest.raises(TemplateError, match=message):
        Metric("m", "M", "visits / clicks")
