"""Benchmark ``xlmplan refresh`` against LibreOffice recalculating the same workbook.

For each Data size n it builds two plans with ``xlmplan new`` (untimed) and times three
``xlmplan refresh`` processes (wall time and peak memory via GNU time, interpreter start-up
and imports included):

* grown (the headline): a plan built from the first 99 % of the rows and refreshed once,
  then the last 1 % (the final days) typed directly below the Data table, as a user pasting
  new rows would; the refresh takes them into the table, recomputes every derived value
  and rewrites what xlmplan owns. Its in-process split is read (open the file, read Data
  and inputs), compute (engine and layout) and write (splice the owned parts, write the
  file and its backup), from timestamps taken around those functions.
* first: the first refresh of a plan just written by ``xlmplan new`` from all n rows.
* no-op: the same plan refreshed again. Its parts are those the first refresh wrote and
  recorded (``xlsx/refresh_record.py``), so the CLI answers from the cached values; "full
  no-op" is the same file without the record: everything read and recomputed, nothing
  written.
* Data kept: the refreshed plan with one part it does not own changed (docProps/core.xml),
  so the refresh runs in full but takes Data from the record instead of parsing it.

Every whole-process time is also given as a ratio to an anchor timed in the same run: a
Python process that imports pandas (``python -c "import pandas"``), the least any
command that reads Data pays; ratios say more than seconds on a shared machine. The
everyday refreshes and the anchor are given in CPU seconds too (user + system, all of the
process's threads): on a machine busy with other work, wall time measures the queue.

The refresh processes run with Python's bytecode cache on (``PYTHONDONTWRITEBYTECODE``
unset for them, xlmplan compiled once first), as an installed xlmplan runs.

Then LibreOffice loads the grown plan as refreshed (n rows) and runs ``calculateAll()`` in
the same run as the anchor; the ratios say how many times faster the refresh is.

    .venv/bin/python benchmarks/bench_refresh.py [--sizes 10000,100000,1000000] [--repeat 3]
        [--readme]

Each refresh case is timed ``--repeat`` times on fresh copies and the fastest run is kept
(peak memory: the largest); from 1,000,000 rows each case runs once.

``--readme`` replaces the table between the bench-refresh markers in README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from readme_table import write_readme  # noqa: E402

from xlmplan.api import new_plan  # noqa: E402
from xlmplan.errors import XlmplanError  # noqa: E402
from xlmplan.io.example_data import sized_data  # noqa: E402
from xlmplan.libreoffice.runner import recalculate  # noqa: E402
from xlmplan.xlsx.fastrows import rows_xml  # noqa: E402
from xlmplan.xlsx.plan_file import open_plan  # noqa: E402
from xlmplan.xlsx.refresh_record import PART as RECORD  # noqa: E402

BEGIN, END = "<!-- bench-refresh:begin -->", "<!-- bench-refresh:end -->"
LO_TIMEOUT = 900.0  # seconds; LibreOffice gets "—" beyond this
GROWN_SHARE = 0.01  # share of the rows typed below the Data table
ONCE_FROM = 1_000_000  # sizes this large are refreshed once per case, not best of --repeat
TARGETS = {100_000: (3.0, 3.0, None), 1_000_000: (30.0, None, 3072.0)}  # s, ×LO, MB
NOOP_TARGET, ROWS_100K_TARGET = 0.5, 1.5  # s, whole process on two quiet cores
ANCHOR = "import pandas"

# Runs `xlmplan refresh PLAN` (the CLI, as a user would) with timestamps taken around the
# reading, analysing and writing functions of xlmplan.refresh; writes them to REPORT.
CHILD = r"""
import json, sys, time
plan, report = sys.argv[1], sys.argv[2]
import xlmplan.refresh as r
spent = {}
def wrap(name, key):
    fn = getattr(r, name, None)
    if fn is None:
        return
    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[key] = spent.get(key, 0.0) + time.perf_counter() - start
    setattr(r, name, timed)
for name in ("open_plan", "input_tables", "data_frame"):
    wrap(name, "read")
wrap("analyse", "analyse")
for name in ("_spliced_parts", "_calc_chain", "write_package"):
    wrap(name, "write")
