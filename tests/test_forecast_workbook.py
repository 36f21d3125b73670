"""The forecast in the workbook: values stamped with the as-of date, the Scenarios card
reading them, typed values winning, and the stale mark once Data moves on."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from tests.engines import NEEDS_LO, cached_values, compare, is_error
from xlmplan.api import PlanResult, new_plan
from xlmplan.core.engine import Engine
from xlmplan.core.forecast import forecast
from xlmplan.core.labels import load_labels
from xlmplan.core.model import ScenarioValue
from xlmplan.core.template import templates_root
from xlmplan.io.example_data import example_data
from xlmplan.libreoffice import runner
from xlmplan.sheets.book import build_book
from xlmplan.sheets.context import TABLE_ROW
from xlmplan.sheets.forecast import KPI_KEYS, KPI_ROW, STAMP_COL
from xlmplan.sheets.layout import a1
from xlmplan.sheets.scenarios import CARD_KEYS, CARD_ROW
from xlmplan.xlsx.plan_file import open_plan
from xlmplan.xlsx.writer import write_book

AS_OF = dt.date(2026, 5, 17)
STATE_ROW = TABLE_ROW + 5  # the stale mark, below the stamp (1-based row)


@pytest.fixture(scope="module")
def mid_year(tmp_path_factory: pytest.TempPathFactory) -> PlanResult:
    """A 2026 plan as of 17 May, with Data from January 2024 (two seasons of history)."""
    folder = tmp_path_factory.mktemp("mid")
    frame = example_data(dt.date(2024, 1, 1), 29)
    frame[frame["date"] <= pd.Timestamp(AS_OF)].to_csv(folder / "data.csv", index=False)
    return new_plan(folder / "plan.xlsx", data=folder / "data.csv", start="2026-01")


def _sheet(path: Path, role: str, data_only: bool = False) -> Any:
    book = openpyxl.load_workbook(path, data_only=data_only)
    return book[{"forecast": "Forecast", "scenarios": "Scenarios"}[role]]


def _kpi_cell(ws: Any, i: int, key: str) -> Any:
    return ws.cell(KPI_ROW + 2 + i, STAMP_COL + 1 + KPI_KEYS.index(key))


def test_forecasts_are_values_stamped_with_the_as_of_date(mid_year: PlanResult) -> None:
    ws = _sheet(mid_year.path, "forecast")
    stamp = ws.cell(TABLE_ROW + 1, STAMP_COL + 2)
    assert stamp.value == dt.datetime(2026, 5, 17)  # a date value, not a formula
    assert ws.cell(STATE_ROW, STAMP_COL + 2).value.startswith("=IF(")  # the stale mark is a formula
    for i, f in enumerate(mid_year.results.forecasts):
        assert _kpi_cell(ws, i, "model").value == "ETS seasonal"
        for key, value in (("year_end", f.year_end), ("lower", f.lower), ("upper", f.upper)):
            cell = _kpi_cell(ws, i, key)
            assert not str(cell.value).startswith("="), key
            assert cell.value == pytest.approx(value, rel=1e-12)
        assert f.lower < f.year_end < f.upper


def test_the_as_of_month_counts_only_its_days_ahead(mid_year: PlanResult) -> None:
    # Revenue of all channels by month, January 2024 .. April 2026, forecast here directly.
    frame = example_data(dt.date(2024, 1, 1), 29)
    frame = frame[frame["date"] <= pd.Timestamp(AS_OF)]
    months = frame.groupby(frame["date"].dt.to_period("M"))["revenue"].sum()
    history = months[months.index < pd.Period("2026-05")]
    days = [p.days_in_month for p in history.index]
    future = [31, 30, 31, 31, 30, 31, 30, 31]  # May .. December
    expected = forecast(history.to_numpy(), 8, 12, days, future)
    measure = mid_year.results.forecasts[0].measures[0]  # K1 is revenue
    assert measure.measure == "revenue" and measure.mean[:4] == (None,) * 4
    assert measure.mean[4] == pytest.approx(expected.mean[0] * 14 / 31)  # 18..31 May
    assert list(measure.mean[5:]) == pytest.approx(list(expected.mean[1:]))
    to_date = frame.loc[frame["date"] >= "2026-01-01", "revenue"].sum()
    assert measure.total == pytest.approx(to_date + sum(measure.mean[4:]))


def test_scenario_cases_are_the_forecast_interval(mid_year: PlanResult) -> None:
    ws = _sheet(mid_year.path, "scenarios", data_only=True)
    col = {k: j + 1 for j, k in enumerate(CARD_KEYS)}
    for i, (kpi, f) in enumerate(zip(mid_year.plan.kpis, mid_year.results.forecasts, strict=True)):
        r = CARD_ROW + 2 + i
        cases = [ws.cell(r, col[f"proj_{k}"]).value for k in range(3)]
        better, worse = (f.lower, f.upper) if kpi.direction == "lower" else (f.upper, f.lower)
        assert cases == pytest.approx([better, f.year_end, worse], rel=1e-12), kpi.id
        assert ws.cell(r, col["projection"]).value == pytest.approx(f.year_end, rel=1e-12)


def _with_typed(mid_year: PlanResult, tmp: Path) -> tuple[Path, Any]:
    plan = mid_year.plan
    plan.scenario_values = [
        ScenarioValue("k1", None, 12_000_000.0, None),  # realistic only; ids in any case
        ScenarioValue("K4", 30.0, None, 35.0),
    ]
    frame = example_data(dt.date(2024, 1, 1), 29)
    frame = frame[frame["date"] <= pd.Timestamp(AS_OF)].reset_index(drop=True)
    results = Engine(plan, frame, mid_year.catalog, mid_year.words).run()
    labels = load_labels(templates_root() / "labels", "en")
    book, _ = build_book(
        plan, frame, mid_year.catalog, labels, mid_year.words, results, "online_shop"
    )
    path = tmp / "typed.xlsx"
    write_book(book, path)
    plan.scenario_values = []
    return path, results


def test_typed_scenario_values_win(mid_year: PlanResult, tmp_path: Path) -> None:
    path, results = _with_typed(mid_year, tmp_path)
    k1, k4 = results.kpis[0], results.kpis[3]
    f1, f4 = results.forecasts[0], results.forecasts[3]
    assert k1.scenario_projections == [f1.upper, 12_000_000.0, f1.lower]
    assert k4.scenario_projections == [30.0, f4.year_end, 35.0]
    ws = _sheet(path, "scenarios", data_only=True)
    col = {k: j + 1 for j, k in enumerate(CARD_KEYS)}
    assert ws.cell(CARD_ROW + 2, col["proj_1"]).value == 12_000_000.0
    assert ws.cell(CARD_ROW + 5, col["proj_2"]).value == 35.0


@NEEDS_LO
def test_libreoffice_agrees_with_the_forecast_plan(mid_year: PlanResult, tmp_path: Path) -> None:
    path, _ = _with_typed(mid_year, tmp_path)  # typed values and blanks beside them
    for plan in (mid_year.path, path):
        cached = cached_values(plan)
        recalculated = runner.recalculate(plan)
        errors = [a for vals in recalculated.values.values() for a in vals.values() if is_error(a)]
        assert not errors
        assert not compare(cached, recalculated.values)


def _revenue_raised(src: Path, dst: Path, by: float) -> None:
    """A copy of ``src`` whose last Data row has ``by`` more revenue (column H, typed as a
    user would, with no refresh)."""
    pf = open_plan(src)
    data_part = pf.sheets["data"].part.lstrip("/")
    pf.close()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            body = zin.read(item.filename)
            if item.filename == data_part:
                text = body.decode("utf-8")
                match = list(re.finditer(r'(<c r="H\d+"[^>]*>)<v>([^<]*)</v>', text))[-1]
                new = f"{match.group(1)}<v>{float(match.group(2)) + by!r}</v>"
                text = text[: match.start()] + new + text[match.end() :]
                body = text.encode("utf-8")
            zout.writestr(item, body)


@NEEDS_LO
def test_edited_data_recalculates_while_the_forecast_is_marked_stale(
    mid_year: PlanResult, tmp_path: Path
) -> None:
    edited, stored = tmp_path / "edited.xlsx", tmp_path / "stored.xlsx"
    _revenue_raised(mid_year.path, edited, 150.0)
    before = cached_values(mid_year.path)["Forecast"]
    after = runner.recalculate(edited, store=stored).values["Forecast"]
    state = a1(TABLE_ROW + 4, STAMP_COL + 1)
    assert str(before[state]).startswith("Current — from the refresh of")
    assert after[state] == "Out of date — refresh to update; from the refresh of 2026-05-17"
    actual = a1(KPI_ROW + 1, STAMP_COL + KPI_KEYS.index("actual"))  # K1: revenue to date
    assert after[actual] == pytest.approx(before[actual] + 150.0)  # actuals follow Data
    old, new = _sheet(mid_year.path, "forecast"), _sheet(stored, "forecast", data_only=True)
    for i in range(len(mid_year.plan.kpis)):  # the forecast stays as the refresh wrote it
        assert _kpi_cell(new, i, "year_end").value == pytest.approx(
            _kpi_cell(old, i, "year_end").value, rel=1e-12
        )


def _glide_rows(ws: Any, kpi: str) -> dict[str, list[Any]]:
    """The glidepath rows of ``kpi`` on the Forecast sheet: line name -> 12 period cells."""
    out = {}
    for row in ws.iter_rows(min_col=STAMP_COL + 1, max_col=STAMP_COL + 14):
        if row[0].value == kpi and row[1].value in GLIDE_NAMES:
            out[GLIDE_NAMES[row[1].value]] = [c.value for c in row[2:]]
    return out


GLIDE_NAMES = {
    "Target path": "path",
    "Actual": "actual",
    "Forecast": "mid",
    "Forecast low (80 %)": "low",
    "Forecast high (80 %)": "high",
}


def test_glidepath_plots_nothing_after_the_as_of_date(mid_year: PlanResult) -> None:
    formulas_ws = _sheet(mid_year.path, "forecast")
    values_ws = _sheet(mid_year.path, "forecast", data_only=True)
    rows, values = _glide_rows(formulas_ws, "K1"), _glide_rows(values_ws, "K1")
    assert set(rows) == set(GLIDE_NAMES.values())
    # actual: formulas January .. May (the as-of month), then empty cells, not "" or 0
    assert all(str(v).startswith("=") for v in rows["actual"][:5])
    assert rows["actual"][5:] == [None] * 7
    # the forecast starts in the as-of month and ends at the year-end forecast
    f = mid_year.results.forecasts[0]
    for line, total in (("mid", f.year_end), ("low", f.lower), ("high", f.upper)):
        assert values[line][:4] == [None] * 4
        assert values[line][-1] == pytest.approx(total, rel=1e-12)
    # revenue is additive: the actual is cumulative, May's is revenue to date
    assert values["actual"][4] == pytest.approx(mid_year.results.kpis[0].actual, rel=1e-12)
    assert values["path"][-1] == pytest.approx(mid_year.plan.kpis[0].target, rel=1e-12)
    with zipfile.ZipFile(mid_year.path) as zf:
        charts = [n for n in zf.namelist() if n.startswith("xl/charts/chart")]
        glides = [n for n in charts if b"target path, actual and forecast" in zf.read(n)]
    assert len(glides) == 4  # the lead KPIs K1..K4
