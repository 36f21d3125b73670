"""The Summary sheet: the executive summary on one page, every figure a formula over the
other sheets (its agreement with LibreOffice and `formulas` is in test_agreement), and the
rules behind it worked out by hand."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from python_calamine import CalamineWorkbook

from xlmplan.core.summary import plan_scenario, tie_key, top_positions
from xlmplan.sheets.strategy_kpi import derived_col

M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
NAMES = ("Optimistic", "Realistic", "Pessimistic")


# --- the rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (["Optimistic", "Realistic", "Optimistic"], "Realistic"),
        (["Optimistic", "pessimistic", "Realistic"], "Pessimistic"),  # any letter case
        (["Optimistic", None, ""], "Optimistic"),
        ([None, "", None], ""),
        ([], ""),
        (["Unknown"], ""),
    ],
)
def test_the_plan_is_in_the_worst_case_any_kpi_is_in(now: list[Any], expected: str) -> None:
    assert plan_scenario(now, NAMES) == expected


def test_strongest_pairs_keep_grid_order_on_ties() -> None:
    products = [320.0, None, 400.0, 320.0, 400.0, 12.0]
    keys = [tie_key(p, i + 1) for i, p in enumerate(products)]
    assert keys[1] is None
    assert keys[0] == 320.0 - 0.001
    assert top_positions(keys, 3) == [2, 4, 0]  # 400 (3rd), 400 (5th), then 320 (1st)
    assert top_positions(keys[:2], 3) == [0, None, None]


# --- the sheet -----------------------------------------------------------------------------


def _rows(path: Path, sheet: str) -> list[list[Any]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def _value(rows: list[list[Any]], label: str, col: int = 1, at: int = 0) -> Any:
    """The value in column ``col`` of the row labelled ``label`` in column ``at``."""
    row = next(r for r in rows if len(r) > at and r[at] == label)
    return row[col]


def _sheet_part(path: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(path) as zf:
        book = etree.fromstring(zf.read("xl/workbook.xml"))
        rels = etree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
        rid = next(s for s in book.iter(f"{M}sheet") if s.get("name") == name).get(
            "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
        )
        target = next(r.get("Target") for r in rels if r.get("Id") == rid)
        return etree.fromstring(zf.read("xl/" + str(target).removeprefix("/xl/")))


def test_summary_follows_start_and_is_a_protected_page_of_formulas(example_path: Path) -> None:
    wb = CalamineWorkbook.from_path(str(example_path))
    assert wb.sheet_names[:3] == ["Start", "Summary", "Data"]
    ws = _sheet_part(example_path, "Summary")
    assert ws.find(f"{M}sheetProtection") is not None
    numbers = 0
    for cell in ws.iter(f"{M}c"):
        if cell.get("t") in ("s", "inlineStr"):
            continue  # labels and headings
        if cell.find(f"{M}v") is not None:
            assert cell.find(f"{M}f") is not None, f"{cell.get('r')} holds a typed figure"
            numbers += 1
    assert numbers > 40  # figures, texts picked by formula and the ranking keys


def test_summary_figures_match_the_sheets_they_come_from(example_path: Path) -> None:
    summary = _rows(example_path, "Summary")
    start = _rows(example_path, "Start")
    kpis = _rows(example_path, "Strategy_KPI")
    assert summary[0][0] == _value(start, "Plan name")  # the cover block
    assert summary[1][0] == "Executive summary"
    assert _value(summary, "Plan health") == _value(start, "Plan health", 5, at=4)
    assert _value(summary, "Next review") == _value(start, "Next review", 5, at=4)
    assert _value(summary, "Data as of") == _value(start, "Data as of", 5, at=4)
    status = [r[derived_col("status")] for r in kpis[4:] if r and r[0]]
    total = len(status)
    assert _value(summary, "KPIs") == total == 8
    for label, word in (("On pace (green)", "Green"), ("Watch (amber)", "Amber")):
        assert _value(summary, label) == status.count(word)
        assert _value(summary, label, 2) == pytest.approx(status.count(word) / total)
    assert _value(summary, "Off pace (red)") == status.count("Red")
    budget = _value(start, "Plan budget")
    spent = _value(summary, "Media spent to date (Data)")
    assert _value(summary, "Plan budget") == budget
    assert _value(summary, "Budget used") == pytest.approx(spent / budget)
    assert _value(summary, "Budget left") == pytest.approx(budget - spent)


def test_summary_names_the_worst_case_and_what_it_calls_for(example_path: Path) -> None:
    summary = _rows(example_path, "Summary")
    scenarios = _rows(example_path, "Scenarios")
    header = next(i for i, r in enumerate(scenarios) if r and r[0] == "KPI")
    now = scenarios[header].index("Scenario now")
    cases = [r[now] for r in scenarios[header + 1 :] if r and r[0]]
    worst = next(name for name in reversed(NAMES) if name in cases)
    assert _value(summary, "The plan is in the case") == worst
    assert _value(summary, "KPIs in this case") == cases.count(worst)
    action = next(r[2] for r in scenarios[4:7] if r[0] == worst)
    assert _value(summary, "It calls for", 2) == action


def test_summary_lists_the_strongest_tows_pairs(example_path: Path) -> None:
    summary = _rows(example_path, "Summary")
    swot = _rows(example_path, "SWOT")
    grid = [
        (r[13], r[14], r[15])
        for r in swot
        if len(r) > 15 and isinstance(r[13], float) and " × " in str(r[14])
    ]
    assert len(grid) == 36  # four quadrants of 3 × 3 pairs
    strongest = sorted(grid, key=lambda pair: -pair[0])[:3]  # stable: grid order on ties
    at = next(i for i, r in enumerate(summary) if r and r[0] == "Pair of factors")
    listed = [(r[1], r[0], r[2]) for r in summary[at + 1 : at + 4]]
    assert listed == strongest
