"""The add-in's UDFs and their native twins: the rewriter, and agreement in two engines.

(a) ``rewrite_udfs`` on hand-written formulas: nesting, literals, quotes, prefixes, omitted
arguments, letter case, false positives and refusals. (b) For every UDF, random inputs
(blanks, zeros, negatives, text, both directions, English and Arabic words): the Python
implementation equals the twin evaluated by the `formulas` package. (c) One workbook of
twins over random inputs and a small Data table, recalculated by LibreOffice once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import xlsxwriter
from engines import NEEDS_LO, is_error, normalise

from xlmplan.core import rules
from xlmplan.core.catalog import Catalog, Metric, load_catalog
from xlmplan.core.data import MEASURES
from xlmplan.core.engine import Words
from xlmplan.core.template import BUNDLED
from xlmplan.core.udf_twins import (
    OMITTED,
    REGISTRY,
    UDFS,
    UdfContext,
    UdfError,
    rewrite_udfs,
    smart_flags_py,
    smart_flags_xl,
    udf,
    uses_udf,
)
from xlmplan.libreoffice import runner

CATALOG = load_catalog(BUNDLED / "metrics.toml")
EN = Words()
AR = Words(
    all_channels="الكل",
    higher="أعلى",
    lower="أقل",
    status=("أخضر", "كهرماني", "أحمر"),
    scenarios=("متفائل", "واقعي", "متشائم"),
    qualitative="نوعي",
    primary="أساسي",
)
WORDS = {"en": EN, "ar": AR}
COLS = "ABCDEFGH"


def rw(formula: str, words: Words = EN, catalog: Catalog = CATALOG) -> tuple[str, int]:
    return rewrite_udfs(formula, words, catalog)


def status_of(att: str, amber: str = "AmberThreshold", words: Words = EN) -> str:
    return rules.status_xl(att, amber, words.status)


# --- (a) the rewriter --------------------------------------------------------------------------


def test_registry_names_are_python_identifiers_with_defaults() -> None:
    assert [u.name for u in UDFS] == [
        "XLM_STATUS",
        "XLM_ATTAINMENT",
        "XLM_RUNRATE",
        "XLM_PROJECTION",
        "XLM_METRIC",
        "XLM_SMART",
    ]
    for u in UDFS:
        assert u.name.isidentifier() and u.name.isupper() and REGISTRY[u.name] is u
        assert all(a.isidentifier() for a in u.args)
        assert len(u.defaults) == u.optional and len(u.arg_docs) == len(u.args)
        assert 0 < len(u.description) <= 255 and "\n" not in u.description
    assert udf("xlm_status") is REGISTRY["XLM_STATUS"]
    with pytest.raises(UdfError, match="not an xlmplan function"):
        udf("SUM")


def test_simple_call() -> None:
    assert rw("=XLM_STATUS(A1)") == ("=" + status_of("A1"), 1)
    assert rw("XLM_STATUS(A1)") == (status_of("A1"), 1)  # without "="


@pytest.mark.parametrize(
    "call",
    [
        "xlm_status(A1)",
        "Xlm_Status(A1)",
        "_xll.XLM_STATUS(A1)",
        "_XLUDF.xlm_status(A1)",
        "xlmplan.xlam!XLM_STATUS(A1)",
        "'C:\\Users\\me\\AppData\\xlmplan.xlam'!XLM_STATUS(A1)",
        "'C:\\Users\\O''Brien\\xlmplan.xlam'!_xll.XLM_STATUS(A1)",
        "[1]!XLM_STATUS(A1)",
        "@XLM_STATUS(A1)",
        "@xlmplan.xlam!XLM_STATUS(A1)",
        "XLM_STATUS( A1 )",
        "XLM_STATUS(A1,)",
        "XLM_STATUS(A1, )",
    ],
)
def test_prefixes_case_and_spacing(call: str) -> None:
    assert rw(f"=10*LEN({call})+1") == (f"=10*LEN({status_of('A1')})+1", 1)
    assert uses_udf(f"={call}")


@pytest.mark.parametrize(
    "formula",
    [
        "=MYXLM_STATUS(A1)",
        "=XLM_STATUSX(A1)",
        "=XLM_STATUS",
        "=XLM_STATUS+1",
        "=Sheet1!XLM_STATUS_A1",
        "=XLM.STATUS(A1)",
        "=xlmplan.XLM_STATUS(A1)",
        '="XLM_STATUS(A1)"',
        '="say ""XLM_STATUS(A1)"" now"',
        "='XLM_STATUS(odd)'!A1",
        "=tblPlan[XLM_STATUS(]",
        "=SUM(A1:B2)",
        "",
    ],
)
def test_no_false_positives(formula: str) -> None:
    assert rw(formula) == (formula, 0)
    assert not uses_udf(formula)


def test_formulas_without_udfs_are_returned_as_they_are() -> None:
    for formula in ('="unclosed', "=SUM((A1)", "=[1"):
        assert rw(formula) == (formula, 0)


def test_uses_udf_never_raises() -> None:
    assert not uses_udf('="unclosed XLM_STATUS(A1)')
    assert uses_udf("=XLM_STATUS(A1")  # a call, although malformed
    assert not uses_udf("=[1")


def test_string_literals_stay_and_arguments_split_at_top_level_commas() -> None:
    out, n = rw('=XLM_STATUS(A1)&"XLM_STATUS(, ""B1"")"')
    assert (out, n) == ("=" + status_of("A1") + '&"XLM_STATUS(, ""B1"")"', 1)
    direction = '"lo""wer,)"'
    out, n = rw(f"=XLM_ATTAINMENT(A1,B1,{direction})")
    assert out == "=" + rules.attainment_xl("A1", "B1", direction, "lower") and n == 1


def test_quoted_sheet_names_and_array_constants() -> None:
    a, b = "'My, (odd) sheet'!$A$1", "'It''s'!B2:B4"
    assert rw(f"=XLM_ATTAINMENT({a},{b})")[0] == "=" + rules.attainment_xl(a, b, '""', "lower")
    out = rw("=XLM_PROJECTION(A1,{1,2;3,4})")[0]
    assert out == "=" + rules.scenario_projection_xl("A1", "{1,2;3,4}", '""', "lower")


def test_nested_calls_are_rewritten_first() -> None:
    out, n = rw("=XLM_STATUS(XLM_ATTAINMENT(A1,B1,C1),0.8)")
    assert n == 2
    assert out == "=" + status_of(rules.attainment_xl("A1", "B1", "C1", "lower"), "0.8")
    out, n = rw('=IF(XLM_STATUS(A1)="Red",XLM_RUNRATE(B1),SUM(XLM_ATTAINMENT(C1,D1),1))')
    assert n == 3 and not uses_udf(out)
    out, n = rw('=XLM_STATUS(XLM_ATTAINMENT(XLM_METRIC("CTR"),XLM_METRIC("Spend",B1)))')
    assert n == 4 and "XLM_" not in out


def test_omitted_optional_arguments_take_defaults() -> None:
    runrate = rules.run_rate_xl
    assert rw("=XLM_RUNRATE(A1)")[0] == "=" + runrate("A1", "TRUE", "PlanDays", "ElapsedDays")
    assert rw("=XLM_RUNRATE(A1,,100)")[0] == "=" + runrate("A1", "TRUE", "100", "ElapsedDays")
    assert rw("=XLM_RUNRATE(A1,FALSE,,)")[0] == "=" + runrate(
        "A1", "FALSE", "PlanDays", "ElapsedDays"
    )
    assert rw("=XLM_ATTAINMENT(A1,B1)")[0] == "=" + rules.attainment_xl("A1", "B1", '""', "lower")
    smart = rw("=XLM_SMART(G5,H5,I5,J5,K5,L5)")[0]
    assert smart == rw('=XLM_SMART(G5,H5,I5,J5,K5,L5,"","")')[0]
    assert "ISNUMBER(PlanStart)" in rw('=XLM_METRIC("CTR")')[0]


def test_arguments_are_bracketed_unless_atomic() -> None:
    out = rw("=XLM_STATUS(A1+B1,0.5+0.1)")[0]
    assert out == "=" + status_of("(A1+B1)", "(0.5+0.1)")
    out = rw("=XLM_STATUS(-A1,B1%)")[0]
    assert out == "=" + status_of("(-A1)", "(B1%)")  # cautious: only plain numbers skip it
    assert rw("=XLM_STATUS(A1,50%)")[0] == "=" + status_of("A1", "50%")
    for atomic in ("SUM(A1:A3)", "(A1+B1)", "'S 1'!$A$1", '"x"', "1.5E-3", "TRUE", "Sheet1!A1:B2"):
        assert rw(f"=XLM_STATUS({atomic})")[0] == "=" + status_of(atomic), atomic
    assert rw("=XLM_STATUS((A1)+(B1))")[0] == "=" + status_of("((A1)+(B1))")
    # a twin that is not one function call is bracketed where it stands
    smart = rw("=1+XLM_SMART(G5,H5,I5,J5,K5,L5)*2")[0]
    assert smart.startswith("=1+(IF(") and smart.endswith("))*2")


def test_metric_twin_forms() -> None:
    literal = rw('=XLM_METRIC("ctr",B1,C1,D1)')[0]
    row = '((d_channel=B1)+(B1="All")+(B1="")>0)*ISNUMBER(d_date)*(d_date>=C1)*(d_date<=D1)'
    assert "CHOOSE" not in literal and f"SUMPRODUCT({row},d_clicks)" in literal
    assert "d_conversions" not in literal and "SUMIFS" not in literal and "IF(OR(" not in literal
    everyone = rw('=XLM_METRIC("CTR","ALL",C1,D1)')[0]
    assert "d_channel" not in everyone and "SUMIFS(d_clicks,d_date" in everyone
    assert "d_channel" not in rw('=XLM_METRIC("CTR","",C1,D1)')[0]
    one = rw('=XLM_METRIC("CTR","Search",C1,D1)')[0]
    assert 'SUMPRODUCT((d_channel="Search")*ISNUMBER(d_date)' in one and "OR(" not in one
    # a literal channel is compared with "=", as its own text: no escapes, no criterion
    assert '(d_channel="Paid*")*' in rw('=XLM_METRIC("CTR","Paid*",C1,D1)')[0]
    assert rw('=XLM_METRIC("Nope",B1)')[0] == '=""'
    assert rw('=XLM_METRIC(" CTR",B1)')[0] == '=""'  # no trimming, as in the cell-reference form
    chosen = rw("=XLM_METRIC(A1,B1,C1,D1)")[0]
    assert "CHOOSE(INT((MATCH(A1,{" in chosen and "lst_metrics" not in chosen
    assert chosen.count("IFERROR(CHOOSE(") == 1  # one expression for every channel and one
    ar = rw("=XLM_METRIC(A1,B1,C1,D1)", AR)[0]
    assert '(B1="الكل")' in ar


def test_words_come_from_the_plan() -> None:
    out = rw("=XLM_STATUS(XLM_ATTAINMENT(A1,B1,C1))", AR)[0]
    assert all(word in out for word in AR.status) and '"أقل"' in out
    smart = rw("=XLM_SMART(G5,H5,I5,J5,K5,L5,E5,C5)", AR)[0]
    assert '"نوعي"' in smart and '"أساسي"' in smart and '"أقل"' in smart


def test_counts_every_call() -> None:
    out, n = rw("=XLM_STATUS(A1)&XLM_STATUS(XLM_ATTAINMENT(A2,B2))&xlm_runrate(A3)")
    assert n == 4 and not uses_udf(out)


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("=XLM_STATUS()", "takes 1 to 2 arguments, not 0"),
        ("=XLM_STATUS(A1,B1,C1)", "takes 1 to 2 arguments, not 3"),
        ("=XLM_ATTAINMENT(,B1)", "argument actual is required"),
        ("=XLM_ATTAINMENT(A1)", "takes 2 to 3 arguments, not 1"),
        ("=XLM_STATUS(A1", "unbalanced parentheses"),
        ("=XLM_STATUS(SUM(A1)", "unbalanced parentheses"),
        ("=XLM_STATUS(A1}", "unbalanced parentheses"),
        ('=XLM_STATUS("A1)', "unclosed text quote"),
        ("=XLM_STATUS('A1)", "unclosed sheet name quote"),
        ("=XLM_STATUS(XLM_METRIC(A1,B1,C1,D1))", "over Excel's 8,192"),
        ("=XLM_STATUS(" + "IF(1," * 63 + "A1" + ")" * 63 + ")", "nests 66 functions"),
    ],
)
def test_refusals_raise_one_clear_error(formula: str, message: str) -> None:
    with pytest.raises(UdfError, match=message.replace("(", r"\(").replace(")", r"\)")):
        rw(formula)


def test_metric_with_more_metrics_than_choose_takes_is_refused() -> None:
    big = Catalog(tuple(Metric(f"m{i}", f"M{i}", "clicks") for i in range(255)))
    with pytest.raises(UdfError, match="more than CHOOSE takes"):
        rw("=XLM_METRIC(A1)", catalog=big)
    assert rw('=XLM_METRIC("M7",B1,C1,D1)', catalog=big)[1] == 1


def test_call_fills_omitted_arguments_from_the_plan_names() -> None:
    ctx = UdfContext(EN, CATALOG, {"AmberThreshold": 0.8, "PlanDays": 100, "ElapsedDays": 10})
    assert udf("XLM_STATUS").call(ctx, 0.85) == "Amber"
    assert udf("XLM_STATUS").call(ctx, 0.85, 0.9) == "Red"
    assert udf("XLM_RUNRATE").call(ctx, 5.0) == 50.0
    assert udf("XLM_RUNRATE").call(ctx, 5.0, OMITTED, 200) == 100.0
    assert udf("XLM_RUNRATE").call(ctx, 5.0, False) == 5.0
    with pytest.raises(UdfError, match="no defined name PlanStart"):
        udf("XLM_METRIC").call(ctx, "CTR")
    with pytest.raises(UdfError, match="takes 1 to 2 arguments"):
        udf("XLM_STATUS").call(ctx)


# --- random cases shared by the two engines ------------------------------------------------

START = 46023.0  # 2026-01-01
END = START + 180
Option = Any  # a value, or a callable drawing one from the generator


def _pick(rng: np.random.Generator, options: list[Option]) -> Any:
    choice = options[int(rng.integers(len(options)))]
    return choice(rng) if callable(choice) else choice


def _u(lo: float, hi: float) -> Callable[[np.random.Generator], float]:
    return lambda rng: float(rng.uniform(lo, hi))


def _i(lo: int, hi: int) -> Callable[[np.random.Generator], float]:
    return lambda rng: float(rng.integers(lo, hi))


NUMBERS: list[Option] = [None, 0.0, 1.0, _u(-100, 0), _u(0, 2), _u(0, 2), _i(1, 1000)]
NUMBERS += [_u(0, 1e6), "n/a"]


def data_names(seed: int = 7, n: int = 90) -> dict[str, list[Any]]:
    """A small Data table as the plan's d_* names see it: dates, channels and measures, with
    blanks, text, zero-conversion and zero-click channels."""
    rng = np.random.default_rng(seed)
    names: dict[str, list[Any]] = {
        "d_date": [START + float(d) for d in rng.integers(-10, 130, n)],
        "d_channel": [str(c) for c in rng.choice(["Search", "Social", "Email", "Display"], n)],
    }
    for m in MEASURES:
        names[f"d_{m}"] = [float(v) for v in rng.integers(0, 400, n)]
    for m in ("revenue", "spend"):
        names[f"d_{m}"] = [round(float(v), 2) for v in rng.gamma(2.0, 150.0, n)]
    for i, channel in enumerate(names["d_channel"]):
        if channel == "Email":
            names["d_conversions"][i] = names["d_new_customers"][i] = 0.0
        if channel == "Display":
            names["d_clicks"][i] = names["d_sessions"][i] = 0.0
    names["d_date"][3] = None
    names["d_clicks"][5] = None
    names["d_impressions"][6] = "n/a"
    return names


PLAN_NAMES: dict[str, Any] = {
    **data_names(),
    "PlanStart": START,
    "PlanEnd": END,
    "AsOf": START + 77,
    "AmberThreshold": 0.85,
    "PlanDays": 181.0,
    "ElapsedDays": 78.0,
    "MaxGrowthUp": 1.0,
    "MaxGrowthDown": 0.5,
    "k_id": ["K1", "K2", "K3", "K4", None],
    "k_metric": ["CTR", "Spend", "Bogus", "cpa", None],
    "k_dir": ["higher", "lower", "أقل", "Lower", None],
    "fc_best": [1.5, "", 0.5, 0.8, ""],  # formula cells: "" where a KPI has no forecast
    "lst_metrics": [m.label for m in CATALOG],
    "s_id": ["S1", "S2", "W1", "O3", None],
    "o_id": ["O1", "O2", "O3", "O4"],
    "o_level": ["Primary", "Secondary", "primary", "أساسي"],
}


def directions(w: Words) -> list[Option]:
    return [OMITTED, w.lower, w.lower.upper(), w.higher, "", None, "lower", "x", 1.0]


def status_case(rng: np.random.Generator, w: Words) -> tuple[Any, ...]:
    att = _pick(rng, [None, 0.0, 1.0, 0.85, 0.9, -0.3, _u(0, 2), _u(0.7, 1.1), "n/a", True])
    return att, _pick(rng, [OMITTED, None, 0.9, 0.75, _u(0, 1)])


def attainment_case(rng: np.random.Generator, w: Words) -> tuple[Any, ...]:
    return _pick(rng, NUMBERS), _pick(rng, NUMBERS), _pick(rng, directions(w))


def runrate_case(rng: np.random.Generator, w: Words) -> tuple[Any, ...]:
    return (
        _pick(rng, NUMBERS),
        _pick(rng, [OMITTED, True, False, 1.0, 0.0, None]),
        _pick(rng, [OMITTED, None, 0.0, 90.0, 365.0, _i(1, 400)]),
        _pick(rng, [OMITTED, None, 0.0, -3.0, _i(1, 365)]),
    )


def projection_case(rng: np.random.Generator, w: Words) -> tuple[Any, ...]:
    multiplier = [None, 0.0, 1.0, 1.2, 0.8, -1.5, _u(0, 3), "n/a"]
    return _pick(rng, NUMBERS), _pick(rng, multiplier), _pick(rng, directions(w))


def _metric_names() -> list[Option]:
    names: list[Option] = [m.label for m in CATALOG] + [m.key for m in CATALOG]
    return names + [lambda rng: str(_pick(rng, names)).upper(), " ctr ", "new  CUSTOMERS", "Nope"]


def _channels(w: Words) -> list[Option]:
    every = [OMITTED, w.all_channels, w.all_channels.upper(), "", None]
    return every + ["Search", "search", "SOCIAL", "Email", "Display", "Nope"]


def metric_case(rng: np.random.Generator, w: Words) -> tuple[Any, ...]:
    day: list[Option] = [_i(int(START) - 5, int(END)), _i(int(START) - 5, int(END))]
    return (
        _pick(rng, [*_metric_names(), None, "", 5.0]),
        _pick(rng, _channels(w)),
        _pick(rng, [OMITTED, None, *day]),
        _pick(rng, [OMITTED, None, *day]),
    )


def smart_case(rng: np.random.Generator, w: Words) -> tuple[Any, ...]:
    baseline = _pick(rng, [None, 0.0, _u(1, 1000), _u(1, 1000), _u(-100, 0), "n/a"])
    growth = _pick(rng, [-0.6, -0.5, -0.2, 0.0, 0.5, 1.0, 1.5, _u(-1, 2)])
    target = (
        baseline * (1 + growth)
        if isinstance(baseline, float) and rng.random() < 0.7
        else _pick(rng, NUMBERS)
    )
    objective = [
        "Grow revenue from search ads",
        "Grow  revenue   from search",
        "  three short words ",
        "",
        None,
        12345.0,
    ]
    kinds = [OMITTED, w.qualitative, w.qualitative.upper(), "Quantitative", "", None]
    return (
        _pick(rng, objective),
        _pick(rng, ["K1", "k2", "K3", "K4", "K9", "", None]),
        baseline,
        target,
        _pick(rng, [None, START - 1, START, _i(int(START), int(END)), END, END + 1, "2026-03-01"]),
        _pick(rng, ["S1", "s2, W1", "S1,X9", "", None, "S 1", "W1 ,  S3", "X1"]),
        _pick(rng, kinds),
        _pick(rng, [OMITTED, "O1", "o2", "O3", "O4", "O9", "", None]),
    )


CASES: dict[str, Callable[[np.random.Generator, Words], tuple[Any, ...]]] = {
    "XLM_STATUS": status_case,
    "XLM_ATTAINMENT": attainment_case,
    "XLM_RUNRATE": runrate_case,
    "XLM_PROJECTION": projection_case,
    "XLM_METRIC": metric_case,
    "XLM_SMART": smart_case,
}


def call_text(name: str, values: tuple[Any, ...], refs: list[str], literal: int = -1) -> str:
    """``=NAME(A1,,C1)``: a reference per given argument, nothing for an omitted one;
    argument ``literal`` is written as a text constant instead."""
    texts = []
    for k, value in enumerate(values):
        if value is OMITTED:
            texts.append("")
        elif k == literal:
            texts.append('"' + str(value).replace('"', '""') + '"')
        else:
            texts.append(refs[k])
    while texts and texts[-1] == "":
        texts.pop()
    return f"={name}({','.join(texts)})"


def agrees(expected: Any, got: Any) -> bool:
    if expected is None or expected == "":
        return got in (None, "")
    if isinstance(expected, str):
        return got == expected
    numeric = isinstance(got, int | float) and not isinstance(got, bool)
    return numeric and math.isclose(expected, got, rel_tol=1e-9, abs_tol=1e-12)


def check_variety(name: str, expected: list[Any]) -> None:
    """The random cases reach blanks and several distinct results."""
    blanks = sum(1 for e in expected if e is None)
    distinct = {round(e, 6) if isinstance(e, float) else e for e in expected if e is not None}
    assert blanks or name == "XLM_SMART", f"{name}: no blank result among the cases"
    assert len(distinct) >= 3, f"{name}: too few distinct results {distinct}"


# --- (b) agreement with the `formulas` package -----------------------------------------------


class FormulasEvaluator:
    """Compiles each distinct formula once and evaluates it for cell values and plan names."""

    def __init__(self, names: Mapping[str, Any]) -> None:
        import formulas
        from schedula.utils.cst import EMPTY

        self.parser = formulas.Parser
        self.empty = EMPTY
        self.names = {k.upper(): v for k, v in names.items()}
        self.compiled: dict[str, Any] = {}

    def value(self, x: Any) -> Any:
        if isinstance(x, list):
            return np.array([self.value(v) for v in x], dtype=object).reshape(-1, 1)
        return self.empty if x is None else x

    def __call__(self, formula: str, cells: Mapping[str, Any]) -> Any:
        func = self.compiled.get(formula)
        if func is None:
            func = self.compiled[formula] = self.parser().ast(formula)[1].compile()
        args = [self.value(cells[k] if k in cells else self.names[k]) for k in func.inputs]
        result = func(*args)
        if isinstance(result, np.ndarray):
            result = result.ravel()[0]
        return normalise(result)


@pytest.fixture(scope="module")
def evaluator() -> FormulasEvaluator:
    return FormulasEvaluator(PLAN_NAMES)


def run_formulas_cases(
    evaluator: FormulasEvaluator,
    name: str,
    words: Words,
    cases: list[tuple[Any, ...]],
    literal: int,
) -> list[Any]:
    u = udf(name)
    ctx = UdfContext(words, CATALOG, PLAN_NAMES)
    refs = [f"{c}1" for c in COLS]
    problems, expected_all = [], []
    for values in cases:
        if literal >= 0 and not isinstance(values[literal], str):
            continue
        formula, n = rewrite_udfs(call_text(name, values, refs, literal), words, CATALOG)
        assert n == 1
        cells = {ref: v for ref, v in zip(refs, values, strict=False) if v is not OMITTED}
        expected = u.call(ctx, *values)
        got = evaluator(formula, cells)
        expected_all.append(expected)
        if is_error(got) or not agrees(expected, got):
            problems.append(f"{name}{values}: python {expected!r} vs formulas {got!r}")
    assert not problems, f"{len(problems)} of {len(cases)} differ:\n" + "\n".join(problems[:15])
    return expected_all


N_CASES = {"XLM_METRIC": 160, "XLM_SMART": 300}


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("name", list(CASES))
def test_twin_equals_python_in_formulas(evaluator: FormulasEvaluator, name: str, lang: str) -> None:
    words = WORDS[lang]
    rng = np.random.default_rng([11, list(CASES).index(name), int(lang == "ar")])
    cases = [CASES[name](rng, words) for _ in range(N_CASES.get(name, 300))]
    check_variety(name, run_formulas_cases(evaluator, name, words, cases, literal=-1))
    if name == "XLM_SMART":  # every flag is both met and missed among the cases
        ctx = UdfContext(words, CATALOG, PLAN_NAMES)
        filled = [[v if v is not OMITTED else "" for v in values] for values in cases]
        flags = {(i, f) for v in filled for i, f in enumerate(smart_flags_py(ctx, *v))}
        assert flags == {(i, f) for i in range(5) for f in (0, 1)}


def test_metric_with_literal_names_equals_python_in_formulas(evaluator: FormulasEvaluator) -> None:
    rng = np.random.default_rng(12)
    cases = [metric_case(rng, EN) for _ in range(120)]
    cases += [(label, "Email", START, END) for label in ("CPA", "cac", "Conversion rate")]
    expected = run_formulas_cases(evaluator, "XLM_METRIC", EN, cases, literal=0)
    check_variety("XLM_METRIC", expected)
    # and literal channels (each branch chosen when rewriting)
    for channel in ("All", "", "search", "Display", "Nope"):
        values = ("CPC", channel, START, END)
        expected = run_formulas_cases(evaluator, "XLM_METRIC", EN, [values], literal=1)


def test_nested_calls_equal_python_in_formulas(evaluator: FormulasEvaluator) -> None:
    ctx = UdfContext(EN, CATALOG, PLAN_NAMES)
    metric, att, status = udf("XLM_METRIC"), udf("XLM_ATTAINMENT"), udf("XLM_STATUS")
    rng = np.random.default_rng(13)
    problems = []
    for _ in range(40):
        label = str(_pick(rng, ["CTR", "CPC", "Spend", "ROAS"]))
        channel = _pick(rng, ["All", "Search", "Email", "Display"])
        start = float(rng.integers(int(START), int(START) + 60))
        target = _pick(rng, [None, 0.0, _u(0, 3), _u(100, 5000)])
        direction = _pick(rng, ["lower", "higher"])
        formula, n = rw(f'=XLM_STATUS(XLM_ATTAINMENT(XLM_METRIC("{label}",A1,B1,C1),D1,E1),F1)')
        assert n == 3
        expected = status.call(
            ctx, att.call(ctx, metric.call(ctx, label, channel, start, END), target, direction), 0.7
        )
        cells = {"A1": channel, "B1": start, "C1": END, "D1": target, "E1": direction, "F1": 0.7}
        got = evaluator(formula, cells)
        if not agrees(expected, got):
            problems.append(f"{label, channel, start, target, direction}: {expected} vs {got}")
    assert not problems, problems[:10]


# --- (c) LibreOffice: one workbook, one recalculation -------------------------------------------


def _put(ws: Any, row: int, col: int, value: Any) -> None:
    if value is None or value is OMITTED or value == "":
        return  # a blank cell
    if isinstance(value, bool):
        ws.write_boolean(row, col, value)
    elif isinstance(value, str):
        ws.write_string(row, col, value)
    else:
        ws.write_number(row, col, float(value))


def define_plan_names(wb: Any, names: Mapping[str, Any]) -> None:
    """A Data sheet for the d_* names and a Lists sheet for the others, each a defined name."""
    data = wb.add_worksheet("Data")
    columns = [key for key in names if key.startswith("d_")]
    for j, key in enumerate(columns):
        data.write_string(0, j, key)
        for i, value in enumerate(names[key]):
            _put(data, i + 1, j, value)
        letter = chr(ord("A") + j)
        wb.define_name(key, f"=Data!${letter}$2:${letter}${len(names[key]) + 1}")
    lists = wb.add_worksheet("Lists")
    col = 0
    for key, value in names.items():
        if key in columns:
            continue
        letter = chr(ord("A") + col)
        lists.write_string(0, col, key)
        if isinstance(value, list):
            for i, item in enumerate(value):
                _put(lists, i + 1, col, item)
            wb.define_name(key, f"=Lists!${letter}$2:${letter}${len(value) + 1}")
        else:
            _put(lists, 1, col, value)
            wb.define_name(key, f"=Lists!${letter}$2")
        col += 1


def write_lo_workbook(path: Path) -> dict[str, Any]:
    """Data, plan names and rows of (inputs, rewritten UDF call); returns the expected values
    by the formula cell's address."""
    wb = xlsxwriter.Workbook(str(path))
    define_plan_names(wb, PLAN_NAMES)

    cases = wb.add_worksheet("Cases")
    expected: dict[str, Any] = {}
    row = 0
    plan = {"en": UdfContext(EN, CATALOG, PLAN_NAMES), "ar": UdfContext(AR, CATALOG, PLAN_NAMES)}

    def add(lang: str, name: str, values: tuple[Any, ...], literal: int = -1) -> None:
        nonlocal row
        if any(isinstance(v, bool) for v in values) and name != "XLM_RUNRATE":
            return  # LibreOffice's TRUE is a number (ISNUMBER(TRUE) is TRUE), unlike Excel's
        refs = [f"{c}{row + 1}" for c in COLS]
        for k, value in enumerate(values):
            if k != literal:
                _put(cases, row, k, value)
        ctx = plan[lang]
        formula, n = rewrite_udfs(call_text(name, values, refs, literal), ctx.words, CATALOG)
        assert n == 1
        cases.write_formula(row, 9, formula)
        expected[f"J{row + 1}"] = udf(name).call(ctx, *values)
        row += 1

    counts = {"XLM_METRIC": 60, "XLM_SMART": 90}
    for lang, share in (("en", 1.0), ("ar", 0.3)):
        for i, (name, draw) in enumerate(CASES.items()):
            rng = np.random.default_rng([21, i, int(lang == "ar")])
            for _ in range(int(counts.get(name, 50) * share)):
                add(lang, name, draw(rng, WORDS[lang]))
    rng = np.random.default_rng(22)
    for _ in range(30):
        values = metric_case(rng, EN)
        if isinstance(values[0], str):
            add("en", "XLM_METRIC", values, literal=0)
    for channel in ("All", "", "search", "Display", "Nope"):
        add("en", "XLM_METRIC", ("CPC", channel, START, END), literal=1)

    # TRIM collapses inner runs of spaces in Excel and LibreOffice (`formulas` keeps them)
    for objective in ("Grow  revenue  now", "a  b  c  d", "  one   two  three  "):
        add("en", "XLM_SMART", (objective, "K1", 100.0, 150.0, START + 10, "S1"))

    # nested calls, written as one formula
    ctx = plan["en"]
    for k in range(12):
        start = START + 5 * k
        formula, n = rw(
            f'=XLM_STATUS(XLM_ATTAINMENT(XLM_METRIC("CTR",A{row + 1},B{row + 1}),C{row + 1},'
            f'"lower"))'
        )
        assert n == 3
        channel = ("All", "Search", "Display")[k % 3]
        target = (0.5, 1.0, 2.0, None)[k % 4]
        for j, value in enumerate((channel, start, target)):
            _put(cases, row, j, value)
        cases.write_formula(row, 9, formula)
        actual = udf("XLM_METRIC").call(ctx, "CTR", channel, start)
        attainment = udf("XLM_ATTAINMENT").call(ctx, actual, target, "lower")
        expected[f"J{row + 1}"] = udf("XLM_STATUS").call(ctx, attainment)
        row += 1
    wb.close()
    return expected


