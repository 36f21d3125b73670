"""The Dashboard's charts: fixed colours by meaning in the chart XML, a 100 % line."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from lxml import etree

from xlmplan.api import PlanResult, new_plan
from xlmplan.core.labels import load_labels
from xlmplan.core.template import templates_root
from xlmplan.refresh import refresh_plan
from xlmplan.sheets import dashboard

C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


def _charts(path: Path) -> dict[str, etree._Element]:
    """Chart title -> chart XML root, for every chart in the workbook."""
    out = {}
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.startswith("xl/charts/chart"):
                root = etree.fromstring(zf.read(name))
                title = "".join(t.text or "" for t in root.find(C + "chart").iter(A + "t"))
                out[title] = root
    return out


def _fill(ser: etree._Element) -> str:
    """The series' own colour: its line colour on line charts, else its fill."""
    sp = ser.find(C + "spPr")
    assert sp is not None, "the series has no fixed colour"
    fill = sp.find(A + "solidFill")
    if fill is None:
        fill = sp.find(A + "ln/" + A + "solidFill")
    return "#" + fill.find(A + "srgbClr").get("val")


def _series(root: etree._Element, kind: str) -> list[tuple[str, etree._Element]]:
    plot = root.find(C + "chart/" + C + "plotArea")
    return [
        (ser.find(C + "tx").findtext(".//" + C + "v"), ser)
        for chart in plot.findall(C + kind)
        for ser in chart.findall(C + "ser")
    ]


@pytest.fixture(scope="module")
def charts(example_plan: PlanResult) -> dict[str, etree._Element]:
    return _charts(example_plan.path)


def test_scenario_colours_follow_their_meaning(charts: dict[str, etree._Element]) -> None:
    bars = _series(charts["Projected attainment by scenario"], "barChart")
    assert [(name, _fill(ser)) for name, ser in bars] == [
        ("Pessimistic", dashboard.SCENARIO_COLOURS[2]),
        ("Realistic", dashboard.SCENARIO_COLOURS[1]),
        ("Optimistic", dashboard.SCENARIO_COLOURS[0]),
    ]
    assert dashboard.SCENARIO_COLOURS == ("#70AD47", "#4472C4", "#C0504D")  # green, blue, red


def test_attainment_chart_has_a_dashed_100_percent_line(
    charts: dict[str, etree._Element], example_plan: PlanResult
) -> None:
    (name, line), *others = _series(charts["Projected attainment by scenario"], "lineChart")
    assert not others
    assert name == "Target (100%)"
    assert line.find(f"{C}spPr/{A}ln/{A}prstDash").get("val") == "dash"
    points = [float(v.text) for v in line.find(C + "val").iter(C + "v")]
    assert points == [1.0] * len(example_plan.plan.kpis)


def test_status_slices_are_green_amber_red(charts: dict[str, etree._Element]) -> None:
    ((_, pie),) = _series(charts["KPI status"], "pieChart")
    colours = ["#" + p.find(f".//{A}srgbClr").get("val") for p in pie.findall(C + "dPt")]
    assert colours == ["#70AD47", "#FFC000", "#C00000"]


def test_money_series_keep_their_colours(charts: dict[str, etree._Element]) -> None:
    spend_revenue = dict(
        (n, _fill(s)) for n, s in _series(charts["Spend and revenue by month"], "barChart")
    )
    assert spend_revenue == {"Revenue": dashboard.REVENUE, "Spend": dashboard.SPEND}
    budget = [_fill(s) for _, s in _series(charts["Media budget vs actual spend"], "lineChart")]
    assert budget == [dashboard.PLANNED, dashboard.SPEND]


