"""The add-in's xlwings UDFs (``xlmplan.addin.udfs``) and their `formulas` registration.

(a) xlwings' own UDF machinery (``xlwings.udfs``, run with pywin32 stubbed) accepts every
function: metadata and the generated VBA wrapper. (b) The workbook context: names read
lazily from an xlwings-like book, the plan's language. (c) Broadcasting, blanks and errors.
(d) On the random cases of ``test_udf_twins``: an array call equals the single calls and
the registry's Python, and each result equals the native twin in `formulas` and (one
workbook, one recalculation) in LibreOffice; XLM_METRIC's array path over a real plan's
Data. (e) A plan in which a user typed UDF calls recalculates with `formulas`.
"""

from __future__ import annotations

import importlib
import io
import shutil
import sys
import types
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest
import xlsxwriter
import xlwings
from engines import NEEDS_LO, is_error, normalise
from test_udf_twins import (
    CASES,
    CATALOG,
    COLS,
    EN,
    PLAN_NAMES,
    START,
    WORDS,
    FormulasEvaluator,
    _put,
    agrees,
    call_text,
    check_variety,
)
from xlsxwriter.utility import xl_col_to_name

from xlmplan.addin import formulas_udfs, udfs
from xlmplan.addin.udf_wrapper import pywin32_stand_ins
from xlmplan.api import PlanResult
from xlmplan.core.udf_twins import OMITTED, UDFS, UdfContext, rewrite_udfs, udf
from xlmplan.libreoffice import runner
from xlmplan.refresh import refresh_plan

ARRAY = udfs.ARRAY_UDFS


@pytest.fixture
def use_plan(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], UdfContext]:
    """``use_plan(lang)``: UDFs called without a workbook read the test plan's names, with
    the test's words in ``lang``; returns that context."""
    contexts = {lang: UdfContext(words, CATALOG, PLAN_NAMES) for lang, words in WORDS.items()}
    current = {"ctx": contexts["en"]}
    monkeypatch.setattr(udfs, "context_builder", lambda caller: current["ctx"])

    def use(lang: str) -> UdfContext:
        current["ctx"] = contexts[lang]
        return contexts[lang]

    return use


# --- (a) xlwings' UDF machinery ------------------------------------------------------------


@pytest.fixture
def real_xlwings_decorators(monkeypatch: pytest.MonkeyPatch) -> Iterator[types.ModuleType]:
    """``xlwings.udfs`` imported with pywin32 stubbed, its decorators in place of the Linux
    no-ops, and ``xlmplan.addin.udfs`` re-decorated by them; everything restored after."""
    had_udfs = "xlwings.udfs" in sys.modules
    try:
        with pywin32_stand_ins():
            real = importlib.import_module("xlwings.udfs")
            monkeypatch.setattr(xlwings, "func", real.xlfunc)
            monkeypatch.setattr(xlwings, "arg", real.xlarg)
            importlib.reload(udfs)
            yield real
    finally:
        if not had_udfs:
            sys.modules.pop("xlwings.udfs", None)
            if hasattr(xlwings, "udfs"):
                delattr(xlwings, "udfs")  # the package attribute the import set
        monkeypatch.undo()
        importlib.reload(udfs)


def test_xlwings_accepts_every_udf(real_xlwings_decorators: types.ModuleType) -> None:
    real = real_xlwings_decorators
    assert sorted(udfs.FUNCTIONS) == sorted(u.name for u in UDFS)
    for u in UDFS:
        f = getattr(udfs, u.name)
        meta = f.__xlfunc__
        assert meta["name"] == u.name and meta["category"] == "xlmplan" and not meta["sub"]
        assert meta["ret"]["doc"] == u.description == f.__doc__
        assert meta["volatile"] is (u.name in ("XLM_METRIC", "XLM_SMART"))
        args = meta["args"]
        assert [a["name"] for a in args] == [*u.args, "caller"]
        for k, (arg, doc) in enumerate(zip(args, u.arg_docs, strict=False)):
            assert arg["doc"] == doc and arg["options"]["err_to_str"] is True
            assert arg["options"].get("ndim") == (2 if u.name in ARRAY else None)
            assert ("optional" in arg) is (k >= u.required), (u.name, arg)
            if k >= u.required:
                assert arg["optional"] is OMITTED

    out = io.StringIO()
    book = types.SimpleNamespace(Name="xlmplan.xlam")
    real.generate_vba_wrapper("xlmplan.addin.udfs", udfs, out, book)
    vba = out.getvalue()
    for u in UDFS:
        params = [("Optional " if k >= u.required else "") + a for k, a in enumerate(u.args)]
        assert f"Function {u.name}({', '.join(params)})\n" in vba, u.name
        call = f'{u.name} = XLPy.CallUDF("xlmplan.addin.udfs", "{u.name}", Array('
        assert call + ", ".join([*u.args, "Nothing"]) + "), ActiveWorkbook" in vba
    blocks = {b.split("(", 1)[0]: b for b in vba.split("Function XLM_")[1:]}
    assert sorted(blocks) == sorted(u.name[4:] for u in UDFS)
    volatile = {"XLM_" + name for name, block in blocks.items() if "Application.Volatile" in block}
    assert volatile == {"XLM_METRIC", "XLM_SMART"}


