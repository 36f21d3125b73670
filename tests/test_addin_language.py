"""The ribbon in the plan's language: the built add-in's customUI fetches every label, tip
and supertip through a callback, and its VBA (read back with olevba) holds them, and the
add-in's own messages, in English, Arabic and Persian, as the label packs write them."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from oletools.olevba import VBA_Parser

from xlmplan.addin.build import RIBBON_PART, build_addin
from xlmplan.addin.install import install_addin
from xlmplan.addin.ribbon_texts import MODULE, VBA_MESSAGES, text_key
from xlmplan.core.labels import load_labels
from xlmplan.core.template import templates_root

MACROS = Path(__file__).resolve().parents[1] / "macros"
CUI = "{http://schemas.microsoft.com/office/2009/07/customui}"
LANGS = ("en", "ar", "fa")


def pack(lang: str) -> dict[str, str]:
    return load_labels(templates_root() / "labels", lang).texts


@pytest.fixture(scope="module")
def xlam(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_addin(tmp_path_factory.mktemp("addin") / "xlmplan.xlam").path


@pytest.fixture(scope="module")
def modules(xlam: Path) -> dict[str, str]:
    parser = VBA_Parser(str(xlam))
    try:
        return {Path(n).stem: code for _f, _s, n, code in parser.extract_macros() if n}
    finally:
        parser.close()


@pytest.fixture(scope="module")
def ribbon(xlam: Path) -> etree._Element:
    with zipfile.ZipFile(xlam) as zf:
        return etree.fromstring(zf.read(RIBBON_PART))


def controls(root: etree._Element) -> list[etree._Element]:
    return list(root.iter(f"{CUI}tab", f"{CUI}group", f"{CUI}button"))


def vba_texts(code: str, lang: str) -> dict[str, str]:
    """What ``Texts_<lang>`` of the generated module returns per key, read the way VBA
    would: string literals, and hex UTF-16 code units passed to ``U``."""
    body = code.split(f"Private Function Texts_{lang}(", 1)[1].split("End Function", 1)[0]
    out: dict[str, str] = {}
    key = ""
    for line in body.splitlines():
        line = line.strip()
        if case := re.fullmatch(r'Case "([^"]*)"', line):
            key, out[key] = case.group(1), ""
        elif hexes := re.findall(r'U\("([0-9A-F]*)"\)', line):
            out[key] += "".join(bytes.fromhex(h).decode("utf-16-be") for h in hexes)
        elif literal := re.fullmatch(rf'Texts_{lang} = "((?:[^"]|"")*)"', line):
            out[key] += literal.group(1).replace('""', '"')
    return out


def test_every_text_of_the_ribbon_is_fetched_in_the_language(ribbon: etree._Element) -> None:
    found = controls(ribbon)
    source = etree.parse(str(MACROS / "customUI14.xml")).getroot()
    assert len(found) == len(controls(source)) >= 12  # the tab, its groups and buttons
    for el in found:
        assert el.get("label") is None and el.get("getLabel") == "XlmplanRibbon.GetLabel"
        if el.tag == f"{CUI}button":
            assert el.get("screentip") is None and el.get("supertip") is None
            assert el.get("getScreentip") == "XlmplanRibbon.GetScreentip"
            assert el.get("getSupertip") == "XlmplanRibbon.GetSupertip"


def test_the_callbacks_exist_with_the_ribbons_signatures(modules: dict[str, str]) -> None:
    code = modules["XlmplanRibbon"]
    for name in ("GetLabel", "GetScreentip", "GetSupertip"):
        signature = rf"Public Sub {name}\(control As IRibbonControl, ByRef returnedVal\)"
        assert re.search(signature, code), name
    assert "Public Function RibbonText(" in modules[MODULE]
    assert "Public Function AddinText(" in modules[MODULE]


@pytest.mark.parametrize("lang", LANGS)
def test_the_vba_holds_every_ribbon_text_and_message_in_the_language(
    modules: dict[str, str], ribbon: etree._Element, lang: str
) -> None:
    texts, labels = vba_texts(modules[MODULE], lang), pack(lang)
    for el in controls(ribbon):
        control = el.get("id", "")
        assert texts[f"label:{control}"] == labels[f"ribbon.{text_key(control)}"]
        if el.tag == f"{CUI}button":
            assert texts[f"supertip:{control}"] == labels[f"ribbon_tip.{text_key(control)}"]
    for key in VBA_MESSAGES:
        assert texts[f"addin:{key}"] == labels[f"addin.{key}"]
    if lang != "en":  # written in the language's own script
        assert all(re.search("[\u0600-\u06ff]", t) for t in texts.values())


def test_arabic_and_persian_labels_are_the_packs(modules: dict[str, str]) -> None:
    code = modules[MODULE]
    assert vba_texts(code, "ar")["label:xlmplanTab"] == "خطة التسويق"
    assert vba_texts(code, "fa")["label:xlmplanRefresh"] == "به\u200cروزرسانی"
    assert vba_texts(code, "ar")["label:xlmplanKpis"] == "مؤشرات الأداء"
    assert vba_texts(code, "fa")["label:xlmplanKpis"] == "شاخص\u200cها"
    assert code.isascii()  # the project's ANSI code page holds it byte for byte


def test_the_english_ribbon_source_says_what_the_english_pack_says() -> None:
    """macros/customUI14.xml keeps English attributes (a control the packs do not know
    keeps them in the built ribbon too): they must not drift from the pack."""
    en = pack("en")
    root = etree.parse(str(MACROS / "customUI14.xml")).getroot()
    for el in controls(root):
        key = text_key(el.get("id", ""))
        assert el.get("label") == en[f"ribbon.{key}"]
        if el.tag == f"{CUI}button":
            assert el.get("screentip") == en[f"ribbon.{key}"]
            assert el.get("supertip") == en[f"ribbon_tip.{key}"]


def test_the_language_is_the_plans_then_the_users_then_excels(modules: dict[str, str]) -> None:
    code = modules["XlmplanRibbon"]
    choose = code.split("Public Function XlmplanLanguage()", 1)[1].split("End Function", 1)[0]
    order = [choose.index(c) for c in ("PlanLanguage()", 'GetConfig("LANGUAGE"', "ExcelLanguage()")]
    assert order == sorted(order)
    assert 'Worksheets("_xlmplan")' in code and 'What:="language"' in code
    assert "TheRibbon.Invalidate" in code  # a language switch shows at once
    for key in ("no_interpreter", "interpreter_gone", "could_not_run", "setup", "restart"):
        assert f'AddinText("{key}"' in code


def test_install_records_the_users_language(tmp_path: Path) -> None:
    xlam = tmp_path / "xlmplan.xlam"
    xlam.write_bytes(b"")
    result = install_addin(
        xlam,
        platform="win32",
        home=tmp_path,
        interpreter="py.exe",
        install=lambda p: None,
        lang="fa",
    )
    assert '"LANGUAGE","fa"' in result.config.read_text(encoding="utf-8").splitlines()


# --- the Python side: prompts and messages in the plan's (or the user's) language --------


def _session(path: Path | None, answers: list[object]):  # type: ignore[no-untyped-def]
    from xlmplan.addin.book import FileBook
    from xlmplan.addin.prompts import ScriptedPrompter
    from xlmplan.addin.session import Session

    prompter = ScriptedPrompter(answers)
    book = FileBook(path) if path is not None else None
    return Session(prompter, book, FileBook, scratch=None), prompter


@pytest.fixture(scope="module")
def arabic_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from xlmplan.api import new_plan

    return new_plan(tmp_path_factory.mktemp("ar") / "plan.xlsx", lang="ar").path


def test_a_new_arabic_plan_is_announced_in_arabic(tmp_path: Path) -> None:
    from xlmplan.addin import ribbon

    session, prompter = _session(None, [tmp_path / "خطة.xlsx", "ar"])
    ribbon.run("new_plan", session)
    [(kind, text)] = prompter.messages
    assert kind == "info" and text.startswith("تم إنشاء خطة.xlsx")
    assert "Created" not in text


def test_refresh_and_check_of_an_arabic_plan_speak_arabic(arabic_plan: Path) -> None:
    from xlmplan.addin import ribbon

    session, prompter = _session(arabic_plan, [])
    ribbon.run("check_plan", session)
    [(kind, text)] = prompter.messages
    assert kind == "info" and " في plan.xlsx (" in text.splitlines()[0]
    assert "• " + pack("ar")["addin.severity_warning"] in text or "• خطأ" in text
    session, prompter = _session(arabic_plan, [])
    ribbon.run("refresh", session)
    text = prompter.messages[0][1]
    assert "مؤشرات الأداء: " in text and "KPIs" not in text


def test_the_kpi_table_of_an_arabic_plan_speaks_arabic(arabic_plan: Path) -> None:
    from xlmplan.addin import ribbon

    session, prompter = _session(arabic_plan, [])
    ribbon.run("kpis", session)
    [(kind, text)] = prompter.messages
    title, *lines = text.split("\n")
    assert kind == "info" and title.startswith("مؤشرات الأداء في ")
    assert len(lines) == 8 and all(line.startswith("• K") and "، " in line for line in lines)
    assert "KPIs" not in text and "Green" not in text


def test_prompts_follow_the_plans_language(arabic_plan: Path, tmp_path: Path) -> None:
    from xlmplan.addin import ribbon

    session, prompter = _session(arabic_plan, [None])
    ribbon.run("language", session)  # cancelled at the question
    assert prompter.log == [("choose", pack("ar")["addin.ask_switch"])]


def test_before_a_plan_exists_prompts_take_the_users_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xlmplan.addin import ribbon

    monkeypatch.setattr(ribbon, "excel_platform", lambda: "win")
    monkeypatch.setattr(Path, "home", lambda: tmp_path)
    config = tmp_path / ".xlmplan" / "xlmplan.conf"
    config.parent.mkdir()
    config.write_text('"INTERPRETER_WIN","py.exe"\n"LANGUAGE","fa"\n', encoding="utf-8")
    assert ribbon.user_language() == "fa"
    session, prompter = _session(None, [None])
    ribbon.run("new_plan", session)  # cancelled at the file picker
    assert prompter.log == [("save_file", pack("fa")["addin.ask_save_plan"])]
