"""The add-in's user-defined functions (UDFs), each with a native-formula twin.

A user of the Excel add-in may type ``=XLM_STATUS(H5)`` in a cell. A recipient without the
add-in would see ``#NAME?``, so the "email-ready copy" of a workbook rewrites every UDF call
into its *twin*: a native formula that computes the same value with functions every engine
(Excel, LibreOffice, ``formulas``) agrees on.

Each :class:`Udf` pairs

* ``python`` — the scalar implementation the add-in runs, built on :mod:`xlmplan.core.rules`
  (and the metric catalog), called as ``python(ctx, *values)`` with every argument given;
* ``twin`` — the native formula text, built on the rules' ``*_xl`` functions, called as
  ``twin(ctx, *texts)`` with every argument's formula text.

``ctx`` is a :class:`UdfContext`: the plan's localized :class:`~xlmplan.core.engine.Words`,
its metric :class:`~xlmplan.core.catalog.Catalog`, and (for ``python`` only) the values of
the plan's defined names that a twin reads (``AmberThreshold``, ``d_date`` …).

:func:`rewrite_udfs` finds UDF calls in a formula and replaces them by their twins;
:func:`uses_udf` tells whether a formula calls one. Pure: no spreadsheet library.

Python and twin agree on what plan cells hold: numbers, dates, blanks, text and the plan's
words. Outside that the engines differ among themselves, so the tests leave it out:
TRUE/FALSE where a number belongs (LibreOffice counts them as numbers, Excel does not);
text where a threshold or day count belongs (the Python side raises :class:`UdfError`).
Channels are matched as their own text by ``=`` in SUMPRODUCT (no criterion, so no escape
whose reading differs between engines), ids and parents by ``rules.literal_criterion_xl``,
``literal_lookup_xl`` and ``cited_xl``, as on the plan's sheets.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from xlmplan.core import rules
from xlmplan.core.catalog import Catalog, Metric
from xlmplan.core.data import MEASURES
from xlmplan.core.engine import Words, cited_ids
from xlmplan.core.kpi_forecast import within_forecast, within_forecast_xl
from xlmplan.errors import XlmplanError

MAX_FORMULA_CHARS = 8192  # Excel's limit on a formula's length (without the "=")
MAX_NESTING = 64  # Excel's limit on nested function calls
MAX_CHOOSE_VALUES = 254  # CHOOSE takes an index and at most 254 values


class UdfError(XlmplanError):
    """A UDF call that cannot be rewritten (or evaluated); the message names the call."""


class _Omitted:
    """Marks an optional argument the caller left out (not a blank cell, which is None)."""

    def __repr__(self) -> str:
        return "OMITTED"


OMITTED: Any = _Omitted()


@dataclass(frozen=True)
class UdfContext:
    """What twins and implementations need besides their arguments.

    ``names`` holds the values of the plan's defined names (scalars, or flat sequences for
    ranges such as ``d_date``); only the Python implementations read it.
    """

    words: Words = Words()
    catalog: Catalog = Catalog(())
    names: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Udf:
    """One user-defined function: its signature, Python implementation and native twin.

    ``defaults`` are the formula texts substituted for the ``optional`` trailing arguments
    when omitted (a defined name, ``""`` or ``TRUE``); :meth:`call` gives the Python
    implementation the same values. ``names`` lists the plan's defined names the twin (with
    its defaults) relies on.
    """

    name: str
    args: tuple[str, ...]
    optional: int
    description: str
    python: Callable[..., Any]
    twin: Callable[..., str]
    defaults: tuple[str, ...] = ()
    arg_docs: tuple[str, ...] = ()
    names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if len(self.defaults) != self.optional or len(self.arg_docs) != len(self.args):
            raise ValueError(f"{self.name}: one default per optional argument, one doc per arg")

    @property
    def required(self) -> int:
        """How many leading arguments must be given."""
        return len(self.args) - self.optional

    def call(self, ctx: UdfContext, *values: Any) -> Any:
        """The Python result; omitted trailing (or :data:`OMITTED`) arguments take defaults."""
        if not self.required <= len(values) <= len(self.args):
            raise UdfError(f"{self.name} takes {self._arity()} arguments, not {len(values)}")
        full = [*values, *[OMITTED] * (len(self.args) - len(values))]
        for i, value in enumerate(full):
            if value is OMITTED:
                if i < self.required:
                    raise UdfError(f"{self.name}: argument {self.args[i]} is required")
                full[i] = _default_value(self.defaults[i - self.required], ctx)
        return self.python(ctx, *full)

    def native(self, ctx: UdfContext, *texts: str) -> str:
        """The twin for argument formula texts; omitted ("" text) optional ones take defaults."""
        if not self.required <= len(texts) <= len(self.args):
            raise UdfError(f"{self.name} takes {self._arity()} arguments, not {len(texts)}")
        full = [*texts, *[""] * (len(self.args) - len(texts))]
        for i, text in enumerate(full):
            if not text.strip():
                if i < self.required:
                    raise UdfError(f"{self.name}: argument {self.args[i]} is required")
                full[i] = self.defaults[i - self.required]
        return self.twin(ctx, *full)

    def _arity(self) -> str:
        n = len(self.args)
        return str(n) if not self.optional else f"{self.required} to {n}"


# --- value helpers: Excel's semantics for the Python implementations --------------------


def _serial_of(x: Any) -> Any:
    """Dates (as xlwings reads date cells) become Excel serial numbers; other values stay."""
    if isinstance(x, dt.datetime):
        day = rules.serial(x.date())
        assert day is not None
        return day + (x - dt.datetime.combine(x.date(), dt.time())).total_seconds() / 86400
    if isinstance(x, dt.date):
        return rules.serial(x)
    return x


def _num0(x: Any) -> float:
    """A number as Excel's comparisons and arithmetic see it: blank is 0."""
    x = _serial_of(x)
    if x is None or x == "":
        return 0.0
    if isinstance(x, bool):
        return float(x)
    if rules.is_num(x):
        return float(x)
    raise UdfError(f"{x!r} is not a number")


