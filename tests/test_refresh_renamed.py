"""A plan whose sheets were renamed and moved in LibreOffice, with a KPI typed below its
Table, refreshes: sheets are found by role, formulas keep the new names, cached values
agree with LibreOffice, and a second refresh changes nothing."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from engines import cached_values, compare, is_error
from lo_edit import edit_with_libreoffice
from lxml import etree

from xlmplan.api import new_plan
from xlmplan.libreoffice import runner
from xlmplan.refresh import RefreshResult, refresh_plan
from xlmplan.sheets.book import ROLES

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RENAME = {"Objectives": "Ziele 2026", "Strategy_KPI": "KPIs & strategy"}
NEW_KPI = ["K9", "Newsletter signups", "Conversions", "Email", 1200, "higher"]


@pytest.fixture(scope="module")
def renamed(libreoffice: None, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The plan renamed, moved and given a KPI in LibreOffice, then refreshed once."""
    tmp = tmp_path_factory.mktemp("refresh-renamed")
    plan = new_plan(tmp / "plan.xlsx").path
    edited = tmp / "edited.xlsx"
    report = edit_with_libreoffice(
        plan,
        edited,
        rename=RENAME,
        move=[("Dashboard", 0)],
        defaults=False,
        kpi_rows=[NEW_KPI],
    )
    before = _table_ref(edited, "tblKpis")
    result = refresh_plan(edited, backup=False)
    return {
        "plan": plan,
        "path": edited,
        "report": report,
        "kpis_before": before,
        "result": result,
    }


def _book(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as zf:
        return etree.fromstring(zf.read("xl/workbook.xml"))


def _sheet_names(path: Path) -> list[str]:
    return [s.get("name", "") for s in _book(path).iter(MAIN + "sheet")]


def _table_ref(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as zf:
        for part in zf.namelist():
            if part.startswith("xl/tables/") and part.endswith(".xml"):
                table = etree.fromstring(zf.read(part))
                if table.get("displayName") == name:
                    return table.get("ref", "")
    raise AssertionError(f"no Table {name}")


def _formulas(path: Path) -> dict[str, list[str]]:
    """Sheet name -> the formula texts of its cells."""
    book = _book(path)
    rel_id = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    with zipfile.ZipFile(path) as zf:
        rels = etree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target", "").lstrip("/") for r in rels}
        out = {}
        for sheet in book.iter(MAIN + "sheet"):
            target = targets[sheet.get(rel_id)]
            part = target if target.startswith("xl/") else f"xl/{target}"
            root = etree.fromstring(zf.read(part))
            out[sheet.get("name", "")] = [f.text or "" for f in root.iter(MAIN + "f")]
        return out


def test_libreoffice_renamed_and_moved(renamed: dict[str, Any]) -> None:
    report = renamed["report"]
    assert report["renamed"] == [{"old": o, "new": n} for o, n in RENAME.items()]
    dashboard = ROLES.index("dashboard")
    assert report["moved"] == [{"name": "Dashboard", "from": dashboard, "to": 0}]
    assert report["typed"]["kpis"]["first_row"] == 13
    assert "notes_sheet" not in report and "comment" not in report
    assert set(report["typed"]) == {"kpis"}


def test_refresh_grows_kpis_and_keeps_names_and_order(renamed: dict[str, Any]) -> None:
    result: RefreshResult = renamed["result"]
    assert result.written
    assert result.analysis.grown == {"tblKpis": 1}
    assert renamed["kpis_before"] == "A4:F12"
    assert _table_ref(renamed["path"], "tblKpis") == "A4:F13"
    expected = [RENAME.get(n, n) for n in _sheet_names(renamed["plan"])]
    expected.remove("Dashboard")
    assert _sheet_names(renamed["path"]) == ["Dashboard", *expected]
    sheets = {role: s.name for role, s in result.analysis.pf.sheets.items()}
    assert sheets["objectives"] == "Ziele 2026"
    assert sheets["strategy_kpi"] == "KPIs & strategy"


def test_formulas_and_names_use_the_new_names(renamed: dict[str, Any]) -> None:
    path = renamed["path"]
    formulas = _formulas(path)
    old = re.compile(r"(?<![\w.])'?(Objectives|Strategy_KPI)'?!")
    stale = [(s, f) for s, texts in formulas.items() for f in texts if old.search(f)]
    assert not stale, stale[:5]
    for sheet in ("Scenarios", "Dashboard", "Calc"):
        assert any("'KPIs & strategy'!" in f for f in formulas[sheet]), sheet
    names = {d.get("name"): d.text or "" for d in _book(path).iter(MAIN + "definedName")}
    assert names["xlm_objectives"].startswith("'Ziele 2026'!")
    assert names["xlm_strategy_kpi"].startswith("'KPIs & strategy'!")
    assert names["k_id"] == "'KPIs & strategy'!$A$5:$A$13"
    assert names["o_id"].startswith("'Ziele 2026'!")


def test_cached_values_equal_libreoffice_recalculation(renamed: dict[str, Any]) -> None:
    path = renamed["path"]
    cached = cached_values(path)
    cells = sum(len(v) for v in cached.values())
    assert cells > 1000
    errors = [f"{s}!{a}: {v}" for s, vals in cached.items() for a, v in vals.items() if is_error(v)]
    assert not errors, errors[:10]
    recalculated = runner.recalculate(path)
    assert recalculated.formula_count == cells
    mismatches = compare(
        cached, recalculated.values, expected_label="cached", actual_label="libreoffice"
    )
    assert not mismatches, f"{len(mismatches)} of {cells} cells differ:\n" + "\n".join(
        mismatches[:30]
    )


def test_second_refresh_writes_nothing(renamed: dict[str, Any]) -> None:
    path: Path = renamed["path"]
    before = path.read_bytes()
    again = refresh_plan(path, backup=False)
    assert again.changed_parts == []
    assert again.written is False
    assert path.read_bytes() == before