result = {"rows": None, "grown": {}, "written": False, "parts": 0, "fast": True}
refresh_plan = r.refresh_plan
def keep(*args, **kwargs):
    start = time.perf_counter()
    out = refresh_plan(*args, **kwargs)
    spent["refresh"] = time.perf_counter() - start
    result.update(rows=len(out.analysis.data), grown=out.analysis.grown,
                  written=out.written, parts=len(out.changed_parts), fast=False)
    return out
r.refresh_plan = keep
from xlmplan.cli import main
sys.argv = ["xlmplan", "refresh", plan]
code = 0
try:
    main()
except SystemExit as exc:
    code = exc.code or 0
with open(report, "w") as fh:
    json.dump({"spent": spent, **result}, fh)
sys.exit(code)
"""


TIME = ["/usr/bin/time", "-f", "%e %M %U %S"]  # wall, peak RSS (kB), user and system CPU
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _usage(stderr: str) -> tuple[float, float]:
    """Peak RSS (MB) and CPU seconds from GNU time's last line."""
    _elapsed, kbytes, user, system = stderr.strip().splitlines()[-1].split()
    return int(kbytes) / 1024, float(user) + float(system)


def plain_refresh(plan: Path) -> dict[str, Any]:
    """One ``python -m xlmplan refresh PLAN`` process as a user runs it, with nothing
    imported ahead of the command (``CHILD`` imports the refresh module to time it):
    wall seconds, CPU seconds and peak RSS (MB)."""
    cmd = [*TIME, sys.executable, "-m", "xlmplan", "refresh"]
    start = time.perf_counter()
    done = subprocess.run(
        [*cmd, str(plan.resolve())], capture_output=True, text=True, cwd=ROOT, env=CHILD_ENV
    )
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"refresh of {plan.name} failed:\n{done.stdout}\n{done.stderr}")
    peak, cpu = _usage(done.stderr)
    said = " ".join(done.stdout.split())
    return {"wall": wall, "cpu": cpu, "peak_mb": peak, "written": "up to date" not in said}


def timed_refresh(plan: Path) -> dict[str, Any]:
    """One ``xlmplan refresh`` process: wall seconds, peak RSS (MB) and its own timings."""
    plan = plan.resolve()
    report = plan.with_suffix(".json")
    cmd = [*TIME, sys.executable, "-c", CHILD, str(plan), str(report)]
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False, env=CHILD_ENV)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"refresh of {plan.name} failed:\n{done.stdout}\n{done.stderr}")
    peak, cpu = _usage(done.stderr)
    info = json.loads(report.read_text())
    spent = info["spent"]
    read = spent.get("read", 0.0)
    info.update(
        wall=wall,
        cpu=cpu,
        peak_mb=peak,
        read=read,
        compute=spent.get("analyse", 0.0) - read,
        write=spent.get("write", 0.0),
        in_process=spent.get("refresh", 0.0),
    )
    return info


def anchor_process(repeat: int) -> tuple[float, float]:
    """The least wall and CPU seconds of ``repeat`` Python processes running ``ANCHOR``."""
    walls, cpus = [], []
    for _ in range(max(repeat, 3)):
        start = time.perf_counter()
        done = subprocess.run(
            [*TIME, sys.executable, "-c", ANCHOR], capture_output=True, text=True, cwd=ROOT
        )
        walls.append(time.perf_counter() - start)
        cpus.append(_usage(done.stderr)[1])
    return min(walls), min(cpus)


def rewrite_member(plan: Path, member: str, edit: Any) -> None:
    """Rewrite one member of ``plan`` with ``edit(bytes) -> bytes`` (None: drop it)."""
    tmp = plan.with_suffix(".member.xlsx")
    with zipfile.ZipFile(plan) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == member:
                data = edit(data)
                if data is None:
                    continue
            dst.writestr(info, data, zipfile.ZIP_DEFLATED)
    tmp.replace(plan)


def _data_part(plan: Path) -> str:
    """The worksheet part holding the Data table."""
    pf = open_plan(plan)
    try:
        return pf.table("data").sheet.part
    finally:
        pf.close()


