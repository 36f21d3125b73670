"""The rules the engines share, each as a Python function beside its Excel formula.

Every rule here has a ``*_xl`` twin that returns the native formula body for given cell
references, so the workbook and the pandas engine implement the same definition. The
LibreOffice agreement tests keep the two honest.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

EXCEL_EPOCH = dt.date(1899, 12, 30)


def serial(day: dt.date | None) -> float | None:
    """Excel's date serial number."""
    return None if day is None else float((day - EXCEL_EPOCH).days)


def xl_round(x: float, places: int = 6) -> float:
    """ROUND as Excel does it: half away from zero."""
    quantum = Decimal(1).scaleb(-places)
    return float(Decimal(repr(float(x))).quantize(quantum, rounding=ROUND_HALF_UP))


def is_num(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and not math.isnan(x)


def blank_if_nan(x: Any) -> Any:
    return None if isinstance(x, float) and math.isnan(x) else x


# --- SWOT -------------------------------------------------------------------------------


def swot_score(impact: Any, certainty: Any) -> float | None:
    return float(impact) * float(certainty) if is_num(impact) and is_num(certainty) else None


def swot_score_xl(impact: str, certainty: str) -> str:
    return f'IF(AND(ISNUMBER({impact}),ISNUMBER({certainty})),{impact}*{certainty},"")'


# --- attainment and status ---------------------------------------------------------------


def attainment(actual: Any, target: Any, direction: str) -> float | None:
    """actual ÷ target (higher is better) or target ÷ actual (lower), rounded to 6 places."""
    if not (is_num(actual) and is_num(target)):
        return None
    if direction == "lower":
        return None if actual == 0 else xl_round(target / actual)
    return None if target == 0 else xl_round(actual / target)


def attainment_xl(actual: str, target: str, direction: str, lower_word: str) -> str:
    return (
        f"IF(AND(ISNUMBER({actual}),ISNUMBER({target})),"
        f'IF({direction}="{lower_word}",IF({actual}=0,"",ROUND({target}/{actual},6)),'
        f'IF({target}=0,"",ROUND({actual}/{target},6))),"")'
    )


def status(att: Any, amber: float, words: tuple[str, str, str]) -> str | None:
    """Green ≥ 1, Amber ≥ the amber threshold, else Red; blank without attainment."""
    if not is_num(att):
        return None
    green, amber_word, red = words
    return green if att >= 1 else amber_word if att >= amber else red


def status_xl(att: str, amber: str, words: tuple[str, str, str]) -> str:
    green, amber_word, red = words
    return (
        f'IF(ISNUMBER({att}),IF({att}>=1,"{green}",IF({att}>={amber},"{amber_word}","{red}")),"")'
    )


def trend(last: Any, prev: Any) -> float | None:
    """Month-over-month change, rounded to 6 places."""
    if not (is_num(last) and is_num(prev)) or prev == 0:
        return None
    return xl_round(last / prev - 1)


def trend_xl(last: str, prev: str) -> str:
    return f'IF(AND(ISNUMBER({last}),ISNUMBER({prev})),IF({prev}=0,"",ROUND({last}/{prev}-1,6)),"")'


def better(change: Any, direction: str) -> bool | None:
    """A change (or a difference from a reference) is better when it goes the metric's way:
    up for higher-is-better, down for lower-is-better (a falling CPA is good); None for no
    change or a blank."""
    if not is_num(change) or change == 0:
        return None
    return change < 0 if direction == "lower" else change > 0


def better_xl(change: str, direction: str, lower: str) -> str:
    """True where :func:`better` is True; ``direction`` is a cell holding the direction word."""
    return f'AND(ISNUMBER({change}),IF({direction}="{lower}",{change}<0,{change}>0))'


def worse_xl(change: str, direction: str, lower: str) -> str:
    """True where :func:`better` is False."""
    return f'AND(ISNUMBER({change}),IF({direction}="{lower}",{change}>0,{change}<0))'


def band(value: Any, values: list[Any], direction: str) -> str | None:
    """Where a value stands among ``values`` the metric's way (the Analysis colour scales):
    "best", "better" (than the median), "worse", "worst"; None at the median or blank."""
    nums = sorted(float(v) for v in values if is_num(v))
    if not is_num(value) or not nums:
        return None
    best, worst = (nums[0], nums[-1]) if direction == "lower" else (nums[-1], nums[0])
    if value == best:
        return "best"
    if value == worst:
        return "worst"
    n = len(nums)
    median = (nums[(n - 1) // 2] + nums[n // 2]) / 2
    side = better(value - median, direction)
    return None if side is None else "better" if side else "worse"


def band_xl(cell: str, cells: str, direction: str, lower: str) -> dict[str, str]:
    """:func:`band` as one condition per band (check them in this order)."""
    best = f'IF({direction}="{lower}",MIN({cells}),MAX({cells}))'
    worst = f'IF({direction}="{lower}",MAX({cells}),MIN({cells}))'
    off = f"({cell}-MEDIAN({cells}))"
    return {
        "best": f"AND(ISNUMBER({cell}),{cell}={best})",
        "worst": f"AND(ISNUMBER({cell}),{cell}={worst})",
        "better": f"AND(ISNUMBER({cell}),{better_xl(off, direction, lower)})",
        "worse": f"AND(ISNUMBER({cell}),{worse_xl(off, direction, lower)})",
    }


# --- run rate and scenarios --------------------------------------------------------------


def run_rate(actual: Any, additive: bool, plan_days: float, elapsed_days: float) -> float | None:
    """Additive measures scale to the plan's length; ratio metrics keep their value."""
    if not is_num(actual):
        return None
    if not additive:
        return float(actual)
    return None if elapsed_days <= 0 else actual * plan_days / elapsed_days


def run_rate_xl(actual: str, additive: str, plan_days: str, elapsed_days: str) -> str:
    return (
        f"IF(ISNUMBER({actual}),IF({additive},IF({elapsed_days}>0,"
        f'{actual}*{plan_days}/{elapsed_days},""),{actual}),"")'
    )


def scenario_projection(projection: Any, multiplier: Any, direction: str) -> float | None:
    """A scenario's projection: better by the multiplier, in the metric's own direction."""
    if not (is_num(projection) and is_num(multiplier)) or multiplier == 0:
        return None
    return projection / multiplier if direction == "lower" else projection * multiplier


def scenario_projection_xl(projection: str, multiplier: str, direction: str, lower: str) -> str:
    return (
        f'IF(AND(ISNUMBER({projection}),ISNUMBER({multiplier})),IF({multiplier}=0,"",'
        f'IF({direction}="{lower}",{projection}/{multiplier},{projection}*{multiplier})),"")'
    )


def scenario_now(projected_att: Any, trigger: float, names: tuple[str, str, str]) -> str | None:
    """Optimistic when projected attainment ≥ 1, realistic ≥ trigger, else pessimistic."""
    if not is_num(projected_att):
        return None
    return names[0] if projected_att >= 1 else names[1] if projected_att >= trigger else names[2]


def scenario_now_xl(att: str, trigger: str, names: tuple[str, str, str]) -> str:
    return (
        f'IF(ISNUMBER({att}),IF({att}>=1,{names[0]},IF({att}>={trigger},{names[1]},{names[2]})),"")'
    )


# --- 3M ----------------------------------------------------------------------------------


def active(start: dt.date | None, end: dt.date | None, month: dt.date, last: dt.date) -> bool:
    """Whether [start, end] overlaps the month [month, last]."""
    return start is not None and end is not None and start <= last and end >= month


def active_xl(start: str, end: str, month: str) -> str:
    return f"AND(ISNUMBER({start}),ISNUMBER({end}),{start}<=EOMONTH({month},0),{end}>={month})"


def word_count_xl(text: str) -> str:
    return f'IF(TRIM({text})="",0,LEN(TRIM({text}))-LEN(SUBSTITUTE(TRIM({text})," ",""))+1)'


def word_count(text: str) -> int:
    """Words as the formula counts them: TRIM collapses runs of spaces."""
    trimmed = " ".join(part for part in text.split(" ") if part)
    return trimmed.count(" ") + 1 if trimmed else 0


# --- text matched literally -----------------------------------------------------------------


def same_text(a: str, b: str) -> bool:
    """Text equality as a literal criterion and ``=`` test it: whole text, ignoring case."""
    return a.casefold() == b.casefold()


def literal_lookup_xl(text: str) -> str:
    """A ``MATCH(…, range, 0)`` lookup value that finds ``text`` itself (``same_text``):
    ``~``, ``*`` and ``?`` escaped with ``~``, so they are no wildcards (Excel, and
    LibreOffice with wildcards on, as it is for an xlsx file)."""
    return f'SUBSTITUTE(SUBSTITUTE(SUBSTITUTE({text},"~","~~"),"*","~*"),"?","~?")'


def literal_criterion_xl(text: str) -> str:
    """A SUMIFS/COUNTIFS/SUMIF criterion that matches ``text`` itself (``same_text``):
    ``=`` first, so a leading ``<``, ``>`` or ``=`` of the text is no operator, then the
    text with its wildcards escaped (``literal_lookup_xl``)."""
    return f'"="&{literal_lookup_xl(text)}'


def cited_xl(item: str, listed: str) -> str:
    """1 where ``item`` is one of the comma-separated ``listed`` (spaces ignored, any case).

    FIND over UPPER, not SEARCH: SEARCH reads ``*``, ``?`` and ``~`` of an id as wildcards.
    """
    return f'ISNUMBER(FIND(","&UPPER({item})&",",","&UPPER(SUBSTITUTE({listed}," ",""))&","))'


# --- joined texts ---------------------------------------------------------------------------


def join_step(joined: str, hit: bool, text: str) -> str:
    """``joined`` with "; " and ``text`` appended where ``hit`` (a running join)."""
    return f"{joined}; {text}" if hit else joined


def join_step_xl(joined: str | None, hit: str, text: str) -> str:
    """One cell of a running join: the previous cell (None: the first) and this item."""
    step = f'IF({hit},"; "&{text},"")'
    return step if joined is None else f"{joined}&{step}"


def joined_text(running: str) -> str:
    """A finished running join without its leading separator."""
    return running[2:]


def joined_text_xl(running: str) -> str:
    return f"MID({running},3,32767)"
