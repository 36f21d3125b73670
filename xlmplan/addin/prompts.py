"""Every file picker and message of the ribbon, behind one interface (``Prompter``).

``ExcelPrompter`` shows them in Excel through an xlwings ``App``: message boxes with
``app.alert`` everywhere; file pickers and choices through Excel's own dialogs on Windows
(``GetOpenFilename``, ``GetSaveAsFilename``, ``InputBox``) and through AppleScript
(``osascript``) on macOS, where xlwings offers none. ``ScriptedPrompter`` answers from a
list and records every question and message.
"""

from __future__ import annotations

import subprocess
import sys
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

TITLE = "xlmplan"
MAX_MESSAGE = 1000  # Excel's message box shows at most 1024 characters
FileKind = tuple[str, tuple[str, ...]]  # ("Exports", ("csv", "xlsx"))
Option = tuple[str, str]  # (key returned, label shown)


class Prompter(Protocol):
    """Questions and messages of the ribbon's buttons."""

    def open_files(self, title: str, kinds: Sequence[FileKind]) -> list[Path]:
        """Files picked to open; empty when cancelled."""
        ...

    def save_file(self, title: str, suggested: Path, kinds: Sequence[FileKind]) -> Path | None:
        """Where to save (``suggested`` offered: a name, in a folder when it has one)."""
        ...

    def choose(self, title: str, options: Sequence[Option]) -> str | None:
        """The key of the option picked; None when cancelled."""
        ...

    def confirm(self, text: str) -> bool: ...

    def info(self, text: str) -> None: ...

    def error(self, text: str) -> None: ...


def clip(text: str, limit: int = MAX_MESSAGE) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class ScriptedPrompter:
    """Answers questions from a list, in order, and records everything.

    Answers: a list of paths (or ``[]``) for ``open_files``, a path or None for
    ``save_file``, an option key or None for ``choose``, a bool for ``confirm``.
    """

    def __init__(self, answers: Iterable[Any] = ()) -> None:
        self.answers: deque[Any] = deque(answers)
        self.log: list[tuple[str, str]] = []  # (kind, title or text), in order

    @property
    def messages(self) -> list[tuple[str, str]]:
        return [(k, t) for k, t in self.log if k in ("info", "error")]

    def _answer(self, kind: str, text: str, expected: tuple[type, ...]) -> Any:
        self.log.append((kind, text))
        if not self.answers:
            raise LookupError(f"no scripted answer left for {kind}: {text!r}")
        answer = self.answers.popleft()
        if not isinstance(answer, expected):
            raise TypeError(f"scripted answer {answer!r} does not fit {kind}: {text!r}")
        return answer

    def open_files(self, title: str, kinds: Sequence[FileKind]) -> list[Path]:
        return [Path(p) for p in self._answer("open_files", title, (list, tuple))]

    def save_file(self, title: str, suggested: Path, kinds: Sequence[FileKind]) -> Path | None:
        answer = self._answer("save_file", title, (str, Path, type(None)))
        return None if answer is None else Path(answer)

    def choose(self, title: str, options: Sequence[Option]) -> str | None:
        answer = self._answer("choose", title, (str, type(None)))
        if answer is not None and answer not in [key for key, _ in options]:
            raise ValueError(f"scripted choice {answer!r} is not one of {options}")
        return answer  # type: ignore[no-any-return]

    def confirm(self, text: str) -> bool:
        return bool(self._answer("confirm", text, (bool,)))

    def info(self, text: str) -> None:
        self.log.append(("info", text))

    def error(self, text: str) -> None:
        self.log.append(("error", text))


class ExcelPrompter:
    """Message boxes and pickers shown in Excel (``app``: an ``xlwings.App``)."""

    def __init__(self, app: Any, *, platform: str = sys.platform) -> None:
        self.app = app
        self.dialogs: WindowsDialogs | MacDialogs = (
            MacDialogs() if platform == "darwin" else WindowsDialogs(app)
        )

    def open_files(self, title: str, kinds: Sequence[FileKind]) -> list[Path]:
        return self.dialogs.open_files(title, kinds)

    def save_file(self, title: str, suggested: Path, kinds: Sequence[FileKind]) -> Path | None:
        return self.dialogs.save_file(title, suggested, kinds)

    def choose(self, title: str, options: Sequence[Option]) -> str | None:
        return self.dialogs.choose(title, options)

    def confirm(self, text: str) -> bool:
        return self.app.alert(clip(text), title=TITLE, buttons="yes_no") == "yes"

    def info(self, text: str) -> None:
        self.app.alert(clip(text), title=TITLE, mode="info")

    def error(self, text: str) -> None:
        self.app.alert(clip(text), title=TITLE, mode="critical")


