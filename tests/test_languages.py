"""Arabic and Persian plans: same numbers as the English plan, right to left, no English
label left, and switching languages keeps every input."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from python_calamine import CalamineWorkbook

from tests.engines import NEEDS_LO, cached_values, compare, is_error
from xlmplan.api import PlanResult, new_plan
from xlmplan.core.labels import Labels, load_labels
from xlmplan.core.relabel import CHOICES
from xlmplan.core.template import templates_root
from xlmplan.language import switch_language
from xlmplan.libreoffice import runner
from xlmplan.refresh import refresh_plan
from xlmplan.sheets.book import ROLES
from xlmplan.xlsx.plan_file import input_tables, open_plan

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
LANGS = ("ar", "fa")


def pack(lang: str) -> Labels:
    return load_labels(templates_root() / "labels", lang)


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, PlanResult]:
    folder = tmp_path_factory.mktemp("languages")
    return {lang: new_plan(folder / f"plan-{lang}.xlsx", lang=lang) for lang in ("en", *LANGS)}


def values(path: Path) -> dict[str, list[list[Any]]]:
    book = CalamineWorkbook.from_path(str(path))
    return {n: book.get_sheet_by_name(n).to_python() for n in book.sheet_names}


def numbers_by_position(path: Path) -> list[dict[tuple[int, int], float]]:
    """Every numeric cell of every sheet, sheet by sheet in book order."""
    out = []
    for rows in values(path).values():
        out.append(
            {
                (i, j): float(v)
                for i, row in enumerate(rows)
                for j, v in enumerate(row)
                if isinstance(v, (int, float)) and not isinstance(v, bool)
            }
        )
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_same_numbers_as_the_english_plan(plans: dict[str, PlanResult], lang: str) -> None:
    english = numbers_by_position(plans["en"].path)
    other = numbers_by_position(plans[lang].path)
    assert len(english) == len(other)
    total = 0
    for index, (en_sheet, other_sheet) in enumerate(zip(english, other, strict=True)):
        if (*ROLES, "manifest")[index] == "dashboard":  # tiles per row: the names' widths
            assert sorted(other_sheet.values()) == pytest.approx(sorted(en_sheet.values()))
            total += len(en_sheet)
            continue
        assert en_sheet.keys() == other_sheet.keys()
        for pos, value in en_sheet.items():
            assert other_sheet[pos] == pytest.approx(value, rel=1e-12, abs=1e-12), pos
        total += len(en_sheet)
    assert total > 10_000  # the Data rows and every derived number
    en_kpis = [(k.actual, k.attainment, k.projection) for k in plans["en"].results.kpis]
    assert [(k.actual, k.attainment, k.projection) for k in plans[lang].results.kpis] == en_kpis
    assert [k.status for k in plans[lang].results.kpis] == [
        pack(lang)[f"status.{s}"] if s else None
        for s in (
            {"Green": "green", "Amber": "amber", "Red": "red"}.get(k.status or "", "")
            for k in plans["en"].results.kpis
        )
    ]


@NEEDS_LO
@pytest.mark.parametrize("lang", LANGS)
def test_libreoffice_recalculation_equals_cached_values(
    plans: dict[str, PlanResult], lang: str, libreoffice: None
) -> None:
    path = plans[lang].path
    cached = cached_values(path)
    cells = sum(len(v) for v in cached.values())
    errors = [f"{s}!{a}: {v}" for s, vals in cached.items() for a, v in vals.items() if is_error(v)]
    assert not errors, errors[:10]
    recalculated = runner.recalculate(path)
    assert recalculated.formula_count == cells > 2000
    mismatches = compare(
        cached, recalculated.values, expected_label="cached", actual_label="libreoffice"
    )
    assert not mismatches, f"{len(mismatches)} of {cells} differ:\n" + "\n".join(mismatches[:20])


def sheet_views(path: Path) -> dict[str, list[str | None]]:
    """Each worksheet part's rightToLeft flags."""
    out = {}
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/sheet"):
                root = etree.fromstring(zf.read(name))
                out[name] = [v.get("rightToLeft") for v in root.iter(MAIN + "sheetView")]
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_every_sheet_is_right_to_left_in_a_native_font(
    plans: dict[str, PlanResult], lang: str
) -> None:
    views = sheet_views(plans[lang].path)
    assert len(views) == len(ROLES) + 1  # every role and the manifest
    assert all(flags == ["1"] for flags in views.values()), views
    assert all(flags != ["1"] for flags in sheet_views(plans["en"].path).values())
    with zipfile.ZipFile(plans[lang].path) as zf:
        styles = etree.fromstring(zf.read("xl/styles.xml"))
    fonts = {f.get("val") for f in styles.iter(MAIN + "name")}
    assert "Tahoma" in fonts


