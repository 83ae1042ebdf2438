"""The application workflow: every transition the table allows works, every other one is refused, nobody
approves their own application, and each step leaves its history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from fugong.core.models import AuditLog
from fugong.enterprises.models import Enterprise
from fugong.resumption import services, uploads
from fugong.resumption.defaults import TRANSITIONS
from fugong.resumption.models import (
    AppAction,
    Application,
    ApplicationEvent,
    AppState,
    Evidence,
    Inspection,
    StatusChange,
    Transition,
)

from .helpers import PNG, draft_data, filed, inspected, inspection_data, pdf, png, ready_draft, submitted, today

pytestmark = pytest.mark.django_db

ALLOWED = {(action, from_state): to_state for action, from_state, to_state, _approval in TRANSITIONS}
ALL_ACTIONS = ("submit", "withdraw", "inspect_pass", "inspect_fail", "report_rectified", "reject", "file")
FORBIDDEN = [(a, s) for a in ALL_ACTIONS for s in AppState.values if (a, s) not in ALLOWED]


def in_state(world, state: str) -> Application:
    """X's application walked to `state` through the services."""
    if state == "draft":
        return ready_draft(world)
    app = submitted(world)
    if state == "submitted":
        return app
    if state == "withdrawn":
        return services.check_withdraw(world.enterprise_admin_x, app, "推迟复工")
    if state == "rejected":
        return services.check_reject(world.town_a_officer, app, "材料不全")
    app = inspected(world, app, fail=(6,) if state in ("rectifying", "reinspect") else ())
    if state == "reinspect":
        return services.check_report_rectified(
            world.enterprise_admin_x,
            app,
            {r.item_id: "已补全消毒记录" for r in services.open_rectifications(app)},
            uploads.Uploads(),
        )
    if state == "filed":
        return services.check_file(world.district_admin, app, today(), "resumed")
    return app


def take(world, app: Application, action: str) -> Application:
    """Take `action` as the persona whose role allows it (never the applicant for an approval)."""
    if action == "submit":
        return services.check_submit(world.enterprise_admin_x, app)
    if action == "withdraw":
        return services.check_withdraw(world.enterprise_admin_x, app, "企业决定推迟")
    if action == "report_rectified":
        notes = {r.item_id: "已整改" for r in services.open_rectifications(app)} or {}
        return services.check_report_rectified(world.enterprise_admin_x, app, notes, uploads.Uploads())
    if action in ("inspect_pass", "inspect_fail"):
        fail = (6,) if action == "inspect_fail" else ()
        services.check_inspect(world.town_a_officer, app, inspection_data(app, fail), uploads.Uploads())
        app.refresh_from_db()
        return app
    if action == "reject":
        return services.check_reject(world.town_a_officer, app, "现场与申报不符")
    if action == "file":
        return services.check_file(world.district_admin, app, today(), "resumed")
    raise AssertionError(action)


@pytest.mark.parametrize(("action", "from_state"), sorted(ALLOWED), ids=lambda v: str(v))
def test_every_transition_in_the_table_moves_the_application_and_records_it(world, action, from_state):
    app = in_state(world, from_state)
    assert app.state == from_state
    events_before = ApplicationEvent.objects.filter(application=app).count()
    app = take(world, app, action)
    app.refresh_from_db()
    assert app.state == ALLOWED[(action, from_state)]
    last = ApplicationEvent.objects.filter(application=app).order_by("-id").first()
    assert (last.action, last.from_state, last.to_state) == (action, from_state, app.state)
    assert ApplicationEvent.objects.filter(application=app).count() == events_before + 1
    assert AuditLog.objects.filter(action=f"resumption.application.{action}", object_id=str(app.pk)).exists()


@pytest.mark.parametrize(("action", "from_state"), FORBIDDEN, ids=lambda v: str(v))
def test_every_transition_outside_the_table_is_refused_and_changes_nothing(world, action, from_state):
    app = in_state(world, from_state)
    events_before = ApplicationEvent.objects.filter(application=app).count()
    with pytest.raises(services.ResumptionError) as exc:
        take(world, app, action)
    assert "不能" in exc.value.message or "没有待整改" in exc.value.message
    app.refresh_from_db()
    assert app.state == from_state
    assert ApplicationEvent.objects.filter(application=app).count() == events_before


