"""The Budget mix sheet on a plan built from simulated Data: one row per paid channel with
its curve or the reason it has none, native formulas that LibreOffice computes to the
Python predictions (also at a spend the user types), the proposed column kept by a
refresh and written by `allocate`, the charts, and the Scenarios' contingency text."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import openpyxl
import pytest
from engines import NEEDS_LO, cached_values, compare
from mix_sim import CONSTANT, TRUE_CHANNELS, simulate

from xlmplan.api import new_plan
from xlmplan.core import response as rs
from xlmplan.core.model import MixState
from xlmplan.libreoffice import runner
from xlmplan.refresh import refresh_plan
from xlmplan.sheets import budget_mix as bm
from xlmplan.sheets.context import FIRST

SHEET = "Budget_mix"
PAID = sorted([CONSTANT.name, *(s.name for s in TRUE_CHANNELS)])
COL = {key: openpyxl.utils.get_column_letter(j + 1) for key, j in bm.C.items()}


@pytest.fixture(scope="module")
def data() -> Any:
    return simulate(7, start=dt.date(2024, 7, 1))


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory, data: Any) -> Path:
    folder = tmp_path_factory.mktemp("mixsheet")
    csv = folder / "sim.csv"
    data.to_csv(csv, index=False)
    return new_plan(folder / "plan.xlsx", data=csv, start="2026-01", months=12).path


def rows(path: Path, formulas: bool = False) -> dict[str, dict[str, Any]]:
    """Each channel row of the sheet by channel: column key -> value (or formula)."""
    wb = openpyxl.load_workbook(path, data_only=not formulas)
    ws = wb[SHEET]
    out: dict[str, dict[str, Any]] = {}
    r = FIRST + 1
    while ws[f"A{r}"].value not in (None, "Total"):
        out[str(ws[f"A{r}"].value)] = {k: ws[f"{c}{r}"].value for k, c in COL.items()}
        r += 1
    return out


def copy_of(path: Path, tmp: Path, name: str) -> Path:
    target = tmp / name
    target.write_bytes(path.read_bytes())
    return target


def type_into(path: Path, cells: dict[str, float]) -> None:
    """Type numbers into cells of the Budget mix as a user would: the cell's value changes,
    its style and everything else in the file stay (the sheet part edited in place)."""
    with zipfile.ZipFile(path) as zf:
        items = [(i, zf.read(i.filename)) for i in zf.infolist()]
        names = zf.read("xl/workbook.xml").decode()
    index = re.findall(r'<sheet name="([^"]+)"', names).index(SHEET) + 1
    part = f"xl/worksheets/sheet{index}.xml"
    out = path.with_suffix(".tmp")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, raw in items:
            if info.filename == part:
                text = raw.decode()
                for ref, value in cells.items():
                    pattern = rf'<c r="{ref}"( s="\d+")?( t="\w+")?(/>|>.*?</c>)'
                    text, n = re.subn(pattern, rf'<c r="{ref}"\1><v>{value!r}</v></c>', text)
                    assert n == 1, ref
                raw = text.encode()
            zf.writestr(info, raw)
    out.replace(path)


def test_one_row_per_paid_channel_with_its_curve_or_reason(plan: Path, data: Any) -> None:
    fits = {f.channel: f for f in rs.fit_all(rs.weekly(data))}
    got = rows(plan)
    assert list(got) == PAID  # Organic Search has no spend: no row
    for name, row in got.items():
        fit = fits[name]
        if fit.curve is None:
            assert row["verdict"] == fit.reason and row["base"] is None
            continue
        assert row["verdict"] == "fitted"
        shown = [row[k] for k in ("base", "beta", "k", "alpha", "theta")]
        assert shown == pytest.approx(list(fit.curve.as_dict().values()), rel=1e-12)
    assert got[CONSTANT.name]["verdict"].startswith("spend barely varied")
    stamp = openpyxl.load_workbook(plan)[SHEET]["A3"].value
    assert f"fitted on {dt.date.today().isoformat()}" in stamp


def test_predictions_are_native_formulas_of_the_twins(plan: Path) -> None:
    formulas = rows(plan, formulas=True)
    values = rows(plan)
    search = formulas["Paid Search"]
    r = FIRST + 1 + PAID.index("Paid Search")
    refs = [f"{COL[k]}{r}" for k in ("base", "beta", "k", "alpha")]
    assert search["predicted"] == "=" + rs.curve_response_xl(f"{COL['proposed']}{r}", *refs)
    assert search["marginal"] == "=" + rs.marginal_return_xl(f"{COL['proposed']}{r}", *refs)
    assert search["roas"] == "=" + rs.roas_at_xl(f"{COL['proposed']}{r}", *refs)
    v = values["Paid Search"]
    params = (v["base"], v["beta"], v["k"], v["alpha"])
    assert v["predicted"] == pytest.approx(rs.curve_response(v["proposed"], *params), rel=1e-12)
    assert v["proposed"] == v["current"]  # a new plan proposes today's split
    assert v["change"] == pytest.approx(0.0, abs=1e-9)


def test_charts_draw_each_fitted_curve_with_current_and_proposed(plan: Path) -> None:
    with zipfile.ZipFile(plan) as zf:
        charts = [zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/charts/chart")]
    mine = [c for c in charts if "Budget_mix" in c and "<c:scatterChart>" in c]
    fitted = [n for n, r in rows(plan).items() if r["verdict"] == "fitted"]
    assert len(mine) == len(fitted) >= 3
    for chart in mine:
        assert chart.count("<c:ser>") == 3  # the curve, current and proposed spend
        assert chart.count('<c:symbol val="none"/>') >= 1  # the curve is a line


@NEEDS_LO
def test_libreoffice_computes_the_python_predictions(plan: Path, tmp_path: Path) -> None:
    """The cached values (Python) equal LibreOffice's; then, with spend typed into the
    proposed column, LibreOffice's results equal the Python twins at that spend."""
    got = runner.recalculate(plan).values
    expected = {SHEET: cached_values(plan)[SHEET]}
    problems = compare(expected, {SHEET: got[SHEET]}, rel_tol=1e-9, abs_tol=1e-6)
    assert not problems, "\n".join(problems[:10])
    assert len(expected[SHEET]) > 100

    typed = copy_of(plan, tmp_path, "typed.xlsx")
    values = rows(plan)
    spend = {"Paid Search": 5200.0, "Video": 0.0, "Display": 1234.5}
    type_into(
        typed, {f"{COL['proposed']}{FIRST + 1 + PAID.index(n)}": x for n, x in spend.items()}
    )
    lo = runner.recalculate(typed).values[SHEET]
    for name, x in spend.items():
        r = FIRST + 1 + PAID.index(name)
        v = values[name]
        params = (v["base"], v["beta"], v["k"], v["alpha"])
        for key, rule in (
            ("predicted", rs.curve_response),
            ("marginal", rs.marginal_return),
            ("roas", rs.roas_at),
        ):
            want = rule(x, *params)
            cell = lo[f"{COL[key]}{r}"]
            assert (cell in ("", None)) if want is None else cell == pytest.approx(want, rel=1e-9)
    total_row = FIRST + 1 + len(PAID)
    moved = sum(spend.values()) - sum(values[n]["proposed"] for n in spend)
    assert lo[f"{COL['proposed']}{total_row}"] == pytest.approx(
        sum(v["proposed"] for v in values.values()) + moved
    )


