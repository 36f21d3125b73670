"""Each KPI's two verdicts as data: read from a plan's cached values, or from the engine.

``read_kpis`` opens an existing plan and reads what its Strategy_KPI sheet shows (nothing
is recomputed, so a plan edited in Excel and saved reports what Excel computed);
``kpi_report`` gives the same fields from a fresh computation (``new``, ``refresh``).
Fields a plan does not hold (a forecast's interval before forecasts exist) are None.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from xlmplan.core import rules
from xlmplan.core.catalog import Catalog
from xlmplan.core.engine import Results
from xlmplan.core.labels import load_labels
from xlmplan.core.model import Plan
from xlmplan.core.rules import EXCEL_EPOCH
from xlmplan.core.template import plan_catalog, templates_root
from xlmplan.errors import WorkbookError
from xlmplan.kpi_report import KpiReport, KpiRow
from xlmplan.sheets.strategy_kpi import derived_col
from xlmplan.xlsx.plan_file import open_plan


def kpi_report(
    plan: Plan, results: Results, catalog: Catalog, status: tuple[str, ...]
) -> KpiReport:
    """The report from the engine's values (what the sheets cache)."""
    rows = []
    for kpi, kr in zip(plan.kpis, results.kpis, strict=True):
        metric = catalog.by_label(kpi.metric)
        rows.append(
            KpiRow(
                kpi.id,
                kpi.name,
                kpi.metric,
                metric.unit if metric else "number",
                kpi.direction,
                kpi.target,
                kr.actual,
                kr.target_to_date,
                kr.attainment,
                kr.status,
                kr.year_end,
                kr.year_end_low,
                kr.year_end_high,
                kr.projected_attainment,
                kr.scenario,
            )
        )
    words = (status[0], status[1], status[2])
    return KpiReport(plan.settings.plan_name, results.as_of, rows, words)


def read_kpis(path: Path) -> KpiReport:
    """The KPIs of an existing plan as its cached values show them (nothing recomputed)."""
    pf = open_plan(Path(path))
    try:
        sheet = pf.sheets["strategy_kpi"]
        cells = pf.cells(sheet)
        info = pf.table("kpis")
        labels = load_labels(templates_root() / "labels", pf.manifest.get("language", "en"))
        catalog = plan_catalog(labels)
        header = cells[info.r1] if info.r1 < len(cells) else []
        column = derived_col("todate_target")
        if _text(header[column] if column < len(header) else None) != labels["kpi.todate_target"]:
            raise WorkbookError(
                f"{path}: its KPI columns are laid out by an older xlmplan — run "
                f"'xlmplan refresh {Path(path).name}' first"
            )
        interval = _intervals(pf)
        rows = []
        for r in range(info.r1 + 1, info.r2 + 1):
            row = cells[r] if r < len(cells) else []

            def at(c: int, row: list[Any] = row) -> Any:
                value = row[c] if c < len(row) else None
                return None if value in ("", None) else value

            first = info.c1
            if all(at(first + j) is None for j in range(6)):
                continue  # a blank row inside the Table
            metric = _text(at(first + 2))
            rows.append(
                KpiRow(
                    _text(at(first)),
                    _text(at(first + 1)),
                    metric,
                    _unit(catalog, metric),
                    _text(at(first + 5)),
                    _number(at(first + 4)),
                    _number(at(derived_col("actual"))),
                    _number(at(derived_col("todate_target"))),
                    _number(at(derived_col("attainment"))),
                    _text(at(derived_col("status"))) or None,
                    _number(at(derived_col("year_end"))),
                    *interval.get(r - info.r1 - 1, (None, None)),
                    _number(at(derived_col("year_end_att"))),
                    _text(at(derived_col("year_end_verdict"))) or None,
                )
            )
        words = (labels["status.green"], labels["status.amber"], labels["status.red"])
        return KpiReport(_text(_cell(pf, "PlanName")), _as_of(pf), rows, words)
    finally:
        pf.close()


def _intervals(pf: Any) -> dict[int, tuple[float | None, float | None]]:
    """Per KPI (0-based, in table order) the forecast's 80 % interval from the Forecast
    sheet (none on a plan without one)."""
    from xlmplan.sheets.forecast import KPI_KEYS, KPI_ROW, STAMP_COL

    if "forecast" not in pf.sheets:
        return {}
    cells = pf.cells(pf.sheets["forecast"])
    lower, upper = (STAMP_COL + KPI_KEYS.index(k) for k in ("lower", "upper"))
    out = {}
    for i, row in enumerate(cells[KPI_ROW + 1 :]):
        low = _number(row[lower]) if lower < len(row) else None
        high = _number(row[upper]) if upper < len(row) else None
        out[i] = (low, high)
    return out


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _number(value: Any) -> float | None:
    if isinstance(value, dt.datetime | dt.date):
        return float(rules.serial(value if isinstance(value, dt.date) else value.date()) or 0)
    return float(value) if rules.is_num(value) else None


def _cell(pf: Any, name: str) -> Any:
    """The cached value of the one-cell defined name ``name`` (None when absent)."""
    target = pf.names.get(name)
    if not target or "!" not in target:
        return None
    sheet_text, address = target.rsplit("!", 1)
    sheet_name = sheet_text[1:-1].replace("''", "'") if sheet_text.startswith("'") else sheet_text
    ref = next((s for s in pf.sheets.values() if s.name == sheet_name), None)
    if ref is None:
        return None
    address = address.replace("$", "")
    letters = "".join(ch for ch in address if ch.isalpha())
    col = 0
    for ch in letters.upper():
        col = col * 26 + ord(ch) - 64
    row = int(address[len(letters) :]) - 1
    cells = pf.cells(ref)
    return cells[row][col - 1] if row < len(cells) and col - 1 < len(cells[row]) else None


def _as_of(pf: Any) -> dt.date | None:
    value = _cell(pf, "AsOf")
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if rules.is_num(value):
        return EXCEL_EPOCH + dt.timedelta(days=int(value))
    return None


def _unit(catalog: Catalog, label: str) -> str:
    metric = catalog.by_label(label)
    return metric.unit if metric else "number"
