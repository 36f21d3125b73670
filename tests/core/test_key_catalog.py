"""Answer key for the metric catalog: each expression's value and its formula twin's value
on the same base sums, blanks on zero denominators, and the catalog's refusals."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.core.keys import CATALOG, xl
from xlmplan.core.catalog import Catalog, Metric, load_catalog
from xlmplan.errors import TemplateError

pytestmark = pytest.mark.core

# Base sums: impressions 8000, clicks 200, sessions 160, conversions 8, revenue 1500,
# spend 400, new customers 5.
SUMS = {
    "impressions": 8000.0,
    "clicks": 200.0,
    "sessions": 160.0,
    "conversions": 8.0,
    "revenue": 1500.0,
    "spend": 400.0,
    "new_customers": 5.0,
}
REFS = {m: f"{chr(ord('A') + i)}1" for i, m in enumerate(SUMS)}  # impressions A1 ... G1


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("revenue", 1500.0),
        ("ctr", 0.025),  # 200 / 8000
        ("cpc", 2.0),  # 400 / 200
        ("cpm", 50.0),  # 400 / 8000 * 1000
        ("conversion_rate", 0.05),  # 8 / 160
        ("cpa", 50.0),  # 400 / 8
        ("roas", 3.75),  # 1500 / 400
        ("roi", 2.75),  # (1500 - 400) / 400
        ("aov", 187.5),  # 1500 / 8
        ("cac", 80.0),  # 400 / 5
    ],
)
def test_metric_value_and_formula(key: str, expected: float) -> None:
    metric = CATALOG.by_label(key)
    assert metric is not None
    assert metric.evaluate(SUMS) == pytest.approx(expected, rel=1e-12)
    cells = {REFS[m]: v for m, v in SUMS.items()}
    assert xl(metric.excel(REFS), **cells) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(("key", "zero"), [("ctr", "impressions"), ("roi", "spend")])
def test_a_zero_denominator_is_blank_in_both(key: str, zero: str) -> None:
    metric = CATALOG.by_label(key)
    assert metric is not None
    sums = SUMS | {zero: 0.0}
    assert math.isnan(metric.evaluate(sums))
    assert xl(metric.excel(REFS), **{REFS[m]: v for m, v in sums.items()}) == ""


def test_two_denominators_each_guard() -> None:
    m = Metric("mix", "Mix", "revenue / spend + clicks / impressions")
    # 1500 / 400 + 200 / 8000 = 3.75 + 0.025
    assert m.evaluate(SUMS) == pytest.approx(3.775)
    cells = {REFS[k]: v for k, v in SUMS.items()}
    assert xl(m.excel(REFS), **cells) == pytest.approx(3.775)
    for zero in ("spend", "impressions"):
        assert math.isnan(m.evaluate(SUMS | {zero: 0.0}))
        assert xl(m.excel(REFS), **(cells | {REFS[zero]: 0.0})) == ""


def test_the_same_denominator_is_tested_once() -> None:
    m = Metric("x", "X", "revenue / spend - clicks / spend")
    assert m.excel(REFS) == 'IF(F1=0,"",((E1/F1)-(B1/F1)))'


def test_unary_minus_and_constants() -> None:
    m = Metric("net", "Net", "-spend + revenue * 2")
    assert m.evaluate(SUMS) == 2600.0  # -400 + 3000
    assert m.excel(REFS) == "(-F1+(E1*2))"
    assert m.additive is True


def test_evaluate_over_series_and_arrays() -> None:
    ctr = CATALOG.by_label("CTR")
    assert ctr is not None
    clicks = pd.Series([10.0, 0.0, 5.0], index=["a", "b", "c"])
    imps = pd.Series([100.0, 0.0, 0.0], index=["a", "b", "c"])
    out = ctr.evaluate({"clicks": clicks, "impressions": imps})
    assert isinstance(out, pd.Series)
    assert list(out.index) == ["a", "b", "c"]
    assert out["a"] == 0.1
    assert math.isnan(out["b"]) and math.isnan(out["c"])  # 0 / 0 and 5 / 0 are blank
    arr = ctr.evaluate({"clicks": np.array([1.0, 3.0]), "impressions": np.array([4.0, 0.0])})
    assert isinstance(arr, np.ndarray)
    assert arr[0] == 0.25 and math.isnan(arr[1])
    plain = CATALOG.by_label("Revenue")
    assert plain is not None
    assert list(plain.evaluate({"revenue": clicks})) == [10.0, 0.0, 5.0]


def test_properties() -> None:
    roi = CATALOG.by_label("ROI")
    assert roi is not None
    assert roi.measures == ("revenue", "spend")  # in catalog order
    assert roi.additive is False
    cpm = CATALOG.by_label("cpm")
    assert cpm is not None
    assert cpm.measures == ("impressions", "spend")
    revenue = CATALOG.by_label("Revenue")
    assert revenue is not None and revenue.additive is True


def test_by_label_and_localized() -> None:
    assert CATALOG.by_label("  conversion RATE ") is CATALOG.metrics[10]  # label, any case
    assert CATALOG.by_label("conversion_rate") is CATALOG.metrics[10]  # key
    assert CATALOG.by_label("Bogus") is None
    assert len(CATALOG) == 16
    assert [m.key for m in CATALOG][:2] == ["impressions", "clicks"]
    local = CATALOG.localized({"ctr": "نرخ کلیک"})
    assert local.by_label("نرخ کلیک") is not None
    assert local.by_label("CTR") is not None  # the key still matches
    assert local.by_label("Revenue") == CATALOG.by_label("Revenue")
    assert isinstance(local, Catalog)


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("clicks / visits", r"metric 'm': 'visits' is not a Data measure — use one of impressions"),
        ("clicks ** 2", r"may use only measures, numbers, \+ - \* / and brackets"),
        ("clicks / 'two'", r"'two' is not a number"),
        ("clicks /", r"cannot read expression 'clicks /'"),
        ("max(clicks)", r"may use only measures"),
    ],
)
def test_bad_expressions_are_refused(expr: str, message: str) -> None:
    with pytest.raises(TemplateError, match=message):
        Metric("m", "M", expr)


def test_load_catalog(tmp_path: Path) -> None:
    path = tmp_path / "metrics.toml"
    path.write_text(
        '[[metric]]\nkey = "ctr"\nlabel = "CTR"\nexpr = "clicks / impressions"\n'
        'unit = "percent"\n\n[[metric]]\nkey = "spend"\nlabel = "Spend"\nexpr = "spend"\n'
        'direction = "lower"\n',
        encoding="utf-8",
    )
    cat = load_catalog(path)
    assert [(m.key, m.direction, m.unit) for m in cat] == [
        ("ctr", "higher", "percent"),
        ("spend", "lower", "number"),
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[[metric]]\nkey = "a"\nlabel = "A"\n', r"metric #1 has no expr — add it"),
        (
            '[[metric]]\nkey = "a"\nlabel = "A"\nexpr = "spend"\ndirection = "up"\n',
            r"metric 'a': direction must be higher or lower",
        ),
        (
            '[[metric]]\nkey = "a"\nlabel = "A"\nexpr = "spend"\nunit = "days"\n',
            r"metric 'a': unit must be one of",
        ),
        (
            '[[metric]]\nkey = "a"\nlabel = "A"\nexpr = "spend"\n'
            '[[metric]]\nkey = "b"\nlabel = "a"\nexpr = "spend"\n',
            r"metric 'b' is defined twice — rename one",
        ),
        ("", r"the metric catalog is empty — add \[\[metric\]\] entries"),
        ("[[metric]\n", r"cannot read the metric catalog"),
    ],
)
def test_load_catalog_refusals(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "metrics.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(TemplateError, match=message):
        load_catalog(path)


def test_load_catalog_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match=r"missing\.toml: cannot read the metric catalog"):
        load_catalog(tmp_path / "missing.toml")