def test_the_linux_decorators_leave_plain_functions() -> None:
    """Outside Windows, xlwings' decorators change nothing: the functions run as written."""
    assert not hasattr(udfs.XLM_STATUS, "__xlfunc__")
    assert udfs.XLM_STATUS(0.5, 0.9) == "Red"
    for u in UDFS:
        assert getattr(udfs, u.name).__doc__ == u.description


# --- (b) the workbook context ---------------------------------------------------------------


class FakeRange:
    def __init__(self, rows: list[list[Any]]) -> None:
        self.rows = rows

    def options(self, **options: Any) -> FakeRange:
        assert options.get("ndim") == 2
        return self

    @property
    def value(self) -> list[list[Any]]:
        return self.rows


class FakeName:
    def __init__(self, value: Any) -> None:
        self.value = value

    @property
    def refers_to(self) -> str:
        return f"={self.value}" if not isinstance(self.value, list) else "=Names!$A$1"

    @property
    def refers_to_range(self) -> FakeRange:
        if not isinstance(self.value, list):
            raise RuntimeError("not a range")  # as COM does for a constant name
        return FakeRange(self.value)


class FakeBook:
    """The parts of an xlwings Book the UDFs use: names and the manifest sheet."""

    def __init__(self, names: dict[str, Any], language: str | None = None) -> None:
        self.values = {k.casefold(): v for k, v in names.items()}
        self.reads: Counter[str] = Counter()
        self.language = language
        self.names = self
        self.sheets = self

    def __getitem__(self, key: str) -> Any:
        if key == "_xlmplan":  # book.sheets[...]
            if self.language is None:
                raise RuntimeError("no such sheet")
            rows = [["key", "value"], ["template", "x"], ["language", self.language]]
            return types.SimpleNamespace(used_range=FakeRange(rows))
        if key.casefold() not in self.values:
            raise RuntimeError(f"com_error: no name {key}")
        self.reads[key.casefold()] += 1
        return FakeName(self.values[key.casefold()])

    def caller(self) -> Any:
        return types.SimpleNamespace(sheet=types.SimpleNamespace(book=self))


def _rows(values: list[Any]) -> list[list[Any]]:
    return [[v] for v in values]


def test_names_are_read_from_the_calling_workbook_once_and_only_when_needed() -> None:
    book = FakeBook({"AmberThreshold": [[0.8]], "PlanDays": 100.0, "ElapsedDays": [[10.0]]})
    caller = book.caller()
    assert udfs.XLM_STATUS(0.85, 0.9, caller) == "Red"
    assert not book.reads  # the threshold was given
    assert udfs.XLM_STATUS(_rows([0.85, 0.5, 1.0, None]), caller=caller) == _rows(
        ["Amber", "Red", "Green", ""]
    )
    assert book.reads == {"amberthreshold": 1}  # once for the whole array
    assert udfs.XLM_RUNRATE(_rows([5.0, 7.0]), caller=caller) == _rows([50.0, 70.0])
    assert book.reads["plandays"] == 1 and book.reads["elapseddays"] == 1  # "=100" constant
    assert udfs.XLM_STATUS(0.85, caller=caller) == "Amber"
    assert book.reads["amberthreshold"] == 2  # read again by the next call: never stale


