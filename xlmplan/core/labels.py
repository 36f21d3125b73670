"""Label packs: every text a plan shows comes from one, so other languages can follow."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection
from pathlib import Path

from xlmplan.errors import TemplateError

# Languages written right to left, and the font their sheets use: Tahoma ships with every
# Windows and macOS and draws Arabic and Persian (including Persian's own letters).
RTL_LANGUAGES = frozenset({"ar", "fa"})
FONTS = {"ar": "Tahoma", "fa": "Tahoma"}
DEFAULT_FONT = "Calibri"


class Labels:
    """A flat key -> text mapping read from ``workbook_templates/labels/<lang>.toml``."""

    def __init__(self, lang: str, texts: dict[str, str], path: Path) -> None:
        self.lang = lang
        self.texts = texts
        self.path = path

    @property
    def rtl(self) -> bool:
        """Sheets in this language read right to left."""
        return self.lang in RTL_LANGUAGES

    @property
    def font(self) -> str:
        return FONTS.get(self.lang, DEFAULT_FONT)

    def get(self, key: str, default: str) -> str:
        return self.texts.get(key, default)

    def keys_for(self, text: str, section: str) -> list[str]:
        """The keys of ``section`` whose text is ``text`` (case-insensitive)."""
        folded = text.strip().casefold()
        prefix = section + "."
        return [k for k, v in self.texts.items() if k.startswith(prefix) and v.casefold() == folded]

    def __getitem__(self, key: str) -> str:
        try:
            return self.texts[key]
        except KeyError:
            raise TemplateError(f"{self.path}: label '{key}' is missing — add it") from None

    def __call__(self, key: str) -> str:
        return self[key]


# A table header line (``[data]``, ``[data.extra]``, ``[[list]]``) and its first key; a
# line opening a multi-line array (the one place a line may start with ``[`` otherwise).
_HEADER = re.compile(r"^[ \t]*\[\[?[ \t]*([A-Za-z0-9_-]+)?", re.MULTILINE)
_OPEN_ARRAY = re.compile(r"=[ \t]*\[[^\]\n]*$", re.MULTILINE)


def _sections_text(text: str, sections: Collection[str]) -> str | None:
    """The part of a pack's TOML text that holds the top-level tables ``sections``
    (headers and their bodies, in file order); None when the text is not simple enough
    to cut safely (multi-line strings or arrays, quoted table names, keys before the
    first table)."""
    if '"""' in text or "'''" in text or _OPEN_ARRAY.search(text):
        return None
    heads = list(_HEADER.finditer(text))
    if not heads or any(h.group(1) is None for h in heads):
        return None
    if any(
        line.strip() and not line.lstrip().startswith("#")
        for line in text[: heads[0].start()].splitlines()
    ):
        return None
    ends = [h.start() for h in heads[1:]] + [len(text)]
    return "".join(
        text[h.start() : end] for h, end in zip(heads, ends, strict=True) if h.group(1) in sections
    )


def _pack_path(folder: Path, lang: str) -> Path:
    path = folder / f"{lang}.toml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in folder.glob("*.toml")))
        raise TemplateError(f"no label pack for language '{lang}' — use one of: {known}")
    return path


def load_labels(folder: Path, lang: str, sections: Collection[str] = ()) -> Labels:
    """The pack for ``lang``; with ``sections``, only those top-level tables (the rest of
    the file is not parsed when it can be cut safely, else ignored after parsing)."""
    path = _pack_path(folder, lang)
    text = path.read_text(encoding="utf-8")
    cut = _sections_text(text, sections) if sections else None
    raw = tomllib.loads(text if cut is None else cut)
    if sections:
        raw = {k: v for k, v in raw.items() if k in sections}
    flat: dict[str, str] = {}

    def walk(prefix: str, node: dict[str, object]) -> None:
        for key, value in node.items():
            full = f"{prefix}.{key}" if prefix else key
            if isinstance(value, dict):
                walk(full, value)
            else:
                flat[full] = str(value)

    walk("", raw)
    return Labels(lang, flat, path)


def languages(folder: Path) -> list[str]:
    """The languages that have a label pack in ``folder``."""
    return sorted(p.stem for p in folder.glob("*.toml"))
