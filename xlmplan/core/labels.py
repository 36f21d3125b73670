"""Label packs: every text a plan shows comes from one, so other languages can follow."""

from __future__ import annotations

import tomllib
from pathlib import Path

from xlmplan.errors import TemplateError


class Labels:
    """A flat key -> text mapping read from ``workbook_templates/labels/<lang>.toml``."""

    def __init__(self, lang: str, texts: dict[str, str], path: Path) -> None:
        self.lang = lang
        self.texts = texts
        self.path = path

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
