"""Answer key for a label on Start that holds characters XML forbids: the finding, or the
refusal when it is the first month's label, names the label's cell."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from tests.core.keys import SCENARIOS, D, settings
from xlmplan.api import PlanResult
from xlmplan.cli import app
from xlmplan.core.checks import Finding
from xlmplan.core.inputs import TableCells, plan_from_tables
from xlmplan.core.labels import Labels, load_labels
from xlmplan.core.model import Plan
from xlmplan.core.template import BUNDLED
from xlmplan.errors import DataError
from xlmplan.xlsx.plan_file import open_plan

BASE = Plan(settings(D(2026, 1, 1), 12, plan_budget=500.0), scenarios=list(SCENARIOS))
HELD = "characters a workbook cannot hold (control characters, U+FFFE/U+FFFF, lone surrogates)"


@pytest.fixture
def labels() -> Labels:
    return load_labels(BUNDLED / "labels", "en")


def start_table(*rows: list[object]) -> TableCells:
    # Start's settings Table: header on row 4 (0-based 3), so data rows are rows 5, 6, ...
    return TableCells("Start", 3, 0, ["Setting", "Value"], [list(r) for r in rows])


@pytest.mark.core
def test_a_label_holding_a_control_character_is_reported_at_its_cell(labels: Labels) -> None:
    # the third data row is row 5 + 2 = 7; its label "Comp\x07any" reads "Comp\ufffdany",
    # no setting's label, so the company stays the base plan's
    table = start_table(["First month", "2026-03-01"], ["Plan budget", 800], ["Comp\x07any", "X"])
    plan, findings = plan_from_tables({"settings": table}, labels, BASE, [])
    assert (plan.settings.start, plan.settings.plan_budget) == (D(2026, 3, 1), 800.0)
    assert plan.settings.company == BASE.settings.company
    assert findings == [
        Finding("warning", "Start!A7", f"the text held {HELD}; each is used as '\ufffd' — retype "
                "the text")
    ]  # fmt: skip


@pytest.mark.core
def test_a_value_that_is_no_number_and_holds_a_control_character(labels: Labels) -> None:
    # both findings name the value's cell, B6 (the second data row)
    table = start_table(["First month", "2026-03-01"], ["Plan budget", "1\x010"])
    plan, findings = plan_from_tables({"settings": table}, labels, BASE, [])
    assert plan.settings.plan_budget == 500.0
    assert findings == [
        Finding("warning", "Start!B6", f"the text held {HELD}; each is used as '\ufffd' — retype "
                "the text"),
        Finding("error", "Start!B6", "Plan budget '1\ufffd0' is not a number — type a number or "
                "clear it"),
    ]  # fmt: skip


@pytest.mark.core
@pytest.mark.parametrize("typed", ["First month\x01", " First\x0b month", "\ufffeFIRST MONTH"])
def test_a_first_month_label_holding_a_control_character_is_refused_at_its_cell(
    labels: Labels, typed: str
) -> None:
    # the label is in the second data row: cell A6; without the forbidden characters it is
    # the first month's label, so the message says which cell to retype, not "missing"
    table = start_table(["Plan budget", 800], [typed, "2026-03-01"])
    message = (
        f"Start!A6: the label of the plan's first month held {HELD} — retype it as 'First month'"
    )
    with pytest.raises(DataError, match="^Start!A6: the label of the plan's first") as info:
        plan_from_tables({"settings": table}, labels, BASE, [])
    assert str(info.value) == message


@pytest.mark.core
def test_another_missing_first_month_is_still_reported_as_missing(labels: Labels) -> None:
    # a damaged label of another setting does not stand for the first month
    table = start_table(["Plan\x01 budget", 800])
    with pytest.raises(DataError, match="^Start: the plan's first month is missing or not a"):
        plan_from_tables({"settings": table}, labels, BASE, [])


def start_label_cell(plan: Path) -> str:
    """The reference of the cell holding the first month's label on the plan's Start sheet."""
    pf = open_plan(plan)
    try:
        name = pf.sheets["start"].name
    finally:
        pf.close()
    sheet = openpyxl.load_workbook(plan, read_only=True)[name]
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value == "First month":
                return f"{cell.column_letter}{cell.row}"
    raise AssertionError("no 'First month' label on Start")


def test_the_command_line_names_the_damaged_label_and_leaves_the_plan(
    example_plan: PlanResult, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.xlsx"
    shutil.copy(example_plan.path, plan)
    ref = start_label_cell(plan)
    pf = open_plan(plan)
    try:
        part = pf.sheets["start"].part
    finally:
        pf.close()
    # Excel writes a control character of a cell as the escape _x0001_
    with zipfile.ZipFile(plan) as z:
        items = [(info, z.read(info)) for info in z.infolist()]
    pattern = re.compile(rf'<c r="{ref}"(?:[^>]*?/>|[^>]*>.*?</c>)', re.S)
    cell = f'<c r="{ref}" t="inlineStr"><is><t>First month_x0001_</t></is></c>'
    with zipfile.ZipFile(plan, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in items:
            if info.filename == part:
                text, n = pattern.subn(cell, data.decode("utf-8"), count=1)
                assert n == 1
                data = text.encode("utf-8")
            z.writestr(info, data)
    before = plan.read_bytes()
    result = CliRunner().invoke(app, ["check", str(plan)])
    assert result.exit_code == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    line = " ".join(result.stderr.split())
    assert line == (
        f"error: {plan}: Start!{ref}: the label of the plan's first month held {HELD} — "
        "retype it as 'First month'"
    )
    assert plan.read_bytes() == before