def _blank(x: Any) -> bool:
    """``x=""`` in Excel: a blank cell or empty text."""
    return x is None or x == ""


def _text_is(x: Any, word: str) -> bool:
    """``x="word"`` in Excel: text equal, ignoring case."""
    return isinstance(x, str) and x.casefold() == word.casefold()


def _same(a: Any, b: Any) -> bool:
    """MATCH(…, 0) / COUNTIFS equality without wildcards: text ignoring case, or numbers."""
    a, b = _serial_of(a), _serial_of(b)
    if isinstance(a, str) and isinstance(b, str):
        return a.casefold() == b.casefold()
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    return rules.is_num(a) and rules.is_num(b) and float(a) == float(b)


def _match(x: Any, cells: Sequence[Any]) -> int | None:
    """``MATCH(x, cells, 0)`` as a 0-based index, None for #N/A (a blank never matches)."""
    if _blank(x):
        return None
    return next((i for i, cell in enumerate(cells) if _same(x, cell)), None)


def _xl_text(x: Any) -> str:
    """A value as text functions (TRIM, SUBSTITUTE, SEARCH) see it."""
    if x is None:
        return ""
    if isinstance(x, str):
        return x
    if isinstance(x, bool):
        return "TRUE" if x else "FALSE"
    x = _serial_of(x)
    if rules.is_num(x):
        return str(int(x)) if float(x).is_integer() else f"{float(x):.15g}"
    return str(x)


def _truthy(x: Any) -> bool:
    """A value as IF's condition: blank is FALSE, numbers are TRUE unless 0."""
    if x is None or isinstance(x, bool):
        return bool(x)
    if rules.is_num(x):
        return x != 0
    if isinstance(x, str) and x.upper() in ("TRUE", "FALSE"):
        return x.upper() == "TRUE"
    raise UdfError(f"{x!r} is not TRUE or FALSE")


def _flat(value: Any) -> list[Any]:
    """A range's values as one list (xlwings gives a list of rows for a 2-D range)."""
    if isinstance(value, str) or not isinstance(value, Iterable):
        return [value]
    out: list[Any] = []
    for item in value:
        out.extend(_flat(item) if isinstance(item, list | tuple) else [item])
    return out


def _name(ctx: UdfContext, name: str) -> Any:
    """The value of a defined name (case-insensitive, as Excel's names are)."""
    if name in ctx.names:
        return ctx.names[name]
    folded = name.casefold()
    for key, value in ctx.names.items():
        if key.casefold() == folded:
            return value
    raise UdfError(f"the workbook has no defined name {name} — is it an xlmplan plan?")


def _cells(ctx: UdfContext, name: str) -> list[Any]:
    return _flat(_name(ctx, name))


