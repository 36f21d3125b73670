"""Every kind of file xlmplan writes passes ``openxml-audit`` (Office 2010) and our own
structural checks (``xlsx_audit``): new plans in en/ar/fa, an import, a refresh of a plan
saved by LibreOffice, a language switch, the shared copy, the values-only copy and the
add-in."""

from __future__ import annotations

import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from xlsx_audit import openxml_errors, structure_problems

from xlmplan.addin.build import build_addin
from xlmplan.api import new_plan
from xlmplan.importing import import_data
from xlmplan.io.example_data import sized_data
from xlmplan.language import switch_language
from xlmplan.libreoffice import available, runner
from xlmplan.refresh import refresh_plan
from xlmplan.share import share_plan


class Files:
    """Each kind of file, made once in ``folder`` on first use."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.made: dict[str, Path] = {}
        self.data = folder / "data.csv"
        sized_data(240, months=6).to_csv(self.data, index=False)

    def get(self, kind: str) -> Path:
        if kind not in self.made:
            self.made[kind] = MAKERS[kind](self)
        return self.made[kind]

    def new(self, lang: str) -> Path:
        out = self.folder / f"new-{lang}.xlsx"
        return new_plan(out, data=self.data, start="2026-01", months=6, lang=lang).path

    def copy(self, kind: str, name: str) -> Path:
        return Path(shutil.copy(self.get(kind), self.folder / name))


def _import(files: Files) -> Path:
    plan = files.copy("new_en", "import.xlsx")
    export = files.folder / "export.csv"
    export.write_text(
        "Date,Channel,Campaign,Sessions,Spend\n2026-06-01,Email,June news,120,0\n"
        "2026-06-02,Podcast,Launch,40,15.5\n",
        encoding="utf-8",
    )
    import_data(plan, [export], backup=False)
    return plan


def _libreoffice_refresh(files: Files) -> Path:
    if not available():
        pytest.skip("LibreOffice not installed")
    saved = runner.convert(files.get("new_en"), files.folder / "lo", "xlsx")
    files.made["libreoffice_saved"] = Path(shutil.copy(saved, files.folder / "lo-saved.xlsx"))
    plan = Path(shutil.copy(saved, files.folder / "lo-refreshed.xlsx"))
    refresh_plan(plan, backup=False)
    return plan


def _language(files: Files) -> Path:
    plan = files.copy("new_en", "language.xlsx")
    switch_language(plan, "fa", backup=False)
    return plan


def _share(files: Files, values_only: bool) -> Path:
    out = files.folder / ("values-only.xlsx" if values_only else "share.xlsx")
    share_plan(files.get("new_en"), out, values_only=values_only)
    return out


MAKERS: dict[str, Callable[[Files], Path]] = {
    "new_en": lambda f: f.new("en"),
    "new_ar": lambda f: f.new("ar"),
    "new_fa": lambda f: f.new("fa"),
    "import": _import,
    "libreoffice_refresh": _libreoffice_refresh,
    "language": _language,
    "share": lambda f: _share(f, False),
    "values_only": lambda f: _share(f, True),
    "xlam": lambda f: build_addin(f.folder / "xlmplan.xlam").path,
}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Files:
    return Files(tmp_path_factory.mktemp("audit"))


@pytest.mark.parametrize("kind", list(MAKERS))
def test_openxml_audit_finds_no_errors(kind: str, files: Files) -> None:
    errors = openxml_errors(files.get(kind))
    if kind == "libreoffice_refresh":  # what LibreOffice wrote itself is not ours to fix
        before = set(openxml_errors(files.made["libreoffice_saved"]))
        errors = [e for e in errors if e not in before]
    assert errors == []


@pytest.mark.parametrize("kind", list(MAKERS))
def test_structure_checks_find_no_problems(kind: str, files: Files) -> None:
    assert structure_problems(files.get(kind)) == []


# --- the structural checks find what they look for ------------------------------------------
def _edited(src: Path, dst: Path, prefix: str, pattern: str, repl: str) -> Path:
    """A copy of ``src`` with ``pattern`` replaced once in the first part named
    ``prefix...`` where it occurs."""
    done = False
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if not done and info.filename.startswith(prefix):
                text = data.decode("utf-8")
                new = re.sub(pattern, repl, text, count=1, flags=re.S)
                done, data = new != text, new.encode("utf-8")
            zout.writestr(info, data)
    assert done, pattern
    return dst


SHEET = "xl/worksheets/sheet"
BREAKAGES: dict[str, tuple[str, str, str, str]] = {
    # name: (part prefix, pattern, replacement, expected problem)
    "style": (SHEET, r'<c r="A1" s="\d+"', '<c r="A1" s="9999"', "style 9999"),
    "dxf": (SHEET, r'dxfId="\d+"', 'dxfId="999"', "dxfId 999"),
    "header": (
        "xl/tables/",
        r'<tableColumn id="1" name="[^"]*"',
        '<tableColumn id="1" name="Other"',
        "differ from",
    ),
    "overlap": ("tblMoney", r'ref="[^"]*"', "tblPeople", "overlaps"),  # see the test
    "name": (
        "xl/workbook.xml",
        r'<definedName name="[^"]*"',
        '<definedName name="A1"',
        "not a valid name",
    ),
    "list": (
        SHEET,
        r'(<dataValidation type="list"[^>]*>)<formula1>[^<]*</formula1>',
        r'\1<formula1>"' + "x," * 130 + 'y"</formula1>',
        "Excel allows 255",
    ),
    "chart": ("xl/charts/chart", r"<c:f>[^!<]*!", "<c:f>Gone!", "missing sheet 'Gone'"),
    "prefix": (SHEET, r"<f>[^<]*</f>", "<f>STDEV.S(1,2)</f>", "STDEV.S needs the _xlfn."),
}


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_structure_checks_find_each_breakage(breakage: str, files: Files, tmp_path: Path) -> None:
    prefix, pattern, repl, expected = BREAKAGES[breakage]
    if breakage == "overlap":  # tblMoney moved onto tblPeople (the same sheet)
        with zipfile.ZipFile(files.get("new_en")) as z:
            tables = {n: z.read(n).decode() for n in z.namelist() if n.startswith("xl/tables/")}
        part = {re.search(r'displayName="(\w+)"', t).group(1): n for n, t in tables.items()}  # type: ignore[union-attr]
        ref = re.search(r'ref="([^"]*)"', tables[part[repl]]).group(1)  # type: ignore[union-attr]
        prefix, repl = part[prefix], f'ref="{ref}"'
    broken = _edited(files.get("new_en"), tmp_path / "broken.xlsx", prefix, pattern, repl)
    problems = structure_problems(broken)
    assert any(expected in p for p in problems), problems
