"""Turn the cells of a plan's input Tables back into a :class:`Plan`.

Pure: a reader hands over each Table's cells as Python values (text, numbers, dates,
booleans, None); this module coerces them to the model's field types. A cell that cannot
be read becomes blank and a :class:`Finding` names it, so one typo never blocks a refresh.
Only the settings a plan cannot exist without (first month, length) stop with an error.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field, fields
from typing import Any

from xlmplan.core.addresses import col_letter
from xlmplan.core.budget_pacing import OUTLOOKS
from xlmplan.core.checks import Finding
from xlmplan.core.data import LARGEST, SIZE_PROBLEM, SMALLEST
from xlmplan.core.date_bounds import (
    in_range,
    month_after,
    outside_text,
    period_problem,
    solar_hijri_reading,
)
from xlmplan.core.labels import Labels
from xlmplan.core.model import (
    SCENARIO_KEYS,
    Action,
    Kpi,
    KpiPath,
    MoneyLine,
    Objective,
    PeriodTarget,
    Person,
    Plan,
    Scenario,
    ScenarioValue,
    Settings,
    Strategy,
    SwotFactor,
)
from xlmplan.core.periods import (
    CALENDARS,
    GREGORIAN,
    month_first,
    month_of,
    plan_periods,
)
from xlmplan.core.xml_text import FORBIDDEN, REPLACEMENT, WHAT, clean_text
from xlmplan.errors import DataError

# Table role -> model class of one row (settings and scenarios are read specially).
ROW_TYPES: dict[str, type] = {
    "swot": SwotFactor,
    "objectives": Objective,
    "strategies": Strategy,
    "kpis": Kpi,
    "people": Person,
    "money": MoneyLine,
    "actions": Action,
    "paths": KpiPath,
    "period_targets": PeriodTarget,
    "scenario_values": ScenarioValue,
}
GROWING = tuple(ROW_TYPES)  # tables a user extends by typing rows below them
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_TEXT = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+)?\s*$")


@dataclass
class TableCells:
    """One input Table as read: where it is (0-based) and its data rows."""

    sheet: str
    row: int  # header row
    col: int
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)

    def where(self, i: int, j: int) -> str:
        return f"{self.sheet}!{col_letter(self.col + j)}{self.row + 2 + i}"


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def calendar_date(value: Any) -> dt.date | None:
    """The date a cell holds (a date, an Excel serial or 'YYYY-MM-DD' text), or None."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < 2958466:
        return _EXCEL_EPOCH + dt.timedelta(days=int(value))
    if isinstance(value, str) and (m := _DATE_TEXT.match(value)):
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    return None


class _Reader:
    def __init__(self) -> None:
        self.findings: list[Finding] = []

    def bad(self, where: str, message: str) -> None:
        self.findings.append(Finding("error", where, message))

    def text(self, value: Any, where: str) -> str:
        """Cell ``where`` as text; characters XML forbids become U+FFFD, with a finding there."""
        if is_blank(value):
            return ""
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        text = str(value).strip()
        if FORBIDDEN.search(text):
            text = clean_text(text)
            self.findings.append(
                Finding(
                    "warning",
                    where,
                    f"the text held {WHAT}; each is used as '{REPLACEMENT}' — retype the text",
                )
            )
        return text

    def number(self, value: Any, where: str, header: str) -> float | None:
        if is_blank(value):
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return self.sized(float(value), where, header)
        if isinstance(value, str):
            text = value.strip().replace(",", "")
            scale = 1.0
            if text.endswith("%"):
                text, scale = text[:-1], 0.01
            try:
                return self.sized(float(text) * scale, where, header)
            except ValueError:
                pass
        shown = self.text(value, where)
        self.bad(where, f"{header} '{shown}' is not a number — type a number or clear it")
        return None

    def sized(self, number: float, where: str, header: str) -> float | None:
        """``number``, or blank plus a finding when it would overflow a sum or a ratio."""
        if math.isfinite(number) and (number == 0 or SMALLEST <= abs(number) < LARGEST):
            return number
        self.bad(where, f"{header} {number!r} {SIZE_PROBLEM}")
        return None

    def date(self, value: Any, where: str, header: str) -> dt.date | None:
        """A date cell; one outside the dates a plan can hold is blank plus a finding."""
        day = calendar_date(value)
        if day is not None and not in_range(day):
            self.bad(where, f"{header} {outside_text(day)} — type a date such as 2026-03-31")
            return None
        if day is None and not is_blank(value):
            shown = self.text(value, where)
            self.bad(where, f"{header} '{shown}' is not a date — type a date such as 2026-03-31")
        return day

    def item(self, cls: type, table: TableCells, i: int, values: list[Any]) -> Any:
        args: list[Any] = []
        for j, f in enumerate(fields(cls)):
            value = values[j] if j < len(values) else None
            where, header = (
                table.where(i, j),
                table.headers[j] if j < len(table.headers) else f.name,
            )
            kind = str(f.type)
            if "date" in kind:
                args.append(self.date(value, where, header))
            elif "float" in kind:
                args.append(self.number(value, where, header))
            else:
                args.append(self.text(value, where))
        return cls(*args)


