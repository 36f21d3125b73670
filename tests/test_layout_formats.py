"""Layout rules read from the written files: number formats by unit, right-to-left text
cells in Arabic and Persian, hidden helper sheets, TOWS texts, the Dashboard's labels."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from xlmplan.api import PlanResult, new_plan
from xlmplan.core.labels import load_labels
from xlmplan.core.template import templates_root
from xlmplan.core.units import currency_decimals, money_format, number_key
from xlmplan.refresh import check_plan
from xlmplan.sheets import budget_months, dashboard, objectives, strategy_kpi, swot
from xlmplan.sheets.context import FIRST
from xlmplan.sheets.text_width import widest

KPI_TARGET, OBJ_BASELINE, OBJ_TARGET = 5, 9, 10  # 1-based columns E, I, J
MATRIX_TARGET = objectives.MATRIX_COL + 4 + 1


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, PlanResult]:
    folder = tmp_path_factory.mktemp("layout")
    return {lang: new_plan(folder / f"{lang}.xlsx", lang=lang) for lang in ("en", "ar", "fa")}


def _book(path: Path, values: bool = False) -> openpyxl.Workbook:
    return openpyxl.load_workbook(path, data_only=values)


def _kpi_rows(result: PlanResult) -> dict[str, int]:
    """Metric key -> the 1-based row of the first KPI measuring it."""
    rows: dict[str, int] = {}
    for i, kpi in enumerate(result.plan.kpis):
        metric = result.catalog.by_label(kpi.metric)
        if metric:
            rows.setdefault(metric.key, FIRST + 1 + i)
    return rows


def test_number_keys_follow_the_unit() -> None:
    assert number_key("number", additive=True) == "int"
    assert number_key("currency", additive=True) == "money0"
    assert number_key("currency", additive=False) == "money"
    assert number_key("percent") == "pct"
    assert number_key("ratio") == "ratio"
    assert [currency_decimals(c) for c in ("USD", "jpy", "KRW", "IRR", "IQD", "EUR")] == [
        2, 0, 0, 0, 0, 2
    ]  # fmt: skip
    assert money_format("IRR", currency_decimals("IRR")) == '#,##0 "IRR"'


def test_kpi_targets_and_values_in_their_units(plans: dict[str, PlanResult]) -> None:
    result = plans["en"]
    sheet = _book(result.path)["Strategy_KPI"]
    rows = _kpi_rows(result)
    actual = strategy_kpi.derived_col("actual") + 1
    expected = {
        "sessions": "#,##0",
        "new_customers": "#,##0",
        "revenue": '"$"#,##0',
        "cpa": '"$"#,##0.00',
        "conversion_rate": "0.0%",
        "ctr": "0.0%",
        "roas": '0.00"x"',
    }
    for key, fmt in expected.items():
        assert sheet.cell(rows[key], KPI_TARGET).number_format == fmt, key
        assert sheet.cell(rows[key], actual).number_format == fmt, key


def test_objectives_use_their_kpis_unit(plans: dict[str, PlanResult]) -> None:
    """A conversion-rate objective reads 2.9 % -> 3.1 %, a sessions objective 3,110,000."""
    result = plans["en"]
    sheet = _book(result.path)["Objectives"]
    kpi_metric = {k.id: result.catalog.by_label(k.metric) for k in result.plan.kpis}
    seen = set()
    for i, objective in enumerate(result.plan.objectives):
        metric = kpi_metric.get(objective.kpi)
        if metric is None:
            continue
        fmt = {"pct": "0.0%", "int": "#,##0", "ratio": '0.00"x"'}.get(
            number_key(metric.unit, metric.additive)
        )
        if fmt is None:
            continue
        row = FIRST + 1 + i
        for col in (OBJ_BASELINE, OBJ_TARGET, MATRIX_TARGET, MATRIX_TARGET + 1):
            assert sheet.cell(row, col).number_format == fmt, (objective.id, col)
        seen.add(fmt)
    assert seen == {"0.0%", "#,##0", '0.00"x"'}


def test_currency_without_minor_units_shows_no_decimals(tmp_path: Path) -> None:
    result = new_plan(tmp_path / "jpy.xlsx", currency="JPY")
    sheet = _book(result.path)["Strategy_KPI"]
    rows = _kpi_rows(result)
    assert sheet.cell(rows["cpa"], KPI_TARGET).number_format == '"¥"#,##0'
    assert sheet.cell(rows["revenue"], KPI_TARGET).number_format == '"¥"#,##0'


@pytest.mark.parametrize("lang", ["ar", "fa"])
def test_text_cells_read_right_to_left(plans: dict[str, PlanResult], lang: str) -> None:
    book = _book(plans[lang].path)
    for sheet in book.worksheets:
        if sheet.sheet_state != "visible":
            continue
        text_cells = [
            cell
            for row in sheet.iter_rows(max_row=40)
            for cell in row
            if isinstance(cell.value, str) and not cell.value.startswith("=")
        ]
        assert text_cells, sheet.title
        wrong = [c.coordinate for c in text_cells if c.alignment.readingOrder != 2]
        assert not wrong, (sheet.title, wrong[:5])


def test_english_text_cells_keep_the_context_reading_order(plans: dict[str, PlanResult]) -> None:
    sheet = _book(plans["en"].path)["SWOT"]
    assert sheet["A1"].alignment.readingOrder in (0, None)


@pytest.mark.parametrize("lang", ["en", "ar", "fa"])
def test_helper_sheets_are_hidden(plans: dict[str, PlanResult], lang: str) -> None:
    book = _book(plans[lang].path)
    states = [s.sheet_state for s in book.worksheets]
    # Lists and Calc hidden, the manifest very hidden, every other sheet visible
    assert states[-3:] == ["hidden", "hidden", "veryHidden"]
    assert set(states[:-3]) == {"visible"}


def test_tows_grid_shows_factor_texts_and_citing_strategies(plans: dict[str, PlanResult]) -> None:
    result = plans["en"]
    sheet = _book(result.path, values=True)["SWOT"]
    texts = [
        sheet.cell(r, c).value
        for r in range(1, sheet.max_row + 1)
        for c in (swot.GRID_COL + 2, swot.GRID_COL + 3)
    ]
    top = {t: result.results.swot_top[t][0] for t in "SO"}
    s1, o1 = top["S"], top["O"]
    assert f"{s1[0]} {s1[1]} × {o1[0]} {o1[1]}" in texts
    assert "no strategy yet" in texts
    cited = {
        (st.pair.replace(" ", "").upper(), st.id, st.strategy) for st in result.plan.strategies
    }
    shown = [t for t in texts if isinstance(t, str)]
    for pair, sid, name in cited:
        if pair == f"{s1[0]}+{top['O'][0]}".upper():
            assert any(t.startswith(f"{sid} {name}") for t in shown), pair


@pytest.mark.parametrize("lang", ["en", "ar", "fa"])
def test_dashboard_figures_have_labels_and_the_as_of_date(
    plans: dict[str, PlanResult], lang: str
) -> None:
    result = plans[lang]
    pack = load_labels(templates_root() / "labels", lang)
    sheet = _book(result.path, values=True)[pack["sheet.dashboard"]]
    labels = [pack[f"kpi.{key}"] for key in dashboard.FIGURES]
    n_tiles = min(dashboard.TILES, len(result.plan.kpis))
    per_row, label_w = dashboard.tile_grid([k.name for k in result.plan.kpis[:n_tiles]], labels)
    assert sheet.cell(dashboard.TABLE_ROW, 2).value is not None  # the as-of date
    for i in range(n_tiles):
        top = dashboard.TABLE_ROW + (i // per_row) * dashboard.TILE_H + 1
        left = (i % per_row) * dashboard.TILE_W + 1
        assert sheet.cell(top, left).value == result.plan.kpis[i].name
        assert [sheet.cell(top + k, left + 1).value for k in range(1, 5)] == labels, i
        figures = [sheet.cell(top + k, left).value for k in range(1, 5)]
        assert all(f not in (None, "") for f in figures[:2]), (i, figures)
    # the widest name fits across its tile's label and figure columns
    names = [k.name for k in result.plan.kpis[:n_tiles]]
    assert label_w + dashboard.VALUE_W >= widest(names, dashboard.NAME_SIZE)
    assert sheet.column_dimensions["B"].width == pytest.approx(label_w, abs=1.0)  # + padding


def test_the_new_cells_are_up_to_date(plans: dict[str, PlanResult]) -> None:
    """`check` recomputes every owned cell: the as-of date and TOWS texts match their cache."""
    findings = check_plan(plans["en"].path).findings
    assert not [f.message for f in findings if "out of date" in f.message]


@pytest.mark.parametrize("lang", ["en", "ar", "fa"])
def test_columns_fit_the_longest_kpi_name_and_metric(
    plans: dict[str, PlanResult], lang: str
) -> None:
    result = plans[lang]
    sheet = _book(result.path)[load_labels(templates_root() / "labels", lang)["sheet.strategy_kpi"]]
    for letter, texts in (
        ("B", [k.name for k in result.plan.kpis]),
        ("C", [k.metric for k in result.plan.kpis]),
    ):
        need = min(widest(texts), 50.0)
        assert sheet.column_dimensions[letter].width >= need, (letter, need)


def test_idle_months_show_a_dash(plans: dict[str, PlanResult]) -> None:
    """Budget_Months grids: money without decimals and hours, a dash where a month is 0."""
    book = _book(plans["en"].path)
    sheet = book["Budget_Months"]
    rows = {str(sheet.cell(r, 1).value): r for r in range(1, sheet.max_row + 1)}
    people_cost = sheet.cell(rows["Men: people cost"], budget_months.P0 + 1)
    demand = sheet.cell(rows["Minutes: hours demanded"], budget_months.P0 + 1)
    assert people_cost.number_format == '"$"#,##0;-"$"#,##0;"–"'
    assert demand.number_format == '#,##0.0;-#,##0.0;"–"'