def _default_value(text: str, ctx: UdfContext) -> Any:
    """The value of a default's formula text: "", TRUE/FALSE, a number or a defined name."""
    if text == '""':
        return ""
    if text.upper() in ("TRUE", "FALSE"):
        return text.upper() == "TRUE"
    try:
        return float(text)
    except ValueError:
        return _name(ctx, text)


def _direction(x: Any, words: Words) -> str:
    """``x=words.lower`` decides: "lower", else "higher" (as the twins compare)."""
    return "lower" if _text_is(x, words.lower) else "higher"


def _q(text: str) -> str:
    """A text constant in a formula."""
    return '"' + text.replace('"', '""') + '"'


# --- XLM_STATUS, XLM_ATTAINMENT, XLM_RUNRATE, XLM_PROJECTION ---------------------------------


def status_py(ctx: UdfContext, attainment: Any, amber: Any) -> str | None:
    """rules.status with the plan's status words; a blank amber threshold is 0."""
    return rules.status(attainment, _num0(amber), ctx.words.status)


def status_twin(ctx: UdfContext, attainment: str, amber: str) -> str:
    return rules.status_xl(attainment, amber, ctx.words.status)


def attainment_py(ctx: UdfContext, actual: Any, target: Any, direction: Any) -> float | None:
    """rules.attainment; ``direction`` is lower when it is the plan's "lower" word."""
    return rules.attainment(actual, target, _direction(direction, ctx.words))


def attainment_twin(ctx: UdfContext, actual: str, target: str, direction: str) -> str:
    return rules.attainment_xl(actual, target, direction, ctx.words.lower)


def run_rate_py(
    ctx: UdfContext, actual: Any, additive: Any, plan_days: Any, elapsed_days: Any
) -> float | None:
    """rules.run_rate; blank days count as 0, ``additive`` as IF reads it."""
    if not rules.is_num(actual):
        return None
    return rules.run_rate(actual, _truthy(additive), _num0(plan_days), _num0(elapsed_days))


def run_rate_twin(
    ctx: UdfContext, actual: str, additive: str, plan_days: str, elapsed_days: str
) -> str:
    return rules.run_rate_xl(actual, additive, plan_days, elapsed_days)


def projection_py(ctx: UdfContext, projection: Any, multiplier: Any, direction: Any) -> Any:
    """rules.scenario_projection; ``direction`` is lower when it is the plan's "lower" word."""
    return rules.scenario_projection(projection, multiplier, _direction(direction, ctx.words))


def projection_twin(ctx: UdfContext, projection: str, multiplier: str, direction: str) -> str:
    return rules.scenario_projection_xl(projection, multiplier, direction, ctx.words.lower)


# --- XLM_METRIC -------------------------------------------------------------------------------


def _lookup_metric(catalog: Catalog, name: Any) -> Metric | None:
    """The first catalog metric whose label or key is ``name``, ignoring case, as the twin's
    ``MATCH`` finds it. Spaces count: TRIM would differ between engines (`formulas` keeps
    inner runs of spaces), so neither side trims."""
    if _blank(name) or not isinstance(name, str):
        return None
    return next((m for m in catalog if _text_is(name, m.label) or _text_is(name, m.key)), None)


def _every_channel(channel: Any, words: Words) -> bool:
    """A blank channel or the "All" word means every channel."""
    return _blank(channel) or _text_is(channel, words.all_channels)


def metric_py(ctx: UdfContext, metric: Any, channel: Any, start: Any, end: Any) -> float | None:
    """A catalog metric over the Data rows of a channel (or all) dated start..end inclusive.

    Sums every measure the metric reads (numbers only, as SUMIFS does), then evaluates the
    catalog expression: blank where a denominator is zero, the metric is unknown or a date
    is not a number.
    """
    start, end = _serial_of(start), _serial_of(end)
    found = _lookup_metric(ctx.catalog, metric)
    if found is None or not (rules.is_num(start) and rules.is_num(end)):
        return None
    dates = [_serial_of(d) for d in _cells(ctx, "d_date")]
    everyone = _every_channel(channel, ctx.words)
    channels = [] if everyone else _cells(ctx, "d_channel")
    rows = [
        i
        for i, day in enumerate(dates)
        if rules.is_num(day)
        and start <= day <= end
        and (everyone or (i < len(channels) and _same(channels[i], channel)))
    ]
    sums: dict[str, float] = {}
    for measure in found.measures:
        values = _cells(ctx, f"d_{measure}")
        sums[measure] = float(
            sum(values[i] for i in rows if i < len(values) and rules.is_num(values[i]))
        )
    return rules.blank_if_nan(float(found.evaluate(sums)))


