"""Test helpers: tiny files with the right magic bytes, and applications walked to a given state through the
services (so every test starts from records the app itself would have written)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fugong.resumption import services, uploads
from fugong.resumption.models import Application, EvidenceKind, EvidencePurpose, ItemResult, SelfCheckAnswer

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%test\n"


def png(name: str = "现场.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def pdf(name: str = "方案.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def today() -> dt.date:
    return timezone.localdate()


def draft_data(checklist: Any, planned: dt.date | None = None) -> services.DraftData:
    answers = {item.pk: (SelfCheckAnswer.DONE, "已按要求落实到位") for item in checklist.items.all()}
    return services.DraftData(planned or today(), [470, 238], "第一批返岗员工已全部建档", answers)


def draft_files(checklist: Any) -> uploads.Uploads:
    files = [
        ("prevention_plan", EvidencePurpose.PREVENTION_PLAN, None, pdf("防控方案.pdf")),
        ("emergency_plan", EvidencePurpose.EMERGENCY_PLAN, None, pdf("应急预案.pdf")),
    ]
    for item in checklist.items.all():
        if item.evidence == EvidenceKind.PHOTO:
            files.append((f"files_{item.pk}", EvidencePurpose.SELF_CHECK, item.pk, png()))
        elif item.evidence == EvidenceKind.DOCUMENT:
            files.append((f"files_{item.pk}", EvidencePurpose.SELF_CHECK, item.pk, pdf("材料.pdf")))
    return uploads.check(files)


def ready_draft(world: Any, actor: Any = None) -> Application:
    actor = actor or world.enterprise_admin_x
    checklist = services.current_checklist()
    return services.check_create_application(actor, world.x, draft_data(checklist), draft_files(checklist))


def submitted(world: Any, actor: Any = None) -> Application:
    app = ready_draft(world, actor)
    return services.check_submit(actor or world.enterprise_admin_x, app)


def inspection_data(
    app: Application, fail: tuple[int, ...] = (), day: dt.date | None = None
) -> services.InspectionData:
    """Every item passes except those whose order is in `fail`."""
    day = day or today()
    results = {}
    for item in services.current_checklist(day).items.all():
        if item.order in fail:
            results[item.pk] = (ItemResult.FAIL, "消毒记录不全", day + dt.timedelta(days=3))
        else:
            results[item.pk] = (ItemResult.PASS, "", None)
    return services.InspectionData(day, results, "现场核查")


def inspected(world: Any, app: Application, fail: tuple[int, ...] = (), inspector: Any = None) -> Application:
    services.check_inspect(inspector or world.town_a_officer, app, inspection_data(app, fail), uploads.Uploads())
    app.refresh_from_db()
    return app


def filed(world: Any, on: dt.date | None = None, resumed_as: str = "resumed") -> Application:
    """X walked to filed, resumed from `on` (the submission is backdated to that day when it is earlier)."""
    app = submitted(world)
    if on is not None and on < today():
        Application.objects.filter(pk=app.pk).update(
            submitted_at=timezone.make_aware(dt.datetime.combine(on, dt.time(9)))
        )
        app.refresh_from_db()
    app = inspected(world, app)
    return services.check_file(world.district_admin, app, on or today(), resumed_as)
