"""The sentences resumption writes into its records itself — timeline notes, inspection summaries, the status
history's reasons — stored in Chinese and shown in the reader's language (core/wording.py). What officers and
enterprises type (application notes, rectification notes, reasons given) is kept and shown as typed."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from fugong.core import wording

SELF_CHECK_UPDATED = gettext_noop("自查与附件已更新")
FILED = gettext_noop("备案，实际复工日期%(d)s")
FILED_STATUS = gettext_noop("复工申请备案（%(app)s）")
APPLICATION = gettext_noop("复工申请#%(n)d")  # str(Application), inside FILED_STATUS
INSPECTION = gettext_noop("第%(n)d次现场核查：%(findings)s")  # findings: FAILED_ITEMs joined by "；", or ALL_PASSED
FAILED_ITEM = gettext_noop("%(item)s不合格，%(day)s前整改")
ALL_PASSED = gettext_noop("全部合格")
RECTIFIED = gettext_noop("已整改，请复查")

wording.register(SELF_CHECK_UPDATED, FILED, FILED_STATUS, APPLICATION, INSPECTION, FAILED_ITEM, ALL_PASSED, RECTIFIED)


def inspection_summary(number: int, failed: list[tuple[str, object]]) -> str:
    """The timeline note of an inspection: each failed item (title, rectify by), or all passed."""
    findings = wording.SEPARATOR.join(FAILED_ITEM % {"item": title, "day": day} for title, day in failed)
    return INSPECTION % {"n": number, "findings": findings or ALL_PASSED}
