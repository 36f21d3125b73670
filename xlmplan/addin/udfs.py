"""The add-in's worksheet functions, as xlwings registers them (``UDF Modules``).

One function per entry of :data:`xlmplan.core.udf_twins.UDFS`, under the same Excel name,
with the registry's description as docstring (Excel's function wizard shows it) and its
argument docs. Every function delegates to the registry's Python implementation, so a cell
computes what the native twin of the email-ready copy computes.

* Arrays: XLM_STATUS, XLM_ATTAINMENT, XLM_RUNRATE, XLM_PROJECTION and XLM_METRIC take a
  value or a range for every argument and return one result per cell, broadcast as Excel
  does (a single cell, row or column stretches; cells outside a smaller range are #N/A).
  XLM_SMART scores one objective row. An array call reads the workbook once; XLM_METRIC
  then sums each window from date-sorted Data columns instead of scanning Data per cell.
* Defaults: an omitted optional argument takes the plan's defined name (AmberThreshold,
  PlanDays, ElapsedDays, PlanStart, AsOf); Data, the KPI and SWOT lists are read through
  their names too. xlwings passes the calling cell as ``caller``; the names are read from
  its workbook when first needed, once per call. XLM_METRIC and XLM_SMART read tables
  Excel cannot see as their inputs, so they are volatile (recomputed on every change).
* Words: status words, "All", "lower" … come from the plan's language (the ``language``
  key of its ``_xlmplan`` sheet; English when there is none).
* Blanks and errors: a blank result is ``""``. An error value in an argument (xlwings reads
  it as its text, ``err_to_str``) is the result. A user's mistake gives the error the twin
  shows — ``#VALUE!`` for text where a number belongs, ``#NAME?`` for a defined name the
  workbook lacks — as text, because an xlwings UDF cannot return a real error value; an
  unexpected exception is left to xlwings, which shows its message in the cell.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import xlwings as xw

from xlmplan.core import rules
from xlmplan.core.catalog import Catalog
from xlmplan.core.engine import Words
from xlmplan.core.labels import load_labels
from xlmplan.core.template import plan_catalog, templates_root, words_from
from xlmplan.core.udf_twins import (
    OMITTED,
    UDFS,
    Udf,
    UdfContext,
    UdfError,
    _cells,
    _every_channel,
    _lookup_metric,
    _serial_of,
    udf,
)
from xlmplan.errors import TemplateError
from xlmplan.sheets.checks_sheet import MANIFEST_SHEET

CATEGORY = "xlmplan"
ERRORS = frozenset(
    ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#SPILL!", "#CALC!")
)
ARRAY_UDFS = ("XLM_STATUS", "XLM_ATTAINMENT", "XLM_RUNRATE", "XLM_PROJECTION", "XLM_METRIC")
VOLATILE = ("XLM_METRIC", "XLM_SMART")  # read Data and the plan's lists implicitly

log = logging.getLogger(__name__)
EMPTY = inspect.Parameter.empty
Grid = list[list[Any]]


# --- the context: the calling workbook's language and defined names --------------------


@functools.lru_cache(maxsize=16)
def _language_pack(root: str, language: str) -> tuple[Words, Catalog]:
    folder = templates_root() / "labels"
    try:
        labels = load_labels(folder, language)
    except TemplateError:  # a language this installation has no labels for
        labels = load_labels(folder, "en")
    return words_from(labels), plan_catalog(labels)


def context_from(names: Mapping[str, Any], language: str = "en") -> UdfContext:
    """A context of the plan's words and catalog in ``language`` and these name values
    (scalars, or rows of values for ranges)."""
    words, catalog = _language_pack(str(templates_root()), language)
    return UdfContext(words, catalog, names)


class BookNames(Mapping[str, Any]):
    """The defined names of an xlwings workbook, each read when first asked for.

    A lookup-only mapping: iterating gives the names read so far (Excel's own lookup
    ignores letter case, so nothing needs to list every name).
    """

    def __init__(self, book: Any) -> None:
        self.book = book
        self.read: dict[str, Any] = {}
        self.missing: set[str] = set()

    def __getitem__(self, name: str) -> Any:
        key = name.casefold()
        if key in self.missing:
            raise KeyError(name)
        if key not in self.read:
            try:
                self.read[key] = read_name(self.book, name)
            except KeyError:
                self.missing.add(key)
                raise
        return self.read[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.read)

    def __len__(self) -> int:
        return len(self.read)


def read_name(book: Any, name: str) -> Any:
    """A defined name's value: one cell's value, rows of values for a larger range, or the
    number of a constant name (``=0.85``); KeyError when the workbook has no such name."""
    try:
        item = book.names[name]
    except Exception as exc:  # COM raises its own error type for a missing name
        raise KeyError(name) from exc
    try:
        target = item.refers_to_range
    except Exception as exc:  # a constant or a formula, not cells
        try:
            return float(str(item.refers_to or "").lstrip("="))
        except ValueError:
            raise KeyError(name) from exc
    rows = target.options(ndim=2, err_to_str=True).value
    return rows[0][0] if len(rows) == 1 and len(rows[0]) == 1 else rows


def book_language(book: Any) -> str:
    """The plan's language from its ``_xlmplan`` sheet; "en" for other workbooks."""
    try:
        rows = book.sheets[MANIFEST_SHEET].used_range.options(ndim=2).value
    except Exception:  # not a plan
        return "en"
    for row in rows or []:
        if len(row) > 1 and str(row[0]).strip() == "language" and row[1]:
            return str(row[1]).strip()
    return "en"


