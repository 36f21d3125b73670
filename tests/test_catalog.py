"""The metric catalog: one definition compiles to an Excel formula and a pandas value."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from xlmplan.core.catalog import Metric, load_catalog
from xlmplan.core.data import MEASURES
from xlmplan.core.template import BUNDLED
from xlmplan.errors import TemplateError

CATALOG = load_catalog(BUNDLED / "metrics.toml")
REQUIRED = {
    "impressions",
    "clicks",
    "sessions",
    "conversions",
    "revenue",
    "spend",
    "new_customers",
    "ctr",
    "cpc",
    "cpm",
    "conversion_rate",
    "cpa",
    "roas",
    "roi",
    "aov",
    "cac",
}


def test_catalog_has_every_required_metric_with_a_direction() -> None:
    keys = {m.key for m in CATALOG}
    assert keys >= REQUIRED
    assert {m.direction for m in CATALOG} == {"higher", "lower"}
    assert next(m for m in CATALOG if m.key == "cpa").direction == "lower"


def test_excel_form_guards_every_denominator() -> None:
    roi = next(m for m in CATALOG if m.key == "roi")
    refs = {m: f"X_{m}" for m in MEASURES}
    assert roi.excel(refs) == 'IF(X_spend=0,"",((X_revenue-X_spend)/X_spend))'
    cpm = next(m for m in CATALOG if m.key == "cpm")
    assert cpm.excel(refs) == 'IF(X_impressions=0,"",((X_spend/X_impressions)*1000))'
    assert next(m for m in CATALOG if m.key == "spend").excel(refs) == "X_spend"


def test_additive_means_no_division() -> None:
    additive = {m.key for m in CATALOG if m.additive}
    assert additive == set(MEASURES)


def test_pandas_form_blanks_division_by_zero() -> None:
    cpa = next(m for m in CATALOG if m.key == "cpa")
    sums = pd.DataFrame({"spend": [10.0, 5.0, 0.0], "conversions": [2.0, 0.0, 0.0]})
    values = cpa.evaluate({m: sums[m] if m in sums else pd.Series([0.0] * 3) for m in MEASURES})
    assert values.iloc[0] == 5.0
    assert math.isnan(values.iloc[1]) and math.isnan(values.iloc[2])
    assert math.isnan(cpa.evaluate({m: 0.0 for m in MEASURES}))


def test_scalar_and_vector_forms_agree_on_random_data() -> None:
    rng = np.random.default_rng(5)
    frame = pd.DataFrame(
        {m: rng.integers(0, 4, 200).astype(float) * rng.random(200) for m in MEASURES}
    )
    for metric in CATALOG:
        vector = metric.evaluate({m: frame[m] for m in MEASURES})
        for i in range(len(frame)):
            scalar = metric.evaluate({m: float(frame[m].iloc[i]) for m in MEASURES})
            v = float(vector.iloc[i]) if isinstance(vector, pd.Series) else float(vector.iloc[i])
            assert (math.isnan(scalar) and math.isnan(v)) or math.isclose(scalar, v), metric.key


@pytest.mark.parametrize(
    ("expr", "needle"),
    [
        ("clicks / bounces", "'bounces' is not a Data measure"),
        ("__import__('os')", "may use only measures"),
        ("clicks /", "cannot read expression"),
        ("clicks ** 2", "may use only measures"),
    ],
)
def test_bad_expressions_are_refused(expr: str, needle: str) -> None:
    with pytest.raises(TemplateError, match=needle):
        Metric("bad", "Bad", expr)


def test_catalog_file_errors_name_the_problem(tmp_path: Path) -> None:
    path = tmp_path / "metrics.toml"
    path.write_text('[[metric]]\nkey = "x"\nlabel = "X"\nexpr = "clicks"\ndirection = "up"\n')
    with pytest.raises(TemplateError, match="direction must be higher or lower"):
        load_catalog(path)
    path.write_text('[[metric]]\nkey = "x"\nexpr = "clicks"\n')
    with pytest.raises(TemplateError, match="has no label"):
        load_catalog(path)


def test_targets_history_formulas_read_each_expression_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Whether a metric is additive is read from its expression when it is made; the
    Targets layout, which asks it for every metric in every history cell, walks no tree."""
    from xlmplan.core import catalog as catalog_module
    from xlmplan.sheets.targets import history_formula

    catalog = load_catalog(BUNDLED / "metrics.toml")
    walked: list[object] = []
    real_walk = catalog_module.ast.walk

    def counting_walk(node: object) -> object:
        walked.append(node)
        return real_walk(node)  # type: ignore[arg-type]

    monkeypatch.setattr(catalog_module.ast, "walk", counting_walk)
    formula = history_formula(catalog, "Online revenue", "C5", 3, "All")
    assert walked == []
    assert formula.count("CHOOSE(") == 2 and '""' in formula
    assert [m.key for m in catalog if m.additive] == [m.key for m in CATALOG if m.additive]
    assert {"revenue", "spend"} <= {m.key for m in catalog if m.additive}
    assert {"ctr", "roas"}.isdisjoint(m.key for m in catalog if m.additive)