def test_words_come_from_the_plan_language_and_names_from_its_data() -> None:
    names = {k: _rows(v) if isinstance(v, list) else v for k, v in PLAN_NAMES.items()}
    ar_words = udfs.context_from({}, "ar").words
    assert ar_words.status != EN.status and ar_words.lower != EN.lower
    ar = FakeBook(names, "ar").caller()
    assert udfs.XLM_STATUS(_rows([1.2, 0.9, 0.1]), caller=ar) == _rows(list(ar_words.status))
    assert udfs.XLM_ATTAINMENT(50.0, 100.0, ar_words.lower, ar) == 2.0
    assert udfs.XLM_ATTAINMENT(50.0, 100.0, "lower", ar) == 0.5  # not the plan's word
    en = FakeBook(names).caller()  # no manifest: English
    assert udfs.XLM_STATUS(1.2, caller=en) == "Green"
    metric = udf("XLM_METRIC")
    expected = metric.call(UdfContext(EN, CATALOG, PLAN_NAMES), "CTR", "search")
    assert isinstance(expected, float)
    assert udfs.XLM_METRIC("CTR", "search", caller=en) == pytest.approx(expected, rel=1e-12)
    array = udfs.XLM_METRIC([["CTR"], ["ctr"]], "Search", caller=en)
    assert array == [[pytest.approx(expected, rel=1e-12)]] * 2
    everyone = metric.call(UdfContext(ar_words, CATALOG, PLAN_NAMES), "CTR")
    assert udfs.XLM_METRIC("CTR", ar_words.all_channels, caller=ar) == everyone
    assert udfs.XLM_METRIC("CTR", "All", caller=ar) != everyone  # a channel called "All"


def test_a_workbook_without_the_plan_names_gives_name_errors() -> None:
    book = FakeBook({}).caller()
    assert udfs.XLM_STATUS(0.5, caller=book) == "#NAME?"  # as the twin's AmberThreshold
    assert udfs.XLM_STATUS(0.5, 0.4, book) == "Amber"
    assert udfs.XLM_METRIC("CTR", caller=book) == "#NAME?"
    assert udfs.XLM_SMART("Grow revenue from search", "K1", 1, 2, START, "S1", caller=book) == (
        "#NAME?"
    )
    assert udfs.XLM_STATUS(0.5) == "#NAME?"  # no caller at all (called from VBA)


def test_context_from_reads_the_language_pack() -> None:
    ctx = udfs.context_from({"x": 1}, "ar")
    assert ctx.words.status[0] == "أخضر" and ctx.names == {"x": 1}
    assert udfs.context_from({}, "xx").words == udfs.context_from({}, "en").words


# --- (c) broadcasting, blanks and errors ------------------------------------------------


def test_broadcasting_follows_excel(use_plan: Callable[[str], UdfContext]) -> None:
    status = udfs.XLM_STATUS
    assert status([[0.5, 0.95, 1.2]], _rows([0.9, 0.99])) == [
        ["Red", "Amber", "Green"],
        ["Red", "Red", "Green"],
    ]
    assert status(_rows([0.5, 1.0, 0.9]), _rows([0.4, 0.95])) == _rows(["Amber", "Green", "#N/A"])
    assert status([[0.5, 0.9], [1.0, 0.2]], 0.3) == [["Amber", "Amber"], ["Green", "Red"]]
    assert status(np.array([[0.5], [np.nan]]), np.float64(0.4)) == _rows(["Amber", ""])
    assert status([0.5, 1.0]) == _rows(["Red", "Green"])  # a flat list is a column
    assert status(0.5) == "Red" and status([[0.5]]) == [["Red"]]
    assert status(np.array(0.5), np.array(0.4)) == "Amber"
    assert status((0.9, None)) == _rows(["Amber", ""])


def test_errors_blanks_and_mistakes(use_plan: Callable[[str], UdfContext]) -> None:
    assert udfs.XLM_STATUS("#DIV/0!") == "#DIV/0!"  # an error argument is the result
    assert udfs.XLM_ATTAINMENT(_rows([1.0, "#N/A"]), 2.0) == _rows([0.5, "#N/A"])
    assert udfs.XLM_STATUS(0.5, "n/a") == "#VALUE!"  # text for the threshold, as the twin
    assert udfs.XLM_RUNRATE(_rows([5.0, 6.0]), True, "x", 10) == _rows(["#VALUE!"] * 2)
    assert udfs.XLM_ATTAINMENT(5.0, 0.0) == ""  # blank where the twin gives ""
    assert udfs.XLM_ATTAINMENT(None, 2.0) == ""
    smart = udfs.XLM_SMART([["Grow revenue from search ads"], ["x"]], "K1", 1, 2, START, "S1")
    assert smart == "#VALUE!"  # one objective row, not a range
    one_cell = udfs.XLM_SMART([["Grow revenue from search ads"]], [["K1"]], 1, 2, START, "S1")
    assert one_cell == udfs.XLM_SMART("Grow revenue from search ads", "K1", 1, 2, START, "S1")
    assert isinstance(one_cell, int)
    assert udfs.evaluate("xlm_status", use_plan("en"), 1.0) == "Green"


