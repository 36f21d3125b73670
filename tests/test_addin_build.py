"""The add-in built from ``macros/``: what olevba, LibreOffice and the ribbon XML show.

* olevba (oletools) extracts every module of ``macros/`` byte-identical (line endings
  normalised); the template's own modules survive, the xlwings one renamed to xlmplan.
* LibreOffice opens the ``.xlam`` through UNO (``uno_addin_probe.py``) and sees the same
  modules and the ribbon part.
* Every ``onAction`` names a VBA procedure that exists with the ribbon callback signature,
  and every tag it passes on names a Python callback that exists.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from oletools.olevba import VBA_Parser

from xlmplan.addin import build as addin_build
from xlmplan.addin import ribbon_texts, udf_wrapper
from xlmplan.addin.build import BuildError, build_addin, template_path
from xlmplan.addin.ribbon import CALLBACKS
from xlmplan.core.labels import load_labels
from xlmplan.core.template import templates_root
from xlmplan.core.udf_twins import UDFS
from xlmplan.libreoffice import runner

MACROS = Path(__file__).resolve().parents[1] / "macros"
PROBE = Path(__file__).with_name("uno_addin_probe.py")
CUI = "{http://schemas.microsoft.com/office/2009/07/customui}"
VBA_KEYWORDS = frozenset(
    {
        "and",
        "as",
        "boolean",
        "byref",
        "byte",
        "byval",
        "call",
        "case",
        "const",
        "currency",
        "date",
        "decimal",
        "declare",
        "dim",
        "do",
        "double",
        "each",
        "else",
        "elseif",
        "empty",
        "end",
        "enum",
        "eqv",
        "erase",
        "error",
        "event",
        "exit",
        "false",
        "for",
        "friend",
        "function",
        "get",
        "global",
        "gosub",
        "goto",
        "if",
        "imp",
        "implements",
        "in",
        "integer",
        "is",
        "let",
        "lib",
        "like",
        "long",
        "loop",
        "lset",
        "me",
        "mod",
        "new",
        "next",
        "not",
        "nothing",
        "null",
        "object",
        "on",
        "optional",
        "or",
        "paramarray",
        "preserve",
        "private",
        "property",
        "public",
        "raiseevent",
        "redim",
        "rem",
        "resume",
        "return",
        "rset",
        "select",
        "set",
        "single",
        "static",
        "step",
        "stop",
        "string",
        "sub",
        "then",
        "to",
        "true",
        "type",
        "typeof",
        "until",
        "variant",
        "wend",
        "while",
        "with",
        "withevents",
        "xor",
    }
)
TAGS = {
    "new_plan",
    "import_data",
    "refresh",
    "check_plan",
    "kpis",
    "scenarios",
    "allocate",
    "share",
    "language",
}


def lf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def vba_modules(path: Path) -> dict[str, str]:
    """Module name -> code, as olevba extracts them from a workbook or add-in."""
    parser = VBA_Parser(str(path))
    try:
        return {Path(name).stem: code for _f, _s, name, code in parser.extract_macros() if name}
    finally:
        parser.close()


def template_modules() -> dict[str, str]:
    return vba_modules(template_path())


@pytest.fixture(scope="module")
def xlam(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_addin(tmp_path_factory.mktemp("addin") / "xlmplan.xlam").path


@pytest.fixture(scope="module")
def modules(xlam: Path) -> dict[str, str]:
    return vba_modules(xlam)


def ribbon_root() -> etree._Element:
    return etree.parse(str(MACROS / "customUI14.xml")).getroot()


def test_every_macros_module_is_extracted_byte_identical(modules: dict[str, str]) -> None:
    sources = sorted(MACROS.glob("*.bas"))
    assert sources, "macros/ has no VBA modules"
    for bas in sources:
        assert bas.stem in modules, f"{bas.name} is not in the built add-in"
        assert lf(modules[bas.stem]) == lf(bas.read_text(encoding="utf-8")), bas.name


def test_template_modules_survive_and_xlwings_is_renamed(modules: dict[str, str]) -> None:
    original = template_modules()
    assert "RibbonMyAddin" not in modules  # the template's demo callback is dropped
    for name, code in original.items():
        if name == "RibbonMyAddin":
            continue
        if name == "xlwings":
            expected = code.replace(
                'PROJECT_NAME As String = "myaddin"', 'PROJECT_NAME As String = "xlmplan"'
            )
            assert expected != code
            assert modules[name] == expected
        else:
            assert modules[name] == code, name
    assert set(modules) == (set(original) - {"RibbonMyAddin"}) | {
        p.stem for p in MACROS.glob("*.bas")
    } | {udf_wrapper.MODULE, "XlmplanTexts"}


def test_the_udf_wrapper_is_xlwings_own_for_every_udf(modules: dict[str, str]) -> None:
    code = modules[udf_wrapper.MODULE]
    assert lf(code) == udf_wrapper.wrapper_source()
    for u in UDFS:
        params = [("Optional " if k >= u.required else "") + a for k, a in enumerate(u.args)]
        assert f"Function {u.name}({', '.join(params)})\n" in lf(code), u.name
        assert f'XLPy.CallUDF("{udf_wrapper.UDF_MODULE}", "{u.name}", Array(' in code
        assert f"'!{u.name}\", _" in code  # registered for the function wizard
    assert code.count('Category:="xlmplan"') == len(UDFS)


def test_vba_compiles_as_far_as_can_be_checked_here(modules: dict[str, str]) -> None:
    """No reserved word as a parameter, no line over VBA's 1,023 characters, and the
    procedures the callbacks call exist."""
    for u in UDFS:
        clash = {a.casefold() for a in u.args} & VBA_KEYWORDS
        assert not clash, f"{u.name}: {clash} is a VBA keyword"
    for name, code in modules.items():
        longest = max(len(line) for line in lf(code).split("\n"))
        assert longest <= 1023, name
    assert re.search(r"^Public Sub RegisterXlmplanFunctions\(\)", modules[udf_wrapper.MODULE], re.M)
    assert "RegisterXlmplanFunctions" in modules["XlmplanRibbon"]
    for proc in ("RunPython", "GetConfig"):
        assert re.search(rf"^(Public )?Function {proc}\(", modules["xlwings"], re.M), proc


def test_package_holds_our_ribbon_and_the_conf_sheet(xlam: Path) -> None:
    with zipfile.ZipFile(xlam) as z:
        names = set(z.namelist())
        built = z.read("customUI/customUI14.xml")  # macros/ with its texts fetched in language
        source = (MACROS / "customUI14.xml").read_bytes()
        en = load_labels(templates_root() / "labels", "en")
        assert built == ribbon_texts.localized_ribbon(source, en)
        assert "customUI/customUI.xml" not in names
        rels = etree.fromstring(z.read("_rels/.rels"))
        ui = [r for r in rels if r.get("Type") == addin_build.RIBBON_REL]
        assert [r.get("Target") for r in ui] == ["customUI/customUI14.xml"]
        book = z.read("xl/workbook.xml").decode()
        assert 'name="xlmplan.conf"' in book and "_myaddin.conf" not in book
        assert "absPath" not in book
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        texts = re.findall(r"<si><t>([^<]*)</t></si>", z.read("xl/sharedStrings.xml").decode())
        cells = [
            (ref, texts[int(i)])
            for ref, i in re.findall(r'<c r="([A-Z]+\d+)" t="s"><v>(\d+)</v>', sheet)
        ]
        assert cells == [("A1", "UDF Modules"), ("B1", "xlmplan.addin.udfs")]
        assert 'codeName="Sheet2"' in sheet  # still the document module's sheet
        types = z.read("[Content_Types].xml").decode()
        assert "application/vnd.ms-excel.addin.macroEnabled.main+xml" in types


def test_the_udf_module_named_on_the_conf_sheet_imports() -> None:
    import importlib

    module = importlib.import_module(addin_build.UDF_MODULE)
    assert hasattr(module, "XLM_STATUS")


def test_the_build_is_reproducible(xlam: Path, tmp_path: Path) -> None:
    again = build_addin(tmp_path / "again.xlam").path
    assert again.read_bytes() == xlam.read_bytes()


def test_ribbon_has_the_tab_groups_and_buttons() -> None:
    root = ribbon_root()
    assert root.tag == f"{CUI}customUI"
    tabs = root.findall(f".//{CUI}tab")
    assert [t.get("label") for t in tabs] == ["Marketing Plan"]
    groups = {g.get("label"): g for g in tabs[0].findall(f"{CUI}group")}
    assert list(groups) == ["Plan", "Data", "Review", "Share"]
    labels = {
        g: [b.get("label") for b in group.findall(f"{CUI}button")] for g, group in groups.items()
    }
    assert labels == {
        "Plan": ["New plan"],
        "Data": ["Import data", "Refresh"],
        "Review": ["Check plan", "KPIs", "Scenarios", "Budget mix"],
        "Share": ["Email-ready copy", "Language"],
    }
    ids: set[str] = set()
    for button in root.iter(f"{CUI}button"):
        for attribute in ("id", "imageMso", "label", "screentip", "supertip", "onAction", "tag"):
            assert button.get(attribute), f"{button.get('id')} has no {attribute}"
        assert button.get("id") not in ids
        ids.add(str(button.get("id")))


def test_every_on_action_names_a_ribbon_callback_in_vba(modules: dict[str, str]) -> None:
    for button in ribbon_root().iter(f"{CUI}button"):
        action = str(button.get("onAction"))
        module, _, proc = action.rpartition(".")
        assert module in modules, f"{action}: no VBA module {module}"
        signature = re.compile(
            rf"^\s*(?:Public\s+)?Sub\s+{re.escape(proc)}\s*\(\s*control\s+As\s+IRibbonControl\s*\)",
            re.IGNORECASE | re.MULTILINE,
        )
        assert signature.search(modules[module]), f"{action}: no Sub {proc}(control As ...)"


def test_on_load_names_a_vba_procedure(modules: dict[str, str]) -> None:
    module, _, proc = str(ribbon_root().get("onLoad")).rpartition(".")
    signature = rf"^\s*(?:Public\s+)?Sub\s+{proc}\s*\(\s*ribbon\s+As\s+IRibbonUI\s*\)"
    assert re.search(signature, modules[module], re.IGNORECASE | re.MULTILINE)


def test_every_tag_names_a_python_callback(modules: dict[str, str]) -> None:
    tags = {str(b.get("tag")) for b in ribbon_root().iter(f"{CUI}button")}
    assert tags == TAGS
    assert set(CALLBACKS) == TAGS
    for tag in tags:
        assert callable(CALLBACKS[tag])
    # the VBA hands the tag to the dispatcher that exists
    code = modules["XlmplanRibbon"]
    call = re.search(r'RunPython "import ([\w.]+) as (\w+); \2\.(\w+)\(\'" & control\.Tag', code)
    assert call, "XlmplanRibbon does not pass control.Tag to a Python function"
    import importlib

    dispatcher = getattr(importlib.import_module(call.group(1)), call.group(3))
    assert callable(dispatcher)


def test_the_callback_warns_when_python_is_not_set_up(modules: dict[str, str]) -> None:
    code = modules["XlmplanRibbon"]
    assert 'GetConfig("INTERPRETER_WIN"' in code and 'GetConfig("INTERPRETER_MAC"' in code
    assert "MsgBox" in code and "xlmplan addin install" in code
    assert "GetConfig" in modules["xlwings"]  # the function the callback relies on


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda d: (d / "customUI14.xml").unlink(), "ribbon XML is missing"),
        (lambda d: (d / "customUI14.xml").write_text("<customUI"), "not well-formed"),
        (lambda d: [p.unlink() for p in d.glob("*.bas")], "no VBA modules"),
        (lambda d: (d / "Other.bas").write_text("Sub X()\r\nEnd Sub\r\n"), "first line must"),
        (
            lambda d: (d / "Dictionary.bas").write_text('Attribute VB_Name = "Dictionary"\r\n'),
            "already has a module Dictionary",
        ),
        (
            lambda d: (d / "Arabic.bas").write_text('Attribute VB_Name = "Arabic"\r\n\' خطة\r\n'),
            "code page",
        ),
    ],
)
def test_bad_sources_give_one_line(tmp_path: Path, setup, message: str) -> None:  # type: ignore[no-untyped-def]
    macros = tmp_path / "macros"
    macros.mkdir()
    for p in MACROS.iterdir():
        if p.suffix in (".xml", ".bas"):
            (macros / p.name).write_bytes(p.read_bytes())
    setup(macros)
    out = tmp_path / "dist" / "xlmplan.xlam"
    with pytest.raises(BuildError, match=message) as info:
        build_addin(out, macros)
    assert "\n" not in str(info.value)
    assert not out.exists()


def test_an_output_not_ending_in_xlam_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match=r"\.xlam"):
        build_addin(tmp_path / "xlmplan.xlsm")


def _lo_code(text: str) -> str:
    """LibreOffice's view of a VBA module without its two header lines, as .bas lines."""
    lines = lf(text).split("\n")
    assert lines[:2] == ["Rem Attribute VBA_ModuleType=VBAModule", "Option VBASupport 1"]
    return "\n".join(lines[2:]).rstrip("\n")


