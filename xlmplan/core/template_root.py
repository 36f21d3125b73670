"""Where templates, label packs and the metric catalog live, and the templates' names
(read by the CLI's help without importing the template loader)."""

from __future__ import annotations

import os
from pathlib import Path

BUNDLED = Path(__file__).resolve().parents[2] / "workbook_templates"


def templates_root() -> Path:
    """The folder of templates, label packs and the metric catalog.

    ``XLMPLAN_TEMPLATES`` points at a folder of your own (same layout), e.g. a copy with
    extra metrics in ``metrics.toml``.
    """
    return Path(os.environ.get("XLMPLAN_TEMPLATES") or BUNDLED)


def template_names() -> list[str]:
    return sorted(
        p.stem for p in (templates_root() / "templates").glob("*.toml") if "." not in p.stem
    )
