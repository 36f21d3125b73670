"""Data that follows a KPI's target path is on pace every day; 10 % short of it is Amber at
the default amber threshold (attainment 0.9 ≥ 0.9) and Red at a threshold of 0.95.

Daily Data from 2025-01-01: last year (2025) gives revenue a seasonal shape (100 × month
number a day); in 2026 each measure follows its KPI's path scaled by ``pace``:
    K1 revenue, all channels, seasonal, target 2 × 2025's revenue: 200 × month a day
    K2 sessions on Search, even, target 50 × 365: 50 a day
    K3 spend, lower is better, even, ceiling 20 × 365: 20 a day (÷ pace: over the path)
    K4 CTR, a ratio without baseline, target 5 %: clicks ÷ impressions = 5 % (× pace)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from engines import NEEDS_LO, cached_values, compare
from lo_batch import recalculate_all
from plan_builder import write_plan

from xlmplan.core.data import canonical_frame
from xlmplan.core.engine import Engine, labelled_periods
from xlmplan.core.labels import load_labels
from xlmplan.core.model import Kpi, KpiPath, Plan, Settings
from xlmplan.core.template import plan_catalog, templates_root, words_from
from xlmplan.sheets.context import FIRST
from xlmplan.sheets.layout import a1
from xlmplan.sheets.strategy_kpi import derived_col

START = dt.date(2026, 1, 1)
LAST_YEAR = sum(100 * d.month for d in pd.date_range("2025-01-01", "2025-12-31"))
KPIS = [
    Kpi("K1", "Revenue", "Revenue", "All", 2.0 * LAST_YEAR, "higher"),
    Kpi("K2", "Search sessions", "Sessions", "Search", 50.0 * 365, "higher"),
    Kpi("K3", "Spend ceiling", "Spend", "All", 20.0 * 365, "lower"),
    Kpi("K4", "CTR", "CTR", "All", 0.05, "higher"),
]
PATHS = [KpiPath("K1", None, "seasonal"), KpiPath("K2", None, "even")]


def frame(pace: float, until: dt.date = dt.date(2026, 12, 31)) -> pd.DataFrame:
    days = pd.date_range("2025-01-01", until)
    this_year = days.year == 2026
    scale = pd.Series(1.0, index=days).where(~this_year, pace).to_numpy()
    month = days.month.to_numpy()
    return pd.DataFrame(
        {
            "date": days,
            "channel": "Search",
            "campaign": "",
            "impressions": 1000.0,
            "clicks": 50.0 * scale,
            "sessions": 50.0 * scale,
            "conversions": 2.0,
            "revenue": (100.0 * month) * (1 + this_year) * scale,
            "spend": 20.0 / scale,
            "new_customers": 1.0,
        }
    )


def plan_for(base: Plan, as_of: dt.date, amber: float) -> Plan:
    settings = replace(base.settings, as_of=as_of, amber_threshold=amber)
    return replace(base, settings=settings)


@pytest.fixture(scope="module")
def engine_parts() -> tuple[Plan, object, object, object]:
    labels = load_labels(templates_root() / "labels", "en")
    plan = Plan(
        Settings("Pace", "Co", "EUR", START, 12),
        kpis=list(KPIS),
        paths=list(PATHS),
        channels=["Search"],
    )
    return plan, plan_catalog(labels), words_from(labels), labelled_periods(plan, labels)


def statuses(
    parts: tuple, pace: float, amber: float, days: list[dt.date]
) -> dict[dt.date, list[str | None]]:
    plan, catalog, words, periods = parts
    data = canonical_frame(frame(pace), "pace.csv")
    out = {}
    for day in days:
        res = Engine(plan_for(plan, day, amber), data, catalog, words, periods).run()
        assert res.kpis[0].path is not None and res.kpis[0].path.method == "seasonal"
        out[day] = [k.status for k in res.kpis]
    return out


def test_data_on_the_path_is_green_every_day(engine_parts: tuple) -> None:
    every_day = [d.date() for d in pd.date_range(START, "2026-12-31")]
    got = statuses(engine_parts, 1.0, 0.9, every_day)
    off = {day: s for day, s in got.items() if s != ["Green"] * 4}
    assert not off, list(off.items())[:5]


@pytest.mark.parametrize(("amber", "word"), [(0.9, "Amber"), (0.95, "Red")])
def test_ten_percent_short_of_the_path_every_day(
    engine_parts: tuple, amber: float, word: str
) -> None:
    # each month's first, middle and last day
    days = [d.date() for m in range(1, 13) for d in pd.date_range(f"2026-{m}-01", periods=1)]
    days += [dt.date(2026, m, 15) for m in range(1, 13)]
    days += [d.date() for d in pd.date_range(START, periods=12, freq="ME")]
    got = statuses(engine_parts, 0.9, amber, days)
    off = {day: s for day, s in got.items() if s != [word] * 4}
    assert not off, list(off.items())[:5]


AS_OF = [dt.date(2026, 1, 5), dt.date(2026, 5, 17), dt.date(2026, 12, 31)]


@NEEDS_LO
def test_the_workbook_agrees_at_several_as_of_dates(tmp_path: Path) -> None:
    """Plans cut at the first week, mid-year and the last day: the statuses the rules say,
    cached and after LibreOffice's full recalculation, which changes no cell."""
    expected: dict[Path, str] = {}
    for pace, word in ((1.0, "Green"), (0.9, "Amber")):
        for day in AS_OF:
            out = tmp_path / f"pace-{pace}-{day}.xlsx"
            write_plan(out, frame(pace, day), START, kpis=list(KPIS), paths=list(PATHS))
            expected[out] = word
    recalculated = recalculate_all(list(expected))
    rows = range(FIRST + 1, FIRST + 1 + len(KPIS))  # 1-based rows of the KPI table
    status = derived_col("status")
    for path, word in expected.items():
        report = recalculated[path]
        assert report["ok"], report
        cached = cached_values(path)
        mismatches = compare(cached, report["values"], expected_label="cached")
        assert not mismatches, (path.name, mismatches[:10])
        got = [report["values"]["Strategy_KPI"][a1(r - 1, status)] for r in rows]
        assert got == [word] * len(KPIS), (path.name, got)