def outside_fix(day: dt.date) -> str:
    """'1404-09-01 is outside … — type 2025-11-01 (the Gregorian first day)' for Start."""
    reading = solar_hijri_reading(day.year, day.month)
    fix = f"type {reading[0]:%Y-%m}-01" if reading else "type a month such as 2026-01-01"
    return f"{outside_text(day)} — {fix}"


def _settings(table: TableCells, labels: Labels, base: Settings, r: _Reader) -> Settings:
    by_label = {labels[f"setting.{f.name}"].casefold(): f for f in fields(Settings)}
    values: dict[str, Any] = {}
    cells: dict[str, Any] = {}
    where_of: dict[str, str] = {}
    for i, row in enumerate(table.rows):
        header = r.text(row[0] if row else None, table.where(i, 0))
        f = by_label.get(header.casefold())
        if f is None:
            continue
        value = row[1] if len(row) > 1 else None
        where = table.where(i, 1)
        cells[f.name], where_of[f.name], where_of[f"{f.name}_label"] = value, where, header
        kind = str(f.type)
        if "date" in kind:
            values[f.name] = r.date(value, where, header)
        elif kind in ("int", "float", "float | None"):
            number = r.number(value, where, header)
            if number is not None:
                values[f.name] = int(round(number)) if kind == "int" else number
        elif f.name == "fiscal_start":
            values[f.name] = _fiscal_start(r.number(value, where, header), where, header, r)
        elif f.name in CHOICES:
            noun, choices = CHOICES[f.name]
            text = r.text(value, where)
            values[f.name] = _choice(text, choices, noun, where, header, getattr(base, f.name), r)
        else:
            values[f.name] = r.text(value, where) or getattr(base, f.name)
    start = values.get("start")
    if not isinstance(start, dt.date):
        typed = calendar_date(cells.get("start"))
        if typed is not None:
            raise DataError(f"{where_of['start']}: the plan's first month {outside_fix(typed)}")
        _refuse_a_damaged_start_label(table, labels["setting.start"])
        raise DataError(
            f"{table.sheet}: the plan's first month is missing or not a date — "
            "type it on Start (e.g. 2026-01-01)"
        )
    months = values.get("months", base.months)
    if not 1 <= months <= 60:
        raise DataError(f"{table.sheet}: the plan length must be 1 to 60 months, not {months}")
    problem = period_problem(start.replace(day=1), months)
    if problem is not None:
        raise DataError(
            f"{where_of.get('months', table.sheet)}: {problem} — start earlier or plan fewer months"
        )
    calendar = values.get("calendar", base.calendar)
    first = month_first(*month_of(start, calendar), calendar)  # the month holding the start
    values["start"] = first
    fiscal, month = values.get("fiscal_start"), month_of(first, calendar)[1]
    if fiscal is not None and fiscal != month:
        r.findings.append(
            Finding(
                "warning",
                where_of["fiscal_start"],
                f"{where_of['fiscal_start_label']} is month {fiscal} but the plan starts in month "
                f"{month} — type the first day of month {fiscal} as the first month, or clear it",
            )
        )
    end = (
        month_after(start, months) - dt.timedelta(days=1)
        if calendar == GREGORIAN
        else plan_periods(first, months, calendar).last
    )
    as_of = values.get("as_of")
    if isinstance(as_of, dt.date) and not first <= as_of <= end:
        r.bad(
            where_of["as_of"],
            f"{where_of['as_of_label']} {as_of.isoformat()} lies outside the plan period "
            f"({first.isoformat()} to {end.isoformat()}): every actual, run-rate and scenario "
            "is computed as of that day — clear it or type a day inside the plan",
        )
    merged = {f.name: values.get(f.name, getattr(base, f.name)) for f in fields(Settings)}
    return Settings(**merged)