def test_the_transition_table_is_data_a_removed_row_closes_that_path(world):
    app = submitted(world)
    Transition.objects.filter(action="reject", from_state="submitted").delete()
    with pytest.raises(services.ResumptionError):
        services.check_reject(world.town_a_officer, app, "材料不全")
    assert Application.objects.get(pk=app.pk).state == "submitted"


# --- the self-approval ban --------------------------------------------------------------------------
def test_a_town_officer_who_entered_an_application_cannot_inspect_or_reject_it(world):
    app = submitted(world, world.town_a_officer)  # 代录: the town entered the paper application
    with pytest.raises(PermissionDenied):
        services.check_inspect(world.town_a_officer, app, inspection_data(app), uploads.Uploads())
    with pytest.raises(PermissionDenied):
        services.check_reject(world.town_a_officer, app, "自己退回")
    assert not Inspection.objects.filter(application=app).exists()
    # Someone else may: the district admin inspects it.
    services.check_inspect(world.district_admin, app, inspection_data(app), uploads.Uploads())
    assert Application.objects.get(pk=app.pk).state == "passed"


def test_the_district_admin_cannot_file_an_application_they_submitted_or_passed(world):
    app = submitted(world, world.district_admin)
    with pytest.raises(PermissionDenied):
        services.check_inspect(world.district_admin, app, inspection_data(app), uploads.Uploads())
    app = inspected(world, app)  # the town passes it
    with pytest.raises(PermissionDenied):
        services.check_file(world.district_admin, app, today(), "resumed")
    assert Application.objects.get(pk=app.pk).state == "passed"

    other = Enterprise.objects.get(pk=world.y.pk)
    y_app = services.check_create_application(
        world.enterprise_admin_y, other, draft_data(services.current_checklist()), _files()
    )
    y_app = services.check_submit(world.enterprise_admin_y, y_app)
    services.check_inspect(world.district_admin, y_app, inspection_data(y_app), uploads.Uploads())  # admin passes it…
    y_app.refresh_from_db()
    with pytest.raises(PermissionDenied):  # …so another district officer must file it
        services.check_file(world.district_admin, y_app, today(), "resumed")


def _files():
    from .helpers import draft_files

    return draft_files(services.current_checklist())


# --- filing and the status history -----------------------------------------------------------------
def test_filing_makes_the_enterprise_resumed_from_its_actual_date_with_a_status_change(world):
    day = today() - dt.timedelta(days=1)
    app = inspected(world, submitted(world))
    app.submitted_at = app.submitted_at - dt.timedelta(days=3)
    app.save(update_fields=["submitted_at"])
    services.check_file(world.district_admin, app, day, "partial", "第一条生产线先行复工")
    x = Enterprise.objects.get(pk=world.x.pk)
    assert (x.status, x.resumed_on) == ("partial", day)
    change = StatusChange.objects.get(enterprise=x)
    assert (change.from_status, change.to_status, change.effective_on, change.application_id) == (
        "not_resumed",
        "partial",
        day,
        app.pk,
    )
    assert AuditLog.objects.filter(action="enterprise.status", object_id=str(x.pk)).exists()


def test_filing_needs_a_passing_latest_inspection_and_a_sane_date(world):
    app = inspected(world, submitted(world))
    with pytest.raises(services.ResumptionError) as exc:
        services.check_file(world.district_admin, app, today() + dt.timedelta(days=1), "resumed")
    assert "actual_date" in exc.value.errors
    with pytest.raises(services.ResumptionError) as exc:
        services.check_file(world.district_admin, app, today() - dt.timedelta(days=30), "resumed")
    assert "actual_date" in exc.value.errors  # before the submission
    with pytest.raises(services.ResumptionError):
        services.check_file(world.district_admin, app, today(), "booming")
    assert Application.objects.get(pk=app.pk).state == "passed"


