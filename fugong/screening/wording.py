"""Screening's stored sentences — clearance reasons (engine) and alert messages (runner, services) — shown in
the reader's language (core/wording.py: stored in zh-hans as data, recognised by their catalogue template and
rendered again in the reader's language; anything not recognised is shown as stored)."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from fugong.core import wording as core_wording
from fugong.core.wording import SEPARATOR, SOURCE, in_reader_language

from . import engine

__all__ = ["ALERTS", "SENTENCES", "SEPARATOR", "SOURCE", "WORDS", "in_reader_language"]

# Alert messages (runner.py, services.py use these constants; makemessages finds them here).
FEVER_ALERT = gettext_noop("%(who)s %(d)s 体温异常，已判定为“异常”：请立即隔离，安排到发热门诊就诊")
ABNORMAL_ALERT = gettext_noop("%(who)s 上岗状态转为“异常”：%(why)s")
QUARANTINE_ENDING_ALERT = gettext_noop("%(who)s 隔离观察将于 %(d)s 期满：请安排核酸检测，阴性后方可上岗")
MISSING_READINGS_ALERT = gettext_noop("%(d)s 有%(n)d名在岗员工未报体温：请督促测温并登记或扫码申报")
RISK_AREA_ALERT = gettext_noop(
    "%(n)d名员工于%(since)s后到过%(name)s（%(level)s，%(d)s起），已自动重新排查，请核实行程并落实管控"
)
GATE_IMPORT = gettext_noop("门岗测温记录导入：%(name)s")  # the note of a gate-readings import (audit log)
ALERTS = (FEVER_ALERT, ABNORMAL_ALERT, QUARANTINE_ENDING_ALERT, MISSING_READINGS_ALERT, RISK_AREA_ALERT)

# Words that only ever fill another sentence's slot.
WORDS = frozenset({"low", "medium", "high", "nat", "igm", "red", "yellow"})
SENTENCES = (*(m for k, m in engine.MESSAGES.items() if k not in WORDS), *ALERTS, GATE_IMPORT)

core_wording.register(*SENTENCES, words=tuple(engine.MESSAGES[k] for k in WORDS))