def english_labels_in(lang: str) -> dict[str, str]:
    """English label texts that the other pack translates (key -> English text)."""
    en, other = pack("en"), pack(lang)
    return {k: v for k, v in en.texts.items() if other.texts.get(k) != v and len(v) > 1}


@pytest.mark.parametrize("lang", LANGS)
def test_no_english_label_remains(plans: dict[str, PlanResult], lang: str) -> None:
    english = english_labels_in(lang)
    texts: dict[str, str] = {}
    book = values(plans[lang].path)
    for sheet, rows in book.items():
        if sheet == "_xlmplan":
            continue
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                if isinstance(v, str) and v:
                    texts.setdefault(v, f"{sheet}!{i + 1}:{j + 1}")
    # Messages with placeholders are matched by their fixed words.
    patterns = {
        k: re.compile(re.sub(r"\\\{[a-z_]+\\\}", ".*", re.escape(v)), re.S)
        for k, v in english.items()
    }
    left = sorted(
        f"{k} = {english[k]!r} at {where}"
        for text, where in texts.items()
        for k, pattern in patterns.items()
        if pattern.fullmatch(text) and len(english[k]) > 3
    )
    sheet_names = set(book)
    left += [f"sheet {n}" for n in sheet_names if n in set(english.values())]
    assert not left, left[:20]
    assert {pack(lang)[f"sheet.{r}"] for r in ("start", "data", "swot")} <= sheet_names


def list_values(lang: str, section: str) -> set[str]:
    labels = pack(lang)
    if section == "word":
        return {labels["word.higher"], labels["word.lower"], labels["word.all"]}
    return {v for k, v in labels.texts.items() if k.startswith(section + ".")}


def inputs(path: Path) -> dict[str, Any]:
    pf = open_plan(path)
    try:
        return {role: (t.sheet, t.row, t.col, t.rows) for role, t in input_tables(pf).items()}
    finally:
        pf.close()


def test_switching_en_fa_ar_en_keeps_every_input(
    plans: dict[str, PlanResult], tmp_path: Path
) -> None:
    path = tmp_path / "plan.xlsx"
    shutil.copy(plans["en"].path, path)
    original = inputs(path)
    english_values = values(path)
    for lang in ("fa", "ar", "en"):
        result = switch_language(path, lang, backup=False)
        assert result.written and result.new == lang
        now = inputs(path)
        assert now.keys() == original.keys()
        for role, (_sheet, row, col, rows) in now.items():
            o_sheet, o_row, o_col, o_rows = original[role]
            assert (row, col, len(rows)) == (o_row, o_col, len(o_rows)), role
            fields = _field_names(role)
            for i, (new_row, old_row) in enumerate(zip(rows, o_rows, strict=True)):
                for j, (new, old) in enumerate(zip(new_row, old_row, strict=True)):
                    section = CHOICES.get((role, fields[j])) if fields else None
                    if section is None and role not in ("settings", "scenarios"):
                        assert new == old, (lang, role, i, j, old, new)  # typed by the user
                    elif section == "metric":
                        labels = [m.label for m in result.refresh.analysis.catalog]  # type: ignore[union-attr]
                        assert new in labels, (lang, role, i, new)
                    elif section is not None and old not in ("", None):
                        valid = list_values(lang, section)
                        if fields and fields[j] == "channel":
                            valid |= set(plans["en"].plan.channels)
                        assert new in valid, (lang, role, i, j, new)
        check = refresh_plan(path, backup=False)
        assert not check.written, (lang, check.changed_parts)  # the switch left it refreshed
    assert values(path) == english_values


def _field_names(role: str) -> list[str] | None:
    from dataclasses import fields

    from xlmplan.core.inputs import ROW_TYPES

    cls = ROW_TYPES.get(role)
    return [f.name for f in fields(cls)] if cls else None


