"""Hostile cases against xlmplan's writes: nothing a user added is lost, nothing is written
half-way, concurrent writers never lose an update, Excel's limits hold when writing.

Each refusal: exit code 2, one line naming the user's file, no traceback, and the plan
byte-identical. Each accepted input: every part of the user's own byte-identical. The
commands run as real processes; concurrent runs meet at barriers made of files.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from xlmplan.api import PlanResult
from xlmplan.errors import DataError
from xlmplan.xlsx.limits import MAX_COLUMNS, check_data_fits
from xlmplan.xlsx.plan_file import open_plan
from xlmplan.xlsx.plan_lock import lock_path

ENV = {"COLUMNS": "200", "PATH": "/usr/bin:/bin"} | {
    k: v for k, v in os.environ.items() if k == "PYTHONPATH"
}  # the commands run the code under test
CLI = "from xlmplan.cli import main; main()"
PAUSED = """
import sys, time
from pathlib import Path
import importlib
module, name, ready, go = sys.argv[1:5]
target = importlib.import_module(module)
original = getattr(target, name)
def paused(*args, **kwargs):
    result = original(*args, **kwargs)
    Path(ready).touch()
    while not Path(go).exists():
        time.sleep(0.02)
    return result
setattr(target, name, paused)
from xlmplan.cli import main
sys.argv = ["xlmplan", *sys.argv[5:]]
main()
"""
GENERIC_HEAD = "Date,Channel,Campaign,Impressions,Clicks,Spend\n"


def run(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CLI, *map(str, args)],
        capture_output=True,
        text=True,
        env={**ENV, **(env or {})},
        check=False,
        timeout=600,
    )


def refused(out: subprocess.CompletedProcess[str], *needles: str) -> str:
    """The one-line error of a refused command (exit 2, no traceback) naming ``needles``."""
    assert out.returncode == 2, (out.stdout, out.stderr)
    assert "Traceback" not in out.stderr
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, out.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    assert ".~xlmplan" not in lines[0]  # the user's file is named, not a scratch file
    return lines[0]


def scratch_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith((".~xlmplan", "~$")))


@pytest.fixture()
def plan(example_plan: PlanResult, tmp_path: Path) -> Path:
    path = tmp_path / "plan.xlsx"
    shutil.copy(example_plan.path, path)
    return path


def generic(folder: Path, rows: list[str], name: str = "ads.csv") -> Path:
    path = folder / name
    path.write_text(GENERIC_HEAD + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def data_part(path: Path) -> str:
    pf = open_plan(path)
    try:
        return pf.table("data").sheet.part
    finally:
        pf.close()


def part_text(path: Path, part: str) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(part).decode("utf-8")


def edit_part(path: Path, part: str, edit: dict[str, str]) -> None:
    """Replace texts in one part, as another program saving the file would."""
    tmp = path.with_name("edited.zip")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == part:
                text = data.decode("utf-8")
                for old, new in edit.items():
                    assert old in text, old
                    text = text.replace(old, new, 1)
                data = text.encode("utf-8")
            dst.writestr(info, data)
    tmp.replace(path)


def cell_xml(sheet: str, ref: str) -> str | None:
    m = re.search(rf'<c r="{ref}"(?:[^>]*?/>|[^>]*>.*?</c>)', sheet, re.S)
    return m.group(0) if m else None


def data_end(path: Path) -> int:
    """The 1-based last row of the Data table."""
    pf = open_plan(path)
    try:
        return pf.table("data").last + 1
    finally:
        pf.close()


NOTE = '<c r="N2" t="inlineStr"><is><t>my note, keep me</t></is></c>'
FORMULA = '<c r="O3"><f>H3*2</f><v>5822.66</v></c>'


def add_cells_beside_data(path: Path) -> None:
    """A note two columns right of the Data table (A:L) and a formula beside a row."""
    part = data_part(path)
    xml = part_text(path, part)
    row2 = re.search(r'<row r="2"[^>]*>.*?</row>', xml, re.S)
    row3 = re.search(r'<row r="3"[^>]*>.*?</row>', xml, re.S)
    assert row2 and row3
    edit_part(
        path,
        part,
        {
            row2.group(0): row2.group(0).replace("</row>", NOTE + "</row>"),
            row3.group(0): row3.group(0).replace("</row>", FORMULA + "</row>"),
        },
    )


def stale_cache(path: Path) -> None:
    """A cached value on the Start sheet that no longer matches (a refresh rewrites it)."""
    pf = open_plan(path)
    try:
        part = pf.sheets["start"].part
    finally:
        pf.close()
    xml = part_text(path, part)
    m = re.search(r"(<f>[^<]*</f><v>)([^<]*)(</v>)", xml)
    assert m
    edit_part(path, part, {m.group(0): m.group(1) + "12345" + m.group(3)})


def add_row_below(path: Path, row: int, cell: str) -> None:
    part = data_part(path)
    edit_part(path, part, {"</sheetData>": f'<row r="{row}">{cell}</row></sheetData>'})


# 1. Cells of the user's own on the Data sheet ------------------------------------------


def test_import_keeps_cells_beside_the_data_table(plan: Path, tmp_path: Path) -> None:
    add_cells_beside_data(plan)
    export = generic(tmp_path, ["2026-06-15,Paid Social,Summer,1000,30,12.5"])
    out = run("import", plan, export, "--source", "generic")
    assert out.returncode == 0, out.stderr
    xml = part_text(plan, data_part(plan))
    assert cell_xml(xml, "N2") == NOTE
    assert cell_xml(xml, "O3") == FORMULA
    with CalamineWorkbook.from_path(str(plan)) as wb:
        rows = wb.get_sheet_by_name("Data").to_python()
    assert any(r[2] == "Summer" for r in rows)
    assert rows[1][13] == "my note, keep me"


def test_import_keeps_an_entry_below_the_data_table_it_does_not_reach(
    plan: Path, tmp_path: Path
) -> None:
    end = data_end(plan)
    note = f'<c r="B{end + 50}" t="inlineStr"><is><t>far below</t></is></c>'
    add_row_below(plan, end + 50, note)
    export = generic(tmp_path, ["2026-06-15,Paid Social,Summer,1000,30,12.5"])
    out = run("import", plan, export, "--source", "generic")
    assert out.returncode == 0, out.stderr
    assert cell_xml(part_text(plan, data_part(plan)), f"B{end + 50}") == note


def test_import_refuses_to_grow_the_data_table_over_a_users_entry(
    plan: Path, tmp_path: Path
) -> None:
    end = data_end(plan)
    note = f'<c r="A{end + 3}" t="inlineStr"><is><t>mine</t></is></c>'
    add_row_below(plan, end + 3, note)
    before = plan.read_bytes()
    rows = [f"2026-06-{d:02d},Paid Social,Promo {d},1000,30,12.5" for d in range(10, 16)]
    out = run("import", plan, generic(tmp_path, rows), "--source", "generic")
    refused(out, "plan.xlsx", f"Data!A{end + 3}", "move it")
    assert plan.read_bytes() == before
    assert scratch_files(tmp_path) == []


# 2. Concurrent writers ------------------------------------------------------------------


class Paused:
    """A command run in its own process that stops at a barrier after ``module.name``
    returned, until ``release``."""

    def __init__(self, folder: Path, module: str, name: str, *args: str | Path) -> None:
        self.ready, self.go = folder / "ready.flag", folder / "go.flag"
        script = folder / "paused.py"
        script.write_text(PAUSED, encoding="utf-8")
        self.proc = subprocess.Popen(
            [sys.executable, str(script), module, name, self.ready, self.go, *map(str, args)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=ENV,
        )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 300
        while not self.ready.exists():
            if self.proc.poll() is not None:
                raise AssertionError(self.proc.communicate())
            assert time.monotonic() < deadline, "the paused command never reached its barrier"
            time.sleep(0.05)

    def release(self) -> subprocess.CompletedProcess[str]:
        self.go.touch()
        stdout, stderr = self.proc.communicate(timeout=600)
        return subprocess.CompletedProcess(self.proc.args, self.proc.returncode, stdout, stderr)

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.communicate(timeout=60)


@pytest.fixture()
def paused_runs() -> Iterator[list[Paused]]:
    runs: list[Paused] = []
    yield runs
    for p in runs:
        if p.proc.poll() is None:
            p.kill()


def rows_with(path: Path, campaign: str) -> int:
    with CalamineWorkbook.from_path(str(path)) as wb:
        return sum(1 for r in wb.get_sheet_by_name("Data").to_python() if r[2] == campaign)


def test_a_second_import_is_refused_while_one_runs(
    plan: Path, tmp_path: Path, paused_runs: list[Paused]
) -> None:
    a = generic(tmp_path, ["2026-06-15,Paid Social,From A,1000,30,12.5"], "a.csv")
    b = generic(tmp_path, ["2026-06-16,Paid Social,From B,1000,30,12.5"], "b.csv")
    first = Paused(tmp_path, "xlmplan.refresh", "analyse", "import", plan, a, "--source", "generic")
    paused_runs.append(first)
    first.wait_ready()
    second = run("import", plan, b, "--source", "generic")
    refused(second, "plan.xlsx", "another xlmplan run")
    done = first.release()
    assert done.returncode == 0, done.stderr
    assert rows_with(plan, "From A") == 1
    assert scratch_files(tmp_path) == []


def test_a_refresh_does_not_overtake_an_import(
    plan: Path, tmp_path: Path, paused_runs: list[Paused]
) -> None:
    a = generic(tmp_path, ["2026-06-15,Paid Social,From A,1000,30,12.5"], "a.csv")
    first = Paused(tmp_path, "xlmplan.refresh", "analyse", "import", plan, a, "--source", "generic")
    paused_runs.append(first)
    first.wait_ready()
    refused(run("refresh", plan), "plan.xlsx", "another xlmplan run")
    refused(run("new", plan, "--force"), "plan.xlsx", "another xlmplan run")
    refused(run("language", plan, "fa"), "plan.xlsx", "another xlmplan run")
    done = first.release()
    assert done.returncode == 0, done.stderr
    assert rows_with(plan, "From A") == 1


def test_concurrent_refreshes_keep_the_previous_version_as_backup(
    plan: Path, tmp_path: Path, paused_runs: list[Paused]
) -> None:
    stale_cache(plan)  # the refresh has a part to write
    original = plan.read_bytes()
    first = Paused(tmp_path, "xlmplan.refresh", "analyse", "refresh", plan)
    paused_runs.append(first)
    first.wait_ready()
    refused(run("refresh", plan), "plan.xlsx", "another xlmplan run")
    done = first.release()
    assert done.returncode == 0, done.stderr
    backup = tmp_path / "plan.backup.xlsx"
    assert backup.read_bytes() == original != plan.read_bytes()
    again = run("refresh", plan)
    assert again.returncode == 0 and "nothing to write" in again.stdout, again.stdout
    assert backup.read_bytes() == original


def test_a_file_saved_by_another_program_meanwhile_is_not_overwritten(
    plan: Path, tmp_path: Path, paused_runs: list[Paused]
) -> None:
    a = generic(tmp_path, ["2026-06-15,Paid Social,From A,1000,30,12.5"], "a.csv")
    first = Paused(tmp_path, "xlmplan.refresh", "analyse", "import", plan, a, "--source", "generic")
    paused_runs.append(first)
    first.wait_ready()
    add_cells_beside_data(plan)  # Excel saves the plan while the import computes
    saved = plan.read_bytes()
    done = first.release()
    refused(done, "plan.xlsx", "changed while xlmplan worked on it")
    assert plan.read_bytes() == saved
    assert not (tmp_path / "plan.backup.xlsx").exists()
    assert scratch_files(tmp_path) == []


def test_a_killed_writer_blocks_nothing_and_its_leftovers_are_removed(
    plan: Path, tmp_path: Path, paused_runs: list[Paused]
) -> None:
    stale_cache(plan)
    other = tmp_path / ".~xlmplan-0123abcd-89abcdef.xlsx"  # another plan's scratch file
    other.write_bytes(b"not ours to remove")
    mine = tmp_path / "notes.~xlmplan-.txt"
    mine.write_bytes(b"the user's")
    killed = Paused(tmp_path, "xlmplan.xlsx.package_write", "verify_unchanged", "refresh", plan)
    paused_runs.append(killed)
    killed.wait_ready()  # the new version is written to a scratch file, not yet in place
    killed.kill()
    left = scratch_files(tmp_path)
    assert lock_path(plan).name in left and len(left) == 3, left
    out = run("refresh", plan)
    assert out.returncode == 0, out.stderr
    assert scratch_files(tmp_path) == [other.name]
    assert mine.read_bytes() == b"the user's"


# 3. Excel's limits when writing ---------------------------------------------------------


def test_new_refuses_more_daily_rows_than_a_sheet_holds(tmp_path: Path) -> None:
    """A file over a sheet's rows is summed per day, channel and campaign; when every row is
    its own day, channel and campaign the sums do not fit either: refused, nothing written."""
    rows = 1_048_576  # one more than fit below the header row
    csv = tmp_path / "huge.csv"
    with open(csv, "w", encoding="utf-8") as fh:
        fh.write("date,channel,campaign,sessions\n")
        for start in range(0, rows, 100_000):
            fh.write(
                "".join(
                    f"2025-06-01,Organic Search,c{i},1\n"
                    for i in range(start, min(start + 100_000, rows))
                )
            )
    out = run("new", tmp_path / "plan.xlsx", "--data", csv)
    refused(out, "huge.csv", "1,048,576 rows sum to 1,048,576 daily rows", "do not fit")
    assert not (tmp_path / "plan.xlsx").exists()
    assert scratch_files(tmp_path) == []


def test_new_sums_a_file_over_a_sheets_rows(tmp_path: Path) -> None:
    """The same size of file with few days, channels and campaigns becomes a plan."""
    block = "".join(
        f"2025-{m:02d}-{d:02d},Organic Search,{d}\n" for m in range(1, 13) for d in range(1, 29)
    )
    rows = 1_048_576
    per_block = 12 * 28
    csv = tmp_path / "huge.csv"
    with open(csv, "w", encoding="utf-8") as fh:
        fh.write("date,channel,sessions\n")
        fh.write(block * (rows // per_block))
        fh.write("".join(block.splitlines(keepends=True)[: rows % per_block]))
    out = run("new", tmp_path / "plan.xlsx", "--data", csv)
    assert out.returncode == 0, out.stderr
    assert "huge.csv: 1,048,576 rows aggregated to 336 daily rows" in " ".join(out.stdout.split())


def test_import_refuses_a_text_longer_than_a_cell(plan: Path, tmp_path: Path) -> None:
    before = plan.read_bytes()
    export = generic(tmp_path, [f"2026-06-15,Paid Social,{'x' * 32_768},1000,30,12.5"])
    refused(run("import", plan, export, "--source", "generic"), "plan.xlsx", "32,767", "shorten")
    assert plan.read_bytes() == before


def test_new_refuses_a_text_longer_than_a_cell(tmp_path: Path) -> None:
    csv = tmp_path / "long.csv"
    csv.write_text(
        "date,channel,campaign,sessions\n2026-01-05,Email,ok,5\n"
        f"2026-01-06,Email,{'y' * 40_000},5\n",
        encoding="utf-8",
    )
    refused(run("new", tmp_path / "plan.xlsx", "--data", csv), "long.csv", "40,000 characters")
    assert not (tmp_path / "plan.xlsx").exists()


def test_a_data_frame_wider_than_a_sheet_is_refused() -> None:
    # CSV files this wide are read too slowly to go through the command (see the reader)
    frame = pd.DataFrame(
        [[1] * (MAX_COLUMNS + 1)], columns=[f"c{i}" for i in range(MAX_COLUMNS + 1)]
    )
    with pytest.raises(DataError, match=r"16,385 Data columns do not fit .*at most 16,384"):
        check_data_fits(frame, 1, "wide.csv")
    check_data_fits(frame.iloc[:, :MAX_COLUMNS], 1, "wide.csv")


# 4. Text that looks like an escape; number formats of Data --------------------------------


def test_escape_like_text_reaches_the_sheet_as_typed(plan: Path, tmp_path: Path) -> None:
    export = generic(tmp_path, ["2026-06-15,Paid Social,_x0041_ sale _x005F_,1000,30,12.5"])
    out = run("import", plan, export, "--source", "generic")
    assert out.returncode == 0, out.stderr
    xml = part_text(plan, data_part(plan))
    assert "_x005F_x0041_ sale _x005F_x005F_" in xml
    assert rows_with(plan, "_x0041_ sale _x005F_") == 1


def test_new_writes_escape_like_text_as_typed(tmp_path: Path) -> None:
    csv = tmp_path / "d.csv"
    csv.write_text(
        "date,channel,campaign,sessions\n2026-01-05,Email,_x0042_,5\n2026-01-06,Email,_x0043_,6\n",
        encoding="utf-8",
    )
    out = run("new", tmp_path / "plan.xlsx", "--data", csv)
    assert out.returncode == 0, out.stderr
    with CalamineWorkbook.from_path(str(tmp_path / "plan.xlsx")) as wb:
        campaigns = {r[2] for r in wb.get_sheet_by_name("Data").to_python()[1:]}
    assert campaigns == {"_x0042_", "_x0043_"}


def styles_by_column(path: Path) -> dict[str, set[str]]:
    """The cell formats each Data column's cells carry, below the header."""
    xml = part_text(path, data_part(path))
    out: dict[str, set[str]] = {}
    for col, row, attrs in re.findall(r'<c r="([A-J])(\d+)"([^>]*?)/?>', xml):
        if int(row) > 1:
            s = re.search(r'\ss="(\d+)"', attrs)
            out.setdefault(col, set()).add(s.group(1) if s else "none")
    return out