# --- (d) agreement on the random cases -------------------------------------------------------


def _array_call(name: str, cases: list[tuple[Any, ...]]) -> list[Any]:
    """One call of the UDF over columns of the cases (OMITTED cells take defaults)."""
    columns = [_rows([case[k] for case in cases]) for k in range(len(cases[0]))]
    result = getattr(udfs, name)(*columns)
    assert len(result) == len(cases) and all(len(row) == 1 for row in result)
    return [row[0] for row in result]


def _single_call(name: str, case: tuple[Any, ...]) -> Any:
    given = list(case)
    while given and given[-1] is OMITTED:
        given.pop()  # trailing arguments left out, as Excel passes them
    return getattr(udfs, name)(*given)


def _draw(name: str, lang: str, n: int, seed: int) -> list[tuple[Any, ...]]:
    rng = np.random.default_rng([seed, list(CASES).index(name), int(lang == "ar")])
    return [CASES[name](rng, WORDS[lang]) for _ in range(n)]


def _udf_results(name: str, cases: list[tuple[Any, ...]], ctx: UdfContext) -> list[Any]:
    """The add-in's results: one array call (XLM_SMART: single calls), checked against the
    single calls and the registry's Python."""
    singles = [_single_call(name, case) for case in cases]
    results = _array_call(name, cases) if name in ARRAY else singles
    u = udf(name)
    problems = []
    for case, got, single in zip(cases, results, singles, strict=True):
        python = u.call(ctx, *case)
        expected = "" if python is None else python
        if not (agrees(expected, got) and agrees(expected, single)):
            problems.append(f"{name}{case}: python {python!r}, array {got!r}, single {single!r}")
    assert not problems, f"{len(problems)} differ:\n" + "\n".join(problems[:15])
    return results


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("name", list(CASES))
def test_array_and_single_calls_equal_the_twin_in_formulas(
    use_plan: Callable[[str], UdfContext], name: str, lang: str
) -> None:
    ctx = use_plan(lang)
    cases = _draw(name, lang, 120, seed=31)
    results = _udf_results(name, cases, ctx)
    check_variety(name, [None if r == "" else r for r in results])
    evaluator = FormulasEvaluator(PLAN_NAMES)
    refs = [f"{c}1" for c in COLS]
    problems = []
    for case, got in zip(cases, results, strict=True):
        formula, n = rewrite_udfs(call_text(name, case, refs), ctx.words, CATALOG)
        assert n == 1
        cells = {ref: v for ref, v in zip(refs, case, strict=False) if v is not OMITTED}
        twin = evaluator(formula, cells)
        if is_error(twin) or not agrees(twin, got):
            problems.append(f"{name}{case}: udf {got!r} vs twin in formulas {twin!r}")
    assert not problems, f"{len(problems)} of {len(cases)} differ:\n" + "\n".join(problems[:15])


def _write_names(wb: Any) -> None:
    """Every test plan name on one sheet, a column each."""
    sheet = wb.add_worksheet("Names")
    for col, (key, value) in enumerate(PLAN_NAMES.items()):
        letter = xl_col_to_name(col)
        sheet.write_string(0, col, key)
        cells = value if isinstance(value, list) else [value]
        for i, item in enumerate(cells):
            _put(sheet, i + 1, col, item)
        wb.define_name(key, f"=Names!${letter}$2:${letter}${len(cells) + 1}")


@NEEDS_LO
def test_udfs_equal_the_twins_in_libreoffice(
    tmp_path: Path, use_plan: Callable[[str], UdfContext]
) -> None:
    path = tmp_path / "udfs.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    _write_names(wb)
    sheet = wb.add_worksheet("Cases")
    expected: dict[str, Any] = {}
    row = 0
    for lang, n in (("en", 60), ("ar", 20)):
        ctx = use_plan(lang)
        for name in CASES:
            cases = [
                case
                for case in _draw(name, lang, n, seed=41)
                # LibreOffice's TRUE is a number (ISNUMBER(TRUE) is TRUE), unlike Excel's
                if name == "XLM_RUNRATE" or not any(isinstance(v, bool) for v in case)
            ]
            for case, value in zip(cases, _udf_results(name, cases, ctx), strict=True):
                refs = [f"{c}{row + 1}" for c in COLS]
                for k, item in enumerate(case):
                    _put(sheet, row, k, item)
                formula, _ = rewrite_udfs(call_text(name, case, refs), ctx.words, CATALOG)
                sheet.write_formula(row, 9, formula)
                expected[f"J{row + 1}"] = value
                row += 1
    wb.close()
    got = {ref: v for ref, v in runner.recalculate(path).values["Cases"].items() if ref[0] == "J"}
    assert set(got) == set(expected)
    problems = [
        f"{ref}: udf {value!r} vs libreoffice {got[ref]!r}"
        for ref, value in expected.items()
        if is_error(got[ref]) or not agrees(normalise(got[ref]), value)
    ]
    assert not problems, f"{len(problems)} of {len(expected)} differ:\n" + "\n".join(problems[:20])
    assert len(expected) > 400