@NEEDS_LO
def test_a_switched_plan_agrees_with_libreoffice(
    plans: dict[str, PlanResult], tmp_path: Path, libreoffice: None
) -> None:
    path = tmp_path / "switched.xlsx"
    shutil.copy(plans["en"].path, path)
    switch_language(path, "fa", backup=False)
    assert all(flags == ["1"] for flags in sheet_views(path).values())
    cached = cached_values(path)
    recalculated = runner.recalculate(path)
    mismatches = compare(cached, recalculated.values)
    assert not mismatches, mismatches[:20]
    assert pack("fa")["sheet.objectives"] in cached


def test_switching_keeps_a_users_renamed_sheet_and_formulas(
    plans: dict[str, PlanResult], tmp_path: Path
) -> None:
    """A sheet of the user's citing plan sheets follows the rename; unknown languages fail."""
    from xlmplan.errors import XlmplanError

    path = tmp_path / "plan.xlsx"
    shutil.copy(plans["en"].path, path)
    with pytest.raises(XlmplanError, match="unknown language 'de'"):
        switch_language(path, "de")
    result = switch_language(path, "ar", backup=True)
    assert result.backup is not None and result.backup.exists()
    assert (
        "Objectives" in result.renamed
        and result.renamed["Objectives"] == pack("ar")["sheet.objectives"]
    )
    again = switch_language(path, "ar")
    assert not again.written


def test_solar_hijri_plans_have_persian_months_and_formats(
    plans: dict[str, PlanResult], tmp_path: Path
) -> None:
    """The Persian calendar shows dates in its number format and cuts the plan into Solar
    Hijri months; the stored dates stay Gregorian serials."""
    from xlmplan.core.jalali import SOLAR_HIJRI_FORMAT

    result = new_plan(tmp_path / "plan.xlsx", lang="fa", calendar="solar-hijri")
    path = result.path
    with zipfile.ZipFile(path) as zf:
        styles = zf.read("xl/styles.xml").decode()
    assert SOLAR_HIJRI_FORMAT in styles.replace("&amp;", "&")
    shown, gregorian = values(path), values(plans["fa"].path)
    assert shown.pop("_xlmplan") != gregorian.pop("_xlmplan")  # the manifest records it
    # the Data start on 2026-01-01, which is 11 Dey 1404: the plan starts on 1 Dey
    first = [1.0, dt.date(2025, 12, 22), dt.date(2026, 1, 20), 30.0, "دی 1404"]
    assert shown["تقویم"][4][:5] == first
    assert result.plan.settings.start == dt.date(2025, 12, 22)
    refresh_plan(path, backup=False)
    with zipfile.ZipFile(path) as zf:
        assert SOLAR_HIJRI_FORMAT in zf.read("xl/styles.xml").decode()
    from xlmplan.errors import XlmplanError

    with pytest.raises(XlmplanError, match="--calendar 'lunar'"):
        new_plan(tmp_path / "other.xlsx", calendar="lunar")


ARABIC_CHANNELS = {
    "Paid Search": "بحث مدفوع",
    "Organic Search": "بحث طبيعي",
    "Paid Social": "شبکه‌های اجتماعی پولی",
    "Email": "البريد الإلكتروني",
}


@NEEDS_LO
def test_arabic_and_persian_channels_and_campaigns(tmp_path: Path, libreoffice: None) -> None:
    """Data whose channels and campaigns are in Arabic and Persian script, in an Arabic
    plan: LibreOffice's recalculation equals the cached values, channel by channel."""
    from xlmplan.io.example_data import example_data

    frame = example_data()
    frame["channel"] = frame["channel"].map(lambda c: ARABIC_CHANNELS.get(c, c))
    frame["campaign"] = "کمپین نوروز " + frame["campaign"].astype(str)
    csv = tmp_path / "data.csv"
    frame.to_csv(csv, index=False, encoding="utf-8")
    result = new_plan(tmp_path / "plan.xlsx", data=csv, lang="ar")
    assert set(ARABIC_CHANNELS.values()) <= set(result.plan.channels)
    cached = cached_values(result.path)
    recalculated = runner.recalculate(result.path)
    assert not compare(cached, recalculated.values)
    lists = values(result.path)[pack("ar")["sheet.lists"]]
    assert any("شبکه‌های اجتماعی پولی" in row for row in lists)  # ZWNJ kept
