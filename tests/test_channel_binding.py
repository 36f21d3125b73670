"""The starter plan's channels in the plan's language, and `new --data` binding the
template's channel rows (KPIs, money lines, strategies) to the data's channels by their
name in any language pack, reporting what it could not bind."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from xlmplan.api import PlanResult, new_plan
from xlmplan.core.channels import bind_channels, fold
from xlmplan.core.labels import load_labels
from xlmplan.core.template import pack_channel_keys, templates_root
from xlmplan.io.example_data import example_data

ZWNJ = "\u200c"


def keys() -> dict[str, str]:
    return pack_channel_keys(templates_root())


@pytest.mark.parametrize(
    "written",
    [
        "Paid Search",
        "paid-search",
        "PAID  SEARCH",
        "بحث مدفوع",
        "بحث مدفوعٌ",  # with a diacritic
        f"جست{ZWNJ}وجوی پولی",
        "جستوجوی پولی",  # no zero-width non-joiner
        "جست وجوي پولي",  # a space, and Arabic yeh for Persian yeh
    ],
)
def test_every_spelling_of_paid_search_is_paid_search(written: str) -> None:
    assert keys()[fold(written)] == "paid_search"


def test_channel_names_are_distinct_keys_in_every_pack() -> None:
    """No two channels of the packs fold to one name (a name would bind two channels)."""
    folder = templates_root() / "labels"
    seen: dict[str, str] = {}
    for lang in ("en", "ar", "fa"):
        texts = load_labels(folder, lang).texts
        for key, name in texts.items():
            if key.startswith("channel."):
                assert seen.setdefault(fold(name), key) == key, (lang, name)


def test_bind_channels_reports_what_it_could_not_bind() -> None:
    binding = bind_channels(
        ["Paid Search", "Display", "Email"],
        ["بحث مدفوع", "EMAIL", "Podcasts"],
        keys(),
        {"display": "الإعلانات المصورة"},
    )
    assert binding("Paid Search", "KPI K4") == "بحث مدفوع"
    assert binding("Email", "KPI K7") == "EMAIL"
    assert binding("Display", "KPI K8") == "الإعلانات المصورة"
    assert binding("Display", "money line 3") == "الإعلانات المصورة"
    assert binding.unbound == {"الإعلانات المصورة": ["KPI K8", "money line 3"]}


def _renamed_data(tmp_path: Path) -> Path:
    """The example shop's data with its channels named as users in several languages
    would, and no Display rows."""
    data = example_data()
    names = {
        "Paid Search": "بحث مدفوع",
        "Paid Social": f"شبکه{ZWNJ}های اجتماعی پولی",
        "Email": "E-mail",
        "Organic Search": "البحث العضوي",
    }
    data = data[data["channel"] != "Display"].copy()
    data["channel"] = data["channel"].map(lambda c: names.get(c, c))
    path = tmp_path / "data.csv"
    data.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def bound(tmp_path_factory: pytest.TempPathFactory) -> PlanResult:
    folder = tmp_path_factory.mktemp("bound")
    return new_plan(folder / "plan.xlsx", data=_renamed_data(folder))


def test_new_binds_the_templates_channels_to_the_datas_names(bound: PlanResult) -> None:
    kpis = {k.id: k.channel for k in bound.plan.kpis}
    assert kpis["K4"] == "بحث مدفوع"
    assert kpis["K6"] == f"شبکه{ZWNJ}های اجتماعی پولی"
    assert kpis["K7"] == "E-mail"
    actual = {k.id: r.actual for k, r in zip(bound.plan.kpis, bound.results.kpis, strict=True)}
    assert actual["K4"] and actual["K6"] and actual["K7"]  # the data's rows reach them
    money = {m.channel for m in bound.plan.money} - {""}
    strategies = {s.channel for s in bound.plan.strategies} - {""}
    assert "بحث مدفوع" in money and "Paid Search" not in money | strategies


def test_new_reports_the_channel_it_could_not_bind(bound: PlanResult) -> None:
    assert list(bound.unbound) == ["Display"]
    assert bound.unbound["Display"] == ["KPI K8", "money line 3"]  # the template's Display rows


def test_the_new_command_prints_what_it_could_not_bind(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from xlmplan.cli import app

    data = _renamed_data(tmp_path)
    result = CliRunner().invoke(app, ["new", str(tmp_path / "plan.xlsx"), "--data", str(data)])
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if x.startswith("not bound"))
    assert "'Display' (KPI K8" in line


@pytest.mark.parametrize("lang", ["ar", "fa"])
def test_the_starter_plans_channels_and_campaigns_are_in_the_plans_language(
    lang: str, tmp_path: Path
) -> None:
    labels = load_labels(templates_root() / "labels", lang)
    english = load_labels(templates_root() / "labels", "en")
    result = new_plan(tmp_path / f"plan-{lang}.xlsx", lang=lang)
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(result.path))
    rows = book.get_sheet_by_name(labels["sheet.data"]).to_python()
    frame = pd.DataFrame(rows[1:], columns=rows[0])
    data_channels = set(frame[labels["data.channel"]])
    campaigns = set(frame[labels["data.campaign"]]) - {""}
    assert data_channels == {v for k, v in labels.texts.items() if k.startswith("channel.")}
    assert campaigns == {v for k, v in labels.texts.items() if k.startswith("campaign.")}
    assert not data_channels & {v for k, v in english.texts.items() if k.startswith("channel.")}
    for kpi in result.plan.kpis:
        assert kpi.channel == labels["word.all"] or kpi.channel in data_channels, kpi.id
    assert {m.channel for m in result.plan.money} - {""} <= data_channels
    assert {s.channel for s in result.plan.strategies} - {""} <= data_channels
    assert result.unbound == {}