def _literal(text: str) -> str | None:
    """The text of a string-literal argument (``"CTR"`` -> CTR), else None."""
    try:
        toks = _lex(text.strip())
    except UdfError:
        return None
    if len(toks) == 1 and toks[0].kind == "str":
        return toks[0].text[1:-1].replace('""', '"')
    return None


def _channel_sum(measure: str, rows: str) -> str:
    """The sum of ``d_<measure>`` over the Data rows where the 0/1 array ``rows`` is 1.

    SUMPRODUCT with the measure as its own argument counts text and blanks as 0, as SUMIFS
    does; the rows are chosen by ``=`` (whole text, any case), which reads no wildcards or
    operators in a channel's text, in every engine."""
    return f"SUMPRODUCT({rows},d_{measure})"


def metric_twin(ctx: UdfContext, metric: str, channel: str, start: str, end: str) -> str:
    """The Data sums of the metric's measures, combined by the catalog's expression.

    A literal metric name compiles to that metric alone; any other argument chooses among
    every catalog metric by ``MATCH`` over an array of labels and keys (like
    ``metric_formula.choose_metric``, without needing ``lst_metrics``). A literal "All" or
    blank channel sums by SUMIFS over the dates alone; any other channel by SUMPRODUCT over
    ``d_channel=channel``, a cell's channel with ``+(channel="All")+(channel="")`` in the
    same row test, so the metric's expression is written once (see :func:`_channel_sum`).
    """
    dates = f"ISNUMBER(d_date)*(d_date>={start})*(d_date<={end})"
    picked = _literal(channel)
    if picked is not None and _every_channel(picked, ctx.words):
        window = f'd_date,">="&{start},d_date,"<="&{end}'
        sums = {m: f"SUMIFS(d_{m},{window})" for m in MEASURES}
    else:
        test = f"(d_channel={channel})"
        if picked is None:  # a cell: "All" or blank means every row
            every = f'({channel}={_q(ctx.words.all_channels)})+({channel}="")'
            test = f"({test}+{every}>0)"
        sums = {m: _channel_sum(m, f"{test}*{dates}") for m in MEASURES}
    name = _literal(metric)
    if name is not None:
        found = _lookup_metric(ctx.catalog, name)
        if found is None:
            return '""'  # the implementation's blank for an unknown metric
        chosen: Metric = found

        def body(refs: Mapping[str, str]) -> str:
            return chosen.excel(refs)

    else:
        metrics = list(ctx.catalog)
        if not metrics:
            raise UdfError("XLM_METRIC: the metric catalog is empty")
        if len(metrics) > MAX_CHOOSE_VALUES:
            raise UdfError(
                f"XLM_METRIC: {len(metrics)} catalog metrics are more than CHOOSE takes "
                f"({MAX_CHOOSE_VALUES}) — type the metric name in quotes"
            )
        names = ",".join(_q(text) for m in metrics for text in (m.label, m.key))
        index = f"INT((MATCH({metric},{{{names}}},0)+1)/2)"

        def body(refs: Mapping[str, str]) -> str:
            branches = ",".join(m.excel(refs) for m in metrics)
            return f'IFERROR(CHOOSE({index},{branches}),"")'

    return f'IF(AND(ISNUMBER({start}),ISNUMBER({end})),{body(sums)},"")'


# --- XLM_SMART --------------------------------------------------------------------------------