def type_below_data(plan: Path, rows: pd.DataFrame) -> None:
    """Append ``rows`` directly below the Data table, styled like the rows above, leaving
    the table's range alone (what typing or pasting below a Table looks like on disk)."""
    tmp = plan.with_suffix(".edit.xlsx")
    width = len(rows.columns)
    part = _data_part(plan)
    with zipfile.ZipFile(plan) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == part:
                xml = data.decode("utf-8")
                tail = xml[-100_000:]
                r0 = int(re.findall(r'<row r="(\d+)"', tail)[-1])
                style = dict(re.findall(r'<c r="([A-Z]+)\d+" s="(\d+)"', tail))
                styles = [style[chr(65 + j)] for j in range(width)]
                new = rows_xml(rows, styles, r0)
                last_ref = f"{chr(64 + width)}{r0 + len(rows)}"
                xml = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{last_ref}"/>', xml)
                data = xml.replace("</sheetData>", new + "</sheetData>", 1).encode("utf-8")
            dst.writestr(info, data, zipfile.ZIP_DEFLATED)
    tmp.replace(plan)


def anchor(plan: Path) -> tuple[float | None, float | None, int | None]:
    """LibreOffice load and ``calculateAll()`` seconds and formula cells (None: timed out)."""
    try:
        lo = recalculate(plan, timeout=LO_TIMEOUT)
    except XlmplanError as exc:
        print(f"  LibreOffice gave up on {plan.name}: {exc}", flush=True)
        return None, None, None
    return lo.seconds_load, lo.seconds_calc, lo.formula_count


def best(src: Path, work: Path, repeat: int, plain: bool = False) -> dict[str, Any]:
    """The fastest of ``repeat`` refreshes of fresh copies of ``src`` (left at ``work``);
    peak memory is the largest seen. ``plain``: as a user runs it (``plain_refresh``)."""
    runs = []
    for _ in range(repeat):
        shutil.copyfile(src, work)
        runs.append(plain_refresh(work) if plain else timed_refresh(work))
    fastest = min(runs, key=lambda r: r["wall"])
    cpu = min(r["cpu"] for r in runs)
    return {**fastest, "cpu": cpu, "peak_mb": max(r["peak_mb"] for r in runs)}


def measure(n: int, tmp: Path, repeat: int) -> dict[str, Any]:
    """Every figure for one Data size."""
    repeat = 1 if n >= ONCE_FROM else repeat
    data = sized_data(n)
    k = max(1, round(n * GROWN_SHARE))
    full, head = tmp / f"data_{n}.csv", tmp / f"head_{n}.csv"
    data.to_csv(full, index=False)
    data.iloc[: n - k].to_csv(head, index=False)

    fresh, refreshed = tmp / f"fresh_{n}.xlsx", tmp / f"refreshed_{n}.xlsx"
    new_plan(fresh, data=full, force=True)
    first = best(fresh, refreshed, repeat)
    probe = best(refreshed, tmp / f"noop_{n}.xlsx", 1)  # answered from the record?
    assert first["written"] and probe["fast"] and not probe["written"], (first, probe)
    noop = best(refreshed, tmp / f"noop_{n}.xlsx", max(repeat, 3), plain=True)
    assert not noop["written"], noop
    plain = tmp / f"plain_{n}.xlsx"
    shutil.copyfile(refreshed, plain)
    rewrite_member(plain, RECORD, lambda _data: None)
    full_noop = best(plain, tmp / f"full_noop_{n}.xlsx", repeat)
    assert not full_noop["fast"] and not full_noop["written"], full_noop
    touched = tmp / f"touched_{n}.xlsx"
    shutil.copyfile(refreshed, touched)
    rewrite_member(touched, "docProps/core.xml", lambda data: data + b" ")
    kept = best(touched, tmp / f"kept_{n}.xlsx", repeat)
    assert not kept["fast"] and kept["rows"] == n, kept

    edited, plan = tmp / f"edited_{n}.xlsx", tmp / f"grown_{n}.xlsx"
    new_plan(edited, data=head, force=True)
    timed_refresh(edited)  # steady state: the plan as a user has it after one refresh
    type_below_data(edited, data.iloc[n - k :])
    grown = best(edited, plan, repeat)
    assert grown["rows"] == n and grown["grown"].get("tblData") == k, grown

    load = os.getloadavg()[0]
    lo_load, lo_calc, formulas = anchor(plan)
    lo = None if lo_load is None or lo_calc is None else lo_load + lo_calc
    base_wall, base_cpu = anchor_process(repeat)
    return {
        "anchor": base_wall,
        "anchor_cpu": base_cpu,
        "full_noop": full_noop,
        "kept": kept,
        "rows": n,
        "typed": k,
        "repeat": repeat,
        "load": load,
        "size_mb": plan.stat().st_size / 1e6,
        "formulas": formulas,
        "grown": grown,
        "first": first,
        "noop": noop,
        "lo_load": lo_load,
        "lo_calc": lo_calc,
        "ratio": None if lo is None else lo / grown["in_process"],
        "ratio_process": None if lo is None else lo / grown["wall"],
    }


