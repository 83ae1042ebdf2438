"""{{ employee.clearance_reason|in_reader_language }}, {{ alert.message|in_reader_language }}: screening's
stored sentences in the reader's language (wording.py, on core/wording.py; the same filter as wording_tags)."""

from __future__ import annotations

from django import template

from fugong.core.templatetags.wording_tags import in_reader_language

register = template.Library()
register.filter("in_reader_language", in_reader_language)