def test_metric_arrays_over_a_plans_data(example_plan: PlanResult) -> None:
    """The array path (date-sorted Data columns) equals the registry's row scan."""
    ctx = formulas_udfs.workbook_context(example_plan.path)
    channels = sorted({c for (c,) in ctx.names["d_channel"] if c})
    assert len(channels) >= 4 and len(ctx.names["d_date"]) > 1000
    rng = np.random.default_rng(5)
    labels = [m.label for m in ctx.catalog] + [m.key.upper() for m in ctx.catalog] + ["Nope"]
    start = normalise(ctx.names["PlanStart"])
    assert isinstance(start, float)
    days: list[Any] = [OMITTED, None, *(start + float(d) for d in rng.integers(-20, 380, 30))]
    pick = [c.upper() for c in channels[:2]] + [OMITTED, "All", "", None, "Nowhere"]
    cases = [
        (
            str(rng.choice(labels)),
            pick[int(rng.integers(len(pick)))] if rng.random() < 0.4 else str(rng.choice(channels)),
            days[int(rng.integers(len(days)))],
            days[int(rng.integers(len(days)))],
        )
        for _ in range(150)
    ]
    got = udfs.evaluate("XLM_METRIC", ctx, *[_rows([c[k] for c in cases]) for k in range(4)])
    u = udf("XLM_METRIC")
    problems = []
    for case, (value,) in zip(cases, got, strict=True):
        python = u.call(ctx, *case)
        if not agrees("" if python is None else python, value):
            problems.append(f"{case}: python {python!r} vs array {value!r}")
    assert not problems, "\n".join(problems[:10])
    numbers = [v for (v,) in got if isinstance(v, float)]
    assert len(numbers) > 60 and len({round(v, 6) for v in numbers}) > 40


# --- (e) a plan with typed UDF calls, recalculated by `formulas` --------------------------


def _typed_calls(ctx: UdfContext) -> list[tuple[str, tuple[Any, ...], str]]:
    """(UDF, argument values, spelling) over the plan's own ids, channels and dates."""
    rng = np.random.default_rng(9)
    start = normalise(ctx.names["PlanStart"])
    assert isinstance(start, float)
    kpis = [k for (k,) in ctx.names["k_id"] if k]
    swot = [s for (s,) in ctx.names["s_id"] if s]
    objectives = [o for (o,) in ctx.names["o_id"] if o]
    channels = sorted({c for (c,) in ctx.names["d_channel"] if c})
    spellings = ["_xludf.", "", "_xll.", "_XLUDF.", "_xludf."]
    calls: list[tuple[str, tuple[Any, ...]]] = []
    for _ in range(6):
        att = float(rng.uniform(0.5, 1.3))
        calls.append(("XLM_STATUS", (att,)))
        calls.append(("XLM_STATUS", (att, float(rng.uniform(0.6, 1.0)))))
        actual, target = float(rng.uniform(0, 500)), float(rng.uniform(1, 500))
        calls.append(("XLM_ATTAINMENT", (actual, target, str(rng.choice(["lower", "higher"])))))
        calls.append(("XLM_ATTAINMENT", (actual, target)))
        calls.append(("XLM_RUNRATE", (actual,)))
        calls.append(("XLM_RUNRATE", (actual, OMITTED, float(rng.integers(30, 365)))))
        calls.append(("XLM_RUNRATE", (actual, False, 365.0, 100.0)))
        calls.append(("XLM_PROJECTION", (actual, float(rng.uniform(0.5, 1.5)), "lower")))
        metric = str(rng.choice([m.label for m in ctx.catalog]))
        day = start + float(rng.integers(0, 200))
        calls.append(("XLM_METRIC", (metric, str(rng.choice(channels)), day, day + 90)))
        calls.append(("XLM_METRIC", (metric,)))
        calls.append(("XLM_METRIC", (metric, "All", OMITTED, day)))
        baseline = float(rng.uniform(10, 1000))
        smart = (
            str(rng.choice(["Grow revenue from paid search", "Grow sales", ""])),
            str(rng.choice([*kpis, "K99"])),
            baseline,
            baseline * float(rng.uniform(0.3, 2.5)),
            start + float(rng.integers(-30, 400)),
            str(rng.choice([*swot, "X9"])),
            "",
            str(rng.choice(objectives)),
        )
        calls.append(("XLM_SMART", smart))
    return [(name, values, spellings[k % 5]) for k, (name, values) in enumerate(calls)]


