"""Readers without a calculation engine see the computed numbers (cached values)."""

from __future__ import annotations

import math
from pathlib import Path

import openpyxl
import pandas as pd
from engines import NEEDS_LO
from python_calamine import CalamineWorkbook

from xlmplan.api import PlanResult, new_plan
from xlmplan.io.example_data import example_data
from xlmplan.libreoffice import runner


def _close(a: object, b: float | None) -> bool:
    if b is None:
        return a in (None, "") or (isinstance(a, float) and math.isnan(a))
    return isinstance(a, int | float) and math.isclose(float(a), b, rel_tol=1e-12)


def test_pandas_calamine_and_openpyxl_read_kpi_values(example_plan: PlanResult) -> None:
    path = example_plan.path
    expected = [k.actual for k in example_plan.results.kpis]
    statuses = [k.status for k in example_plan.results.kpis]
    frame = pd.read_excel(path, sheet_name="Strategy_KPI", header=3, engine="calamine")
    assert all(_close(a, b) for a, b in zip(frame["Actual"], expected, strict=False))
    assert list(frame["On pace"][: len(statuses)]) == statuses  # the status column
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Strategy_KPI").to_python()
    assert all(_close(r[7], b) for r, b in zip(rows[4:], expected, strict=False))
    ws = openpyxl.load_workbook(path, data_only=True)["Strategy_KPI"]
    assert all(_close(ws.cell(5 + i, 8).value, b) for i, b in enumerate(expected))
    assert sum(1 for v in expected if v is not None) == len(expected)


def test_extra_data_columns_are_kept(tmp_path: Path) -> None:
    csv = tmp_path / "d.csv"
    csv.write_text(
        " Date ,CHANNEL,Spend,Region,New Customers\n"
        "2026-01-05,Search,10,North,1\n2026-01-06,search,5,South,0\n"
    )
    result = new_plan(tmp_path / "p.xlsx", data=csv)
    data = pd.read_excel(result.path, sheet_name="Data", engine="calamine")
    # the user's extra column after the measures, then the report-range columns import fills
    assert list(data.columns[10:]) == ["Region", "period_start", "period_end"]
    assert list(data["Region"]) == ["North", "South"]
    assert list(data["Channel"]) == ["Search", "Search"]  # one spelling per channel
    assert data["Clicks"].isna().all()  # a missing measure stays empty
    assert result.plan.channels == ["Search"]


@NEEDS_LO
def test_data_from_an_xlsx_saved_by_libreoffice(tmp_path: Path) -> None:
    """An xlsx written by a spreadsheet application gives the same plan as the CSV."""
    csv = tmp_path / "shop.csv"
    example_data(months=3).to_csv(csv, index=False)
    xlsx = runner.convert(csv, tmp_path, "xlsx")
    from_csv = new_plan(tmp_path / "a.xlsx", data=csv)
    from_xlsx = new_plan(tmp_path / "b.xlsx", data=xlsx)
    assert from_xlsx.rows == from_csv.rows
    for a, b in zip(from_csv.results.kpis, from_xlsx.results.kpis, strict=True):
        assert (a.actual is None and b.actual is None) or math.isclose(a.actual, b.actual)