@NEEDS_LO
def test_solar_hijri_paths_agree_with_libreoffice(tmp_path: Path) -> None:
    """Periods are Solar Hijri months from 1 Farvardin 1405 (2026-03-21); a target typed for
    'Tir 1405' wins there; every cell of Targets, Strategy_KPI and Objectives recalculates
    to its cached value."""
    from xlmplan.core.model import PeriodTarget
    from xlmplan.io.example_data import example_data

    this_year = example_data()
    last_year = this_year.assign(date=this_year["date"] - pd.DateOffset(years=1))
    both = pd.concat([last_year, this_year], ignore_index=True)
    out = tmp_path / "solar-hijri.xlsx"
    typed = [PeriodTarget("K1", "Tir 1405", 800000.0)]
    result = write_plan(
        out,
        both[both["date"] <= "2026-08-10"],
        dt.date(2026, 3, 21),
        typed=typed,
        calendar="solar-hijri",
    )
    periods = result.results.periods
    assert (periods[0].first, periods[0].label) == (dt.date(2026, 3, 21), "Farvardin 1405")
    k1 = result.results.kpis[0]
    assert k1.path is not None and k1.path.values[3] == 800000.0  # Tir, the 4th month
    recalculated = recalculate_all([out])[out]
    assert recalculated["ok"], recalculated
    cached = cached_values(out)
    for sheet in ("Targets", "Strategy_KPI", "Objectives"):
        mismatches = compare({sheet: cached[sheet]}, {sheet: recalculated["values"][sheet]})
        assert not mismatches, (sheet, mismatches[:10])