def test_typed_udfs_recalculate_with_formulas(example_plan: PlanResult, tmp_path: Path) -> None:
    path = tmp_path / "typed.xlsx"
    shutil.copyfile(example_plan.path, path)
    ctx = formulas_udfs.workbook_context(path)
    calls = _typed_calls(ctx)
    wb = openpyxl.load_workbook(path)
    sheet = wb.create_sheet("Mine")
    outputs, expected = [], {}
    for r, (name, values, spelling) in enumerate(calls, start=1):
        refs = [f"{c}{r}" for c in COLS]
        for ref, value in zip(refs, values, strict=False):
            if value is not OMITTED:
                sheet[ref] = value
        typed = call_text(name, values, refs).replace(name, spelling + name, 1)
        sheet[f"J{r}"] = typed
        sheet[f"K{r}"], _ = rewrite_udfs(typed, ctx.words, ctx.catalog)
        outputs += [f"'[typed.xlsx]MINE'!J{r}", f"'[typed.xlsx]MINE'!K{r}"]
        python = udf(name).call(ctx, *values)
        expected[r] = "" if python is None else python
    wb.save(path)
    refresh_plan(path, backup=False)  # the caches openpyxl dropped, as Excel would keep them

    solution = formulas_udfs.calculate(path, outputs=outputs)
    problems = []
    for r, (name, values, spelling) in enumerate(calls, start=1):
        got = normalise(solution[f"'[typed.xlsx]MINE'!J{r}"].value[0, 0])
        twin = normalise(solution[f"'[typed.xlsx]MINE'!K{r}"].value[0, 0])
        ok = not is_error(got) and agrees(twin, got) and agrees(expected[r], got)
        if not ok:
            problems.append(f"row {r} {spelling}{name}{values}: {got!r}, twin {twin!r}")
    assert not problems, "\n".join(problems)
    kinds = {type(v) for v in expected.values()}
    assert {str, float, int} <= kinds, kinds


def test_registration_reads_empty_arguments_and_is_undone() -> None:
    import formulas
    from formulas.tokens.operand import Empty

    table = formulas.get_functions()
    before = Empty.compile
    ctx = UdfContext(EN, CATALOG, {"PlanDays": 100.0, "ElapsedDays": 10.0, "AmberThreshold": 0.8})

    def run(text: str) -> Any:
        return normalise(np.asarray(formulas.Parser().ast(text)[1].compile()()).ravel()[0])

    with formulas_udfs.registered(ctx):
        assert run("=XLM_RUNRATE(5,,200)") == 100.0  # additive: omitted, TRUE
        assert run("=XLM_RUNRATE(5,0,200)") == 5.0  # additive: 0 is FALSE
        assert run("=_xludf.XLM_STATUS(0.85)") == "Amber"
        assert run("=_XLL.xlm_status(0.85,)") == "Amber"
        assert run("=IF(FALSE,,1)+SUM(1,,2)") == 4.0  # built-ins still read 0
        assert run("=XLM_STATUS(NA())") == "#N/A"  # errors in, errors out
        assert run('=XLM_STATUS(0.5,"x")') == "#VALUE!"
    assert "XLM_STATUS" not in table and "_XLUDF.XLM_STATUS" not in table
    assert Empty.compile is before
    assert run("=SUM(1,,2)") == 3.0


def test_a_workbook_that_is_not_a_plan_has_no_names(tmp_path: Path) -> None:
    path = tmp_path / "other.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "=_xludf.XLM_STATUS(0.5,0.4)"
    wb.save(path)
    ctx = formulas_udfs.workbook_context(path)
    assert ctx.words == EN and not ctx.names
    value = formulas_udfs.calculate(path)["'[other.xlsx]SHEET'!A1"].value[0, 0]
    assert value == "Amber"