def verdict(r: dict[str, Any]) -> str:
    """The targets for this size and whether they are met ("" when there are none)."""
    limit = TARGETS.get(int(r["rows"]))
    if limit is None:
        return ""
    seconds, faster, mb = limit
    g = r["grown"]
    marks = [f"≤ {seconds:g} s {'✓' if g['wall'] <= seconds else '✗'}"]
    if faster is not None:
        ok = r["ratio_process"] is not None and r["ratio_process"] >= faster
        marks.append(f"≥ {faster:g}× LibreOffice {'✓' if ok else '✗'}")
    if mb is not None:
        marks.append(f"≤ {mb / 1024:g} GB {'✓' if g['peak_mb'] <= mb else '✗'}")
    return ", ".join(marks)


def run(sizes: list[int], repeat: int) -> list[dict[str, Any]]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-refresh-") as tmp:
        for n in sizes:
            r = measure(n, Path(tmp), repeat)
            for leftover in Path(tmp).iterdir():
                leftover.unlink() if leftover.is_file() else shutil.rmtree(leftover)
            g = r["grown"]
            lo = (
                "LibreOffice —"
                if r["lo_load"] is None
                else f"LibreOffice load {r['lo_load']:.2f} s + calculateAll {r['lo_calc']:.2f} s"
            )
            print(
                f"{n:>9,} rows (+{r['typed']:,} typed below): refresh {g['wall']:6.2f} s, "
                f"{g['peak_mb']:6.0f} MB peak (read {g['read']:.2f} + compute "
                f"{g['compute']:.2f} + write {g['write']:.2f} s) | first refresh "
                f"{r['first']['wall']:.2f} s, no-op {r['noop']['wall']:.2f} s (full "
                f"{r['full_noop']['wall']:.2f} s), Data kept {r['kept']['wall']:.2f} s "
                f"(CPU {r['kept']['cpu']:.2f} s) | anchor {r['anchor']:.2f} s (CPU "
                f"{r['anchor_cpu']:.2f} s) | {lo} "
                f"{verdict(r)} [load average {r['load']:.1f}]",
                flush=True,
            )
            rows.append(r)
    return rows


