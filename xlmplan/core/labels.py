"""Label packs: every text a plan shows comes from one, so other languages can follow."""

from __future__ import annotations

import tomllib
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


def load_labels(folder: Path, lang: str) -> Labels:
    path = folder / f"{lang}.toml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in folder.glob("*.toml")))
        raise TemplateError(f"no label pack for language '{lang}' — use one of: {known}")
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
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
