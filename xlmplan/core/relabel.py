"""Switching a plan's language: which input-Table cells change, and to what.

Only labels change: Table headers, the setting names on Start, the scenario names, and the
cells whose value was picked from a drop-down list (level, horizon, kind, RACE stage, money
category, better-when, the "All" channel, a KPI's metric, the media category). Each is
looked up by its text in the old label pack and written as the same key's text in the new
one, so a choice stays the same choice. Anything a user typed freely, or a value that is not
a label of the old pack, is left exactly as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from xlmplan.core.catalog import Catalog
from xlmplan.core.inputs import ROW_TYPES, TableCells
from xlmplan.core.labels import Labels

# Input Table role -> the pack section its headers come from.
HEADER_SECTIONS = {
    "settings": "start",
    "swot": "swot",
    "objectives": "objectives",
    "strategies": "strategy",
    "kpis": "kpi",
    "people": "people",
    "money": "money",
    "actions": "actions",
    "scenarios": "scenarios",
    "data": "data",
    "paths": "targets_path",
    "period_targets": "period_target",
}
# (Table role, field) -> the pack section of the list its value is picked from.
CHOICES = {
    ("objectives", "level"): "level",
    ("objectives", "horizon"): "horizon",
    ("objectives", "kind"): "kind",
    ("objectives", "race"): "race",
    ("money", "category"): "category",
    ("kpis", "direction"): "word",
    ("kpis", "channel"): "word",
    ("kpis", "metric"): "metric",
    ("paths", "method"): "path",
    ("period_targets", "period"): "period",
}
WORD_KEYS = ("word.higher", "word.lower", "word.all")


@dataclass(frozen=True)
class Edit:
    """A new value for one cell (0-based position on the named sheet)."""

    sheet: str
    row: int
    col: int
    value: Any
    header: bool = False  # a Table header cell (the Table part names it too)


class Translator:
    """Old-language label -> new-language label, by key."""

    def __init__(self, old: Labels, new: Labels, old_catalog: Catalog, new_catalog: Catalog):
        self.old, self.new = old, new
        self.metrics = {m.key: m.label for m in new_catalog}
        self.old_catalog = old_catalog

    def __call__(self, value: Any, section: str) -> Any:
        """``value`` in the new language, or ``value`` itself when it is not a label."""
        if not isinstance(value, str) or not value.strip():
            return value
        if section == "metric":
            metric = self.old_catalog.by_label(value)
            return self.metrics.get(metric.key, value) if metric else value
        if section == "period":
            return self.period(value)
        keys = self.old.keys_for(value, section)
        if section == "word":
            keys = [k for k in keys if k in WORD_KEYS]
        return self.new[keys[0]] if len(keys) == 1 else value

    def period(self, text: str) -> str:
        """A period label ("May 2026") in the new pack's words and pattern."""
        old_pattern = self.old.get("period.label", "{month} {year}")
        for key in (f"period.{p}{m:02d}" for p in ("g", "sh") for m in range(1, 13)):
            name = self.old.get(key, "")
            head, _, tail = old_pattern.partition("{month}")
            prefix, _, suffix = tail.partition("{year}")
            start, end = head + name + prefix, suffix
            year = text[len(start) : len(text) - len(end) if end else None]
            if name and text.startswith(start) and text.endswith(end) and year.isdigit():
                new = self.new.get("period.label", "{month} {year}")
                return new.format(month=self.new.get(key, name), year=year)
        return text

    def setting_key(self, label: Any) -> str | None:
        """The setting a Start row holds (its key), from its label in the old language."""
        keys = self.old.keys_for(label, "setting") if isinstance(label, str) else []
        return keys[0].partition(".")[2] if len(keys) == 1 else None


def relabel_edits(
    tables: dict[str, TableCells],
    translate: Translator,
    lang: str,
) -> list[Edit]:
    """Every input-Table cell whose text changes when the plan switches to ``lang``.
    ``tables`` may include the Data table (role "data", headers only)."""
    edits: list[Edit] = []

    def put(table: TableCells, row: int, col: int, old: Any, new: Any, header: bool) -> None:
        if new != old:
            edits.append(Edit(table.sheet, row, col, new, header))

    for role, table in tables.items():
        section = HEADER_SECTIONS.get(role)
        if section is None:
            continue
        for j, text in enumerate(table.headers):
            put(table, table.row, table.col + j, text, translate(text, section), True)
        first = table.row + 1
        if role == "settings":
            for i, row in enumerate(table.rows):
                label = row[0] if row else None
                put(table, first + i, table.col, label, translate(label, "setting"), False)
                key = translate.setting_key(label)
                if key == "language":
                    put(table, first + i, table.col + 1, row[1], lang, False)
                elif key == "media_category":
                    value = row[1] if len(row) > 1 else None
                    new = translate(value, "category")
                    put(table, first + i, table.col + 1, value, new, False)
        elif role == "scenarios":
            for i, row in enumerate(table.rows):
                name = row[0] if row else None
                put(table, first + i, table.col, name, translate(name, "scenario"), False)
        elif role in ROW_TYPES:
            names = [f.name for f in fields(ROW_TYPES[role])]
            for j, name in enumerate(names):
                list_section = CHOICES.get((role, name))
                if list_section is None:
                    continue
                for i, row in enumerate(table.rows):
                    value = row[j] if j < len(row) else None
                    new = translate(value, list_section)
                    put(table, first + i, table.col + j, value, new, False)
    return edits