def smart_flags_py(
    ctx: UdfContext,
    objective: Any,
    kpi: Any,
    baseline: Any,
    target: Any,
    deadline: Any,
    substantiation: Any,
    kind: Any,
    parent: Any,
) -> list[int]:
    """Specific, measurable, achievable, relevant, time-bound (0/1), as the twin decides them.

    Reads the plan's names k_id, k_metric, k_dir, lst_metrics, MaxGrowthUp, MaxGrowthDown,
    s_id, o_id, o_level, PlanStart and PlanEnd from ``ctx.names``.
    """
    w = ctx.words
    named = not _blank(kpi)
    specific = int(rules.word_count(_xl_text(objective)) >= 4 and named)
    row = _match(kpi, _cells(ctx, "k_id"))
    nums = rules.is_num(baseline) and rules.is_num(target)
    if _text_is(kind, w.qualitative):
        measurable, achievable = int(named and rules.is_num(target)), 1  # a target is due
    else:
        k_metric = _cells(ctx, "k_metric")
        metric = k_metric[row] if row is not None and row < len(k_metric) else None
        measurable = int(nums and _match(metric, _cells(ctx, "lst_metrics")) is not None)
        achievable = 0
        k_dir = _cells(ctx, "k_dir")
        if nums and baseline != 0 and row is not None and row < len(k_dir):
            if _text_is(k_dir[row], w.lower):
                change = rules.xl_round(1 - target / baseline)
                achievable = int(change <= _num0(_name(ctx, "MaxGrowthDown")))
            else:
                change = rules.xl_round(target / baseline - 1)
                achievable = int(change <= _num0(_name(ctx, "MaxGrowthUp")))
        best = _forecast_best(ctx, row)
        if rules.is_num(target) and rules.is_num(best) and row is not None and row < len(k_dir):
            lower = _text_is(k_dir[row], w.lower)
            achievable = within_forecast(target, best, "lower" if lower else "higher")
    swot_ids = [_xl_text(x) for x in _cells(ctx, "s_id")]
    cited = cited_ids(_xl_text(substantiation), swot_ids)
    parent_primary = not _blank(parent) and any(
        _same(oid, parent) and _same(level, w.primary)
        for oid, level in zip(_cells(ctx, "o_id"), _cells(ctx, "o_level"), strict=False)
    )
    relevant = int(bool(cited) or parent_primary)
    day = _serial_of(deadline)
    timebound = int(
        rules.is_num(day) and _num0(_name(ctx, "PlanStart")) <= day <= _num0(_name(ctx, "PlanEnd"))
    )
    return [specific, measurable, achievable, relevant, timebound]


def _forecast_best(ctx: UdfContext, row: int | None) -> Any:
    """The forecast's better bound at plan end for the KPI in ``row`` (a plan without a
    forecast, or a KPI row it does not cover yet: None)."""
    try:
        best = _cells(ctx, "fc_best")
    except (UdfError, KeyError):
        return None
    return best[row] if row is not None and row < len(best) else None


def smart_py(ctx: UdfContext, *args: Any) -> int:
    """The SMART score 0–5: the sum of :func:`smart_flags_py`."""
    return sum(smart_flags_py(ctx, *args))


def smart_flags_xl(
    ctx: UdfContext,
    objective: str,
    kpi: str,
    baseline: str,
    target: str,
    deadline: str,
    substantiation: str,
    kind: str,
    parent: str,
) -> list[str]:
    """The five flag formulas of ``objectives.smart_formulas`` over argument texts.

    A copy in the core (sheets may import the core, not the reverse): keep the two in step,
    or let ``smart_formulas`` call this with its row's cell references.
    """
    w = ctx.words
    qual = f"{kind}={_q(w.qualitative)}"
    kpi_row = f"MATCH({rules.literal_lookup_xl(kpi)},k_id,0)"
    best = f"INDEX(fc_best,{kpi_row})"
    cited = f'SUMPRODUCT({rules.cited_xl("s_id", substantiation)}*(s_id<>""))'

    return [
        f'IF(AND({rules.word_count_xl(objective)}>=4,{kpi}<>""),1,0)',
        f'IF({qual},IF(AND({kpi}<>"",ISNUMBER({target})),1,0),IF(IFERROR(AND(ISNUMBER(MATCH({rules.literal_lookup_xl(f"INDEX(k_metric,{kpi_row})")},'
        f"lst_metrics,0)),ISNUMBER({baseline}),ISNUMBER({target})),FALSE),1,0))",
        f"IF({qual},1,IFERROR(IF(AND(ISNUMBER({target}),ISNUMBER({best})),"
        f"{within_forecast_xl(target, best, f'INDEX(k_dir,{kpi_row})', _q(w.lower))},"
        f"IF(AND(ISNUMBER({baseline}),ISNUMBER({target})),IF({baseline}=0,0,"
        f"IF(INDEX(k_dir,{kpi_row})={_q(w.lower)},"
        f"IF(ROUND(1-{target}/{baseline},6)<=MaxGrowthDown,1,0),"
        f"IF(ROUND({target}/{baseline}-1,6)<=MaxGrowthUp,1,0))),0)),0))",
        f'IF(OR({cited}>0,IF({parent}="",FALSE,COUNTIFS(o_id,{rules.literal_criterion_xl(parent)},o_level,{_q(w.primary)})>0)),'
        "1,0)",
        f"IF(AND(ISNUMBER({deadline}),{deadline}>=PlanStart,{deadline}<=PlanEnd),1,0)",
    ]


