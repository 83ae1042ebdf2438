"""The daily brief: prose from the figures, formatted the Chinese way, sentences as data."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fugong.core import figures
from fugong.core.scoping import DISTRICT_WIDE
from fugong.core.testing import EnterpriseFactory
from fugong.enterprises.classification import Category
from fugong.enterprises.models import Enterprise, ResumptionStatus
from fugong.reports import brief
from fugong.reports.brief import SENTENCES, build_brief, fmt_count, fmt_hours, fmt_kg, fmt_rate, fmt_yuan

DAY = dt.date(2020, 3, 2)
INTERFACE_KEYS = {
    "above_scale_industrial_total",
    "above_scale_industrial_resumed",
    "above_scale_industrial_resumption_rate",
    "enterprises_total",
    "enterprises_resumed",
    "outreach_teams",
    "liaisons",
    "liaison_targets",
    "materials_distributed",
    "tcm_batches",
    "tcm_enterprises",
    "tcm_workers",
    "masks_delivered",
    "thermometers_delivered",
    "alcohol_delivered_kg",
    "sanitizer_delivered_kg",
    "resumed_below_supply_threshold",
    "nucleic_acid_tests",
    "igm_tests",
    "employees_total",
    "employees_cleared",
    "help_person_times",
    "difficulties_received",
    "difficulties_resolved",
    "job_posts",
    "job_seekers",
    "employment_intentions",
    "funding_projects",
    "funding_investment_yuan",
    "key_guarantee_enterprises",
    "key_guarantee_loans_yuan",
    "bank_matchmaking_banks",
    "bank_matchmaking_enterprises",
    "credit_granted_yuan",
    "interest_subsidy_forecast_yuan",
    "rent_relief_enterprises",
    "rent_relief_yuan",
    "green_channel_median_hours",
}


@pytest.fixture
def all_resumed(world):
    """Town A: X plus 67 more 规上工业 enterprises, all resumed by 3 March — the article's 68 of 68."""
    resumed = {"status": ResumptionStatus.RESUMED, "resumed_on": dt.date(2020, 2, 25)}
    Enterprise.objects.filter(pk=world.x.pk).update(**resumed)
    for _ in range(67):
        EnterpriseFactory(town=world.town_a if _ % 2 else world.town_b, **resumed)
    return world


@pytest.mark.parametrize(
    "func, value, text",
    [
        (fmt_count, 18436, "18,436"),
        (fmt_count, 68, "68"),
        (fmt_yuan, 286_000_000, "2.86亿元"),
        (fmt_yuan, Decimal("1820000000"), "18.2亿元"),
        (fmt_yuan, 92_000_000, "9,200万元"),
        (fmt_yuan, 2_638_000, "263.8万元"),
        (fmt_yuan, 230_000, "23万元"),
        (fmt_yuan, 500, "500元"),
        (fmt_rate, 1.0, "100%"),
        (fmt_rate, 0.6667, "66.7%"),
        (fmt_rate, 0, "0%"),
        (fmt_kg, 1000, "1吨"),
        (fmt_kg, 800, "0.8吨"),
        (fmt_kg, 15, "15千克"),
        (fmt_hours, 2, "2小时"),
        (fmt_hours, 0.5, "30分钟"),
    ],
)
def test_numbers_are_formatted_the_chinese_way(func, value, text):
    assert func(value) == text


def test_every_interface_figure_key_has_a_sentence():
    keyed = {k for s in SENTENCES for k in s.keys}
    # Every contracted key has a sentence; apps may add sentences for keys of their own beyond the contract.
    assert INTERFACE_KEYS <= keyed, sorted(INTERFACE_KEYS - keyed)


def test_the_district_brief_states_the_resumption_rate_like_the_article(all_resumed):
    text = build_brief(DISTRICT_WIDE, DAY).text
    assert "截至3月2日，全区规模以上工业企业68家，累计复工复产68家，复工率100%。" in text
    assert text.startswith("苏仙区复工复产工作日报（2020年3月2日）")


def test_a_sentence_is_skipped_until_all_its_keys_are_present():
    context = {"date": "3月2日", "area": "全区", "threshold_days": "7"}
    partial = brief.sentences_for({"job_posts": 3800, "job_seekers": 1000}, context)
    assert partial == []
    full = brief.sentences_for({"job_posts": 3800, "job_seekers": 1000, "employment_intentions": 300}, context)
    assert [text for _section, text in full] == [
        "通过“码上”送岗位、“线上”招用工，发布就业岗位信息3,800条，线上求职人数1,000人，初步达成就业意愿300人。"
    ]


