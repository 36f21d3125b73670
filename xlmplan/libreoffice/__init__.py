"""Headless LibreOffice helpers: full recalculation, conversion and sheet pictures."""

from xlmplan.libreoffice.runner import (
    RecalcResult,
    available,
    convert,
    recalculate,
    render_sheet_png,
    soffice_path,
)

__all__ = [
    "RecalcResult",
    "available",
    "convert",
    "recalculate",
    "render_sheet_png",
    "soffice_path",
]
