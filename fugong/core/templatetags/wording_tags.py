"""{{ event.note|in_reader_language }}: a sentence the platform stored (in Chinese) shown in the reader's
language; anything not recognised — what a person typed — as stored (core/wording.py)."""

from __future__ import annotations

from django import template

from fugong.core import wording

register = template.Library()


@register.filter
def in_reader_language(text: str | None) -> str:
    return wording.in_reader_language(text or "")