@NEEDS_LO
def test_twins_equal_python_in_libreoffice(tmp_path: Path) -> None:
    path = tmp_path / "twins.xlsx"
    expected = write_lo_workbook(path)
    result = runner.recalculate(path)
    # LibreOffice reads TRUE/FALSE cells as =TRUE() formulas: keep the J column only
    got = {ref: v for ref, v in result.values["Cases"].items() if ref.startswith("J")}
    assert set(got) == set(expected), "LibreOffice did not return every formula cell"
    problems = [
        f"{ref}: python {e!r} vs libreoffice {got[ref]!r}"
        for ref, e in expected.items()
        if is_error(got[ref]) or not agrees(e, got[ref])
    ]
    assert not problems, f"{len(problems)} of {len(expected)} differ:\n" + "\n".join(problems[:20])
    assert len(expected) > 400


def test_smart_twin_flags_are_the_objectives_sheet_formulas() -> None:
    """The core's copy of the SMART flags equals the Objectives sheet's, for row 5."""
    from types import SimpleNamespace

    from xlmplan.sheets.objectives import matrix_col, smart_formulas
    from xlmplan.sheets.tables import cell

    for words in (EN, AR):
        sheet = smart_formulas(SimpleNamespace(words=words), 4)  # type: ignore[arg-type]
        # the twin's target is the objective's one target: the matrix's Target column
        target = cell(matrix_col("target"), 4)
        twin = smart_flags_xl(UdfContext(words), "G5", "H5", "I5", target, "K5", "L5", "E5", "C5")
        assert twin == sheet[:5]


