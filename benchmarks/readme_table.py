"""Put a benchmark's table into README.md between its begin and end markers."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def write_readme(text: str, begin: str, end: str) -> None:
    body = README.read_text(encoding="utf-8")
    block = f"{begin}\n{text}\n{end}"
    body = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _m: block, body, flags=re.S)
    README.write_text(body, encoding="utf-8")


def markdown_table(
    caption: str, header: Sequence[str], aligns: str, rows: Iterable[Sequence[str]]
) -> str:
    """``caption``, a blank line, then a markdown table; ``aligns`` has one letter per
    column: ``l`` or ``r``."""
    rule = {"l": ":---", "r": "---:"}
    lines = [caption, "", "| " + " | ".join(header) + " |"]
    lines.append("|" + "|".join(rule[a] for a in aligns) + "|")
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)
