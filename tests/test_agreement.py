"""Cached values equal LibreOffice's full recalculation and the `formulas` package's.

Every formula cell of a generated plan is compared (relative tolerance 1e-9), and no
engine may hold an error value anywhere.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from engines import NEEDS_LO, cached_values, compare, formulas_values, is_error

from xlmplan.api import PlanResult
from xlmplan.libreoffice import runner


def _check(cached: dict, other: dict, label: str) -> None:
    cells = sum(len(v) for v in cached.values())
    assert cells > 1000, "too few formula cells: the plan is incomplete"
    errors = [f"{s}!{a}: {v}" for s, vals in cached.items() for a, v in vals.items() if is_error(v)]
    assert not errors, errors[:10]
    mismatches = compare(cached, other, expected_label="cached", actual_label=label)
    assert not mismatches, f"{len(mismatches)} of {cells} cells differ:\n" + "\n".join(
        mismatches[:30]
    )


@pytest.fixture(scope="module", params=["example_plan", "edge_plan"])
def plan(request: pytest.FixtureRequest) -> PlanResult:
    result: PlanResult = request.getfixturevalue(request.param)
    return result


@NEEDS_LO
def test_cached_values_equal_libreoffice_recalculation(plan: PlanResult) -> None:
    recalculated = runner.recalculate(plan.path)
    assert recalculated.formula_count == sum(len(v) for v in cached_values(plan.path).values())
    _check(cached_values(plan.path), recalculated.values, "libreoffice")


def test_cached_values_equal_formulas_package(plan: PlanResult) -> None:
    _check(cached_values(plan.path), formulas_values(plan.path), "formulas")


def test_edge_plan_exercises_blanks_and_zeros(edge_plan: PlanResult) -> None:
    """The edge data really produce blank ratios, zero sums and an empty month."""
    cached = cached_values(edge_plan.path)
    analysis = cached["Analysis"]
    # vertical block, revenue picked: row 8 + i is month i, B:H its seven measures, I the
    # picked metric, J month over month.
    # The 3rd month has no rows: revenue 0, -100 % against the 2nd month (0 / x - 1); the
    # 4th month's change divides by that 0, so it is blank, not an error value.
    assert analysis["I10"] == 0 and analysis["J10"] == -1
    assert analysis["J11"] in ("", None)
    assert isinstance(analysis["J12"], float)  # the 5th month compares with a real month
    month_sums = edge_plan.results.month_sums
    assert month_sums[2]["sessions"] == 0.0  # the month with no rows
    display = edge_plan.plan.channels.index("Display")
    assert edge_plan.results.channel_sums[display]["conversions"] == 0.0


@pytest.fixture
def custom_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the bundled templates with one metric more, used by one KPI."""
    import shutil

    from xlmplan.core.template import BUNDLED

    root = tmp_path / "templates"
    shutil.copytree(BUNDLED, root)
    with (root / "metrics.toml").open("a") as fh:
        fh.write(
            '\n[[metric]]\nkey = "rps"\nlabel = "Revenue per session"\n'
            'expr = "revenue / sessions"\ndirection = "higher"\nunit = "currency"\n'
        )
    template = root / "templates" / "online_shop.toml"
    template.write_text(
        template.read_text().replace('metric = "CTR"', 'metric = "Revenue per session"')
    )
    monkeypatch.setenv("XLMPLAN_TEMPLATES", str(root))
    return root


@NEEDS_LO
def test_user_defined_metric_needs_no_code_change(custom_catalog: Path, tmp_path: Path) -> None:
    from xlmplan.api import new_plan

    result = new_plan(tmp_path / "custom.xlsx")
    assert result.plan.kpis[6].metric == "Revenue per session"
    kpi = result.results.kpis[6]
    assert kpi.actual is not None and kpi.actual > 1  # revenue per session, not a CTR
    lists = openpyxl.load_workbook(result.path)["Lists"]
    assert "Revenue per session" in [c.value for c in lists["A"]]
    cached = cached_values(result.path)
    recalculated = runner.recalculate(result.path)
    _check(cached, recalculated.values, "libreoffice")


@NEEDS_LO
@pytest.mark.parametrize(
    ("start", "months"),
    [("2030-01", 12), ("2026-03", 1), ("2026-06", 24)],
    ids=["no-data-in-period", "one-month", "longer-than-data"],
)
def test_plan_periods_agree_with_libreoffice(tmp_path: Path, start: str, months: int) -> None:
    from xlmplan.api import new_plan

    result = new_plan(tmp_path / "p.xlsx", start=start, months=months)
    cached = cached_values(result.path)
    mismatches = compare(
        cached,
        runner.recalculate(result.path).values,
        expected_label="cached",
        actual_label="libreoffice",
    )
    assert not mismatches, mismatches[:20]
    if start == "2030-01":
        assert result.results.as_of is None
        assert any("No Data rows" in f.message for f in result.findings)


@NEEDS_LO
def test_a_kpi_whose_channel_has_no_rows_is_blank_in_both_engines(tmp_path: Path) -> None:
    """Email's rows all lie before the plan: every Email KPI is blank in pandas and in
    LibreOffice's recalculation (never actual 0 and Red), and Checks says why."""
    from xlmplan.api import new_plan
    from xlmplan.io.example_data import example_data

    frame = example_data(months=3)
    email = frame["channel"] == "Email"
    early = frame[email].head(3).assign(date=pd.Timestamp("2025-12-15"))
    csv = tmp_path / "no-email.csv"
    pd.concat([early, frame[~email]]).to_csv(csv, index=False)
    result = new_plan(tmp_path / "plan.xlsx", data=csv, start="2026-01", months=12)
    email_kpis = [i for i, k in enumerate(result.plan.kpis) if k.channel == "Email"]
    assert email_kpis, "the starter plan has an Email KPI"
    for i in email_kpis:
        kr = result.results.kpis[i]
        assert (kr.actual, kr.attainment, kr.status, kr.scenario) == (None, None, None, None)
        assert kr.rows["todate"] == 0
    wheres = {f.where for f in result.findings if f.severity == "error"}
    assert {f"Strategy_KPI {result.plan.kpis[i].id}" for i in email_kpis} <= wheres
    cached = cached_values(result.path)
    recalculated = runner.recalculate(result.path).values
    _check(cached, recalculated, "libreoffice")
    sheet = cached["Strategy_KPI"]
    for i in email_kpis:
        assert sheet[f"H{5 + i}"] in ("", None)  # the actual: blank, not 0
