"""Sentences the platform writes into records itself — clearance reasons, alerts, timeline notes, inspection
summaries, stock corrections, import notes — stored in one language and shown in the reader's.

They are stored in the source language (zh-hans), as data: a bulk job writes them for a million rows, an
officer who reads English files a note that a Chinese-reading colleague reads next. Each app registers the
templates it writes (the catalogue's msgids, made with gettext_noop so that makemessages finds them); a stored
text is cut at the list separator "；", each part is recognised by its template (the %(…)s slots turned into a
pattern) and rendered again from the catalogue in the reader's language. The values in the slots are kept as
they are (dates, masked names, place names, numbers, what someone typed), or are registered words (risk levels,
test kinds) or whole registered sentences, rendered in turn. Anything not recognised — a text cut at its
column's length, a wording older than this catalogue, what a person typed — is shown as it is stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from django.utils import translation
from django.utils.translation import gettext, pgettext

SOURCE = "zh-hans"  # the language every stored sentence is written in
SEPARATOR = "；"  # between the sentences of one stored text (a clearance's reasons, an inspection's findings)

_SLOT = re.compile(r"%\((\w+)\)([sd])")
_sentences: dict[str, tuple[re.Pattern[str], frozenset[str]]] = {}  # msgid → (pattern, numeric slots)
_words: set[str] = set()


def _pattern(msgid: str) -> re.Pattern[str]:
    parts, pos = [], 0
    for slot in _SLOT.finditer(msgid):
        parts.append(re.escape(msgid[pos : slot.start()]))
        parts.append(rf"(?P<{slot[1]}>-?\d+)" if slot[2] == "d" else rf"(?P<{slot[1]}>.+?)")
        pos = slot.end()
    parts.append(re.escape(msgid[pos:]))
    return re.compile("".join(parts))


def register(*msgids: str, words: tuple[str, ...] = ()) -> None:
    """Templates an app stores sentences with (each a msgid), and words that only ever fill their slots.
    Called when the app's wording module is imported (its AppConfig.ready imports it)."""
    for msgid in msgids:
        numeric = frozenset(s[1] for s in _SLOT.finditer(msgid) if s[2] == "d")
        _sentences[msgid] = (_pattern(msgid), numeric)
    _words.update(words)
    _render.cache_clear()


def joined(sentences: Iterable[str]) -> str:
    """Sentences of one message (not stored) joined as the active language writes them: "；" or "; "."""
    return pgettext("between the sentences of one message", "；").join(sentences)


def registered() -> tuple[str, ...]:
    return tuple(_sentences)


def in_reader_language(text: str, language: str | None = None) -> str:
    """`text` (a stored sentence, or several joined by SEPARATOR) in `language`, by default the active one."""
    language = language or translation.get_language() or SOURCE
    if not text or language.lower().startswith("zh"):
        return text
    return _render(text, language)


@lru_cache(maxsize=8192)  # the same few hundred sentences fill a roster, an alert list, a timeline
def _render(text: str, language: str) -> str:
    with translation.override(language):
        parts = text.split(SEPARATOR)
        rendered = [_sentence(part) for part in parts]
        if rendered == parts:  # nothing recognised (what a person typed, lists included): as stored
            return text
        return pgettext("between the reasons of one clearance", "；").join(rendered)


def _sentence(text: str) -> str:
    for msgid, (pattern, numeric) in _sentences.items():
        found = pattern.fullmatch(text)
        if found is None:
            continue
        values: dict[str, object] = {}
        for name, value in found.groupdict().items():
            values[name] = int(value) if name in numeric else _value(value)
        try:
            return gettext(msgid) % values
        except (KeyError, TypeError, ValueError):  # a translation with other slots: keep the stored sentence
            return text
    return text


def _value(text: str) -> str:
    if text in _words:
        return gettext(text)
    return _sentence(text)
