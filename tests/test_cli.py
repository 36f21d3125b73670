"""The command line: the main job works, and bad input gets one clear line and exit 2."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from cli_run import run

from xlmplan.refresh import analyse


def test_demo_writes_the_plan_and_prints_kpis(tmp_path: Path) -> None:
    out = run("demo", tmp_path / "demo")
    assert out.returncode == 0, out.stderr
    path = tmp_path / "demo" / "xlmplan-demo.xlsx"
    assert path.is_file() and path.stat().st_size > 50_000
    assert str(path.resolve()) in out.stdout.replace("\n", "")
    for word in ("K1", "Online revenue", "Green", "Amber", "Red"):
        assert word in out.stdout
    again = run("demo", tmp_path / "demo")
    assert again.returncode == 2 and "--force" in again.stderr
    path.write_bytes(b"not a plan")
    forced = run("demo", tmp_path / "demo", "--force")
    assert forced.returncode == 0, forced.stderr
    assert zipfile.is_zipfile(path) and path.stat().st_size > 50_000  # written again


def test_new_with_options(tmp_path: Path) -> None:
    csv = tmp_path / "data.csv"
    csv.write_text(
        "Date,Channel,Spend,Clicks,Impressions,Revenue,Conversions,Note\n"
        "2026-03-02,Search,10,5,100,50,1,x\n2026-04-03,Social,0,2,40,0,0,y\n"
    )
    out = run(
        "new",
        tmp_path / "p.xlsx",
        "--data",
        csv,
        "--start",
        "2026-03",
        "--months",
        "3",
        "--currency",
        "eur",
    )
    assert out.returncode == 0, out.stderr
    an = analyse(tmp_path / "p.xlsx")
    try:
        s = an.plan.settings
        assert (s.start, s.months, s.currency) == (dt.date(2026, 3, 1), 3, "EUR")
        assert an.plan.channels == ["Search", "Social"]
        assert list(an.data["spend"]) == [10.0, 0.0]
        assert list(an.data["Note"]) == ["x", "y"]  # an extra column is kept
        assert an.results.as_of == dt.date(2026, 4, 3)  # the last Data date in the plan
    finally:
        an.pf.close()


BAD_CASES = {
    "missing file": ("nope.csv", None, "nope.csv"),
    "binary garbage": ("junk.csv", b"\x00\x01\x02PK\xff\xfe" * 40, "junk.csv"),
    "xls": ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "old.xls"),
    "text in number": (
        "t.csv",
        b"date,channel,spend\n2026-01-01,Search,12\n2026-01-02,Search,abc\n",
        "row 3",
    ),
    "bad date": (
        "d.csv",
        b"date,channel,spend\n2026-01-01,Search,1\nyesterday,Search,2\n",
        "YYYY-MM-DD",
    ),
    "empty data": ("e.csv", b"date,channel,spend\n", "no data rows"),
    "no channel column": ("c.csv", b"date,spend\n2026-01-01,3\n", "channel"),
    "mixed delimiters": (
        "m.csv",
        b"date,channel,spend\n2026-01-01;Search;1\n2026-01-02;Search;1\n",
        "';'-separated",
    ),
    "unknown delimiter": ("p.csv", b"date|channel|spend\n2026-01-01|Search|1\n", "'date'"),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_data_gets_one_line_and_exit_2(tmp_path: Path, case: str) -> None:
    name, content, needle = BAD_CASES[case]
    src = tmp_path / name
    if content is not None:
        src.write_bytes(content)
    out = run("new", tmp_path / "plan.xlsx", "--data", src)
    assert out.returncode == 2, (out.stdout, out.stderr)
    assert "Traceback" not in out.stderr
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, out.stderr
    assert needle in lines[0]
    assert not (tmp_path / "plan.xlsx").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".~xlmplan")]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--template", "space_station"], "unknown template 'space_station'"),
        (["--start", "2026/13"], "YYYY-MM"),
        (["--months", "0"], "1 to 60"),
        (["--currency", "dollars"], "three-letter"),
    ],
)
def test_bad_options_get_one_line_and_exit_2(tmp_path: Path, args: list[str], needle: str) -> None:
    out = run("new", tmp_path / "plan.xlsx", *args)
    assert out.returncode == 2
    assert needle in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "plan.xlsx").exists()


def test_refuses_to_overwrite_and_keeps_the_file(tmp_path: Path) -> None:
    target = tmp_path / "plan.xlsx"
    target.write_bytes(b"my precious plan")
    out = run("new", target)
    assert out.returncode == 2 and "--force" in out.stderr
    assert target.read_bytes() == b"my precious plan"
    bad = run("new", tmp_path / "plan.csv")
    assert bad.returncode == 2 and ".xlsx" in bad.stderr


def test_never_overwrites_its_own_data_file(tmp_path: Path) -> None:
    data = tmp_path / "data.xlsx"
    assert run("new", data).returncode == 0  # any xlsx with a Data sheet will do
    before = data.read_bytes()
    out = run("new", data, "--data", data, "--force")
    assert out.returncode == 2 and "data file itself" in out.stderr
    assert data.read_bytes() == before


def test_an_error_naming_a_file_with_brackets_prints_it_verbatim(tmp_path: Path) -> None:
    """A message is the user's text: square brackets in a file name are not markup."""
    from typer.testing import CliRunner

    from xlmplan.cli import app

    missing = tmp_path / "plan [bold]v2[/].xlsx"
    result = CliRunner().invoke(app, ["refresh", str(missing)])
    assert result.exit_code == 2
    assert "plan [bold]v2[/].xlsx" in result.output