def test_period_axes_draw_level_labels_on_wide_charts(charts: dict[str, etree._Element]) -> None:
    """Charts over periods write their labels' rotation as 0 (LibreOffice then wraps them
    at spaces instead of tilting them) at the axis size, and are wide enough for the
    widest word of twelve labels; the charts over KPIs keep the application's choice."""
    over_periods = [t for t in charts if "by month" in t or "vs actual" in t or "path" in t]
    assert len(over_periods) == 6  # spend and revenue, budget, four glidepaths
    for title in over_periods:
        body = charts[title].find(f"{C}chart/{C}plotArea/{C}catAx/{C}txPr")
        assert body is not None, title
        assert body.find(A + "bodyPr").get("rot") == "0", title
        assert body.find(f".//{A}defRPr").get("sz") == str(int(dashboard.AXIS_PT * 100))
    labels = ["September 2026"] * 12
    need = dashboard.period_chart_width(labels, 100)
    assert 800 < need < 1000  # measured, not asked
    assert dashboard.period_chart_width(labels, need + 50) == need + 50
    assert dashboard.period_chart_width(labels * 2, 100) == 0  # 24 periods: the page is short
    assert charts["KPI status"].find(f"{C}chart/{C}plotArea/{C}catAx") is None


@pytest.fixture(scope="module")
def mid_year(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return new_plan(tmp_path_factory.mktemp("mid") / "plan.xlsx", cut=dt.date(2026, 5, 17)).path


def _actual_spend(plan: Path) -> tuple[str, int, list[float]]:
    """The actual spend series of the budget chart: the column and row of its last cell,
    and its cached points."""
    ((_, budget), (_, actual)) = _series(_charts(plan)["Media budget vs actual spend"], "lineChart")
    assert re.search(r"!\$D\$\d+:\$O\$\d+$", budget.findtext(f"{C}val/{C}numRef/{C}f"))
    last = actual.findtext(f"{C}val/{C}numRef/{C}f").rpartition(":")[2]
    column, row = re.fullmatch(r"\$([A-Z]+)\$(\d+)", last).groups()
    return column, int(row), [float(v.text) for v in actual.find(C + "val").iter(C + "v")]


def test_actual_spend_ends_at_the_as_of_period(mid_year: Path) -> None:
    """Budget_Months holds "" for the periods after the as-of date, which a line chart draws
    as 0 (Excel and LibreOffice alike): the actual series stops at the as-of period."""
    column, row, points = _actual_spend(mid_year)
    assert column == "H" and len(points) == 5 and min(points) > 0  # January (D) to May
    ws = openpyxl.load_workbook(mid_year, data_only=True)["Budget_Months"]
    assert {ws.cell(row, col).value or "" for col in range(9, 16)} == {""}  # June to December


def test_a_typed_as_of_moves_the_end_at_the_refresh(mid_year: Path, tmp_path: Path) -> None:
    from test_attack_data import set_cell

    plan = tmp_path / "plan.xlsx"
    shutil.copy(mid_year, plan)
    label = load_labels(templates_root() / "labels", "en")["setting.as_of"]
    start = openpyxl.load_workbook(plan)["Start"]
    row = next(r for r in range(1, 60) if start.cell(r, 1).value == label)
    serial = (dt.date(2026, 3, 10) - dt.date(1899, 12, 30)).days
    set_cell(plan, "start", f"B{row}", f"<v>{serial}</v>")
    refresh_plan(plan)
    column, _, points = _actual_spend(plan)
    assert column == "F" and len(points) == 3  # January to March


def test_glidepath_values_read_in_their_kpis_unit(charts: dict[str, etree._Element]) -> None:
    """A rate's axis reads 3.0 %, money in the plan's currency, counts whole."""

    def axis_format(title: str) -> str:
        axis = charts[f"{title}: target path, actual and forecast"].find(f".//{C}valAx")
        return str(axis.find(C + "numFmt").get("formatCode"))

    assert axis_format("Site conversion rate") == "0.0%"
    assert axis_format("Sessions") == "#,##0"
    assert axis_format("Online revenue") == '"$"#,##0'
    assert axis_format("Paid search CPA") == '"$"#,##0.00'
