"""Screening's stored sentences — clearance reasons (engine) and alert messages (runner, services) — shown in
the reader's language.

They are stored in the source language (zh-hans), as data: the bulk runner and the check-in write them for a
million employees, and whoever reads them later may have chosen English. A stored sentence is recognised by
its template (the catalogue's msgid, its %(…)s slots turned into a pattern) and rendered again from the
catalogue in the active language. The values in the slots are dates, masked names, place names and numbers,
kept as they are, or catalogue words (risk levels, test kinds, health-code colours) and whole sentences (the
reason inside an alert, the return inside a quarantine reason), translated in turn. Anything not recognised —
a reason cut at 300 characters, a wording older than this catalogue — is shown as it is stored.
"""

from __future__ import annotations

import re
from functools import lru_cache

from django.utils import translation
from django.utils.translation import gettext, gettext_noop, pgettext

from . import engine

SOURCE = "zh-hans"  # the language every stored sentence is written in (runner, check-in, services)
SEPARATOR = "；"  # engine.Verdict.reason_text joins a verdict's reasons with it

# Alert messages (runner.py, services.py use these constants; makemessages finds them here).
FEVER_ALERT = gettext_noop("%(who)s %(d)s 体温异常，已判定为“异常”：请立即隔离，安排到发热门诊就诊")
ABNORMAL_ALERT = gettext_noop("%(who)s 上岗状态转为“异常”：%(why)s")
QUARANTINE_ENDING_ALERT = gettext_noop("%(who)s 隔离观察将于 %(d)s 期满：请安排核酸检测，阴性后方可上岗")
MISSING_READINGS_ALERT = gettext_noop("%(d)s 有%(n)d名在岗员工未报体温：请督促测温并登记或扫码申报")
RISK_AREA_ALERT = gettext_noop(
    "%(n)d名员工于%(since)s后到过%(name)s（%(level)s，%(d)s起），已自动重新排查，请核实行程并落实管控"
)
ALERTS = (FEVER_ALERT, ABNORMAL_ALERT, QUARANTINE_ENDING_ALERT, MISSING_READINGS_ALERT, RISK_AREA_ALERT)

# Words that only ever fill another sentence's slot.
WORDS = frozenset({"low", "medium", "high", "nat", "igm", "red", "yellow"})

_SLOT = re.compile(r"%\((\w+)\)([sd])")


def _pattern(msgid: str) -> re.Pattern[str]:
    parts, pos = [], 0
    for slot in _SLOT.finditer(msgid):
        parts.append(re.escape(msgid[pos : slot.start()]))
        parts.append(rf"(?P<{slot[1]}>-?\d+)" if slot[2] == "d" else rf"(?P<{slot[1]}>.+?)")
        pos = slot.end()
    parts.append(re.escape(msgid[pos:]))
    return re.compile("".join(parts))


_SENTENCES = tuple(
    (msgid, _pattern(msgid)) for msgid in (*(m for k, m in engine.MESSAGES.items() if k not in WORDS), *ALERTS)
)
_WORDS = {engine.MESSAGES[k]: engine.MESSAGES[k] for k in WORDS}  # source text → msgid (the same string)
_NUMERIC = {msgid: {s[1] for s in _SLOT.finditer(msgid) if s[2] == "d"} for msgid, _p in _SENTENCES}


def in_reader_language(text: str, language: str | None = None) -> str:
    """`text` (a stored reason or alert message) in `language`, by default the active one."""
    language = language or translation.get_language() or SOURCE
    if not text or language.lower().startswith("zh"):
        return text
    return _render(text, language)


@lru_cache(maxsize=4096)  # the same few hundred sentences fill a roster, an alert list, a district's pages
def _render(text: str, language: str) -> str:
    with translation.override(language):
        separator = pgettext("between the reasons of one clearance", "；")
        return separator.join(_sentence(part) for part in text.split(SEPARATOR))


def _sentence(text: str) -> str:
    for msgid, pattern in _SENTENCES:
        found = pattern.fullmatch(text)
        if found is None:
            continue
        values: dict[str, object] = {}
        for name, value in found.groupdict().items():
            values[name] = int(value) if name in _NUMERIC[msgid] else _value(value)
        try:
            return gettext(msgid) % values
        except (KeyError, TypeError, ValueError):  # a translation with other slots: keep the stored sentence
            return text
    return text


def _value(text: str) -> str:
    if text in _WORDS:
        return gettext(_WORDS[text])
    return _sentence(text)