def book_context(caller: Any) -> UdfContext:
    """The context of the workbook holding the calling cell (no names without one)."""
    book = getattr(getattr(caller, "sheet", None), "book", None)
    if book is None:
        return context_from({})
    return context_from(BookNames(book), book_language(book))


context_builder: Callable[[Any], UdfContext] = book_context
"""How a UDF gets its context from ``caller``; replaceable, e.g. by names from a dict."""


# --- evaluation: one value, or a broadcast grid ---------------------------------------


def _cell(value: Any) -> Any:
    """A plain Python value: numpy scalars unwrapped, NaN (a missing number) blank."""
    if isinstance(value, np.generic) or (isinstance(value, np.ndarray) and value.ndim == 0):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


def _grid(value: Any) -> Grid | None:
    """A range argument as rows (a flat sequence is a column); None for a single value."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, str) or not isinstance(value, Sequence):
        return None
    if not value:
        return [[None]]
    if all(isinstance(row, list | tuple) for row in value):
        return [[_cell(v) for v in row] or [None] for row in value]
    return [[_cell(v)] for v in value]


def _error_text(exc: UdfError) -> str:
    """The error the native twin shows for the same mistake."""
    return "#NAME?" if "no defined name" in str(exc) else "#VALUE!"


def _one(impl: Udf, ctx: UdfContext, values: Sequence[Any]) -> Any:
    """One result: an error argument propagates, a blank is "", a mistake an error text."""
    for value in values:
        if isinstance(value, str) and value in ERRORS:
            return value
    try:
        result = impl.call(ctx, *values)
    except UdfError as exc:
        log.info("%s: %s", impl.name, exc)
        return _error_text(exc)
    return "" if result is None else result


def _broadcast(grids: Sequence[Grid | None], scalars: Sequence[Any]) -> Iterator[list[Any]]:
    """Arguments cell by cell, Excel-style: a 1-row or 1-column range stretches; a cell
    outside a smaller range is #N/A."""
    rows = max(len(g) for g in grids if g is not None)
    cols = max(len(r) for g in grids if g is not None for r in g)
    for i in range(rows):
        for j in range(cols):
            cell: list[Any] = []
            for grid, scalar in zip(grids, scalars, strict=True):
                if grid is None:
                    cell.append(scalar)
                    continue
                r = 0 if len(grid) == 1 else i
                c = 0 if len(grid[0]) == 1 else j
                inside = r < len(grid) and c < len(grid[r])
                cell.append(grid[r][c] if inside else "#N/A")
            yield cell


def evaluate(name: str, ctx: UdfContext, *args: Any) -> Any:
    """The result of UDF ``name``: a value when every argument is a single value, else rows
    of values shaped like the broadcast arguments."""
    u = udf(name)
    args = tuple(_cell(a) for a in args)
    grids = [_grid(a) for a in args]
    if u.name not in ARRAY_UDFS:  # one objective row: single values (or 1-cell ranges)
        if any(g is not None and (len(g) > 1 or len(g[0]) > 1) for g in grids):
            return "#VALUE!"
        args = tuple(a if g is None else g[0][0] for a, g in zip(args, grids, strict=True))
        grids = [None] * len(args)
    if all(g is None for g in grids):
        return _one(u, ctx, args)
    impl = u
    if u.name == "XLM_METRIC":
        impl = dataclasses.replace(u, python=MetricIndex(ctx).value)
    cols = max(len(r) for g in grids if g is not None for r in g)
    flat = [_one(impl, ctx, cell) for cell in _broadcast(grids, args)]
    return [flat[k : k + cols] for k in range(0, len(flat), cols)]


# --- XLM_METRIC over many windows -------------------------------------------------------