def test_import_keeps_every_data_columns_format(plan: Path, tmp_path: Path) -> None:
    ga4 = tmp_path / "ga4.csv"
    ga4.write_text(
        "# Start date: 20250101\n# End date: 20250101\n"
        "Session primary channel group (Default channel group),Sessions,Key events\n"
        "Organic search,10,1\n",
        encoding="utf-8",
    )
    first = run("import", plan, ga4)  # sorted first: a row without most measures
    assert first.returncode == 0, first.stderr
    export = generic(tmp_path, ["2026-06-15,Paid Social,Summer,1000,30,12.5"])
    second = run("import", plan, export, "--source", "generic")
    assert second.returncode == 0, second.stderr
    styles = styles_by_column(plan)
    assert sorted(styles) == list("ABCDEFGHIJ")
    for col, found in styles.items():
        assert len(found) == 1 and "none" not in found, (col, found)


# 5. Long names, full disks, leftovers, owner and mode ------------------------------------


def test_a_plan_name_of_250_bytes_is_refreshed_and_imported(plan: Path, tmp_path: Path) -> None:
    long = tmp_path / ("p" * 245 + ".xlsx")
    plan.rename(long)
    export = generic(tmp_path, ["2026-06-15,Paid Social,Summer,1000,30,12.5"])
    out = run("import", long, export, "--source", "generic")
    assert out.returncode == 0, out.stderr
    backups = [p for p in tmp_path.iterdir() if ".backup" in p.name]
    assert len(backups) == 1 and len(backups[0].name.encode()) <= 255
    assert scratch_files(tmp_path) == []
    again = run("new", tmp_path / ("q" * 250 + ".xlsx"))
    assert again.returncode == 0, again.stderr


