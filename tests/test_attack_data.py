"""Hostile input data: every case is refused with one line and exit code 2, leaving the
user's files byte-identical, or accepted with exactly the numbers it should give — never a
silent wrong number or a traceback."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from engines import NEEDS_LO, cached_values, compare, is_error
from typer.testing import CliRunner

from xlmplan.api import PlanResult, new_plan
from xlmplan.cli import app
from xlmplan.libreoffice import runner
from xlmplan.refresh import refresh_plan
from xlmplan.xlsx.plan_file import open_plan

# --------------------------------------------------------------------------- helpers


def cli(*args: str | Path) -> tuple[int, str, str]:
    """Run the command line in-process: exit code, stdout (with the console's line wraps
    undone: runs of white space are one space) and stderr; a traceback fails the test."""
    result = CliRunner().invoke(app, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"traceback: {result.exception!r}")
    return result.exit_code, " ".join(result.stdout.split()), result.stderr


def refused(*args: str | Path, keep: tuple[Path, ...] = ()) -> str:
    """Run a command that must be refused: exit code 2, one 'error:' line on stderr, and
    every file in ``keep`` byte-identical. Returns the message."""
    before = {p: p.read_bytes() for p in keep}
    code, _, err = cli(*args)
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err
    for p, data in before.items():
        assert p.read_bytes() == data, f"{p.name} changed"
    return lines[0].removeprefix("error: ")


def part_of(plan: Path, role: str) -> str:
    pf = open_plan(plan)
    try:
        return pf.sheets[role].part
    finally:
        pf.close()


def edit_part(plan: Path, part: str, edit: re.Pattern[str], new: str) -> None:
    """Rewrite one XML part of ``plan`` with ``edit.sub(new, xml, count=1)``."""
    with zipfile.ZipFile(plan) as z:
        items = [(info, z.read(info)) for info in z.infolist()]
    with zipfile.ZipFile(plan, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in items:
            if info.filename == part:
                text, n = edit.subn(new, data.decode("utf-8"), count=1)
                assert n == 1, f"nothing to edit in {part}"
                data = text.encode("utf-8")
            z.writestr(info, data)


def set_cell(plan: Path, role: str, ref: str, inner: str, attrs: str = "") -> None:
    """Replace cell ``ref`` of the sheet with role ``role`` by ``<c r=ref attrs>inner</c>``."""
    pattern = re.compile(rf'<c r="{ref}"(?:[^>]*?/>|[^>]*>.*?</c>)', re.S)
    edit_part(plan, part_of(plan, role), pattern, f'<c r="{ref}"{attrs}>{inner}</c>')


def text_cell(text: str) -> tuple[str, str]:
    return f"<is><t>{text}</t></is>", ' t="inlineStr"'


def check_errors(plan: Path) -> dict[str, str]:
    """``xlmplan check --json``'s error findings (exit code 1 asserted): where -> message."""
    code, out, err = cli("check", plan, "--json")
    assert code == 1, err
    findings = json.loads(out)["findings"]
    return {f["where"]: f["message"] for f in findings if f["severity"] == "error"}


@pytest.fixture()
def plan(example_plan: PlanResult, tmp_path: Path) -> Path:
    path = tmp_path / "plan.xlsx"
    shutil.copy(example_plan.path, path)
    return path