def test_workbook_stays_macro_free(plan: Path) -> None:
    with zipfile.ZipFile(plan) as zf:
        names = zf.namelist()
    assert not [n for n in names if "vba" in n.lower() or n.endswith(".bin")]


def test_refresh_keeps_typed_spend_and_allocate_writes_its_split(
    plan: Path, tmp_path: Path
) -> None:
    path = copy_of(plan, tmp_path, "edit.xlsx")
    r = FIRST + 1 + PAID.index("Video")
    type_into(path, {f"{COL['proposed']}{r}": 2500.0})
    refresh_plan(path, backup=False)
    after = rows(path)
    assert after["Video"]["proposed"] == 2500.0
    video = after["Video"]
    params = (video["base"], video["beta"], video["k"], video["alpha"])
    assert video["predicted"] == pytest.approx(rs.curve_response(2500.0, *params), rel=1e-12)

    out = subprocess.run(
        [sys.executable, "-m", "xlmplan", "allocate", str(path), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    channels = json.loads(out.stdout)["channels"]
    split = {c["channel"]: c["recommended_weekly_spend"] for c in channels}
    assert rows(path)["Video"]["proposed"] == 2500.0  # --json writes nothing
    done = subprocess.run(
        [sys.executable, "-m", "xlmplan", "allocate", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    written = rows(path)
    for name in PAID:
        assert written[name]["proposed"] == pytest.approx(split[name], abs=0.005)  # cents
    assert written["Video"]["proposed"] != 2500.0


def test_a_row_that_now_holds_another_channel_takes_its_channels_spend() -> None:
    fits = [
        cast(rs.Fit, SimpleNamespace(channel=c, current_weekly_spend=s))
        for c, s in (("A", 10.0), ("B", 20.0), ("C", 30.0))
    ]
    mix = cast(bm.Mix, SimpleNamespace(fits=fits))
    state = MixState("", [("A", 11.0), ("C", 33.0), ("D", 44.0)])
    assert bm._proposed(state, mix) == {"A": 11.0, "B": 20.0, "C": 33.0}
    assert bm._moved_rows(state, mix) == {1, 2, 3}  # B and C moved; D's old row cleared
    state.override = {"A": 1.0, "B": 2.0, "C": 3.0}
    assert bm._proposed(state, mix) == {"A": 1.0, "B": 2.0, "C": 3.0}
    assert bm._moved_rows(state, mix) == {0, 1, 2}
    assert bm._moved_rows(MixState(), mix) == set()  # a new plan writes every cell anyway


def test_fit_date_is_kept_while_the_fit_is_the_same() -> None:
    fits = [cast(rs.Fit, SimpleNamespace(channel="A"))]
    params: list[tuple[float, ...] | None] = [(1.0, 2.0, 3.0, 1.5, 0.2, 0.9)]
    old = MixState("Curves fitted on 2026-03-02 to 40 full weeks", [("A", 5.0)], params)
    today = dt.date(2026, 4, 1)
    assert bm._fit_date(old, fits, params, today) == dt.date(2026, 3, 2)
    refit: list[tuple[float, ...] | None] = [(1.0, 2.0, 3.1, 1.5, 0.2, 0.9)]
    assert bm._fit_date(old, fits, refit, today) == today
    assert bm._fit_date(MixState(), fits, params, today) == today


def test_contingency_of_realistic_and_pessimistic_cases_names_the_move(plan: Path) -> None:
    wb = openpyxl.load_workbook(plan, data_only=True)
    move = wb[SHEET][f"A{FIRST + 1 + len(PAID) + 2}"].value
    assert re.search(r"Recommended for the same weekly budget: .*[+-][\d,]+", move)
    for name in ("Paid Search", "Video"):
        assert name in move
    formulas = openpyxl.load_workbook(plan)["Scenarios"]
    values = wb["Scenarios"]
    found = 0
    for r in range(1, values.max_row + 1):
        text = values.cell(r, 16).value
        formula = formulas.cell(r, 16).value
        if isinstance(formula, str) and "mix_move" in formula:
            now = values.cell(r, 15).value
            expected = now in ("Realistic", "Pessimistic")
            assert (("; " + move) in (text or "")) == expected, (r, now, text)
            found += expected
    assert found >= 1
