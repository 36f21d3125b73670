"""The label packs (en, ar, fa) and the starter template's text overlays (ar, fa).

Pure file checks, no workbook is built: every pack has the keys and placeholders of the
English one, the texts obey the rules Excel sets for them (sheet names, distinct table
headers, distinct drop-down values), the Arabic and Persian texts are written in their own
script and letters, and the overlays line up entry by entry with ``online_shop.toml``.
"""

from __future__ import annotations

import functools
import re
import string
import tomllib
import unicodedata
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1] / "workbook_templates"
LANGS = ("en", "ar", "fa")
NATIVE = ("ar", "fa")


@functools.cache
def _toml(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def pack(lang: str) -> dict[str, dict[str, str]]:
    return _toml(ROOT / "labels" / f"{lang}.toml")


def overlay(lang: str) -> dict[str, Any]:
    return _toml(ROOT / "templates" / f"online_shop.{lang}.toml")


def base() -> dict[str, Any]:
    return _toml(ROOT / "templates" / "online_shop.toml")


def metrics() -> list[dict[str, Any]]:
    return _toml(ROOT / "metrics.toml")["metric"]


def flat(lang: str) -> dict[str, str]:
    return {f"{s}.{k}": v for s, section in pack(lang).items() for k, v in section.items()}


def fields(text: str) -> set[str]:
    """The {placeholders} of a message (raises on an unbalanced brace)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def casefolded(values: list[str]) -> list[str]:
    return [v.strip().casefold() for v in values]


# --- keys and placeholders -------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_sections_hold_only_texts(lang: str) -> None:
    for section, keys in pack(lang).items():
        assert isinstance(keys, dict), f"{lang}: [{section}] is not a table"
        for key, value in keys.items():
            assert isinstance(value, str), f"{lang}: {section}.{key} is not a string"
            assert value.strip() == value and value, f"{lang}: {section}.{key} is blank or padded"


@pytest.mark.parametrize("lang", NATIVE)
def test_same_sections_and_keys_as_english(lang: str) -> None:
    en, other = pack("en"), pack(lang)
    assert list(other) == list(en), f"{lang}: sections differ from en.toml"
    for section in en:
        missing = set(en[section]) - set(other[section])
        extra = set(other[section]) - set(en[section])
        assert not missing and not extra, f"{lang}: [{section}] missing {missing}, extra {extra}"


@pytest.mark.parametrize("lang", LANGS)
def test_metric_section_names_every_catalog_metric(lang: str) -> None:
    catalog = {m["key"]: m["label"] for m in metrics()}
    assert set(pack(lang)["metric"]) == set(catalog)
    if lang == "en":
        assert pack("en")["metric"] == catalog


@pytest.mark.parametrize("lang", NATIVE)
def test_same_placeholders_as_english(lang: str) -> None:
    en, other = flat("en"), flat(lang)
    for key, text in en.items():
        assert fields(other[key]) == fields(text), f"{lang}: {key} placeholders differ"


# --- Excel rules ------------------------------------------------------------------------------

SHEET_FORBIDDEN = set("[]:*?/\\")


@pytest.mark.parametrize("lang", LANGS)
def test_sheet_names_are_valid_excel_sheet_names(lang: str) -> None:
    names = list(pack(lang)["sheet"].values())
    for name in names:
        assert 0 < len(name) <= 31, f"{lang}: sheet name {name!r} is longer than 31 characters"
        assert not SHEET_FORBIDDEN & set(name), f"{lang}: sheet name {name!r} has []:*?/\\"
        assert not name.startswith("'") and not name.endswith("'"), name
        assert name.casefold() != "history", "Excel reserves the sheet name History"
    folded = casefolded(names)
    assert len(set(folded)) == len(folded), f"{lang}: sheet names repeat: {names}"


# Groups whose texts stand side by side (one header row, one drop-down list, one list of
# settings) and must therefore differ. Every section is such a group except [scenarios] and
# [lists], which hold two header rows each that may share a word ("Better when" is both a
# catalog column and a list caption; "Projected attainment" heads both scenario tables).
SCENARIO_TABLE = ("scenario", "multiplier", "contingency", "extra", "trigger")
SCENARIO_CARD = (
    "kpi",
    "name",
    "metric",
    "target",
    "actual",
    "projection",
    "proj",
    "att",
    "proj_att",
    "gap",
    "now",
    "contingency",
    "extra",
)
LIST_CATALOG = ("metric", "key", "expression", "direction", "unit", "additive")
LIST_CAPTIONS = (
    "channels",
    "swot_types",
    "tows",
    "levels",
    "horizons",
    "kinds",
    "race",
    "categories",
    "directions",
    "scores",
)
PARTIAL = {"scenarios": (SCENARIO_TABLE, SCENARIO_CARD), "lists": (LIST_CATALOG, LIST_CAPTIONS)}


def groups(lang: str) -> list[tuple[str, list[str]]]:
    out = []
    for section, texts in pack(lang).items():
        for subset in PARTIAL.get(section, (tuple(texts),)):
            out.append((f"{section} {'/'.join(subset)}", [texts[k] for k in subset]))
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_texts_side_by_side_are_distinct(lang: str) -> None:
    for name, values in groups(lang):
        folded = casefolded(values)
        repeated = sorted({v for v in folded if folded.count(v) > 1})
        assert not repeated, f"{lang}: [{name}] repeats {repeated}"


def normalise_header(name: str) -> str:
    """As ``xlmplan.core.data.normalise_header`` reads a Data header."""
    return re.sub(r"[\W_]+", "_", name.strip().lower()).strip("_")


@pytest.mark.parametrize("lang", LANGS)
def test_data_headers_stay_distinct_when_normalised(lang: str) -> None:
    headers = pack(lang)["data"]
    keys = set(headers)
    seen: dict[str, str] = {}
    for key, text in headers.items():
        norm = normalise_header(text)
        assert norm, f"{lang}: data.{key} normalises to nothing"
        assert norm not in seen, f"{lang}: data.{key} and data.{seen[norm]} both read as {norm!r}"
        # A header must not read as another column's key (e.g. a header that means 'spend').
        assert norm == key or norm not in keys, f"{lang}: data.{key} reads as column {norm!r}"
        seen[norm] = key


def test_data_headers_mean_one_column_in_every_language() -> None:
    """A Data sheet in any language is read through all packs: no header may mean two columns."""
    meaning: dict[str, str] = {}
    for lang in LANGS:
        for key, text in pack(lang)["data"].items():
            norm = normalise_header(text)
            assert meaning.setdefault(norm, key) == key, f"{lang}: {text!r} means two columns"


def channels() -> set[str]:
    rows = base()["strategies"] + base()["kpis"] + base()["money"]
    return {r["channel"].casefold() for r in rows if r.get("channel")} - {"all"}


@pytest.mark.parametrize("lang", LANGS)
def test_word_all_is_not_a_channel_or_direction(lang: str) -> None:
    word = pack(lang)["word"]
    everything = word["all"].casefold()
    assert everything not in channels()
    others = [word["higher"], word["lower"], pack(lang)["data"]["channel"]]
    assert everything not in casefolded(others)


@pytest.mark.parametrize("lang", LANGS)
def test_no_double_quotes(lang: str) -> None:
    """Labels end up inside formula string literals ("..."): a '"' would end one early."""
    for key, text in flat(lang).items():
        assert '"' not in text, f"{lang}: {key} has a double quote"


@pytest.mark.parametrize("lang", LANGS)
def test_smart_headers_are_short(lang: str) -> None:
    """S, M, A, R, T and the score head narrow columns: one short word each."""
    for key, text in pack(lang)["smart"].items():
        assert len(text) <= 12 and text.count(" ") == 0, f"{lang}: smart.{key} = {text!r}"


# --- script and letters -----------------------------------------------------------------------

# Latin words that may stay inside an Arabic or Persian text: the codes and abbreviations of
# the method (SWOT, TOWS, SMART, RACE, 3M, the SO/ST/WO/WT pairs and S1+O2 ids), the metric
# abbreviations, and the command name xlmplan refresh. Anything else Latin is untranslated.
LATIN_OK = {
    *("SWOT", "TOWS", "KPI", "SMART", "RACE", "FTE", "SO", "ST", "WO", "WT"),
    *("S", "W", "O", "T", "M"),
    *("CTR", "CPC", "CPM", "CPA", "ROAS", "ROI", "AOV", "CAC"),
    *("xlmplan", "refresh"),
    "PDF",  # the file format, as the ribbon's email-ready copy offers it
    "ETS",  # the forecasting model's name (error, trend, season), as statistics texts name it
}
# The starter plan's free text may also name an A/B test and Google's Search Console.
LATIN_OK_TEMPLATE = LATIN_OK | {"A", "B", "Search", "Console"}
ARABIC_BLOCK = re.compile("[\u0600-\u06ff]")
LATIN_WORD = re.compile(r"[A-Za-z]+")
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
BIDI_CONTROLS = set("\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def check_native(lang: str, where: str, text: str, latin_ok: set[str]) -> None:
    """The rule for one Arabic or Persian text.

    A text that has letters (placeholders aside) must have at least one letter of the Arabic
    script block U+0600-U+06FF, and its Latin words must be in ``latin_ok``. A text without
    any letter, only digits, symbols and placeholders (">= 100%"), is the same in every
    language and needs no translation. Invisible direction marks are not allowed: the sheets
    are set right to left instead.
    """
    bare = PLACEHOLDER.sub("", text)
    if any(ch.isalpha() for ch in bare):
        assert ARABIC_BLOCK.search(bare), f"{lang}: {where} = {text!r} has no Arabic-script text"
    stray = set(LATIN_WORD.findall(bare)) - latin_ok
    assert not stray, f"{lang}: {where} = {text!r} keeps Latin words {sorted(stray)}"
    assert not BIDI_CONTROLS & set(text), f"{lang}: {where} has an invisible direction mark"


@pytest.mark.parametrize("lang", NATIVE)
def test_pack_is_written_in_the_language(lang: str) -> None:
    en = flat("en")
    for key, text in flat(lang).items():
        check_native(lang, key, text, LATIN_OK)
        if ARABIC_BLOCK.search(text) is None:
            assert text == en[key], f"{lang}: {key} is letter-free yet differs from English"


def texts_of(data: dict[str, Any]) -> list[tuple[str, str]]:
    out = []
    for section, value in data.items():
        entries = value if isinstance(value, list) else [value]
        for i, entry in enumerate(entries, start=1):
            out += [(f"{section}[{i}].{k}", v) for k, v in entry.items() if k != "id"]
    return out


@pytest.mark.parametrize("lang", NATIVE)
def test_overlay_is_written_in_the_language(lang: str) -> None:
    for where, text in texts_of(overlay(lang)):
        assert isinstance(text, str) and text.strip() == text and text, f"{lang}: {where}"
        check_native(lang, where, text, LATIN_OK_TEMPLATE)


PERSIAN_ONLY = set("\u06cc\u06a9\u067e\u0686\u0698\u06af")  # ی ک پ چ ژ گ
ARABIC_ONLY = set("\u064a\u0643\u0649")  # ي ك ى: Persian writes ی and ک instead
ZWNJ = "\u200c"


def persian_texts() -> list[tuple[str, str]]:
    return list(flat("fa").items()) + texts_of(overlay("fa"))


def test_persian_uses_persian_letters() -> None:
    for where, text in persian_texts():
        wrong = ARABIC_ONLY & set(text)
        assert not wrong, f"fa: {where} = {text!r} has Arabic {sorted(wrong)}: use ی and ک"


def test_persian_uses_the_zero_width_non_joiner() -> None:
    assert any(ZWNJ in text for _, text in flat("fa").items()), "fa.toml has no ZWNJ"
    assert any(ZWNJ in text for _, text in texts_of(overlay("fa"))), "fa overlay has no ZWNJ"
    for where, text in persian_texts():
        # A ZWNJ sits between two letters of one word (می‌شود), never at a word's edge.
        for m in re.finditer(ZWNJ, text):
            before, after = text[m.start() - 1 : m.start()], text[m.end() : m.end() + 1]
            assert before.isalpha() and after.isalpha(), f"fa: {where} has a stray ZWNJ"


def test_arabic_uses_arabic_letters() -> None:
    for where, text in list(flat("ar").items()) + texts_of(overlay("ar")):
        wrong = PERSIAN_ONLY & set(text)
        assert not wrong, f"ar: {where} = {text!r} has Persian letters {sorted(wrong)}"
        assert ZWNJ not in text, f"ar: {where} has a ZWNJ"
        assert unicodedata.is_normalized("NFC", text), f"ar: {where} is not NFC"


# --- the starter template's overlays ----------------------------------------------------------

TEXT_FIELDS = {
    "template": {"title", "company"},
    "swot": {"area", "factor", "evidence"},
    "objectives": {"objective"},
    "strategies": {"area", "strategy", "tactic", "owner"},
    "kpis": {"name"},
    "people": {"name", "role"},
    "money": {"item"},
    "actions": {"action", "owner"},  # an action's strategy is an id (ST1) and stays out
    "scenarios": {"contingency"},
}


@pytest.mark.parametrize("lang", NATIVE)
def test_overlay_lines_up_with_the_template(lang: str) -> None:
    over, raw = overlay(lang), base()
    assert list(over) == list(TEXT_FIELDS), f"{lang}: overlay sections"
    assert set(over["template"]) == TEXT_FIELDS["template"]
    for section, wanted in TEXT_FIELDS.items():
        if section == "template":
            continue
        entries, originals = over[section], raw[section]
        assert len(entries) == len(originals), f"{lang}: [[{section}]] count"
        for i, (entry, original) in enumerate(zip(entries, originals, strict=True), start=1):
            ids = {"id"} if "id" in original else set()
            assert set(entry) == wanted | ids, f"{lang}: [[{section}]] entry {i} fields"
            assert entry.get("id") == original.get("id"), f"{lang}: [[{section}]] entry {i} id"
            for key in wanted:
                assert isinstance(original[key], str) and original[key], (section, key)
                assert entry[key] != original[key], f"{lang}: {section}[{i}].{key} untranslated"


@pytest.mark.parametrize("lang", NATIVE)
def test_overlay_names_each_person_the_same_everywhere(lang: str) -> None:
    over, raw = overlay(lang), base()
    names = {p["name"]: q["name"] for p, q in zip(raw["people"], over["people"], strict=True)}
    assert len(set(names.values())) == len(names), f"{lang}: two people share a name"
    for section in ("strategies", "actions"):
        for i, (entry, original) in enumerate(zip(over[section], raw[section], strict=True), 1):
            assert entry["owner"] == names[original["owner"]], f"{lang}: {section}[{i}].owner"
