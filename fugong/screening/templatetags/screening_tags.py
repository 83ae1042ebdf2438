"""{{ employee.clearance_reason|in_reader_language }}, {{ alert.message|in_reader_language }}: screening's
stored sentences in the reader's language (wording.py)."""

from __future__ import annotations

from django import template

from fugong.screening import wording

register = template.Library()


@register.filter
def in_reader_language(text: str | None) -> str:
    return wording.in_reader_language(text or "")
