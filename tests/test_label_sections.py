"""Reading only some tables of a label pack: the Data header aliases and channel names a
refresh needs come from the packs' ``[data]`` and ``[channel]`` tables, cut from the text
instead of parsing every pack whole, and equal what the whole TOML files say."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from xlmplan.core.channels import channel_keys
from xlmplan.core.data import DATA_COLUMNS, normalise_header
from xlmplan.core.labels import _sections_text, languages, load_labels
from xlmplan.core.template import data_header_aliases, pack_channel_keys, templates_root

FOLDER = templates_root() / "labels"


def _whole(lang: str) -> dict[str, dict[str, str]]:
    return tomllib.loads((FOLDER / f"{lang}.toml").read_text(encoding="utf-8"))


def test_data_header_aliases_equal_the_toml_files() -> None:
    expected: dict[str, str] = {}
    for lang in languages(FOLDER):
        data = _whole(lang)["data"]
        for column in DATA_COLUMNS:
            expected.setdefault(normalise_header(str(data.get(column, column))), column)
    assert data_header_aliases() == expected
    assert len(languages(FOLDER)) >= 3 and "spend" in expected.values()


def test_channel_keys_equal_the_toml_files() -> None:
    packs = [
        {f"channel.{k}": str(v) for k, v in _whole(lang)["channel"].items()}
        for lang in languages(FOLDER)
    ]
    assert pack_channel_keys(templates_root()) == channel_keys(packs)


@pytest.mark.parametrize("lang", languages(FOLDER))
def test_every_table_read_alone_equals_the_whole_pack(lang: str) -> None:
    whole = load_labels(FOLDER, lang).texts
    tables = {key.split(".", 1)[0] for key in whole}
    assert _sections_text((FOLDER / f"{lang}.toml").read_text(encoding="utf-8"), ["data"])
    for table in tables:
        alone = load_labels(FOLDER, lang, sections=(table,)).texts
        assert alone == {k: v for k, v in whole.items() if k.startswith(table + ".")}, table


def test_only_the_asked_tables_are_cut_from_the_text() -> None:
    text = '# pack\n[sheet]\ndata = "x"\n\n[data]\ndate = "Date"\n[data.more]\nx = "y"\n[kpi]\n'
    assert _sections_text(text, ["data"]) == '[data]\ndate = "Date"\n[data.more]\nx = "y"\n'


@pytest.mark.parametrize(
    "text",
    [
        '[sheet]\nnote = """\n[data]\ndate = "no"\n"""\n[data]\ndate = "Date"\n',
        '[sheet]\nlist = [\n  "a",\n]\n[data]\ndate = "Date"\n',
        'data.date = "Date"\n[sheet]\nx = "y"\n',
        '["data"]\ndate = "Date"\n',
    ],
    ids=["multi-line string", "multi-line array", "keys before the first table", "quoted"],
)
def test_packs_too_complex_to_cut_are_parsed_whole(tmp_path: Path, text: str) -> None:
    assert _sections_text(text, ["data"]) is None
    (tmp_path / "xx.toml").write_text(text, encoding="utf-8")
    whole = load_labels(tmp_path, "xx").texts
    alone = load_labels(tmp_path, "xx", sections=("data",)).texts
    assert alone == {k: v for k, v in whole.items() if k.startswith("data.")}
    assert alone["data.date"] == "Date"
