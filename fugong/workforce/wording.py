"""The sentence workforce writes into records itself — the audit note of a roster import — stored in Chinese
and shown in the reader's language (core/wording.py)."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from fugong.core import wording

ROSTER_IMPORT = gettext_noop("花名册导入（任务#%(id)d：%(name)s）")

wording.register(ROSTER_IMPORT)