def test_a_failed_item_needs_a_deadline_and_is_rectified_before_a_reinspection_passes(world):
    app = submitted(world)
    data = inspection_data(app, fail=(7,))
    item7 = next(k for k, v in data.results.items() if v[0] == "fail")
    data.results[item7] = ("fail", "宿舍每间8人", None)
    with pytest.raises(services.ResumptionError) as exc:
        services.check_inspect(world.town_a_officer, app, data, uploads.Uploads())
    assert f"rectify_by_{item7}" in exc.value.errors
    app = inspected(world, app, fail=(7,))
    assert app.state == "rectifying"
    assert [r.item.order for r in services.open_rectifications(app)] == [7]
    with pytest.raises(services.ResumptionError):  # a note or a photo per failed item
        services.check_report_rectified(world.enterprise_admin_x, app, {}, uploads.Uploads())
    photo = uploads.check([(f"files_{item7}", "rectification", item7, png("宿舍调整后.png"))])
    app = services.check_report_rectified(world.enterprise_admin_x, app, {}, photo)
    assert app.state == "reinspect"
    app = inspected(world, app)
    assert app.state == "passed"
    assert list(Inspection.objects.filter(application=app).values_list("number", "passed")) == [(1, False), (2, True)]


def test_a_mandatory_item_cannot_be_marked_not_applicable_by_the_inspector(world):
    app = submitted(world)
    data = inspection_data(app)
    mandatory = next(i for i in services.current_checklist().items.all() if i.mandatory)
    data.results[mandatory.pk] = ("na", "", None)
    with pytest.raises(services.ResumptionError) as exc:
        services.check_inspect(world.town_a_officer, app, data, uploads.Uploads())
    assert f"result_{mandatory.pk}" in exc.value.errors


def test_a_failed_optional_item_gets_a_deadline_but_does_not_block_passing(world):
    app = submitted(world)
    optional = next(i for i in services.current_checklist().items.all() if not i.mandatory)
    app = inspected(world, app, fail=(optional.order,))
    assert app.state == "passed"
    assert [r.item_id for r in services.open_rectifications(app)] == [optional.pk]


def test_reject_needs_a_reason_and_withdraw_keeps_the_one_given(world):
    app = submitted(world)
    with pytest.raises(services.ResumptionError) as exc:
        services.check_reject(world.town_a_officer, app, " ")
    assert "reason" in exc.value.errors
    services.check_withdraw(world.enterprise_admin_x, app, "订单取消")
    app.refresh_from_db()
    assert (app.state, app.decision_reason) == ("withdrawn", "订单取消") and app.closed_at is not None
    # A closed application leaves room for a new one.
    assert ready_draft(world).state == "draft"


# --- filling in and submitting ---------------------------------------------------------------------
def test_a_draft_cannot_be_submitted_until_plans_answers_and_evidence_are_there(world):
    checklist = services.current_checklist()
    empty = services.DraftData(today(), [100], "", {})
    app = services.check_create_application(world.enterprise_admin_x, world.x, empty, uploads.Uploads())
    with pytest.raises(services.ResumptionError) as exc:
        services.check_submit(world.enterprise_admin_x, app)
    message = exc.value.message
    assert "疫情防控方案" in message and "应急处置预案" in message and "未填写自查结果" in message
    photo_item = next(i for i in checklist.items.all() if i.evidence == "photo")
    data = draft_data(checklist)
    services.check_update_draft(
        world.enterprise_admin_x,
        app,
        data,
        uploads.check(
            [("prevention_plan", "prevention_plan", None, pdf()), ("emergency_plan", "emergency_plan", None, pdf())]
        ),
        app.version,
    )
    app.refresh_from_db()
    missing = services.missing_for_submission(app)
    assert any(photo_item.title in m and "照片" in m for m in missing)
    assert Application.objects.get(pk=app.pk).state == "draft"


def test_a_mandatory_item_must_be_done_in_the_self_check(world):
    checklist = services.current_checklist()
    data = draft_data(checklist)
    mandatory = next(i for i in checklist.items.all() if i.mandatory)
    data.answers[mandatory.pk] = ("not_done", "")
    from .helpers import draft_files

    app = services.check_create_application(world.enterprise_admin_x, world.x, data, draft_files(checklist))
    with pytest.raises(services.ResumptionError) as exc:
        services.check_submit(world.enterprise_admin_x, app)
    assert "必备项" in exc.value.message