def smart_twin(ctx: UdfContext, *texts: str) -> str:
    return "+".join(smart_flags_xl(ctx, *texts))


# --- the registry -----------------------------------------------------------------------------

_DIRECTION_DOC = 'the plan\'s "lower" word when lower is better; otherwise higher'

UDFS: tuple[Udf, ...] = (
    Udf(
        name="XLM_STATUS",
        args=("attainment", "amber"),
        optional=1,
        description="Traffic-light status of an attainment: green at 100%, amber at the "
        "threshold, else red.",
        python=status_py,
        twin=status_twin,
        defaults=("AmberThreshold",),
        arg_docs=("attainment (1 = 100%)", "amber threshold (default: the plan's)"),
        names=("AmberThreshold",),
    ),
    Udf(
        name="XLM_ATTAINMENT",
        args=("actual", "target", "direction"),
        optional=1,
        description="Attainment: actual ÷ target, or target ÷ actual when lower is better.",
        python=attainment_py,
        twin=attainment_twin,
        defaults=('""',),
        arg_docs=("actual value", "target value", _DIRECTION_DOC),
    ),
    Udf(
        name="XLM_RUNRATE",
        args=("actual", "additive", "plan_days", "elapsed_days"),
        optional=3,
        description="Run-rate projection: an additive actual scaled from the elapsed days to "
        "the plan's length.",
        python=run_rate_py,
        twin=run_rate_twin,
        defaults=("TRUE", "PlanDays", "ElapsedDays"),
        arg_docs=(
            "actual to date",
            "TRUE for sums (default), FALSE for ratios (kept as they are)",
            "days in the plan (default: the plan's)",
            "days elapsed (default: the plan's)",
        ),
        names=("PlanDays", "ElapsedDays"),
    ),
    Udf(
        name="XLM_PROJECTION",
        args=("projection", "multiplier", "direction"),
        optional=1,
        description="Scenario projection: the projection made better by the multiplier, in "
        "the metric's direction.",
        python=projection_py,
        twin=projection_twin,
        defaults=('""',),
        arg_docs=("projection", "scenario multiplier", _DIRECTION_DOC),
    ),
    Udf(
        name="XLM_METRIC",
        args=("metric", "channel", "start_date", "end_date"),
        optional=3,
        description="A catalog metric of the Data table for a channel and dates; blank when "
        "it divides by zero.",
        python=metric_py,
        twin=metric_twin,
        defaults=('""', "PlanStart", "AsOf"),
        arg_docs=(
            "metric label or key, e.g. CTR",
            'channel, or the "All" word or blank for every channel',
            "first date (default: plan start)",
            "last date, included (default: the as-of date)",
        ),
        names=("d_date", "d_channel", *(f"d_{m}" for m in MEASURES), "PlanStart", "AsOf"),
    ),
    Udf(
        name="XLM_SMART",
        args=(
            "objective",
            "kpi",
            "baseline",
            "target",
            "deadline",
            "substantiation",
            "kind",
            "parent",
        ),
        optional=2,
        description="SMART score 0-5 of an objective: specific, measurable, achievable, "
        "relevant, time-bound.",
        python=smart_py,
        twin=smart_twin,
        defaults=('""', '""'),
        arg_docs=(
            "objective text",
            "KPI id",
            "baseline",
            "target",
            "deadline (a date)",
            "SWOT ids cited, comma-separated",
            "kind (the plan's Qualitative word, or blank)",
            "parent objective id",
        ),
        names=(
            "k_id",
            "k_metric",
            "k_dir",
            "lst_metrics",
            "MaxGrowthUp",
            "MaxGrowthDown",
            "fc_best",
            "s_id",
            "o_id",
            "o_level",
            "PlanStart",
            "PlanEnd",
        ),
    ),
)

REGISTRY: dict[str, Udf] = {u.name.upper(): u for u in UDFS}


def udf(name: str) -> Udf:
    """The registered UDF called ``name`` (any letter case)."""
    try:
        return REGISTRY[name.upper()]
    except KeyError:
        raise UdfError(f"{name} is not an xlmplan function") from None


# --- the rewriter -----------------------------------------------------------------------------

