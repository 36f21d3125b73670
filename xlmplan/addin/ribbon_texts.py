"""The ribbon in the plan's language: its labels, tips and the add-in's own messages come
from the label packs (``[ribbon]``, ``[ribbon_tip]``, ``[addin]``), chosen in Excel at run
time.

``macros/customUI14.xml`` is written in English. The build turns each ``label``,
``screentip`` and ``supertip`` of a control whose text the packs hold into a callback
(``getLabel``, ``getScreentip``, ``getSupertip`` in ``XlmplanRibbon``), and writes the
texts of every pack into a generated VBA module, ``XlmplanTexts``. VBA source is kept in
the project's ANSI code page, so a text that is not plain ASCII is written as the hex of
its UTF-16 code units and decoded by ``U`` at run time. ``XlmplanRibbon.XlmplanLanguage``
picks the language: the active plan's (its manifest), else the one ``xlmplan addin
install --lang`` recorded, else Excel's own.
"""

from __future__ import annotations

import re

from lxml import etree

from xlmplan.core.labels import Labels

CUI = "{http://schemas.microsoft.com/office/2009/07/customui}"
MODULE = "XlmplanTexts"
CALLBACKS = {
    "label": "getLabel",
    "screentip": "getScreentip",
    "supertip": "getSupertip",
}
VBA_MESSAGES = ("no_interpreter", "interpreter_gone", "setup", "restart", "could_not_run")
_CHUNK = 60  # characters of text per VBA line (240 hex digits)
_PLAIN = re.compile(r"[ -~]*")


def text_key(control_id: str) -> str:
    """``xlmplanNewPlan`` -> ``new_plan`` (the key in ``[ribbon]`` and ``[ribbon_tip]``)."""
    name = control_id.removeprefix("xlmplan")
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def localized_ribbon(xml: bytes, english: Labels, module: str = "XlmplanRibbon") -> bytes:
    """The ribbon with each text the packs hold fetched by a callback; a control the packs
    do not know keeps its English attributes."""
    root = etree.fromstring(xml)
    for el in root.iter(f"{CUI}tab", f"{CUI}group", f"{CUI}button"):
        key = text_key(el.get("id", ""))
        if f"ribbon.{key}" not in english.texts:
            continue
        for attr, callback in CALLBACKS.items():
            tip = attr == "supertip"
            if el.get(attr) is None or (tip and f"ribbon_tip.{key}" not in english.texts):
                continue
            del el.attrib[attr]
            el.set(callback, f"{module}.{callback[0].upper()}{callback[1:]}")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def ribbon_ids(xml: bytes, english: Labels) -> list[str]:
    """The ids of the controls whose texts come from the packs, in ribbon order."""
    root = etree.fromstring(xml)
    return [
        el.get("id", "")
        for el in root.iter(f"{CUI}tab", f"{CUI}group", f"{CUI}button")
        if f"ribbon.{text_key(el.get('id', ''))}" in english.texts
    ]


def _vba_text(text: str, target: str) -> list[str]:
    """Statements that set ``target`` to ``text``: a literal when it is plain ASCII, else
    hex UTF-16 code units decoded by ``U``, a line per ``_CHUNK`` characters."""
    if _PLAIN.fullmatch(text) and len(text) <= 200:
        return [f'{target} = "' + text.replace('"', '""') + '"']
    units = text.encode("utf-16-be").hex().upper()
    step = _CHUNK * 4
    lines = []
    for i in range(0, len(units), step):
        piece = f'U("{units[i : i + step]}")'
        lines.append(f"{target} = {piece}" if i == 0 else f"{target} = {target} & {piece}")
    return lines


def _function(name: str, texts: dict[str, str]) -> list[str]:
    lines = [f"Private Function {name}(ByVal key As String) As String", "    Select Case key"]
    for key, text in texts.items():
        lines.append(f'        Case "{key}"')
        lines += [f"            {line}" for line in _vba_text(text, name)]
    lines += ["    End Select", "End Function", ""]
    return lines


def texts_module(packs: dict[str, Labels], ids: list[str]) -> str:
    """The ``XlmplanTexts`` VBA module: ``RibbonText(id, kind, lang)`` for the ribbon's
    controls (kind ``label`` or ``supertip``) and ``AddinText(key, lang)`` for the
    add-in's messages, in every language of ``packs``."""
    lines = [
        f'Attribute VB_Name = "{MODULE}"',
        "' The ribbon's texts and the add-in's messages in every language of xlmplan's label",
        "' packs, written by the add-in's build (xlmplan/addin/ribbon_texts.py): do not edit.",
        "' A text that is not plain ASCII is the hex of its UTF-16 code units (see U).",
        "Option Explicit",
        "",
        "Public Function RibbonText(ByVal id As String, ByVal kind As String, _",
        "        ByVal lang As String) As String",
        "    RibbonText = Lookup(lang, kind & \":\" & id)",
        '    If RibbonText = "" Then RibbonText = Lookup("en", kind & ":" & id)',
        "End Function",
        "",
        "Public Function AddinText(ByVal key As String, ByVal lang As String) As String",
        '    AddinText = Lookup(lang, "addin:" & key)',
        '    If AddinText = "" Then AddinText = Lookup("en", "addin:" & key)',
        "End Function",
        "",
        "Private Function Lookup(ByVal lang As String, ByVal key As String) As String",
        "    Select Case lang",
    ]
    for lang in packs:
        lines += [f'        Case "{lang}"', f"            Lookup = Texts_{lang}(key)"]
    lines += ["    End Select", "End Function", ""]
    lines += [
        "' Hex UTF-16 code units (4 hex digits each) -> the text.",
        "Private Function U(ByVal units As String) As String",
        "    Dim i As Long",
        "    For i = 1 To Len(units) Step 4",
        '        U = U & ChrW(CLng("&H" & Mid(units, i, 4)))',
        "    Next i",
        "End Function",
        "",
    ]
    for lang, labels in packs.items():
        texts: dict[str, str] = {}
        for control in ids:
            key = text_key(control)
            texts[f"label:{control}"] = labels[f"ribbon.{key}"]
            if f"ribbon_tip.{key}" in labels.texts:
                texts[f"supertip:{control}"] = labels[f"ribbon_tip.{key}"]
        for key in VBA_MESSAGES:  # the rest of [addin] is Python's (addin/messages.py)
            texts[f"addin:{key}"] = labels[f"addin.{key}"]
        lines += _function(f"Texts_{lang}", texts)
    return "\r\n".join(lines) + "\r\n"
