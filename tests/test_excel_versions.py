"""Plans open in Excel 2010 and later: every function a written formula calls existed there.

Every formula of every kind of plan (cells, defined names, conditional formats, validations;
English, Arabic, Persian, the email-ready copy and its values-only variant) is listed
against ``FIRST_VERSION``: a function newer than Excel 2010, or one the table does not
know, fails.
"""

from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path

import pytest

from xlmplan.api import PlanResult, new_plan
from xlmplan.core.excel_functions import (
    FIRST_VERSION,
    MINIMUM_VERSION,
    functions_in,
    too_new,
)
from xlmplan.share import share_plan
from xlmplan.xlsx.writer import future_prefixed

README = Path(__file__).resolve().parents[1] / "README.md"
_FORMULA = re.compile(
    r"<(?:\w+:)?(f|formula|formula1|formula2|definedName)\b[^>]*>([^<]*)</", re.DOTALL
)


def written_formulas(path: Path) -> dict[str, str]:
    """Every formula text in the package: "part#n" -> formula."""
    out: dict[str, str] = {}
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if not name.endswith(".xml"):
                continue
            text = zf.read(name).decode("utf-8")
            for n, match in enumerate(_FORMULA.finditer(text)):
                if match.group(2).strip():
                    out[f"{name}#{n}"] = html.unescape(match.group(2))
    return out


@pytest.fixture(scope="module")
def plans(example_plan: PlanResult, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("versions")
    out = {"en": example_plan.path}
    for lang in ("ar", "fa"):
        out[lang] = new_plan(folder / f"plan-{lang}.xlsx", lang=lang).path
    out["share"] = share_plan(example_plan.path, folder / "shared.xlsx").out
    out["values-only"] = share_plan(example_plan.path, folder / "values.xlsx", values_only=True).out
    return out


@pytest.mark.parametrize("kind", ["en", "ar", "fa", "share", "values-only"])
def test_every_written_function_exists_in_excel_2010(plans: dict[str, Path], kind: str) -> None:
    formulas = written_formulas(plans[kind])
    assert formulas, "no formula found: the reader missed them"
    called = set().union(*(functions_in(f) for f in formulas.values()))
    if kind != "values-only":
        assert {"SUMIFS", "INDEX", "MATCH", "IF"} <= called
    offending = {where: too_new(formula) for where, formula in formulas.items() if too_new(formula)}
    assert not offending, f"{len(offending)} formulas need a newer Excel: " + "; ".join(
        f"{where}: {found}" for where, found in list(offending.items())[:10]
    )


def test_functions_are_read_outside_literals_and_sheet_names() -> None:
    formula = (
        "IF(_xlfn.STDEV.S(d_spend)>0,'Budget (old)'!A1&\"MAXIFS(x)\","
        'IFERROR(INDEX(k_id,MATCH(A1,k_id,0)),""))'
    )
    assert functions_in(formula) == {"IF", "STDEV.S", "IFERROR", "INDEX", "MATCH"}


def test_newer_and_unknown_functions_are_reported() -> None:
    assert too_new("MAXIFS(a,b,c)&CONCAT(x)") == {"CONCAT": 2019, "MAXIFS": 2019}
    assert too_new("_xlfn.IFNA(A1,0)") == {"IFNA": 2013}
    assert too_new("XLM_STATUS(A1)+SUM(B1)") == {"XLM_STATUS": None}
    assert too_new("AGGREGATE(14,6,A1:A9)+STDEV.S(A1:A9)") == {}


def test_writer_prefixes_exactly_the_functions_newer_than_excel_2007() -> None:
    for name, version in FIRST_VERSION.items():
        prefix = "_xlfn." if version > 2007 else ""
        assert future_prefixed(f"{name}(A1)") == f"{prefix}{name}(A1)"
    assert future_prefixed("NETWORKDAYS(A1,B1)+DAYS(A1,B1)") == (
        "NETWORKDAYS(A1,B1)+_xlfn.DAYS(A1,B1)"
    )
    kept = "IF(A1=\"STDEV.S(\",'IFS(x)'!A1,_xlfn.STDEV.S(B1:B2))"
    assert future_prefixed(kept) == kept


def test_readme_names_the_minimum_excel_version() -> None:
    assert f"Excel {MINIMUM_VERSION} and later" in README.read_text(encoding="utf-8")