_PREFIXES = ("_XLL.", "_XLUDF.")  # how files store add-in and user-defined function calls
_WORD_CHAR = re.compile(r"[\w.$:\\?]")
_NUMBER = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?%?")


@dataclass(frozen=True)
class _Tok:
    kind: str  # str, quoted, bracket, word, space, op
    text: str
    start: int
    end: int


def _close(text: str, i: int, quote: str, strict: bool) -> int:
    """Index after the quote closing the literal opened at ``i`` (doubled quotes escape)."""
    j = i + 1
    while j < len(text):
        if text[j] == quote:
            if j + 1 < len(text) and text[j + 1] == quote:
                j += 2
                continue
            return j + 1
        j += 1
    if strict:
        what = "text" if quote == '"' else "sheet name"
        raise UdfError(f"unclosed {what} quote in formula: {text}")
    return len(text)


def _close_bracket(text: str, i: int, strict: bool) -> int:
    depth, j = 0, i
    while j < len(text):
        c = text[j]
        if c == "'":  # escapes the next character inside structured references
            j += 2
            continue
        depth += (c == "[") - (c == "]")
        j += 1
        if depth == 0:
            return j
    if strict:
        raise UdfError(f"unclosed [ in formula: {text}")
    return len(text)


def _lex(text: str, strict: bool = True) -> list[_Tok]:
    """Tokens of a formula: literals, quoted names and [..] are single tokens."""
    toks: list[_Tok] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c in "\"'":
            j, kind = _close(text, i, c, strict), "str" if c == '"' else "quoted"
        elif c == "[":
            j, kind = _close_bracket(text, i, strict), "bracket"
        elif c.isspace():
            j, kind = i + 1, "space"
            while j < len(text) and text[j].isspace():
                j += 1
        elif _WORD_CHAR.match(c):
            j, kind = i + 1, "word"
            while j < len(text) and _WORD_CHAR.match(text[j]):
                j += 1
        else:
            j, kind = i + 1, "op"
        toks.append(_Tok(kind, text[i:j], i, j))
        i = j
    return toks


def _call_at(toks: list[_Tok], i: int) -> Udf | None:
    """The UDF whose call starts with the name token ``toks[i]`` (followed by "(")."""
    tok = toks[i]
    if tok.kind != "word" or i + 1 >= len(toks) or toks[i + 1].text != "(":
        return None
    name = tok.text.upper()
    for prefix in _PREFIXES:
        if name.startswith(prefix):
            name = name[len(prefix) :]
            break
    return REGISTRY.get(name)


def _call_start(toks: list[_Tok], i: int) -> int:
    """Index of the first token of the call whose name is ``toks[i]``: its qualifier
    (``xlmplan.xlam!``, ``'C:\\…\\xlmplan.xlam'!``, ``[1]!``) and a leading ``@``."""
    k = i
    if k >= 2 and toks[k - 1].text == "!" and toks[k - 2].kind in ("word", "quoted", "bracket"):
        k -= 2
        while k >= 1 and toks[k - 1].kind in ("word", "quoted", "bracket"):
            k -= 1
    if k >= 1 and toks[k - 1].text == "@":
        k -= 1
    return k


def _arguments(text: str, toks: list[_Tok], open_: int) -> tuple[list[str], int]:
    """The top-level argument texts of the call whose "(" is ``toks[open_]``, and the index
    of its ")"."""
    depth, args, begin = 0, [], toks[open_].end
    for j in range(open_ + 1, len(toks)):
        t = toks[j]
        if t.kind != "op":
            continue
        if t.text in "({":
            depth += 1
        elif t.text in ")}":
            if depth == 0:
                if t.text == "}":
                    break
                args.append(text[begin : t.start])
                if len(args) == 1 and not args[0].strip():
                    args = []
                return args, j
            depth -= 1
        elif t.text == "," and depth == 0:
            args.append(text[begin : t.start])
            begin = t.end
    raise UdfError(f"unbalanced parentheses after {toks[open_ - 1].text} in formula: {text}")


def _matching(toks: list[_Tok], open_: int) -> int | None:
    """Index of the token closing the bracket ``toks[open_]`` ( "(" or "{" )."""
    depth = 0
    for j in range(open_, len(toks)):
        t = toks[j]
        if t.kind == "op" and t.text in "({":
            depth += 1
        elif t.kind == "op" and t.text in ")}":
            depth -= 1
            if depth == 0:
                return j
    return None


