"""Permission-matrix fragment: resumption. See fugong/core/matrix.py.

Objects: X (town A) has a submitted application with one plan file and is marked resumed since yesterday (so
its daily report can be posted); Y (town B) has a draft application; today's snapshot exists. POSTs either
fail validation or change the state so that later personas get the same status code.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fugong.core.matrix import ADMIN_ONLY, ALL, GOVERNMENT_FIGURES, SEE_X, Case, api, page, record

VIEWERS = GOVERNMENT_FIGURES | {"enterprise_admin_x", "enterprise_admin_y"}
APPLICANTS = frozenset({"district_admin", "town_a_officer", "liaison_of_x", "enterprise_admin_x", "enterprise_admin_y"})
INSPECTORS = frozenset({"district_admin", "town_a_officer"})
REPORTERS = frozenset({"liaison_of_x", "enterprise_admin_x"})
SEE_Y = frozenset({"district_admin", "hrss_officer", "town_b_team_member", "enterprise_admin_y"})
PLAN = b"%PDF-1.4\n%matrix\n"


def objects(world: Any) -> dict[str, Any]:
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from fugong.resumption import services, snapshots, uploads
    from fugong.resumption.models import Evidence

    today = timezone.localdate()
    checklist = services.current_checklist()
    items = list(checklist.items.all())
    draft = services.DraftData(today, [10], "", {})
    x_app = services.do_create_application(
        world.enterprise_admin_x, world.x, checklist, items, draft, uploads.Uploads()
    )
    services.do_submit(world.enterprise_admin_x, x_app)
    y_app = services.do_create_application(
        world.enterprise_admin_y, world.y, checklist, items, draft, uploads.Uploads()
    )
    # A fixed tiny file (written once, reused by every run) rather than a new upload per test.
    path = "resumption/matrix/plan.pdf"
    if not default_storage.exists(path):
        default_storage.save(path, ContentFile(PLAN))
    evidence = Evidence.objects.create(
        application=x_app,
        purpose="prevention_plan",
        file=path,
        original_name="防控方案.pdf",
        kind="pdf",
        size=len(PLAN),
    )
    services.do_change_status(world.district_admin, world.x, "resumed", today - dt.timedelta(days=1), "矩阵测试")
    snapshots.refresh([today])
    return {"x": world.x.pk, "ax": x_app.pk, "ay": y_app.pk, "ev": evidence.pk, "today": today.isoformat()}


def cases(o: dict[str, Any]) -> dict[str, Case]:
    x, ax, ay = o["x"], o["ax"], o["ay"]
    report = {"day": o["today"], "registered": 700, "on_duty": 500, "daily_output": 800, "normal_output": 1000}
    return {
        # /resumption/ only points at the dashboard; the dashboard decides who may see it.
        "resumption:index": page("/resumption/", ALL, ok_status=302, anonymous=302),
        "resumption:dashboard": page("/resumption/dashboard/", GOVERNMENT_FIGURES),
        "resumption:big_screen": page("/resumption/dashboard/screen/", GOVERNMENT_FIGURES),
        "resumption:records": page("/resumption/dashboard/records/?status=working", GOVERNMENT_FIGURES),
        "resumption:snapshot_status": page("/resumption/dashboard/status/", GOVERNMENT_FIGURES),
        "resumption:snapshot_refresh": page("/resumption/dashboard/refresh/", ADMIN_ONLY, method="post", ok_status=302),
        "resumption:applications": page("/resumption/applications/", VIEWERS),
        "resumption:application_new": page("/resumption/applications/new/", APPLICANTS),
        "resumption:application": record(f"/resumption/applications/{ax}/", VIEWERS & SEE_X, SEE_X),
        # Y's draft: its applicants edit it; the district's departments and town B's team see Y but may not.
        "resumption:application_edit": record(f"/resumption/applications/{ay}/edit/", APPLICANTS & SEE_Y, SEE_Y),
        # The draft lacks its plans: the submission is refused with a message (a redirect), nothing changes.
        "resumption:application_submit": record(
            f"/resumption/applications/{ay}/submit/", APPLICANTS & SEE_Y, SEE_Y, method="post", ok_status=302
        ),
        "resumption:application_withdraw": record(
            f"/resumption/applications/{ax}/withdraw/", APPLICANTS & SEE_X, SEE_X, method="post", ok_status=302
        ),
        "resumption:application_inspect": record(f"/resumption/applications/{ax}/inspect/", INSPECTORS, SEE_X),
        "resumption:application_rectified": record(
            f"/resumption/applications/{ax}/rectified/", APPLICANTS & SEE_X, SEE_X
        ),
        "resumption:application_reject": record(
            f"/resumption/applications/{ax}/reject/", INSPECTORS, SEE_X, method="post", data={}, ok_status=302
        ),
        "resumption:application_file": record(f"/resumption/applications/{ax}/file/", ADMIN_ONLY, SEE_X),
        "resumption:evidence": record(f"/resumption/files/{o['ev']}/", VIEWERS & SEE_X, SEE_X),
        "resumption:enterprise": record(f"/resumption/enterprise/{x}/", VIEWERS & SEE_X, SEE_X),
        "resumption:mark_status": record(f"/resumption/enterprise/{x}/status/", INSPECTORS, SEE_X),
        "resumption:daily_report": record(f"/resumption/enterprise/{x}/report/", REPORTERS, SEE_X),
        "resumption:checklist": page("/resumption/checklist/", VIEWERS),
        "resumption:checklist_new": page("/resumption/checklist/new/", ADMIN_ONLY),
        "resumption:checklist_version": page("/resumption/checklist/1/", VIEWERS),
        "api:list_applications": api(page("/api/v1/resumption/applications", VIEWERS)),
        "api:get_application": api(record(f"/api/v1/resumption/applications/{ax}", VIEWERS & SEE_X, SEE_X)),
        "api:get_dashboard": api(page("/api/v1/resumption/dashboard", GOVERNMENT_FIGURES)),
        # The first reporter creates the day's report (201); the second sends the same figures (200).
        "api:post_daily_report": api(
            record(
                f"/api/v1/resumption/enterprises/{x}/daily-reports",
                REPORTERS,
                SEE_X,
                method="post",
                data=report,
                ok_status=201,
                overrides={"enterprise_admin_x": 200},
            )
        ),
    }


CASE_NAMES = [
    "resumption:index",
    "resumption:dashboard",
    "resumption:big_screen",
    "resumption:records",
    "resumption:snapshot_status",
    "resumption:snapshot_refresh",
    "resumption:applications",
    "resumption:application_new",
    "resumption:application",
    "resumption:application_edit",
    "resumption:application_submit",
    "resumption:application_withdraw",
    "resumption:application_inspect",
    "resumption:application_rectified",
    "resumption:application_reject",
    "resumption:application_file",
    "resumption:evidence",
    "resumption:enterprise",
    "resumption:mark_status",
    "resumption:daily_report",
    "resumption:checklist",
    "resumption:checklist_new",
    "resumption:checklist_version",
    "api:list_applications",
    "api:get_application",
    "api:get_dashboard",
    "api:post_daily_report",
]
