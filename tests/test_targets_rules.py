"""The on-pace rules of docs/rules.md re-implemented from their text alone — pandas over the
workbook's own inputs and Data, no xlmplan code — agree with the cached values and with
LibreOffice's recalculation of plans cut at the first week, mid-year and the last day.

The example shop's 2026 Data gets a last year (its rows a year earlier at 80 %), so revenue,
sessions and new customers follow seasonal paths and the ratios run from last year's value
to their target; the mid-year plan also has targets typed for a period (by label and by a
day inside it).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from engines import NEEDS_LO, cached_values
from lo_batch import recalculate_all
from plan_builder import write_plan

from xlmplan.core.model import PeriodTarget
from xlmplan.io.example_data import example_data

CUTS = [dt.date(2026, 1, 5), dt.date(2026, 5, 17), dt.date(2026, 12, 31)]
TYPED = [
    PeriodTarget("K1", "May 2026", 900000.0),
    PeriodTarget("k2", "2026-03-10", 250000.0),  # a day inside March, another case
    PeriodTarget("K5", "March 2026", "n/a"),  # type: ignore[arg-type]  # text: ignored
]


# --- the rules, from docs/rules.md -------------------------------------------------------------


def round6(x: float) -> float:
    return float(Decimal(repr(float(x))).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP))


def months(first: dt.date, n: int) -> list[tuple[dt.date, dt.date]]:
    out = []
    for i in range(n):
        y, m = divmod(first.month - 1 + i, 12)
        start = dt.date(first.year + y, m + 1, 1)
        y2, m2 = divmod(first.month + i, 12)
        out.append((start, dt.date(first.year + y2, m2 + 1, 1) - dt.timedelta(days=1)))
    return out


def table(ws: Any, name: str) -> pd.DataFrame:
    ref = ws.tables[name].ref
    rows = [[c.value for c in row] for row in ws[ref]]
    return pd.DataFrame(rows[1:], columns=rows[0])


def name_value(wb: Any, name: str) -> Any:
    sheet, cell = next(iter(wb.defined_names[name].destinations))
    return wb[sheet][cell.replace("$", "")].value


def metric(expr: str, sums: dict[str, float]) -> float | None:
    try:
        return float(eval(expr, {}, sums))  # the catalog's expressions: measures, + - * /
    except ZeroDivisionError:
        return None


def judged(path: Path) -> dict[str, dict[str, Any]]:
    """Per KPI id: target to date, attainment to date and status, by the rules' text."""
    wb = openpyxl.load_workbook(path, data_only=True)
    kpis = table(wb["Strategy_KPI"], "tblKpis")
    paths = table(wb["Targets"], "tblPaths")
    typed = table(wb["Targets"], "tblPeriodTargets")
    lists = wb["Lists"]
    expr = {
        lists.cell(r, 1).value: lists.cell(r, 3).value
        for r in range(5, lists.max_row + 1)
        if lists.cell(r, 1).value
    }
    data = table(wb["Data"], "tblData")
    data["date"] = pd.to_datetime(data.iloc[:, 0]).dt.date
    measures = ["impressions", "clicks", "sessions", "conversions", "revenue", "spend"]
    measures.append("new_customers")
    data[measures] = data.iloc[:, 3:10].astype(float).fillna(0.0).to_numpy()
    data["channel"] = data.iloc[:, 1].astype(str)
    first = name_value(wb, "PlanStart")
    first = first.date() if isinstance(first, dt.datetime) else first
    n = int(name_value(wb, "PlanMonths"))
    amber = float(name_value(wb, "AmberThreshold"))
    periods = months(first, n)
    last = periods[-1][1]
    plan_days = (last - first).days + 1
    inside = data[(data["date"] >= first) & (data["date"] <= last)]
    as_of = inside["date"].max()
    history = months(dt.date(first.year - 1, first.month, 1), 12)
    out = {}
    for _, k in kpis.iterrows():
        kid, label, channel, target, direction = (
            str(k.iloc[0]), k.iloc[2], k.iloc[3], k.iloc[4], str(k.iloc[5])
        )  # fmt: skip
        e = expr[label]
        additive = "/" not in e
        mine = data["channel"].str.casefold() == channel.casefold()
        rows = data if channel == "All" else data[mine]

        def value(
            lo: dt.date, hi: dt.date, rows: pd.DataFrame = rows, e: str = e
        ) -> tuple[float | None, int]:
            w = rows[(rows["date"] >= lo) & (rows["date"] <= hi)]
            return metric(e, {m: float(w[m].sum()) for m in measures}), len(w)

        actual, count = value(first, as_of)
        actual = actual if count else None
        setting = paths[paths.iloc[:, 0].astype(str).str.casefold() == kid.casefold()]
        method = str(setting.iloc[0, 2] or "") if len(setting) else ""
        baseline = setting.iloc[0, 1] if len(setting) else None
        weights = [value(lo, hi)[0] or 0.0 if additive else 0.0 for lo, hi in history]
        plan_weights = [weights[p % 12] for p in range(n)]
        seasonal = (
            method.casefold() == "seasonal"
            and additive
            and data["date"].min() <= history[0][0]
            and round6(sum(plan_weights)) > 0
        )
        path = []
        for p, (lo, hi) in enumerate(periods):
            label_p = f"{lo:%B %Y}"
            hits = [
                t.iloc[2]
                for _, t in typed.iterrows()
                if str(t.iloc[0]).casefold() == kid.casefold()
                and isinstance(t.iloc[2], int | float)
                and (
                    str(t.iloc[1]).casefold() == label_p.casefold()
                    or isinstance(t.iloc[1], dt.datetime)
                    and lo <= t.iloc[1].date() <= hi
                    or isinstance(t.iloc[1], int | float)  # a day as Excel's serial number
                    and lo <= dt.date(1899, 12, 30) + dt.timedelta(days=t.iloc[1]) <= hi
                )
            ]
            if hits:
                path.append(float(sum(hits)))
            elif seasonal:
                path.append(target * plan_weights[p] / sum(plan_weights))
            elif additive:
                path.append(target * ((hi - lo).days + 1) / plan_days)
            elif isinstance(baseline, int | float):
                path.append(baseline + (target - baseline) * ((hi - first).days + 1) / plan_days)
            else:
                path.append(float(target))
        a = min(as_of, last)
        k_now = next(i for i, (lo, hi) in enumerate(periods) if lo <= a <= hi)
        if additive:
            due = sum(
                v * max(0.0, min(1.0, ((a - lo).days + 1) / ((hi - lo).days + 1)))
                for v, (lo, hi) in zip(path, periods, strict=True)
            )
        else:
            due = path[k_now]
        lower = direction.casefold() == "lower"
        att = None
        if actual is not None:
            if lower and actual != 0:
                att = round6(due / actual)
            elif not lower and due != 0:
                att = round6(actual / due)
        status = None
        if att is not None:
            status = "Green" if att >= 1 else "Amber" if att >= amber else "Red"
        out[kid] = {"due": due, "att": att, "status": status, "seasonal": seasonal}
    return out


