"""The add-in's functions for the `formulas` package, so typed UDF calls recalculate headless.

A workbook in which a user typed ``=XLM_STATUS(H5)`` stores the call as ``XLM_STATUS(…)``,
``_xludf.XLM_STATUS(…)`` (Excel's prefix for functions it does not know) or
``_xll.XLM_STATUS(…)``. :func:`registered` adds every spelling of every UDF to
``formulas.get_functions()`` for the duration of a ``with`` block, computing with the same
code as the add-in (:func:`xlmplan.addin.udfs.evaluate`); :func:`calculate` loads and
calculates a workbook that way.

The context comes from the workbook itself (:func:`workbook_context`): its language and
the *cached* values of its defined names, as Excel, LibreOffice and ``xlmplan refresh``
store them (a workbook saved by a library that drops cached values must be refreshed first).

`formulas` compiles an empty argument (``XLM_RUNRATE(A1,,100)``) to the number 0; while
registered, it compiles to :class:`Omitted`, a 0 every built-in function reads as 0 and
the UDFs read as an omitted argument that takes its default.

Needs the `formulas` package (imported when used).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from xlmplan.addin.udfs import ERRORS, context_from, evaluate
from xlmplan.core.udf_twins import OMITTED, UDFS, UdfContext
from xlmplan.errors import WorkbookError
from xlmplan.sheets.cellrefs import parse_range
from xlmplan.xlsx.plan_file import PlanFile, open_plan

PREFIXES = ("", "_XLUDF.", "_XLL.")  # how files spell a call of an add-in's function


class Omitted(int):
    """An empty argument: 0 to `formulas`' functions, omitted to the UDFs."""

    def __repr__(self) -> str:
        return "Omitted()"


def _plain(value: Any) -> Any:
    """A `formulas` argument as the add-in's functions take it: rows for ranges and arrays,
    None for an empty cell, an error's text for an error."""
    from formulas.ranges import Ranges

    if isinstance(value, Omitted):
        return OMITTED
    if isinstance(value, Ranges):
        value = value.value
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return _plain_cell(value.item())
        rows = value.reshape(1, -1) if value.ndim == 1 else value
        return [[_plain_cell(v) for v in row] for row in rows.tolist()]
    return _plain_cell(value)


def _plain_cell(value: Any) -> Any:
    import schedula as sh
    from formulas.tokens.operand import XlError

    if value is sh.EMPTY:
        return None
    if isinstance(value, XlError):
        return str(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def _native(result: Any) -> Any:
    """A result as `formulas` holds cell values: error texts as its errors, rows as an array."""
    from formulas.functions import Array
    from formulas.tokens.operand import Error

    def cell(value: Any) -> Any:
        if isinstance(value, str) and value in ERRORS and value in Error.errors:
            return Error.errors[value]
        return value

    if isinstance(result, list):
        return np.asarray([[cell(v) for v in row] for row in result], dtype=object).view(Array)
    return cell(result)


def functions(ctx: UdfContext) -> dict[str, Callable[..., Any]]:
    """Every spelling of every UDF (``XLM_STATUS``, ``_XLUDF.XLM_STATUS`` …) -> function."""
    out: dict[str, Callable[..., Any]] = {}
    for u in UDFS:
        call = _function(u.name, ctx)
        for prefix in PREFIXES:
            out[prefix + u.name] = call
    return out


def _function(name: str, ctx: UdfContext) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        return _native(evaluate(name, ctx, *(_plain(a) for a in args)))

    call.__name__ = call.__qualname__ = name
    return call


def register(ctx: UdfContext) -> None:
    """Add the UDFs to ``formulas.get_functions()`` (and empty arguments as :class:`Omitted`)
    for the rest of the process; :func:`registered` undoes it afterwards."""
    _install(ctx)


@contextlib.contextmanager
def registered(ctx: UdfContext) -> Iterator[None]:
    """The UDFs registered with `formulas` inside the block, as before after it."""
    saved = _install(ctx)
    try:
        yield
    finally:
        _restore(saved)


_MISSING = object()


def _install(ctx: UdfContext) -> tuple[dict[str, Any], Any]:
    import formulas
    from formulas.tokens.operand import Empty

    table = formulas.get_functions()
    new = functions(ctx)
    saved = {name: table.get(name, _MISSING) for name in new}
    table.update(new)
    old_empty = Empty.__dict__["compile"]
    Empty.compile = staticmethod(Omitted)  # type: ignore[method-assign,assignment]
    return saved, old_empty


def _restore(saved: tuple[dict[str, Any], Any]) -> None:
    import formulas
    from formulas.tokens.operand import Empty

    entries, old_empty = saved
    table = formulas.get_functions()
    for name, fn in entries.items():
        if fn is _MISSING:
            table.pop(name, None)
        else:
            table[name] = fn
    Empty.compile = old_empty  # type: ignore[method-assign]


# --- the context of a workbook file -----------------------------------------------------


def workbook_context(path: Path) -> UdfContext:
    """The plan's language and the cached values of its defined names (single cells as
    values, ranges as rows); English and no names for a workbook that is not a plan."""
    from xlmplan.refresh import plan_language

    try:
        pf = open_plan(Path(path))
    except WorkbookError:
        return context_from({})
    try:
        return context_from(name_values(pf), plan_language(pf)[0].lang)
    finally:
        pf.close()


def name_values(pf: PlanFile) -> dict[str, Any]:
    """Each workbook-scoped name that refers to cells of one sheet -> their cached values."""
    by_name = {s.name.casefold(): s for s in pf.pkg.sheets()}
    out: dict[str, Any] = {}
    for name, text in pf.names.items():
        sheet, bang, ref = text.lstrip("=").rpartition("!")
        sheet = sheet[1:-1].replace("''", "'") if sheet.startswith("'") else sheet
        target = by_name.get(sheet.casefold()) if bang else None
        if target is None:
            continue
        try:
            r1, c1, r2, c2 = parse_range(ref.replace("$", ""))
        except ValueError:
            continue
        cells = pf.cells(target)
        rows = [[_cached(cells, r, c) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]
        out[name] = rows[0][0] if (r1, c1) == (r2, c2) else rows
    return out


def _cached(cells: list[list[Any]], r: int, c: int) -> Any:
    value = cells[r][c] if r < len(cells) and c < len(cells[r]) else None
    return None if value == "" else value


def calculate(
    path: Path, ctx: UdfContext | None = None, outputs: list[str] | None = None
) -> dict[str, Any]:
    """The workbook's cells computed by `formulas`, typed UDF calls included: every cell, or
    only ``outputs`` and what they depend on. Keys as `formulas` writes them
    (``'[book.xlsx]SHEET'!A1``, sheet names in capitals)."""
    import formulas

    path = Path(path)
    with registered(ctx or workbook_context(path)):
        model = formulas.ExcelModel().loads(str(path)).finish()
        solution = model.calculate(outputs=outputs) if outputs else model.calculate()
        return dict(solution)
