"""Shared wording of the one-line ``WorkbookError`` messages about a package."""

from __future__ import annotations

MALICIOUS = "the file may be malicious; re-save it from Excel"
RESAVE = "re-save it from Excel"


def show(text: str, limit: int = 80) -> str:
    """A name safe for a one-line message: control characters escaped, long names cut."""
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def show_size(n: float) -> str:
    """A byte count for a message: ``512 bytes``, ``1.5 MB``."""
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1000
    raise AssertionError
