"""What each role may do in resumption (merged into fugong.accounts.roles.can()).

Scope still decides *which* applications and enterprises a user reaches (fugong.core.scoping); these actions
decide what they may do with them. The self-approval ban (nobody approves what they created or submitted) is
checked per application by the services, on top of these grants.
"""

from __future__ import annotations

from fugong.accounts.roles import Role

VIEW = "resumption.view"  # applications, status history, daily figures of enterprises in scope
APPLY = "resumption.apply"  # fill in, submit, withdraw; report rectification done
INSPECT = "resumption.inspect"  # on-site inspection (pass / fail with deadlines), reject
FILE = "resumption.file"  # district filing (备案): the enterprise is resumed from its actual date
MARK_STATUS = "resumption.mark_status"  # 部分复工 / 停工 / 恢复生产 with a reason
REPORT = "resumption.report"  # daily figures: workers on duty, output, orders
DASHBOARD = "resumption.dashboard"  # the dashboard, the 大屏 and the records behind their numbers
MANAGE_CHECKLIST = "resumption.checklist"  # publish a new checklist version
REFRESH = "resumption.refresh"  # start a snapshot refresh by hand

GOVERNMENT_VIEW = {VIEW, DASHBOARD}

GRANTS: dict[str, set[str]] = {
    # The district may enter a paper application on an enterprise's behalf (代录); it then may not approve it.
    Role.DISTRICT_ADMIN: {*GOVERNMENT_VIEW, APPLY, INSPECT, FILE, MARK_STATUS, MANAGE_CHECKLIST, REFRESH},
    Role.DISTRICT_LEADER: set(GOVERNMENT_VIEW),
    Role.DEPARTMENT: set(GOVERNMENT_VIEW),
    # Towns inspect on site (现场核查) and may also enter a paper application, never approving their own.
    Role.TOWN: {*GOVERNMENT_VIEW, APPLY, INSPECT, MARK_STATUS},
    # Liaisons helped enterprises prepare and report (the article); they do not approve.
    Role.LIAISON: {*GOVERNMENT_VIEW, APPLY, REPORT},
    Role.ENTERPRISE: {VIEW, APPLY, REPORT},
}
