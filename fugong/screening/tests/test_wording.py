"""Stored reasons and alert messages (always written in Chinese) read in the reader's language: every sentence
the engine and the alerts can write, rendered in English, is what the catalogue gives for it in English; what
is not recognised is shown as stored; and the pages that show them follow the reader's language."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from fugong.core import wording as core_wording
from fugong.screening import engine, wording
from fugong.screening.engine import Facts, QuarantineFact, ReadingFact, RiskPeriod, Rules, StayFact
from fugong.screening.engine import TestFact as Sample
from fugong.screening.models import Alert

from .helpers import hire, stay, synthetic_id

D = dt.date
AS_OF = D(2020, 3, 2)
RISK = {
    "h-wuchang": (RiskPeriod("high", D(2020, 1, 23), None, "武昌区"),),
    "h-futian": (RiskPeriod("medium", D(2020, 2, 10), None, "福田区"),),
}


def reading(day: dt.date, fever: bool = False, code: str = "green", symptoms: bool = False) -> ReadingFact:
    return ReadingFact(day, fever, code, symptoms, 0)


# Between them, every reason sentence of engine.MESSAGES (checked below).
SCENARIOS = {
    "nothing": Facts(resident=True),
    "fever and symptoms": Facts(resident=True, readings=[reading(D(2020, 3, 1), fever=True, symptoms=True)]),
    "positive tests": Facts(
        resident=True, tests=[Sample("nat", D(2020, 3, 1), "positive"), Sample("igm", D(2020, 3, 1), "positive")]
    ),
    "back from a high-risk county": Facts(resident=True, stays=[StayFact("h-wuchang", D(2020, 2, 20), D(2020, 2, 25))]),
    "released with a test": Facts(
        resident=True,
        stays=[StayFact("h-futian", D(2020, 2, 1), D(2020, 2, 10))],
        tests=[Sample("nat", D(2020, 2, 26), "negative")],
    ),
    "released, test due": Facts(resident=True, stays=[StayFact("h-futian", D(2020, 2, 1), D(2020, 2, 10))]),
    "non-resident tested": Facts(
        resident=False, returned_on=D(2020, 2, 10), tests=[Sample("nat", D(2020, 2, 11), "negative")]
    ),
    "non-resident back": Facts(resident=False, returned_on=D(2020, 2, 10)),
    "non-resident, no date": Facts(resident=False),
    "red and yellow codes": Facts(
        resident=True, readings=[reading(D(2020, 2, 25), code="yellow"), reading(D(2020, 2, 28), code="red")]
    ),
    "a quarantine record": Facts(resident=True, quarantines=[QuarantineFact(D(2020, 2, 28), D(2020, 3, 10))]),
}


def reasons_in(language: str, facts: Facts) -> tuple[str, ...]:
    with translation.override(language):
        return engine.evaluate(facts, Rules(version=1), RISK, AS_OF, engine.texts()).reasons


@pytest.mark.parametrize("name", SCENARIOS)
def test_a_stored_reason_reads_in_english_as_the_engine_would_have_written_it(name):
    stored = "；".join(reasons_in("zh-hans", SCENARIOS[name]))
    english = reasons_in("en", SCENARIOS[name])
    assert wording.in_reader_language(stored, "en") == "; ".join(english)
    assert wording.in_reader_language(stored, "zh-hans") == stored


def test_the_scenarios_cover_every_reason_sentence():
    written = "；".join("；".join(reasons_in("zh-hans", facts)) for facts in SCENARIOS.values())
    used = {
        msgid
        for msgid in wording.SENTENCES
        if msgid in engine.MESSAGES.values()
        and any(core_wording._pattern(msgid).search(part) for part in written.split("；"))
    }
    assert used == {m for k, m in engine.MESSAGES.items() if k not in wording.WORDS}


def alert_params(language: str) -> dict[str, dict]:
    with translation.override(language):
        why = engine.texts()["fever"] % {"d": "2020-03-01", "t": "37.3"}
        level = gettext("高风险")
    return {
        wording.FEVER_ALERT: {"who": "张*", "d": "2020-03-01"},
        wording.ABNORMAL_ALERT: {"who": "张*", "why": why},
        wording.QUARANTINE_ENDING_ALERT: {"who": "李*", "d": "2020-03-05"},
        wording.MISSING_READINGS_ALERT: {"d": "2020-03-01", "n": 12},
        wording.RISK_AREA_ALERT: {"n": 3, "since": "2020-02-16", "name": "江岸区", "level": level, "d": "2020-03-01"},
    }


@pytest.mark.parametrize("msgid", wording.ALERTS)
def test_every_alert_message_reads_in_english(msgid):
    with translation.override("zh-hans"):
        stored = gettext(msgid) % alert_params("zh-hans")[msgid]
    with translation.override("en"):
        expected = gettext(msgid) % alert_params("en")[msgid]
    shown = wording.in_reader_language(stored, "en")
    assert shown == expected and shown != stored


@pytest.mark.parametrize(
    "text",
    [
        "手工录入的说明",  # not a sentence of the catalogue
        "非常住人员，须返岗后核酸检测阴性方可上岗" * 20 + "…",  # cut at 300 characters
        "",
    ],
)
def test_what_is_not_recognised_is_shown_as_stored(text):
    assert wording.in_reader_language(text, "en") == text


@pytest.fixture
def english(client_for, settings):
    def make(persona: str):
        client = client_for(persona)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


def test_the_archive_card_and_the_alerts_read_in_english(world, english):
    emp = hire(world.x, 7)
    emp.clearance, emp.clearance_reason = "test_required", "非常住人员，须返岗后核酸检测阴性方可上岗"
    emp.save(update_fields=["clearance", "clearance_reason"])
    Alert.objects.create(
        enterprise=world.x,
        employee=emp,
        kind=Alert.Kind.QUARANTINE_ENDING,
        day=AS_OF,
        message="排* 隔离观察将于 2020-03-05 期满：请安排核酸检测，阴性后方可上岗",
        key="t",
    )
    card = english("district_admin").get(f"/workforce/{emp.pk}/").content.decode()
    assert "Non-resident; needs a negative nucleic acid test" in card and "须返岗后核酸检测" not in card
    page = english("enterprise_admin_x").get(f"/screening/enterprise/{world.x.pk}/").content.decode()
    assert "quarantine/observation ends on 2020-03-05" in page and "期满" not in page


def test_a_risk_alert_is_stored_in_chinese_whatever_the_admins_language(world, english):
    today = timezone.localdate()
    stay(hire(world.x, 8), "420106", today - dt.timedelta(days=6), today - dt.timedelta(days=2))
    data = {"region_code": "420106", "region_name": "武昌区", "level": "high", "effective_from": today.isoformat(),
            "source": "测试通告〔2020〕3号"}  # fmt: skip
    assert english("district_admin").post(reverse("screening:risk_area_new"), data).status_code == 302
    message = Alert.objects.get(kind=Alert.Kind.RISK_AREA).message
    assert "已自动重新排查" in message and "高风险" in message  # stored as data, in the source language
    shown = english("enterprise_admin_x").get(f"/screening/enterprise/{world.x.pk}/").content.decode()
    assert "re-screened automatically" in shown and "High risk" in shown


def test_the_api_and_the_roster_export_give_reasons_and_alerts_in_the_callers_language(world, english, client_for):
    from fugong.workforce import exports, selectors

    emp = hire(world.x, 9)
    emp.clearance, emp.clearance_reason = "test_required", "非常住人员，须返岗后核酸检测阴性方可上岗"
    emp.save(update_fields=["clearance", "clearance_reason"])
    stored = "排* 隔离观察将于 2020-03-05 期满：请安排核酸检测，阴性后方可上岗"
    Alert.objects.create(
        enterprise=world.x, employee=emp, kind=Alert.Kind.QUARANTINE_ENDING, day=AS_OF, message=stored, key="api"
    )
    alert = english("enterprise_admin_x").get("/api/v1/alerts").json()["items"][0]
    assert alert["message"] == wording.in_reader_language(stored, "en") != stored
    assert "quarantine/observation ends on 2020-03-05" in alert["message"]
    assert client_for("enterprise_admin_x").get("/api/v1/alerts").json()["items"][0]["message"] == stored
    roster = english("enterprise_admin_x").get(f"/api/v1/enterprises/{world.x.pk}/employees").json()["items"]
    assert roster[0]["clearance_reason"].startswith("Non-resident; needs a negative nucleic acid test")
    with translation.override("en"):
        export = exports.RosterExport(world.users["enterprise_admin_x"], world.x, selectors.RosterFilters())
        row = export.row(export.queryset().get(pk=emp.pk))
    assert any(str(v).startswith("Non-resident; needs a negative") for v in row) and emp.clearance_reason not in row


def test_an_import_note_is_stored_in_chinese_and_the_audit_log_reads_it_in_english(world, english, client_for):
    from fugong.core.models import AuditLog

    from .test_pages import TODAY, xlsx

    hire(world.x, 74)
    upload = xlsx(
        [
            ["姓名", "身份证号码", "日期", "时间", "体温（℃）", "健康码"],
            ["排查员工74", synthetic_id(74), TODAY, "08:05", 36.6, "绿"],
        ]
    )
    response = english("enterprise_admin_x").post(reverse("screening:gate_upload", args=[world.x.pk]), {"file": upload})
    assert response.status_code in (200, 302), re.sub(r"<[^>]+>", " ", response.content.decode())[-1500:]
    notes = set(AuditLog.objects.exclude(note="").values_list("note", flat=True))
    assert "门岗测温记录导入：upload.xlsx" in notes  # stored in Chinese, though the uploader reads English
    log = english("auditor").get(reverse("core:audit_log")).content.decode()
    assert "Gate temperature record import: upload.xlsx" in log and "门岗测温记录导入" not in log
    assert "门岗测温记录导入：upload.xlsx" in client_for("auditor").get(reverse("core:audit_log")).content.decode()