# --- channels with wildcard and operator characters, and Excel's limits ------------------------

# One Data row per channel, clicks a power of two, so a sum tells which rows matched; 1,000
# impressions each, every date inside the plan. "*", "?", "~" are wildcards to SUMIFS, and a
# leading "<" or "=" an operator; each of these channels must match itself only (any case).
ODD_CHANNELS = ["*", "Paid?", "PaidX", "paid?", "a~b", "ab", "a~~b", "<Paid", "Paid search", "=ab"]
ODD_NAMES: dict[str, Any] = {
    "d_date": [START + 3.0] * len(ODD_CHANNELS),
    "d_channel": ODD_CHANNELS,
    **{f"d_{m}": [0.0] * len(ODD_CHANNELS) for m in MEASURES},
    "d_clicks": [float(2**i) for i in range(len(ODD_CHANNELS))],
    "d_impressions": [1000.0] * len(ODD_CHANNELS),
    "PlanStart": START,
    "AsOf": END,
    "AmberThreshold": 0.99,
}
# the clicks each channel cell must find: its own row's, and "paid?" is "Paid?" in any case
OWN_CLICKS = {
    "*": 1.0,  # row 0 only (SUMIFS would read "*" as every text: 1023)
    "Paid?": 2.0 + 8.0,  # rows 1 and 3 ("Paid?" as a pattern would add PaidX: 4)
    "a~b": 16.0,  # row 4 ("a~b" as a pattern is "ab": 32)
    "<Paid": 128.0,  # row 7 (as an operator: every text before "Paid")
    "=ab": 512.0,  # row 9 (as an operator: the row "ab")
    "ab": 32.0,  # row 5
}