@contextmanager
def small_disk(folder: Path, kilobytes: int) -> Iterator[Path]:
    """A file system of ``kilobytes`` KB mounted at ``folder`` for the test."""
    folder.mkdir()
    try:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={kilobytes}k", "tmpfs", str(folder)],
            capture_output=True,
            check=False,
        )
    except FileNotFoundError:
        pytest.skip("no mount command to make a small file system")
    if done.returncode != 0:
        pytest.skip(f"mounting a small tmpfs is not permitted here: {done.stderr!r}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


@pytest.fixture()
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """200 KB: less than a plan needs."""
    with small_disk(tmp_path / "disk", 200) as folder:
        yield folder


def test_new_on_a_full_disk_is_one_line_and_leaves_nothing(tiny_disk: Path) -> None:
    out = run("new", tiny_disk / "plan.xlsx")
    refused(out, "plan.xlsx", f"the disk holding {tiny_disk} is full")
    assert list(tiny_disk.iterdir()) == []


def test_refresh_on_a_full_disk_keeps_the_plan(plan: Path, tmp_path: Path) -> None:
    stale_cache(plan)
    size = plan.stat().st_size // 1024
    with small_disk(tmp_path / "disk", size + 100) as disk:  # no room for a new version
        target = disk / "plan.xlsx"
        shutil.copy(plan, target)
        before = target.read_bytes()
        refused(run("refresh", target), "plan.xlsx", f"the disk holding {disk} is full")
        assert target.read_bytes() == before
        assert sorted(p.name for p in disk.iterdir()) == ["plan.xlsx"]


def test_a_full_temporary_folder_does_not_stop_the_commands(
    plan: Path, tmp_path: Path, tiny_disk: Path
) -> None:
    (tiny_disk / "filler").write_bytes(b"\0" * 190_000)
    env = {"TMPDIR": str(tiny_disk)}
    add_cells_beside_data(plan)
    out = run("refresh", plan, env=env)
    assert out.returncode == 0, out.stderr
    export = generic(tmp_path, ["2026-06-15,Paid Social,Summer,1000,30,12.5"])
    out = run("import", plan, export, "--source", "generic", env=env)
    assert out.returncode == 0, out.stderr
    out = run("new", tmp_path / "fresh.xlsx", env=env)
    assert out.returncode == 0, out.stderr
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["filler"]


def test_refresh_and_import_keep_the_files_mode_and_owner(plan: Path, tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("only root can give a file to another owner")
    stale_cache(plan)
    plan.chmod(0o640)
    os.chown(plan, 4321, 4322)
    out = run("refresh", plan)
    assert out.returncode == 0, out.stderr
    assert "nothing to write" not in out.stdout
    st = plan.stat()
    assert (oct(st.st_mode & 0o777), st.st_uid, st.st_gid) == (oct(0o640), 4321, 4322)
    export = generic(tmp_path, ["2026-06-15,Paid Social,Summer,1000,30,12.5"])
    out = run("import", plan, export, "--source", "generic")
    assert out.returncode == 0, out.stderr
    st = plan.stat()
    assert (oct(st.st_mode & 0o777), st.st_uid, st.st_gid) == (oct(0o640), 4321, 4322)


def test_share_to_a_full_disk_names_the_plan_and_leaves_nothing(
    plan: Path, tiny_disk: Path
) -> None:
    before = plan.read_bytes()
    out = run("share", plan, "-o", tiny_disk / "copy.xlsx")
    refused(out, "plan.xlsx", "is full", str(tiny_disk))
    assert plan.read_bytes() == before
    assert list(tiny_disk.iterdir()) == []
