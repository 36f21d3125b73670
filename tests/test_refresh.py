"""Refresh of a plan a user edited and saved in LibreOffice: nothing of theirs is lost,
their new rows reach the derived sheets, and the cached values equal LibreOffice's.

The plan's Data ends in August, so the new month typed below Data (September) lies inside
the plan period and moves the as-of date: the refresh really has to recompute.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
from engines import NEEDS_LO, cached_values, compare, is_error
from lo_edit import edit_with_libreoffice
from python_calamine import CalamineWorkbook

from xlmplan.api import new_plan
from xlmplan.io.example_data import example_data
from xlmplan.libreoffice import runner
from xlmplan.refresh import RefreshResult, check_plan, refresh_plan
from xlmplan.sheets.cellrefs import parse_range

pytestmark = NEEDS_LO


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _table_ref(path: Path, name: str) -> str:
    import re

    for part, data in _parts(path).items():
        if part.startswith("xl/tables/") and f'displayName="{name}"'.encode() in data:
            match = re.search(rb'<table\b[^>]*?\sref="([^"]+)"', data)
            assert match
            return match.group(1).decode()
    raise AssertionError(f"no table {name}")


@pytest.fixture(scope="module")
def edited(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("refresh")
    data = example_data()
    data[data["date"] < "2026-09-01"].to_csv(folder / "to_august.csv", index=False)
    new_plan(folder / "plan.xlsx", data=folder / "to_august.csv", start="2026-01", months=12)
    report = edit_with_libreoffice(folder / "plan.xlsx", folder / "edited.xlsx")
    work = folder / "work.xlsx"
    shutil.copy(folder / "edited.xlsx", work)
    before = _parts(work)
    result = refresh_plan(work)
    after = _parts(work)
    return {
        "folder": folder,
        "report": report,
        "edited": folder / "edited.xlsx",
        "work": work,
        "result": result,
        "before": before,
        "after": after,
    }


def test_user_parts_stay_byte_identical(edited: dict[str, Any]) -> None:
    before, after = edited["before"], edited["after"]
    assert set(before) == set(after)
    changed = {name for name in before if before[name] != after[name]}
    sheets = edited["report"]["parts"]["sheets"]
    notes, data, objectives = sheets["My notes"], sheets["Data"], sheets["Objectives"]
    user_parts = [notes["part"], data["part"], *notes["drawing"], *objectives["comments"]]
    user_parts += [o["part"] for o in notes["drawing_objects"]]
    user_parts += [p for p in before if p.startswith(("xl/media/", "xl/comments", "docProps/"))]
    user_parts += [p for p in before if "vmlDrawing" in p or p.endswith(".rels")]
    user_parts += [p for p in before if p.startswith("xl/drawings/") and "drawing1" not in p]
    assert len(user_parts) >= 8
    touched = sorted(changed & set(user_parts))
    assert not touched, touched
    result: RefreshResult = edited["result"]
    assert changed == set(result.changed_parts)
    assert result.backup is not None and result.backup.read_bytes() == edited["edited"].read_bytes()


def test_comment_and_user_sheet_survive(edited: dict[str, Any]) -> None:
    after = edited["after"]
    comment = edited["report"]["comment"]
    assert any(
        comment["text"].encode() in data for name, data in after.items() if "comments" in name
    )
    book = CalamineWorkbook.from_path(str(edited["work"]))
    assert "My notes" in book.sheet_names


def test_input_cells_are_unchanged(edited: dict[str, Any]) -> None:
    """Every cell of every input Table (as grown) reads the same before and after."""
    old = CalamineWorkbook.from_path(str(edited["edited"]))
    new = CalamineWorkbook.from_path(str(edited["work"]))
    tables = {
        "tblSettings": "Start",
        "tblData": "Data",
        "tblSwot": "SWOT",
        "tblObjectives": "Objectives",
        "tblKpis": "Strategy_KPI",
        "tblStrategies": "Strategy_KPI",
        "tblPeople": "Budget_3M",
        "tblMoney": "Budget_3M",
        "tblActions": "Budget_3M",
        "tblScenarios": "Scenarios",
    }
    for table, sheet in tables.items():
        r1, c1, r2, c2 = parse_range(_table_ref(edited["work"], table))
        a = old.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        b = new.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        for r in range(r1, r2 + 1):
            assert a[r][c1 : c2 + 1] == b[r][c1 : c2 + 1], (table, r + 1)


def test_new_rows_reach_the_derived_sheets(edited: dict[str, Any]) -> None:
    typed = edited["report"]["typed"]
    work = edited["work"]
    assert _table_ref(work, "tblObjectives") == "A4:L11"
    assert _table_ref(work, "tblKpis") == "A4:F13"
    last_data = typed["data"]["last_row"]
    assert _table_ref(work, "tblData") == f"A1:L{last_data}"
    result: RefreshResult = edited["result"]
    assert result.analysis.grown == {"tblObjectives": 1, "tblKpis": 1, "tblData": 279}
    assert str(result.analysis.results.as_of) == "2026-09-30"
    cached = cached_values(work)
    new_kpi = typed["kpis"]["values"][0][0]
    kpi_rows = {parse_range(a)[0] + 1 for a in cached["Strategy_KPI"]}
    assert 13 in kpi_rows, "the KPI typed in row 13 got no derived cells"
    scenarios = CalamineWorkbook.from_path(str(work)).get_sheet_by_name("Scenarios").to_python()
    assert any(new_kpi in [str(v) for v in row] for row in scenarios)
    names = _parts(work)["xl/workbook.xml"].decode()
    assert f"'Data'!$I$2:$I${last_data}" in names


def test_cached_values_equal_libreoffice_after_refresh(edited: dict[str, Any]) -> None:
    work = edited["work"]
    cached = cached_values(work)
    recalculated = runner.recalculate(work)
    cells = sum(len(v) for v in cached.values())
    assert recalculated.formula_count == cells > 2000
    errors = [f"{s}!{a}" for s, vals in cached.items() for a, v in vals.items() if is_error(v)]
    assert not errors, errors[:10]
    mismatches = compare(
        cached, recalculated.values, expected_label="cached", actual_label="libreoffice"
    )
    assert not mismatches, "\n".join(mismatches[:20])


def test_second_refresh_changes_nothing(edited: dict[str, Any], tmp_path: Path) -> None:
    again = tmp_path / "again.xlsx"
    shutil.copy(edited["work"], again)
    result = refresh_plan(again)
    assert not result.written and result.backup is None
    assert again.read_bytes() == edited["work"].read_bytes()
    assert not (tmp_path / "again.backup.xlsx").exists()


def test_check_sees_stale_values_before_refresh(edited: dict[str, Any]) -> None:
    stale = check_plan(edited["edited"])
    assert any("out of date" in f.message for f in stale.findings)
    fresh = check_plan(edited["work"])
    assert not any("out of date" in f.message for f in fresh.findings)
    assert not any("error value" in f.message for f in fresh.findings)
