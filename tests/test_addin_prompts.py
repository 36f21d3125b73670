"""The ribbon's prompters: Excel's dialogs on Windows, AppleScript on macOS, and the
scripted one the tests use."""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_xlwings import FakeApp

from xlmplan.addin.prompts import ExcelPrompter, MacDialogs, ScriptedPrompter, WindowsDialogs

KINDS = (("Analytics and ad exports", ("csv", "xlsx")),)
LANGS = (("en", "English"), ("ar", "العربية — Arabic"), ("fa", "فارسی — Persian"))


def test_windows_file_pickers() -> None:
    app = FakeApp(answers=[("C:\\a.csv", "C:\\b.xlsx"), False, "C:\\out.xlsx", False])
    dialogs = WindowsDialogs(app)
    assert dialogs.open_files("Pick", KINDS) == [Path("C:\\a.csv"), Path("C:\\b.xlsx")]
    what, kwargs = app.api.asked[0]
    assert what == "GetOpenFilename" and kwargs["MultiSelect"] is True
    assert kwargs["FileFilter"] == "Analytics and ad exports (*.csv;*.xlsx),*.csv;*.xlsx"
    assert dialogs.open_files("Pick", KINDS) == []  # cancelled
    assert dialogs.save_file("Save", Path("plan.xlsx"), KINDS) == Path("C:\\out.xlsx")
    assert app.api.asked[2][1]["InitialFileName"] == "plan.xlsx"
    assert dialogs.save_file("Save", Path("plan.xlsx"), KINDS) is None


def test_windows_choice_is_a_numbered_input_box() -> None:
    app = FakeApp(answers=[3.0, False, 7.0])
    dialogs = WindowsDialogs(app)
    assert dialogs.choose("Language", LANGS) == "fa"
    prompt = app.api.asked[0][1]["Prompt"]
    assert "1  English" in prompt and "3  فارسی — Persian" in prompt
    assert dialogs.choose("Language", LANGS) is None  # cancelled
    assert dialogs.choose("Language", LANGS) is None  # not one of the numbers


def test_messages_are_message_boxes_within_excels_limit() -> None:
    app = FakeApp(answers=["yes", "no"])
    prompter = ExcelPrompter(app, platform="win32")
    assert prompter.confirm("Go?") is True and prompter.confirm("Go?") is False
    prompter.info("x" * 5000)
    prompter.error("bad")
    assert [(mode, buttons) for _p, mode, buttons in app.alerts] == [
        (None, "yes_no"),
        (None, "yes_no"),
        ("info", "ok"),
        ("critical", "ok"),
    ]
    assert len(app.alerts[2][0]) <= 1000 and app.alerts[2][0].endswith("…")


def test_mac_pickers_run_applescript_in_excel() -> None:
    scripts: list[str] = []
    answers: list[str | None] = [
        '/Users/a/ga4.csv\n/Users/a/ads "q".csv\n',
        None,
        "/Users/a/out.xlsx",
        "فارسی — Persian",
        "",
    ]

    def run(script: str) -> str | None:
        scripts.append(script)
        return answers.pop(0)

    dialogs = MacDialogs(run)
    got = dialogs.open_files('Pick "exports"', KINDS)
    assert got == [Path("/Users/a/ga4.csv"), Path('/Users/a/ads "q".csv')]
    assert scripts[0].startswith('tell application "Microsoft Excel"')
    assert 'choose file with prompt "Pick \\"exports\\""' in scripts[0]
    assert 'of type {"csv", "xlsx"} with multiple selections allowed' in scripts[0]
    assert dialogs.open_files("Pick", KINDS) == []  # cancelled
    assert dialogs.save_file("Save", Path("/Users/a/plan.xlsx"), KINDS) == Path("/Users/a/out.xlsx")
    assert 'default name "plan.xlsx" default location (POSIX file "/Users/a")' in scripts[2]
    assert dialogs.choose("Language", LANGS) == "fa"
    assert dialogs.choose("Language", LANGS) is None


def test_scripted_prompter_checks_its_script() -> None:
    p = ScriptedPrompter([[Path("a.csv")], "xx"])
    assert p.open_files("Pick", KINDS) == [Path("a.csv")]
    with pytest.raises(ValueError):
        p.choose("Language", LANGS)  # "xx" is not an option
    with pytest.raises(LookupError):
        p.confirm("More?")  # nothing left
    p2 = ScriptedPrompter([True])
    with pytest.raises(TypeError):
        p2.save_file("Save", Path("x.xlsx"), KINDS)
    p.info("done")
    assert p.messages == [("info", "done")]
    assert [k for k, _ in p.log] == ["open_files", "choose", "confirm", "info"]