def speed_table(rows: list[dict[str, Any]]) -> list[str]:
    """Whole-process times of the everyday refreshes, each also ÷ the anchor."""
    a = ANCHOR.replace('"', "")
    lines = [
        "",
        f'Everyday refreshes, whole process, and ÷ the anchor (`python -c "{a}"`, '
        "timed in the same run): wall seconds, then CPU seconds (user + system):",
        "",
        "| Data rows | anchor | no-op (record) | no-op without the record | Data kept "
        "(one other part changed) | 1 % typed below Data | targets |",
        "|---:|---:|---:|---:|---:|---:|:---|",
    ]
    for r in rows:
        base, base_cpu = r["anchor"], r["anchor_cpu"]

        def cell(run: dict[str, Any], base: float = base, base_cpu: float = base_cpu) -> str:
            return (
                f"{run['wall']:.2f} s ({run['wall'] / base:.1f}×); "
                f"CPU {run['cpu']:.2f} s ({run['cpu'] / base_cpu:.1f}×)"
            )

        marks = [f"no-op ≤ {NOOP_TARGET:g} s {'✓' if r['noop']['wall'] <= NOOP_TARGET else '✗'}"]
        if int(r["rows"]) == 100_000:
            ok = r["kept"]["wall"] <= ROWS_100K_TARGET
            marks.append(f"Data kept ≤ {ROWS_100K_TARGET:g} s {'✓' if ok else '✗'}")
        lines.append(
            f"| {int(r['rows']):,} | {base:.2f} s; CPU {base_cpu:.2f} s | {cell(r['noop'])} "
            f"| {cell(r['full_noop'])} "
            f"| {cell(r['kept'])} | {cell(r['grown'])} | {', '.join(marks)} |"
        )
    return lines


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def growth(rows: list[dict[str, Any]]) -> list[str]:
    """Time per row from one size to the next (1.0×: linear)."""
    out = []
    for a, b in zip(rows, rows[1:], strict=False):
        scale = b["rows"] / a["rows"]
        whole = b["grown"]["wall"] / a["grown"]["wall"]
        inner = b["grown"]["in_process"] / a["grown"]["in_process"]
        out.append(
            f"{int(a['rows']):,} → {int(b['rows']):,} rows (×{scale:g}): whole process "
            f"×{whole:.1f} (per row ×{whole / scale:.2f}), in-process refresh ×{inner:.1f} "
            f"(per row ×{inner / scale:.2f})"
        )
    return out


def table(rows: list[dict[str, Any]]) -> str:
    runs = ", ".join(
        f"{int(r['rows']):,} rows: " + (f"best of {r['repeat']}" if r["repeat"] > 1 else "one run")
        for r in rows
    )
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores (load average "
        f"{min(r['load'] for r in rows):.1f}–{max(r['load'] for r in rows):.1f} while "
        f"measuring), Python {platform.python_version()}, `benchmarks/bench_refresh.py` "
        f"(refresh times — {runs}):",
        "",
        "| Data rows | `xlmplan refresh` after 1 % typed below Data, whole process "
        "| peak memory | read + compute + write | file | first refresh of a new plan "
        "| no-op refresh | LibreOffice load + calculateAll | LibreOffice ÷ refresh "
        "| LibreOffice ÷ whole process | target |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---|",
    ]
    for r in rows:
        g = r["grown"]
        lo = "— (gave up)" if r["lo_load"] is None else f"{r['lo_load']:.2f} + {r['lo_calc']:.2f} s"
        ratio = "—" if r["ratio"] is None else f"{r['ratio']:.1f}×"
        ratio_p = "—" if r["ratio_process"] is None else f"{r['ratio_process']:.1f}×"
        lines.append(
            f"| {int(r['rows']):,} | {g['wall']:.2f} s | {g['peak_mb']:.0f} MB | "
            f"{g['read']:.2f} + {g['compute']:.2f} + {g['write']:.2f} s | "
            f"{r['size_mb']:.1f} MB | {r['first']['wall']:.2f} s | {r['noop']['wall']:.2f} s | "
            f"{lo} | {ratio} | {ratio_p} | {verdict(r)} |"
        )
    lines += speed_table(rows)
    grow = growth(rows)
    if grow:
        lines += ["", "Growth: " + "; ".join(grow) + "."]
    if any(r["lo_load"] is None for r in rows):
        lines += [
            "",
            f"—: LibreOffice did not load and recalculate the file within {LO_TIMEOUT:.0f} s.",
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument(
        "--repeat", type=int, default=3, help="best of this many refreshes (below 1M rows)"
    )
    parser.add_argument("--readme", action="store_true")
    args = parser.parse_args()
    compile_all = [sys.executable, "-m", "compileall", "-q", str(ROOT / "xlmplan")]
    subprocess.run(compile_all, check=True, cwd=ROOT, env=CHILD_ENV)
    rows = run([int(s) for s in args.sizes.split(",")], args.repeat)
    text = table(rows)
    print(text)
    if args.readme:
        write_readme(text, BEGIN, END)


if __name__ == "__main__":
    main()