def odd_channel_cases() -> list[tuple[str, dict[str, Any], Any]]:
    """(typed formula with ``{r}`` for its row, input cells by column, expected value) for
    every channel of ``OWN_CLICKS``: the clicks, and CTR nested in attainment and status
    against a target that is the channel's own CTR when lower is better (attainment exactly
    1, so Green; any other row matched raises the CTR and the status is Red)."""
    ctx = UdfContext(EN, CATALOG, ODD_NAMES)
    cases = []
    for channel, clicks in OWN_CLICKS.items():
        ctr = clicks / (1000.0 * (2 if channel == "Paid?" else 1))
        cells = {"A": channel, "B": START, "C": END, "D": ctr, "E": "lower", "F": "clicks"}
        assert udf("XLM_METRIC").call(ctx, "Clicks", channel, START, END) == clicks
        metric = 'XLM_METRIC("CTR",A{r},B{r},C{r})'
        literal = '"' + channel.replace('"', '""') + '"'  # the channel typed as text
        cases += [
            ('=XLM_METRIC("Clicks",A{r},B{r},C{r})', cells, clicks),
            ("=XLM_METRIC(F{r},A{r},B{r},C{r})", cells, clicks),
            (f"=XLM_STATUS(XLM_ATTAINMENT({metric},D{{r}},E{{r}}))", cells, "Green"),
            (f"=XLM_ATTAINMENT({metric},D{{r}},E{{r}})", cells, 1.0),
            (f'=XLM_METRIC("Clicks",{literal},B{{r}},C{{r}})', cells, clicks),
        ]
    return cases