# --- the plans -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("rules")
    this_year = example_data()
    last_year = this_year.copy()
    last_year["date"] = last_year["date"] - pd.DateOffset(years=1)
    for m in ("impressions", "clicks", "sessions", "conversions", "revenue", "spend"):
        last_year[m] = last_year[m] * 0.8
    both = pd.concat([last_year, this_year], ignore_index=True)
    out = []
    for day in CUTS:
        path = folder / f"plan-{day}.xlsx"
        cut = both[both["date"] <= pd.Timestamp(day)]
        write_plan(path, cut, dt.date(2026, 1, 1), typed=TYPED if day == CUTS[1] else None)
        out.append(path)
    return out


def header_col(ws: Any, text: str) -> int:
    return next(c.column for c in ws[4] if c.value == text)


@NEEDS_LO
def test_independent_rules_agree_with_cached_values_and_libreoffice(plans: list[Path]) -> None:
    recalculated = recalculate_all(plans)
    seen_seasonal = seen_typed = False
    for path in plans:
        expected = judged(path)
        seen_seasonal |= any(v["seasonal"] for v in expected.values())
        wb = openpyxl.load_workbook(path, data_only=True)
        targets, kpis = wb["Targets"], wb["Strategy_KPI"]
        due_col = header_col(targets, "Target to date")
        att_col, status_col = header_col(kpis, "Attainment"), header_col(kpis, "On pace")
        cached = cached_values(path)
        lo = recalculated[path]["values"]
        for r in range(5, 5 + len(expected)):
            kid = kpis.cell(r, 1).value
            want = expected[kid]
            cells = {
                "due": ("Targets", targets.cell(r, due_col).coordinate),
                "att": ("Strategy_KPI", kpis.cell(r, att_col).coordinate),
                "status": ("Strategy_KPI", kpis.cell(r, status_col).coordinate),
            }
            for key, (sheet, ref) in cells.items():
                for engine, values in (("cached", cached), ("libreoffice", lo)):
                    got = values[sheet][ref]
                    if key == "status":
                        assert got == want[key], (path.name, kid, engine, got, want)
                    else:
                        assert got == pytest.approx(want[key], rel=1e-9), (
                            path.name, kid, key, engine, got, want,
                        )  # fmt: skip
        seen_typed |= path == plans[1]
    assert seen_seasonal and seen_typed