def test_an_enterprise_has_at_most_one_open_application(world):
    ready_draft(world)
    with pytest.raises(services.ResumptionError) as exc:
        ready_draft(world, world.liaison_of_x)
    assert "未办结" in exc.value.message
    assert Application.objects.filter(enterprise=world.x).count() == 1


@pytest.mark.parametrize(
    ("raw", "message"),
    [("", "请填写"), ("470,abc", "不是整数"), ("0", "之间"), (",".join(["5"] * 21), "最多")],
)
def test_batch_sizes_are_parsed_with_a_clear_message(raw, message):
    with pytest.raises(services.ResumptionError) as exc:
        services.parse_batches(raw)
    assert message in exc.value.message


def test_batch_sizes_accept_chinese_commas():
    assert services.parse_batches("470，238、12") == [470, 238, 12]


def test_an_application_for_an_enterprise_out_of_scope_is_a_404(world):
    with pytest.raises(Http404):
        ready_draft(world, world.enterprise_admin_y)  # Y's admin, X's enterprise


def test_roles_without_the_action_are_refused(world):
    app = submitted(world)
    with pytest.raises(PermissionDenied):
        services.check_inspect(world.liaison_of_x, app, inspection_data(app), uploads.Uploads())
    with pytest.raises(PermissionDenied):
        services.check_file(world.town_a_officer, inspected(world, app), today(), "resumed")
    with pytest.raises(PermissionDenied):
        services.check_withdraw(world.leader_of_x, app, "")


def test_a_stale_draft_edit_is_refused(world):
    app = ready_draft(world)
    data = draft_data(services.current_checklist())
    services.check_update_draft(world.enterprise_admin_x, app, data, uploads.Uploads(), app.version)
    with pytest.raises(services.ConcurrentEditError):
        services.check_update_draft(world.enterprise_admin_x, app, data, uploads.Uploads(), app.version)


# --- uploads ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("方案.exe", b"MZ\x90\x00", "格式不支持"),
        ("照片.png", b"<?php echo 1; ?>", "内容与扩展名不符"),
        ("空.pdf", b"", "空文件"),
        ("a.svg", b"<svg onload=alert(1)>", "格式不支持"),
    ],
)
def test_an_upload_is_checked_by_what_it_is_and_refused_with_a_message(name, content, message):
    with pytest.raises(services.ResumptionError) as exc:
        uploads.check([("files_1", "self_check", 1, SimpleUploadedFile(name, content))])
    assert message in exc.value.message


def test_an_oversized_upload_is_refused(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_BYTES", 100)
    with pytest.raises(services.ResumptionError) as exc:
        uploads.check([("files_1", "self_check", 1, SimpleUploadedFile("大.png", PNG + b"0" * 200))])
    assert "MB" in exc.value.message


def test_a_photo_item_takes_only_photos(world):
    checklist = services.current_checklist()
    photo_item = next(i for i in checklist.items.all() if i.evidence == "photo")
    files = uploads.check([(f"files_{photo_item.pk}", "self_check", photo_item.pk, pdf("不是照片.pdf"))])
    with pytest.raises(services.ResumptionError):
        services.check_create_application(world.enterprise_admin_x, world.x, draft_data(checklist), files)
    assert not Application.objects.exists() and not Evidence.objects.exists()


def test_a_failed_write_leaves_no_file_behind(world, settings, monkeypatch):
    from pathlib import Path

    def boom(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("fugong.resumption.services.applications._event", boom)
    with pytest.raises(RuntimeError):
        ready_draft(world)
    stored = [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    assert stored == [] and not Application.objects.exists()


def test_the_full_walk_leaves_a_readable_history(world):
    app = filed(world)
    actions = list(ApplicationEvent.objects.filter(application=app).order_by("id").values_list("action", flat=True))
    assert actions == [AppAction.CREATE, AppAction.SUBMIT, AppAction.INSPECT_PASS, AppAction.FILE]