def test_odd_channels_match_only_themselves_in_formulas() -> None:
    evaluator = FormulasEvaluator(ODD_NAMES)
    problems = []
    for typed, cells, expected in odd_channel_cases():
        got = evaluator(rw(typed.format(r=1))[0], {f"{c}1": v for c, v in cells.items()})
        if not agrees(expected, got):
            problems.append(f"{typed} with {cells['A']!r}: expected {expected!r}, got {got!r}")
    assert not problems, problems


@NEEDS_LO
def test_odd_channels_match_only_themselves_in_libreoffice(tmp_path: Path) -> None:
    path = tmp_path / "odd.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    define_plan_names(wb, ODD_NAMES)
    sheet = wb.add_worksheet("Cases")
    expected = {}
    for row, (typed, cells, value) in enumerate(odd_channel_cases(), start=1):
        for column, cell_value in cells.items():
            _put(sheet, row - 1, ord(column) - ord("A"), cell_value)
        sheet.write_formula(row - 1, 9, rw(typed.format(r=row))[0])
        expected[f"J{row}"] = value
    wb.close()
    got = runner.recalculate(path).values["Cases"]
    problems = [
        f"{ref}: {e!r} vs {got.get(ref)!r}"
        for ref, e in expected.items()
        if not agrees(e, got.get(ref))
    ]
    assert not problems, problems
    assert len(expected) == 5 * len(OWN_CLICKS)


def test_every_twin_fits_excels_limits() -> None:
    """Each UDF with every argument a cell, XLM_METRIC with each catalog metric (the
    longest, ROI, reads spend four times) in XLM_ATTAINMENT in XLM_STATUS, and XLM_METRIC
    choosing its metric from a cell: under 8,192 characters and 64 nested calls, for
    absolute references on another row in both languages."""
    refs = [f"${c}$120" for c in "BCDEFGHI"]
    typed = [f"={u.name}({','.join(refs[: len(u.args)])})" for u in UDFS]
    b, c, d, e, f, g = refs[:6]
    typed += [
        f'=XLM_STATUS(XLM_ATTAINMENT(XLM_METRIC("{m.label}",{b},{c},{d}),{e},{f}),{g})'
        for m in CATALOG
    ]
    lengths = {}
    for words in (EN, AR):
        for formula in typed:
            native, n = rw(formula, words)  # raises UdfError past either limit
            lengths[formula] = max(lengths.get(formula, 0), len(native) - 1)
    longest = max(lengths, key=lengths.__getitem__)
    assert "ROI" in longest and lengths[longest] <= 8192
