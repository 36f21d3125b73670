"""The TOWS pair rule: its Python value and its formula agree, in LibreOffice too."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from engines import NEEDS_LO, cached_values, compare

from xlmplan import api
from xlmplan.api import PlanResult
from xlmplan.core import tows
from xlmplan.libreoffice import runner

NONE = "no strategy yet"
STRATEGIES = [
    ("ST1", "S1+O2", "Reviews in ads"),
    ("ST2", "o2 + s1", "Mobile first"),  # reversed, lower case, spaces
    ("ST1", "S1+O2", "Same id again"),  # a repeated id is listed once
    ("ST3", "S1+O2", "Loyalty"),
    ("ST4", "S1+O2", "Video"),
    ("ST5", "W1+T1", "Defend"),
]


def test_pair_text_and_missing_factors() -> None:
    assert tows.pair_text("S1", "Strong brand", "O2", "Mobile") == "S1 Strong brand × O2 Mobile"
    assert tows.pair_text("", "", "O2", "Mobile") == ""
    assert tows.citing("S1", "", STRATEGIES, NONE) == ""


def test_citing_lists_three_distinct_strategies_and_counts_the_rest() -> None:
    text = tows.citing("S1", "O2", STRATEGIES, NONE)
    assert text == "ST1 Reviews in ads; ST2 Mobile first; ST3 Loyalty (+2)"
    assert tows.citing("O2", "S1", STRATEGIES, NONE) == text
    assert tows.citing("W1", "T1", STRATEGIES, NONE) == "ST5 Defend"
    assert tows.citing("W2", "T1", STRATEGIES, NONE) == NONE


def test_citing_formula_needs_no_excel_2019_functions() -> None:
    formula = tows.citing_xl("N5", "N10", NONE)
    assert "CONCAT" not in formula and "TEXTJOIN" not in formula
    assert len(formula) < 8192  # Excel's limit on a formula's length


@pytest.fixture(scope="module")
def citing_plan(tmp_path_factory: pytest.TempPathFactory) -> PlanResult:
    """The demo plan whose strategies cite its top S × O pair in every spelling."""
    original = api.build_plan

    def with_citations(*args, **kwargs):  # type: ignore[no-untyped-def]
        plan, factors = original(*args, **kwargs)
        s1 = next(f.id for f in plan.swot if f.type == "S")
        o1 = next(f.id for f in plan.swot if f.type == "O")
        base = plan.strategies[0]
        extra = [
            replace(base, id=sid, pair=pair.replace("S1", s1).replace("s1", s1.lower())
                    .replace("O2", o1).replace("o2", o1.lower()), strategy=name)
            for sid, pair, name in STRATEGIES[:5]
        ]  # fmt: skip
        return replace(plan, strategies=[*plan.strategies, *extra]), factors

    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setattr(api, "build_plan", with_citations)
    try:
        return api.new_plan(tmp_path_factory.mktemp("tows") / "plan.xlsx")
    finally:
        monkeypatch.undo()


def test_the_plan_lists_the_citing_strategies(citing_plan: PlanResult) -> None:
    swot = cached_values(citing_plan.path)["SWOT"]
    assert any(isinstance(v, str) and "(+" in v and "; " in v for v in swot.values())


@NEEDS_LO
def test_libreoffice_agrees_with_the_cached_texts(citing_plan: PlanResult, tmp_path: Path) -> None:
    cached = cached_values(citing_plan.path)
    recalculated = runner.recalculate(citing_plan.path).values
    only = {"SWOT": cached["SWOT"]}
    mismatches = compare(only, {"SWOT": recalculated["SWOT"]})
    assert not mismatches, mismatches[:10]
