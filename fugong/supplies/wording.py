"""The sentences the supplies ledger writes into movements itself — a consumption correction, a district
delivery — stored in Chinese and shown in the reader's language (core/wording.py)."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from fugong.core import wording

CORRECTION = gettext_noop("更正%(day)s消耗：原%(old)s，改为%(new)s")
DISTRICT_DELIVERY = gettext_noop("区级配送 %(order)s")

wording.register(CORRECTION, DISTRICT_DELIVERY)