def _channel_key(x: Any) -> tuple[str, Any] | None:
    """What ``MATCH``/``COUNTIFS`` equality compares: text ignoring case, numbers, booleans."""
    x = _serial_of(x)
    if isinstance(x, str):
        return ("text", x.casefold())
    if isinstance(x, bool):
        return ("bool", x)
    if rules.is_num(x):
        return ("number", float(x))
    return None


class MetricIndex:
    """The XLM_METRIC implementation for many windows over one workbook.

    Reads Data through the context's names once; per channel and measure it keeps the
    numeric rows sorted by date, so each window is one slice sum. Same rules as the
    registry's implementation: rows with a numeric date in start..end inclusive, of the
    channel (or every channel for a blank or the "All" word), numeric measure cells only.
    """

    def __init__(self, ctx: UdfContext) -> None:
        self.ctx = ctx
        self.columns: dict[tuple[Any, str], tuple[np.ndarray, np.ndarray]] = {}
        self._dates: list[Any] | None = None
        self._channels: list[tuple[str, Any] | None] | None = None

    def dates(self) -> list[Any]:
        if self._dates is None:
            self._dates = [_serial_of(d) for d in _cells(self.ctx, "d_date")]
        return self._dates

    def channels(self) -> list[tuple[str, Any] | None]:
        if self._channels is None:
            self._channels = [_channel_key(c) for c in _cells(self.ctx, "d_channel")]
        return self._channels

    def column(self, channel: tuple[str, Any] | None, everyone: bool, measure: str) -> Any:
        """Dates and values of the rows counted for a channel (or every one), by date."""
        key = ("*" if everyone else channel, measure)
        if key not in self.columns:
            values = _cells(self.ctx, f"d_{measure}")
            keys = None if everyone else self.channels()
            picked = [
                (day, float(values[i]))
                for i, day in enumerate(self.dates())
                if rules.is_num(day)
                and i < len(values)
                and rules.is_num(values[i])
                and (keys is None or (i < len(keys) and keys[i] == channel))
            ]
            picked.sort(key=lambda pair: pair[0])
            days = np.array([float(p[0]) for p in picked], dtype=float)
            self.columns[key] = (days, np.array([p[1] for p in picked], dtype=float))
        return self.columns[key]

    def value(self, ctx: UdfContext, metric: Any, channel: Any, start: Any, end: Any) -> Any:
        """The metric for one window, as ``udf_twins.metric_py`` computes it."""
        start, end = _serial_of(start), _serial_of(end)
        found = _lookup_metric(ctx.catalog, metric)
        if found is None or not (rules.is_num(start) and rules.is_num(end)):
            return None
        everyone = _every_channel(channel, ctx.words)
        wanted = None if everyone else _channel_key(channel)
        sums: dict[str, float] = {}
        for measure in found.measures:
            days, values = self.column(wanted, everyone, measure)
            lo = int(np.searchsorted(days, float(start), side="left"))
            hi = int(np.searchsorted(days, float(end), side="right"))
            sums[measure] = float(values[lo:hi].sum()) if hi > lo else 0.0
        return rules.blank_if_nan(float(found.evaluate(sums)))


# --- the worksheet functions -------------------------------------------------------------


def _worksheet_function(u: Udf) -> Callable[..., Any]:
    """The xlwings UDF of registry entry ``u``. Its signature is the registry's arguments
    (optional ones default to ``OMITTED``) then ``caller``, its docstring the description
    (Excel's function wizard shows both); ranges arrive as rows (``ndim=2``) for the array
    functions, errors as their text."""
    positional = inspect.Parameter.POSITIONAL_OR_KEYWORD
    params = [
        inspect.Parameter(arg, positional, default=OMITTED if k >= u.required else EMPTY)
        for k, arg in enumerate(u.args)
    ]
    signature = inspect.Signature([*params, inspect.Parameter("caller", positional, default=None)])

    def function(*args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        *values, caller = bound.args
        return evaluate(u.name, context_builder(caller), *values)

    function.__name__ = function.__qualname__ = u.name
    function.__doc__ = u.description
    setattr(function, "__signature__", signature)  # noqa: B010 - what xlwings inspects
    options: dict[str, Any] = {"ndim": 2} if u.name in ARRAY_UDFS else {}
    decorated: Callable[..., Any] = function
    for arg, doc in reversed(list(zip(u.args, u.arg_docs, strict=True))):
        decorated = xw.arg(arg, doc=doc, err_to_str=True, **options)(decorated)
    return xw.func(category=CATEGORY, volatile=u.name in VOLATILE)(decorated)


FUNCTIONS: dict[str, Callable[..., Any]] = {u.name: _worksheet_function(u) for u in UDFS}
globals().update(FUNCTIONS)  # xlwings finds a module's UDFs among its attributes
