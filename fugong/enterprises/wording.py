"""The sentence the registry writes into records itself — the audit note of an Excel import — stored in
Chinese and shown in the reader's language (core/wording.py)."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from fugong.core import wording

EXCEL_IMPORT = gettext_noop("Excel导入（任务#%(id)d：%(name)s）")

wording.register(EXCEL_IMPORT)