def test_a_sentence_appears_once_its_keys_are_registered(all_resumed, monkeypatch):
    monkeypatch.setitem(
        figures.REGISTRY,
        "credit_granted_yuan",
        figures.Figure("credit_granted_yuan", "授信", "yuan", lambda u, d: Decimal("92000000"), 900),
    )
    monkeypatch.setitem(
        figures.REGISTRY,
        "bank_matchmaking_banks",
        figures.Figure("bank_matchmaking_banks", "银行", "count", lambda u, d: 3, 901),
    )
    monkeypatch.setitem(
        figures.REGISTRY,
        "bank_matchmaking_enterprises",
        figures.Figure("bank_matchmaking_enterprises", "企业", "count", lambda u, d: 5, 902),
    )
    text = build_brief(DISTRICT_WIDE, DAY).text
    assert "组织3家银行机构与区内5家重点企业对接，办理授信9,200万元。" in text


def test_the_supply_sentence_depends_on_the_value(world, monkeypatch):
    short = {"n": 0}
    key = "resumed_below_supply_threshold"
    monkeypatch.setitem(figures.REGISTRY, key, figures.Figure(key, "物资不足", "count", lambda u, d: short["n"], 903))
    assert "所有复工复产企业均能保障7天以上防疫物资需求。" in build_brief(DISTRICT_WIDE, DAY).text
    short["n"] = 2
    text = build_brief(DISTRICT_WIDE, DAY).text
    assert "有2家复工企业的防疫物资不足7天" in text
    assert "均能保障" not in text


def test_a_town_officers_brief_speaks_of_their_town_only(all_resumed):
    result = build_brief(all_resumed.town_a_officer, DAY)
    town_a = Enterprise.objects.filter(town=all_resumed.town_a).count()
    assert f"截至3月2日，栖凤渡镇规模以上工业企业{town_a}家" in result.text
    assert "全区" not in result.text
    assert result.title.startswith("苏仙区栖凤渡镇")


def test_a_scope_without_above_scale_enterprises_says_so(world):
    Enterprise.objects.filter(pk=world.x.pk).update(category=Category.OTHER_INDUSTRIAL)
    assert "截至3月2日，全区暂无规模以上工业企业。" in build_brief(DISTRICT_WIDE, DAY).text


def test_daily_brief_text_prints_the_prose(all_resumed, capsys):
    call_command("daily_brief", "--date", "2020-03-02")
    out = capsys.readouterr().out
    assert "复工率100%" in out
    assert "{" not in out


def test_daily_brief_html_is_a_standalone_page(all_resumed, capsys):
    call_command("daily_brief", "--date", "2020-03-02", "--format", "html")
    html = capsys.readouterr().out
    assert html.lstrip().startswith("<!DOCTYPE html>")
    assert "复工率100%" in html
    assert "<link" not in html and "<script" not in html


def test_daily_brief_json_has_the_contract_shape(all_resumed, capsys):
    call_command("daily_brief", "--date", "2020-03-02", "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert data["date"] == "2020-03-02"
    assert data["district"] == "苏仙区"
    assert data["figures"]["above_scale_industrial_total"] == 68
    assert data["figures"]["above_scale_industrial_resumption_rate"] == 1.0


@pytest.mark.parametrize("value", ["2020-13-01", "March 2", "2020/03/02"])
def test_daily_brief_with_an_invalid_date_fails_clearly_with_exit_code_2(world, value):
    with pytest.raises(CommandError, match="日期") as excinfo:
        call_command("daily_brief", "--date", value)
    assert excinfo.value.returncode == 2


def test_the_district_name_falls_back_when_the_region_is_missing(db):
    assert brief.district_name() == "苏仙区"


def test_the_english_brief_separates_its_sentences_and_labels_its_figures(world):
    import re

    from django.utils import translation

    with translation.override("en"):
        made = build_brief(DISTRICT_WIDE, DAY)
        text = made.text
        labels = [label for label, _value in made.rows]
    assert not re.search(r"[.!?][A-Z]", text), text  # "…100%.The district…" would be run together
    assert not re.search(r"[\u4e00-\u9fff]", " ".join(labels)), labels  # every figure label has its English