def _refuse_a_damaged_start_label(table: TableCells, label: str) -> None:
    """Name the cell of a first-month label that only characters XML forbids keep from
    being read (the setting is then missing, and the label's cell is what to fix)."""
    for i, row in enumerate(table.rows):
        typed = row[0] if row else None
        if (
            isinstance(typed, str)
            and FORBIDDEN.search(typed)
            and FORBIDDEN.sub("", typed).strip().casefold() == label.casefold()
        ):
            raise DataError(
                f"{table.where(i, 0)}: the label of the plan's first month held {WHAT} — "
                f"retype it as '{label}'"
            )


def _fiscal_start(number: float | None, where: str, header: str, r: _Reader) -> int | None:
    """The fiscal start month 1..12; blank, or a finding for anything else."""
    if number is None:
        return None
    if number.is_integer() and 1 <= number <= 12:
        return int(number)
    r.bad(where, f"{header}: {number:g} is not a month — type 1 to 12 or leave it blank")
    return None


# Settings typed as one of a few words: (what the word names, the words).
CHOICES: dict[str, tuple[str, tuple[str, ...]]] = {
    "calendar": ("calendar", CALENDARS),
    "budget_outlook": ("outlook", OUTLOOKS),
}


def _choice(
    text: str,
    choices: tuple[str, ...],
    noun: str,
    where: str,
    header: str,
    default: str,
    r: _Reader,
) -> str:
    """One of ``choices`` (any case, surrounding spaces ignored); other text is a finding
    and keeps ``default``; an empty cell keeps ``default``."""
    folded = text.strip().casefold()
    if folded in choices:
        return folded
    if folded:
        r.bad(where, f"{header}: '{text}' is no {noun} — pick {' or '.join(choices)}")
    return default


def _scenarios(table: TableCells, base: list[Scenario], r: _Reader) -> list[Scenario]:
    out = []
    for i, key in enumerate(SCENARIO_KEYS):
        row = table.rows[i] if i < len(table.rows) else []
        default = next((s for s in base if s.key == key), Scenario(key, 1.0, "", 0.0))
        mult = r.number(row[1] if len(row) > 1 else None, table.where(i, 1), table.headers[1])
        extra = r.number(row[3] if len(row) > 3 else None, table.where(i, 3), table.headers[3])
        contingency = r.text(row[2] if len(row) > 2 else None, table.where(i, 2))
        out.append(
            Scenario(
                key,
                default.multiplier if mult is None or mult <= 0 else mult,
                contingency,
                0.0 if extra is None else extra,
            )
        )
    return out


def plan_from_tables(
    tables: dict[str, TableCells], labels: Labels, base: Plan, channels: list[str]
) -> tuple[Plan, list[Finding]]:
    """The plan whose inputs are ``tables`` (by role); ``base`` gives defaults for anything
    a Table does not hold. Returns the plan and one finding per unreadable cell."""
    r = _Reader()
    settings = _settings(tables["settings"], labels, base.settings, r)
    plan = Plan(settings=settings, channels=list(channels))
    for role, cls in ROW_TYPES.items():
        table = tables.get(role)
        if table is None:
            continue
        # Blank rows stay: the derived columns beside a Table are row-aligned with it.
        items = [r.item(cls, table, i, row) for i, row in enumerate(table.rows)]
        if len(table.rows) == 1 and all(is_blank(v) for v in table.rows[0]):
            items = []  # an empty Table keeps one blank row
        setattr(plan, role, items)
    scen = tables.get("scenarios")
    plan.scenarios = _scenarios(scen, base.scenarios, r) if scen else list(base.scenarios)
    return plan, r.findings