def csv(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------- dates outside what a plan can hold


@pytest.mark.parametrize(
    ("day", "shown"),
    [("2626-01-05", "2626-01-05"), ("1600-01-05", "1600-01-05"), ("26250105", "2625-01-05")],
)
def test_new_refuses_a_data_date_pandas_would_wrap(tmp_path: Path, day: str, shown: str) -> None:
    data = csv(tmp_path, "d.csv", f"Date,Channel,Clicks\n2026-01-05,Email,3\n{day},Email,4\n")
    message = refused("new", tmp_path / "p.xlsx", "--data", data, keep=(data,))
    assert message.startswith(f"d.csv, row 3, column 'Date': {shown} is outside the dates")
    assert "(1900-03-01 to 2262-04-11)" in message
    assert not (tmp_path / "p.xlsx").exists()


def test_new_refuses_the_last_excel_date_in_an_xlsx(tmp_path: Path) -> None:
    data = tmp_path / "d.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["date", "channel", "clicks"])
    ws.append([dt.datetime(2026, 1, 5), "Email", 3])
    ws.append([dt.datetime(9999, 12, 31), "Email", 4])
    wb.save(data)
    message = refused("new", tmp_path / "p.xlsx", "--data", data, keep=(data,))
    assert message.startswith("d.xlsx, row 3, column 'date': 9999-12-31 is outside the dates")


def test_import_refuses_an_export_dated_beyond_pandas(plan: Path, tmp_path: Path) -> None:
    data = csv(tmp_path, "e.csv", "Date,Channel,Clicks\n2026-01-05,Email,3\n2626-01-05,Email,4\n")
    message = refused("import", plan, data, keep=(plan, data))
    assert message.startswith("e.csv, row 3: the date 2626-01-05 is outside the dates")


def test_refresh_refuses_a_data_date_typed_as_the_last_excel_day(plan: Path) -> None:
    set_cell(plan, "data", "A2", "<v>2958465</v>")  # 9999-12-31 as Excel stores it
    message = refused("refresh", plan, keep=(plan,))
    assert "sheet 'Data', row 2, column 'Date': 9999-12-31 is outside the dates" in message


def test_new_start_in_the_solar_hijri_year_is_refused_with_the_gregorian_month(
    tmp_path: Path,
) -> None:
    message = refused("new", tmp_path / "p.xlsx", "--start", "1404-09")
    assert message == (
        "--start '1404-09': the first month 1404-09 is outside the dates a plan can hold "
        "(1900-03-01 to 2262-04-11); 1404-09 looks like a Solar Hijri month; it is "
        "2025-11-22 .. 2025-12-21 in the Gregorian calendar: use --start 2025-11"
    )
    assert not (tmp_path / "p.xlsx").exists()


@pytest.mark.parametrize(
    ("start", "problem"),
    [
        ("0000-01", "year 0 is outside the dates a plan can hold"),
        ("9999-12", "the first month 9999-12 is outside the dates a plan can hold"),
    ],
)
def test_new_refuses_a_start_excel_or_python_cannot_hold(
    tmp_path: Path, start: str, problem: str
) -> None:
    message = refused("new", tmp_path / "p.xlsx", "--start", start)
    assert message.startswith(f"--start '{start}': {problem} (1900-03-01 to 2262-04-11)")


def test_new_refuses_a_plan_that_ends_after_pandas_last_day(tmp_path: Path) -> None:
    message = refused("new", tmp_path / "p.xlsx", "--start", "2262-01", "--months", "6")
    assert message.startswith(
        "--start '2262-01': a plan of 6 months from 2262-01 ends on 2262-06-30"
    )


def test_refresh_refuses_a_solar_hijri_first_month_typed_on_start(plan: Path) -> None:
    set_cell(plan, "start", "B8", *text_cell("1404-09-01"))
    message = refused("refresh", plan, keep=(plan,))
    assert message == (
        f"{plan}: Start!B8: the plan's first month 1404-09-01 is outside the dates a plan can hold "
        "(1900-03-01 to 2262-04-11); 1404-09 looks like a Solar Hijri month; it is "
        "2025-11-22 .. 2025-12-21 in the Gregorian calendar — type 2025-11-01"
    )


def test_refresh_refuses_a_horizon_running_past_pandas_last_day(plan: Path) -> None:
    serial = (dt.date(2262, 1, 1) - dt.date(1899, 12, 30)).days
    set_cell(plan, "start", "B8", f"<v>{serial}</v>")
    message = refused("refresh", plan, keep=(plan,))
    assert message.startswith(
        f"{plan}: Start!B9: a plan of 12 months from 2262-01 ends on 2262-12-31, "
        "after the last date"
    )


def test_an_as_of_date_beyond_pandas_is_a_checks_error_not_a_plan(plan: Path) -> None:
    set_cell(plan, "start", "B19", *text_cell("2626-01-01"))
    errors = check_errors(plan)
    assert errors["Start!B19"].startswith(
        "As-of date (blank = last Data date) 2626-01-01 is outside the dates a plan can hold"
    )


@pytest.mark.parametrize("day", [dt.date(2030, 1, 1), dt.date(2025, 6, 30)])
def test_an_as_of_date_outside_the_plan_period_is_a_checks_error(plan: Path, day: dt.date) -> None:
    set_cell(plan, "start", "B19", f"<v>{(day - dt.date(1899, 12, 30)).days}</v>")
    assert check_errors(plan)["Start!B19"].startswith(
        f"As-of date (blank = last Data date) {day.isoformat()} lies outside the plan period "
        "(2026-01-01 to 2026-12-31)"
    )


# ------------------------------------------------- aggregated reports with overlapping ranges


def ads_report(tmp_path: Path, name: str, span: str, clicks: int, cost: float) -> Path:
    """A Google Ads campaign report aggregated over ``span`` (one row, campaign Brand)."""
    return csv(
        tmp_path,
        name,
        f'Campaign report\n"{span}"\nCampaign,Impr.,Clicks,Cost,Conversions\n'
        f"Brand,1000,{clicks},{cost:.2f},10\n",
    )


def brand_rows(plan: Path) -> list[tuple[str, float, str | None, str | None]]:
    """Paid Search / Brand rows of December 2026 and later: date, clicks, period."""
    wb = openpyxl.load_workbook(plan, read_only=True)
    rows = list(wb["Data"].iter_rows(values_only=True))
    wb.close()
    header = [str(h) for h in rows[0]]
    at = {h: header.index(h) for h in ("Date", "Channel", "Campaign", "Clicks")}
    s, e = header.index("period_start"), header.index("period_end")
    return [
        (r[at["Date"]].date().isoformat(), r[at["Clicks"]], r[s], r[e])
        for r in rows[1:]
        if r[at["Channel"]] == "Paid Search"
        and r[at["Campaign"]] == "Brand"
        and r[at["Date"]] >= dt.datetime(2026, 12, 1)
    ]


def test_a_month_report_replaces_the_days_it_covers_and_says_so(plan: Path, tmp_path: Path) -> None:
    december = ads_report(tmp_path, "dec.csv", "December 1, 2026 - December 31, 2026", 100, 310)
    code, out, err = cli("import", plan, december)
    assert code == 0, err
    assert "31 replaced" in out
    assert "31 row(s) of Paid Search / Brand already in Data inside 2026-12-01 to" in out
    assert brand_rows(plan) == [("2026-12-31", 100, "2026-12-01", "2026-12-31")]
    code, out, err = cli("import", plan, december)  # the same range again: replaced
    assert code == 0 and "1 replaced" in out, err
    assert brand_rows(plan) == [("2026-12-31", 100, "2026-12-01", "2026-12-31")]


def test_a_half_month_report_does_not_replace_the_whole_month(plan: Path, tmp_path: Path) -> None:
    december = ads_report(tmp_path, "dec.csv", "December 1, 2026 - December 31, 2026", 100, 310)
    assert cli("import", plan, december)[0] == 0
    half = ads_report(tmp_path, "half.csv", "December 15, 2026 - December 31, 2026", 50, 170)
    message = refused("import", plan, half, keep=(plan, half))
    assert message == (
        "half.csv: its rows for Paid Search / Brand cover 2026-12-15 to 2026-12-31, which "
        "overlaps 2026-12-01 to 2026-12-31 already in Data without covering it (importing "
        "would count the shared days twice or lose the others) — export 2026-12-01 to "
        "2026-12-31 in one report instead (it replaces the old rows)."
    )


@pytest.mark.parametrize("spread", [False, True])
def test_a_range_across_the_month_end_is_refused_after_the_month(
    plan: Path, tmp_path: Path, spread: bool
) -> None:
    december = ads_report(tmp_path, "dec.csv", "December 1, 2026 - December 31, 2026", 100, 310)
    assert cli("import", plan, december)[0] == 0
    across = ads_report(tmp_path, "x.csv", "December 15, 2026 - January 14, 2027", 60, 300)
    args = ("import", plan, across, *(["--spread"] if spread else []))
    message = refused(*args, keep=(plan, across))
    new = "2026-12-15 to 2026-12-31" if spread else "2026-12-15 to 2027-01-14"
    assert message.startswith(
        f"x.csv: its rows for Paid Search / Brand cover {new}, which overlaps 2026-12-01 to "
        "2026-12-31 already in Data without covering it"
    )
    if not spread:
        assert message.endswith("or only 2027-01-01 to 2027-01-14.")


def test_spread_parts_remember_their_days_and_a_wider_range_replaces_them(
    plan: Path, tmp_path: Path
) -> None:
    across = ads_report(tmp_path, "x.csv", "December 15, 2026 - January 14, 2027", 62, 310)
    assert cli("import", plan, across, "--spread")[0] == 0
    # The example data's Brand days from Dec 15 on are covered by the spread part.
    assert brand_rows(plan)[-2:] == [
        ("2026-12-31", 34, "2026-12-15", "2026-12-31"),
        ("2027-01-14", 28, "2027-01-01", "2027-01-14"),
    ]
    wider = ads_report(tmp_path, "w.csv", "December 1, 2026 - January 31, 2027", 90, 400)
    code, out, err = cli("import", plan, wider)
    assert code == 0, err
    assert "16 replaced" in out  # the example's Brand days Dec 1-14 and the two parts
    assert brand_rows(plan) == [("2027-01-31", 90, "2026-12-01", "2027-01-31")]


def test_two_files_with_overlapping_ranges_in_one_import_are_refused(
    plan: Path, tmp_path: Path
) -> None:
    december = ads_report(tmp_path, "dec.csv", "December 1, 2026 - December 31, 2026", 100, 310)
    half = ads_report(tmp_path, "half.csv", "December 15, 2026 - December 31, 2026", 50, 170)
    message = refused("import", plan, december, half, keep=(plan,))
    assert message.startswith(
        "dec.csv and half.csv: the rows for Paid Search / Brand cover 2026-12-01 to 2026-12-31 "
        "and 2026-12-15 to 2026-12-31, which overlap"
    )


def test_a_range_is_refused_where_data_cannot_remember_it(plan: Path, tmp_path: Path) -> None:
    set_cell(plan, "data", "K1", *text_cell("Note A"))  # a plan without the period columns
    set_cell(plan, "data", "L1", *text_cell("Note B"))
    december = ads_report(tmp_path, "dec.csv", "December 1, 2026 - December 31, 2026", 100, 310)
    message = refused("import", plan, december, keep=(plan, december))
    assert message.startswith(
        "dec.csv: its rows cover date ranges (e.g. 2026-12-01 to 2026-12-31) and the plan's "
        "Data table has no period_start and period_end columns to remember them"
    )


def test_a_period_cell_that_is_not_a_date_is_named(plan: Path, tmp_path: Path) -> None:
    set_cell(plan, "data", "K2", *text_cell("soon"))
    december = ads_report(tmp_path, "dec.csv", "December 1, 2026 - December 31, 2026", 100, 310)
    message = refused("import", plan, december, keep=(plan, december))
    assert message.startswith("plan.xlsx, column 'period_start': 'soon' is not a date")


# ------------------------------------------------- characters XML 1.0 forbids

CONTROL_CSV = (
    "Date,Channel,Campaign,Clicks,Note\n"
    "2026-01-05,Email,A\x0cB,3,x\ufffey\n"
    "2026-01-06,Email,A\x0cB,3,ok\n"
    "2026-01-07,Email,C\uffff,3,ok\n"
)
CLEANED = (
    "held characters a workbook cannot hold (control characters, U+FFFE/U+FFFF, lone "
    "surrogates) — each is now '\ufffd'; check those cells"
)


def assert_well_formed(path: Path) -> None:
    """Every XML part of ``path`` parses as XML 1.0 (what LibreOffice needs to keep rows)."""
    import xml.parsers.expat

    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.endswith((".xml", ".rels")):
                xml.parsers.expat.ParserCreate().Parse(z.read(name), True)


def data_texts(path: Path, column: str) -> list[object]:
    wb = openpyxl.load_workbook(path, read_only=True)
    rows = list(wb["Data"].iter_rows(values_only=True))
    wb.close()
    j = [str(h) for h in rows[0]].index(column)
    return [r[j] for r in rows[1:]]


def test_new_replaces_forbidden_characters_and_says_where(tmp_path: Path) -> None:
    data = csv(tmp_path, "ctl.csv", CONTROL_CSV)
    code, out, err = cli("new", tmp_path / "p.xlsx", "--data", data)
    assert code == 0, err
    assert f"note: ctl.csv, column 'campaign': 3 cell(s) {CLEANED}" in out
    assert f"note: ctl.csv, column 'Note': 1 cell(s) {CLEANED}" in out
    assert_well_formed(tmp_path / "p.xlsx")
    assert data_texts(tmp_path / "p.xlsx", "Campaign") == ["A\ufffdB", "A\ufffdB", "C\ufffd"]
    assert data_texts(tmp_path / "p.xlsx", "Note") == ["x\ufffdy", "ok", "ok"]


@NEEDS_LO
def test_import_replaces_forbidden_characters_and_says_where(
    plan: Path, tmp_path: Path, libreoffice: None
) -> None:
    data = csv(tmp_path, "ctl.csv", CONTROL_CSV)
    code, out, err = cli("import", plan, data)
    assert code == 0, err
    assert f"note: ctl.csv, column 'campaign': 3 cell(s) {CLEANED}" in out
    assert_well_formed(plan)
    assert_libreoffice_agrees(plan)  # LibreOffice read every Data row


def test_a_lone_surrogate_never_reaches_the_data_table() -> None:
    import pandas as pd

    from xlmplan.core.data import canonical_frame, cleaned_notes

    # object columns: a pyarrow-backed string column (pandas 3 with pyarrow) cannot hold one
    raw = pd.DataFrame(
        {"date": ["2026-01-05"], "channel": ["Email\ud800"], "Region": ["\x01"]}, dtype=object
    )
    frame = canonical_frame(raw, "api")
    assert frame.loc[0, "channel"] == "Email\ufffd" and frame.loc[0, "Region"] == "\ufffd"
    assert [n.split(":")[0] for n in cleaned_notes(frame)] == [
        "api, column 'channel'",
        "api, column 'Region'",
    ]


def test_a_control_character_typed_in_an_input_is_replaced_and_reported(plan: Path) -> None:
    # Excel writes a control character of a cell as the escape _x0001_.
    set_cell(plan, "swot", "D5", *text_cell("Own brand_x0001_ products"))
    code, _, err = cli("refresh", plan)
    assert code == 0, err
    assert_well_formed(plan)
    code, out, err = cli("check", plan, "--json")
    warnings = {f["where"]: f["message"] for f in json.loads(out)["findings"]}
    assert warnings["SWOT!D5"].startswith("the text held characters a workbook cannot hold")


@pytest.mark.parametrize("bad", ["\x01", "&#1;", "\ufffe"])
def test_check_names_a_worksheet_part_that_is_not_well_formed(plan: Path, bad: str) -> None:
    part = part_of(plan, "data")
    edit_part(plan, part, re.compile("<t>Brand</t>"), f"<t>Br{bad}and</t>")
    before = plan.read_bytes()
    errors = check_errors(plan)
    assert errors[f"Data ({part})"].startswith("the part is not well-formed XML 1.0 (")
    assert plan.read_bytes() == before


# ------------------------------------------------- a measure that disappears from Data

RENAMED = (
    "no Data column is headed 'Spend' any more (this header is 'Cost (old)'): KPI(s) K4 "
    "Paid search CPA, K6 Paid social ROAS, K8 Display CPM are blank — rename the header "
    "back to 'Spend'"
)


def test_a_retyped_spend_header_is_an_error_at_the_header_cell(plan: Path) -> None:
    set_cell(plan, "data", "I1", *text_cell("Cost (old)"))
    before = plan.read_bytes()
    assert check_errors(plan)["Data!I1"] == RENAMED
    assert plan.read_bytes() == before


def test_import_refuses_a_data_table_whose_header_was_retyped(plan: Path, tmp_path: Path) -> None:
    set_cell(plan, "data", "I1", *text_cell("Cost (old)"))
    data = csv(tmp_path, "d.csv", "Date,Channel,Spend\n2026-06-01,Email,5\n")
    message = refused("import", plan, data, keep=(plan, data))
    assert message.startswith(
        "plan.xlsx: Data!I1 is 'Cost (old)', where the 'Spend' column belongs — rename or move"
    )


@NEEDS_LO
def test_retyped_and_swapped_headers_give_blank_metrics_libreoffice_agrees_with(
    plan: Path, libreoffice: None
) -> None:
    set_cell(plan, "data", "I1", *text_cell("Cost (old)"))
    set_cell(plan, "data", "E1", *text_cell("Sessions"))  # Clicks and Sessions swapped
    set_cell(plan, "data", "F1", *text_cell("Clicks"))
    result = refresh_plan(plan)
    an = result.analysis
    kpis = {k.id: v for k, v in zip(an.plan.kpis, an.results.kpis, strict=True)}
    assert kpis["K4"].actual is None and kpis["K6"].actual is None  # never 0.00
    assert kpis["K2"].actual is not None and kpis["K2"].actual > 0
    assert check_errors(plan)["Data!I1"] == RENAMED
    assert_libreoffice_agrees(plan)


@NEEDS_LO
def test_data_without_a_spend_column_leaves_spend_metrics_blank(
    tmp_path: Path, libreoffice: None
) -> None:
    data = csv(
        tmp_path,
        "d.csv",
        "Date,Channel,Clicks,Conversions,Revenue\n"
        "2026-01-05,Paid Search,30,3,120\n2026-02-05,Paid Search,20,2,80\n",
    )
    result = new_plan(tmp_path / "p.xlsx", data=data)
    kpis = zip(result.plan.kpis, result.results.kpis, strict=True)
    cpa = next(v for k, v in kpis if k.id == "K4")
    assert cpa.actual is None
    assert_libreoffice_agrees(tmp_path / "p.xlsx")


def assert_libreoffice_agrees(path: Path) -> None:
    """LibreOffice's recalculation equals every cached value, with no error value."""
    cached = cached_values(path)
    errors = [f"{s}!{a}" for s, vals in cached.items() for a, v in vals.items() if is_error(v)]
    assert not errors, errors[:10]
    mismatches = compare(cached, runner.recalculate(path).values)
    assert not mismatches, "\n".join(mismatches[:20])


# ------------------------------------------------- numbers that would overflow a sum or ratio


@pytest.mark.parametrize(("value", "shown"), [("1e308", "1e+308"), ("1e-300", "1e-300")])
def test_a_measure_that_would_overflow_is_refused(tmp_path: Path, value: str, shown: str) -> None:
    data = csv(tmp_path, "d.csv", f"Date,Channel,Spend\n2026-01-05,Email,{value}\n")
    message = refused("new", tmp_path / "p.xlsx", "--data", data, keep=(data,))
    assert message == (
        f"d.csv, row 2, column 'Spend': {shown} is not a size a plan can compute with (0, or "
        "between 0.000000001 and 999,999,999,999,999) — check the value."
    )


def test_a_plan_budget_that_would_overflow_is_a_checks_error(plan: Path) -> None:
    set_cell(plan, "start", "B17", "<v>1E+308</v>")
    assert check_errors(plan)["Start!B17"].startswith(
        "Plan budget 1e+308 is not a size a plan can compute with"
    )


def test_day_rows_covering_a_month_row_replace_it_and_say_so(plan: Path, tmp_path: Path) -> None:
    december = ads_report(tmp_path, "dec.csv", "December 1, 2026 - December 31, 2026", 100, 310)
    assert cli("import", plan, december)[0] == 0
    days = "".join(f"2026-12-{d:02d},Paid Search,Brand,{d}\n" for d in range(1, 32))
    daily = csv(tmp_path, "daily.csv", "Date,Channel,Campaign,Clicks\n" + days)
    code, out, err = cli("import", plan, daily)
    assert code == 0, err
    assert "1 replaced" in out
    assert (
        "the row of Paid Search / Brand for 2026-12-01 to 2026-12-31 already in Data was "
        "replaced by the new rows that cover its days"
    ) in out
    rows = brand_rows(plan)
    assert [r[1] for r in rows] == list(range(1, 32))
    assert all(r[2] is None and r[3] is None for r in rows)