def test_libreoffice_sees_the_modules_and_the_ribbon(
    xlam: Path, tmp_path: Path, libreoffice: None
) -> None:
    report_path = tmp_path / "report.json"
    python, soffice = runner.uno_python(), runner.soffice_path()
    assert python and soffice
    pipe = f"xlmplan_{uuid.uuid4().hex}"
    cmd = [python, str(PROBE), "--soffice", soffice, "--profile", str(tmp_path / "profile")]
    cmd += ["--input", str(xlam), "--out-json", str(report_path), "--pipe", pipe]
    try:
        subprocess.run(cmd, timeout=240, check=False, capture_output=True)
    finally:
        runner._remove_pipes((tmp_path / "profile").resolve(), pipe)
    report = json.loads(report_path.read_text())
    assert report["ok"], report.get("error")
    assert report["sheets"] == ["xlmplan.conf"]
    assert "customUI/customUI14.xml" in report["parts"]
    with zipfile.ZipFile(xlam) as zf:  # the ribbon as built: its texts fetched by callbacks
        assert report["ribbon"] == zf.read(addin_build.RIBBON_PART).decode("utf-8")
    [library] = report["libraries"].values()
    expected = {m for m in vba_modules(xlam)}
    assert set(library) == expected
    for bas in MACROS.glob("*.bas"):
        source = [
            line
            for line in lf(bas.read_text(encoding="utf-8")).split("\n")
            if not line.startswith("Attribute VB_")
        ]
        assert _lo_code(library[bas.stem]) == "\n".join(source).rstrip("\n"), bas.name


def test_the_ribbon_drawing_in_the_docs_is_up_to_date() -> None:
    script = Path(__file__).resolve().parents[1] / "scripts" / "render_ribbon.py"
    done = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