_REFERENCE = re.compile(
    r"(?:(?:'(?:[^']|'')*'|\[\d+\][\w.]*|[^\W\d][\w.]*)!)?\$?[^\W\d][\w.$:\\?]*|\$?\d+:\$?\d+"
)


def _atomic(text: str) -> bool:
    """True when ``text`` can stand next to any operator without brackets: a number, a text
    literal, TRUE/FALSE, a reference or name, a function call, or a bracketed whole."""
    text = text.strip()
    if _NUMBER.fullmatch(text) or _REFERENCE.fullmatch(text):
        return True
    try:
        toks = _lex(text)
    except UdfError:
        return False
    if len(toks) == 1 and toks[0].kind == "str":
        return True
    if not toks:
        return False
    start = 1 if toks[0].kind == "word" and len(toks) > 1 and toks[1].text == "(" else 0
    if toks[start].kind != "op" or toks[start].text not in "({":
        return False
    return _matching(toks, start) == len(toks) - 1


def _wrap(text: str) -> str:
    text = text.strip()
    return text if _atomic(text) else f"({text})"


def _rewrite(text: str, ctx: UdfContext) -> tuple[str, int]:
    toks = _lex(text)
    out: list[str] = []
    count, pos, i = 0, 0, 0
    while i < len(toks):
        found = _call_at(toks, i)
        if found is None:
            i += 1
            continue
        first = _call_start(toks, i)
        raw, close = _arguments(text, toks, i + 1)
        if len(raw) > len(found.args):
            raise UdfError(
                f"{found.name} takes {found._arity()} arguments, not {len(raw)}: "
                f"{text[toks[first].start : toks[close].end]}"
            )
        args: list[str] = []
        for arg in raw:
            new, n = _rewrite(arg, ctx)
            args.append(_wrap(new) if new.strip() else "")
            count += n
        try:
            native = found.native(ctx, *args)
        except UdfError as exc:
            raise UdfError(f"{exc} in {text[toks[first].start : toks[close].end]}") from None
        out.append(text[pos : toks[first].start])
        out.append(_wrap(native))
        pos = toks[close].end
        count += 1
        i = close + 1
    out.append(text[pos:])
    return "".join(out), count


def _nesting(text: str) -> int:
    """Deepest nesting of function calls in a formula."""
    deepest, stack = 0, []
    toks = _lex(text)
    for j, t in enumerate(toks):
        if t.kind != "op":
            continue
        if t.text in "({":
            stack.append(t.text == "(" and j > 0 and toks[j - 1].kind == "word")
            deepest = max(deepest, sum(stack))
        elif t.text in ")}" and stack:
            stack.pop()
    return deepest


def rewrite_udfs(formula: str, words: Words, catalog: Catalog) -> tuple[str, int]:
    """Replace every xlmplan UDF call in ``formula`` by its native twin.

    Names match in any letter case, also as ``_xll.XLM_…``, ``_xludf.XLM_…``,
    ``xlmplan.xlam!XLM_…``, ``'C:\\path\\xlmplan.xlam'!XLM_…`` and ``[1]!XLM_…``. Calls
    nested in arguments are rewritten first; omitted optional arguments take the UDF's
    defaults; substituted arguments are bracketed unless atomic. Text literals are never
    touched. Returns the new formula and the number of calls rewritten (the formula itself
    when 0).

    Raises :class:`UdfError` for a call with too many or too few arguments, an unclosed
    quote or bracket, or a result over Excel's limits (8,192 characters, 64 nested calls).
    """
    if not uses_udf(formula):
        return formula, 0
    native, count = _rewrite(formula, UdfContext(words, catalog))
    body = native[1:] if native.startswith("=") else native
    if len(body) > MAX_FORMULA_CHARS:
        raise UdfError(
            f"the native version of {formula[:80]!r} would be {len(body):,} characters, over "
            f"Excel's {MAX_FORMULA_CHARS:,}: split it over cells or give metric names in quotes"
        )
    depth = _nesting(body)
    if depth > MAX_NESTING:
        raise UdfError(
            f"the native version of {formula[:80]!r} nests {depth} functions, over Excel's "
            f"{MAX_NESTING}: split it over cells"
        )
    return native, count


def uses_udf(formula: str) -> bool:
    """True when ``formula`` calls an xlmplan UDF (outside text literals)."""
    toks = _lex(formula, strict=False)
    return any(_call_at(toks, i) is not None for i in range(len(toks)))