def _numbered(title: str, options: Sequence[Option]) -> str:
    lines = [f"{i}  {label}" for i, (_key, label) in enumerate(options, 1)]
    return clip(f"{title}\n\n" + "\n".join(lines) + "\n\nType the number:", 250)


class WindowsDialogs:
    """Excel's own dialogs through COM (``app.api`` is Excel's ``Application``)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    @staticmethod
    def _filter(kinds: Sequence[FileKind]) -> str:
        parts = []
        for label, exts in kinds:
            pattern = ";".join(f"*.{e}" for e in exts)
            parts.append(f"{label} ({pattern}),{pattern}")
        return ",".join(parts)

    def open_files(self, title: str, kinds: Sequence[FileKind]) -> list[Path]:
        got = self.app.api.GetOpenFilename(
            FileFilter=self._filter(kinds), FilterIndex=1, Title=title, MultiSelect=True
        )
        if got is False or got is None:
            return []
        names = [got] if isinstance(got, str) else list(got)
        return [Path(str(n)) for n in names if n]

    def save_file(self, title: str, suggested: Path, kinds: Sequence[FileKind]) -> Path | None:
        got = self.app.api.GetSaveAsFilename(
            InitialFileName=str(suggested), FileFilter=self._filter(kinds), Title=title
        )
        return Path(str(got)) if isinstance(got, str) and got else None

    def choose(self, title: str, options: Sequence[Option]) -> str | None:
        got = self.app.api.InputBox(
            Prompt=_numbered(title, options), Title=TITLE, Default="1", Type=1
        )
        if got is False or got is None:
            return None
        try:
            index = int(float(got))
        except (TypeError, ValueError):
            return None
        return options[index - 1][0] if 1 <= index <= len(options) else None


def _applescript_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def run_osascript(script: str) -> str | None:
    """Run AppleScript; its output, or None when the user cancelled (or it failed)."""
    done = subprocess.run(["osascript", "-e", script], capture_output=True, text=True, check=False)
    return done.stdout.rstrip("\n") if done.returncode == 0 else None


class MacDialogs:
    """Pickers through AppleScript, shown by Excel (so it may open the files picked)."""

    def __init__(self, run: Callable[[str], str | None] = run_osascript) -> None:
        self.run = run

    @staticmethod
    def _in_excel(body: str) -> str:
        return f'tell application "Microsoft Excel"\nactivate\n{body}\nend tell'

    def open_files(self, title: str, kinds: Sequence[FileKind]) -> list[Path]:
        types = ", ".join(_applescript_text(e) for _label, exts in kinds for e in exts)
        script = self._in_excel(
            f"set picked to choose file with prompt {_applescript_text(title)} "
            f"of type {{{types}}} with multiple selections allowed\n"
            'set out to ""\n'
            "repeat with f in picked\n"
            "set out to out & POSIX path of f & linefeed\n"
            "end repeat\n"
            "return out"
        )
        got = self.run(script)
        return [Path(line) for line in (got or "").splitlines() if line.strip()]

    def save_file(self, title: str, suggested: Path, kinds: Sequence[FileKind]) -> Path | None:
        where = ""
        if suggested.parent != Path("."):
            where = f" default location (POSIX file {_applescript_text(str(suggested.parent))})"
        script = self._in_excel(
            f"return POSIX path of (choose file name with prompt {_applescript_text(title)} "
            f"default name {_applescript_text(suggested.name)}{where})"
        )
        got = self.run(script)
        return Path(got) if got else None

    def choose(self, title: str, options: Sequence[Option]) -> str | None:
        labels = ", ".join(_applescript_text(label) for _key, label in options)
        script = self._in_excel(
            f"set picked to choose from list {{{labels}}} with title {_applescript_text(TITLE)} "
            f"with prompt {_applescript_text(title)}\n"
            'if picked is false then return ""\n'
            "return item 1 of picked"
        )
        got = self.run(script)
        for key, label in options:
            if got == label:
                return key
        return None
