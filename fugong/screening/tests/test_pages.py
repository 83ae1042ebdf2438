"""The screening pages against the persona world: the overview and an enterprise's page with their counts and
query budgets, alerts within scope and their resolution, "who passed through X?" (scope, window, masked
export, access log), risk areas by form and Excel (all or nothing), rule versions, the QR poster and the gate
upload."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from fugong.core.models import AccessLog
from fugong.core.testing import assert_max_queries
from fugong.screening import runner, services
from fugong.screening.models import Alert, CheckinPoint, RiskArea, ScreeningRuleSet
from fugong.workforce.models import HealthReading

from .helpers import AS_OF, D, hire, rate, reading, stay, synthetic_id

TODAY = timezone.localdate()


def xlsx(rows: list[list]) -> io.BytesIO:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "upload.xlsx"
    return out


@pytest.fixture
def staffed(world):
    """Five employees at X and two at Y, with statuses computed for AS_OF."""
    xs = [hire(world.x, i, resident=i % 2 == 0, returned_on=D(2020, 2, 10)) for i in range(1, 6)]
    ys = [hire(world.y, i) for i in range(11, 13)]
    reading(xs[0], D(2020, 3, 1), "38.0")
    runner.rescreen(AS_OF)
    return xs, ys


# --- overview and enterprise page ---------------------------------------------------------------------


def test_the_overview_counts_statuses_in_scope(client_for, staffed):
    body = client_for("town_a_officer").get(reverse("screening:overview")).content.decode()
    assert 'data-status-count="abnormal">1<' in body
    assert 'data-status-count="test_required">2<' in body  # X's non-residents without a test, less the fever
    assert "郴州测试餐饮服务有限公司" not in body  # Y is town B's


def test_the_overview_sends_an_enterprise_admin_to_their_own_page(client_for, world):
    response = client_for("enterprise_admin_x").get(reverse("screening:overview"))
    assert response.status_code == 302 and response.url == reverse("screening:enterprise", args=[world.x.pk])


def test_the_overview_stays_within_its_query_budget(client_for, world, staffed):
    client = client_for("district_admin")
    client.get(reverse("screening:overview"))
    with assert_max_queries(14):
        assert client.get(reverse("screening:overview")).status_code == 200


def test_an_enterprise_page_lists_who_may_not_work_and_its_alerts(client_for, world, staffed):
    client = client_for("enterprise_admin_x")
    page = reverse("screening:enterprise", args=[world.x.pk])
    client.get(page)
    with assert_max_queries(22):
        body = client.get(page).content.decode()
    assert 'data-kind="fever"' in body and 'data-testid="attention"' in body
    assert CheckinPoint.objects.filter(enterprise=world.x).count() == 1
    assert client_for("enterprise_admin_y").get(page).status_code == 404


# --- alerts -------------------------------------------------------------------------------------------


def test_alerts_are_listed_within_scope_and_resolved_with_a_note(client_for, world, staffed):
    alert = Alert.objects.get(kind="fever")
    assert str(alert.pk) in client_for("liaison_of_x").get(reverse("screening:alerts")).content.decode()
    assert (
        f'data-alert="{alert.pk}"'
        not in client_for("enterprise_admin_y").get(reverse("screening:alerts")).content.decode()
    )
    resolve = reverse("screening:alert_resolve", args=[alert.pk])
    assert client_for("enterprise_admin_y").post(resolve, {"resolution": "已处理"}).status_code == 404
    client_for("enterprise_admin_x").post(resolve, {"resolution": "已送发热门诊"})
    alert.refresh_from_db()
    assert alert.resolution == "已送发热门诊" and alert.resolved_by == world.enterprise_admin_x


def test_the_alert_list_stays_within_its_query_budget(client_for, world, staffed):
    for i in range(20, 30):
        reading(hire(world.x, i), D(2020, 3, 1), "38.1")
    runner.rescreen(AS_OF)
    client = client_for("district_admin")
    client.get(reverse("screening:alerts"))
    with assert_max_queries(10):
        body = client.get(reverse("screening:alerts")).content.decode()
    assert body.count('data-kind="fever"') == 11


# --- who passed through X? ----------------------------------------------------------------------------


@pytest.fixture
def travellers(world):
    near = hire(world.x, 31)
    far = hire(world.x, 32)
    at_y = hire(world.y, 33)
    stay(near, "420106", TODAY - dt.timedelta(days=20), TODAY - dt.timedelta(days=14))
    stay(far, "420106", TODAY - dt.timedelta(days=30), TODAY - dt.timedelta(days=15))
    stay(at_y, "420106", TODAY - dt.timedelta(days=5), TODAY - dt.timedelta(days=2))
    return near, far, at_y


def test_who_passed_through_x_lists_the_window_in_scope_with_liaisons(client_for, world, travellers):
    near, far, at_y = travellers
    body = client_for("district_admin").get(reverse("screening:trace"), {"code": "420106"}).content.decode()
    assert f'data-employee="{near.pk}"' in body and f'data-employee="{at_y.pk}"' in body
    assert f'data-employee="{far.pk}"' not in body  # left 15 days ago: outside the 14-day window
    assert "测试联络员" in body and "排*" in body and "排查员工31" not in body
    town = client_for("town_a_officer").get(reverse("screening:trace"), {"code": "420106"}).content.decode()
    assert f'data-employee="{at_y.pk}"' not in town
    assert AccessLog.objects.filter(subject_type="screening.trace").exists()


def test_who_passed_through_x_stays_within_its_query_budget(client_for, world, travellers):
    for i in range(40, 60):
        stay(hire(world.x, i), "420106", TODAY - dt.timedelta(days=3), TODAY - dt.timedelta(days=1))
    client = client_for("district_admin")
    client.get(reverse("screening:trace"), {"code": "420106"})
    with assert_max_queries(12):
        body = client.get(reverse("screening:trace"), {"code": "420106"}).content.decode()
    assert body.count("data-employee=") == 22


def test_the_trace_export_is_masked_and_logged(client_for, world, travellers):
    response = client_for("district_admin").get(reverse("screening:trace_export"), {"code": "420106"})
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 3 and rows[0][0] == "姓名"
    number = synthetic_id(31)
    assert ("排*****", number[:6] + "********" + number[-4:]) in {(r[0], r[1]) for r in rows[1:]}
    assert AccessLog.objects.filter(kind="export", subject_type="screening.trace", record_count=2).exists()


def test_a_bad_region_code_is_a_400_not_a_500(client_for, world):
    assert client_for("district_admin").get(reverse("screening:trace"), {"code": "4201x6"}).status_code == 400


# --- risk areas and rules ------------------------------------------------------------------------------


def test_a_risk_level_by_form_rescreens_and_redirects(client_for, world):
    near = hire(world.x, 61)
    stay(near, "420106", TODAY - dt.timedelta(days=6), TODAY - dt.timedelta(days=2))
    data = {
        "region_code": "420106",
        "region_name": "武昌区",
        "level": "high",
        "effective_from": TODAY.isoformat(),
        "source": "测试通告〔2020〕3号",
    }
    response = client_for("district_admin").post(reverse("screening:risk_area_new"), data)
    assert response.status_code == 302
    near.refresh_from_db()
    assert near.clearance == "quarantine" and near.clearance_until == TODAY + dt.timedelta(days=12)
    assert Alert.objects.filter(kind="risk_area", enterprise=world.x).exists()


def test_a_risk_level_that_rewrites_history_is_refused_on_the_form(client_for, world):
    rate("420106", "high", TODAY, "武昌区", as_of=TODAY)
    data = {"region_code": "420106", "level": "low", "effective_from": TODAY.isoformat(), "source": "x"}
    response = client_for("district_admin").post(reverse("screening:risk_area_new"), data)
    assert response.status_code == 400 and "历史不可改写" in response.content.decode()


def test_a_risk_import_with_one_bad_row_writes_nothing(client_for, world):
    upload = xlsx(
        [
            ["区划代码", "地区名称", "风险等级", "生效日期", "依据（文号）"],
            ["420106", "武昌区", "高", "2020-01-23", "文号1"],
            ["440304", "福田区", "极高", "2020-02-01", "文号2"],
        ]
    )
    response = client_for("district_admin").post(reverse("screening:risk_import"), {"file": upload})
    body = response.content.decode()
    assert response.status_code == 400 and "风险等级应为" in body and "<td>3</td>" in body
    assert not RiskArea.objects.exists()


def test_a_good_risk_import_records_every_row(client_for, world):
    upload = xlsx(
        [
            ["风险地区（测试）"],
            ["代码", "地区", "等级", "日期"],
            ["420106", "武昌区", "高", "2020-01-23"],
            ["440304", "福田区", "中", "2020/2/1"],
        ]
    )
    response = client_for("district_admin").post(reverse("screening:risk_import"), {"file": upload, "source": "文号"})
    assert response.status_code == 302
    assert set(RiskArea.objects.values_list("region_code", "level")) == {("420106", "high"), ("440304", "medium")}


def test_a_gbk_csv_risk_import_is_read(client_for, world):
    data = "区划代码,地区名称,风险等级,生效日期,依据\n420106,武昌区,高,2020-01-23,文号\n".encode("gbk")
    upload = io.BytesIO(data)
    upload.name = "风险地区.csv"
    assert client_for("district_admin").post(reverse("screening:risk_import"), {"file": upload}).status_code == 302
    assert RiskArea.objects.get().region_name == "武昌区"


def test_a_rule_version_by_form_is_prefilled_and_appended(client_for, world):
    client = client_for("district_admin")
    page = client.get(reverse("screening:rule_new")).content.decode()
    assert 'value="37.3"' in page
    data = {
        "effective_from": "2020-03-05",
        "source": "区指挥部〔2020〕12号",
        "observation_days": "14",
        "fever_threshold_c": "37.2",
        "quarantine_levels": ["high"],
        "non_resident_test_required": "on",
        "red_code_days": "14",
        "yellow_code_days": "7",
    }
    assert client.post(reverse("screening:rule_new"), data).status_code == 302
    new = ScreeningRuleSet.objects.get(version=2)
    assert new.quarantine_levels == ["high"] and new.symptoms_abnormal is False
    assert "区指挥部〔2020〕12号" in client.get(reverse("screening:rules")).content.decode()


# --- QR poster and gate readings ----------------------------------------------------------------------


def test_the_poster_carries_a_qr_code_of_the_checkin_url(client_for, world):
    body = client_for("enterprise_admin_x").get(reverse("screening:poster", args=[world.x.pk])).content.decode()
    token = CheckinPoint.objects.get(enterprise=world.x).token
    assert "<svg" in body and f"/screening/d/{token}/" in body
    png = client_for("enterprise_admin_x").get(reverse("screening:qr_png", args=[world.x.pk]))
    assert png["Content-Type"] == "image/png" and png.content[:4] == b"\x89PNG"


def test_a_gate_upload_stores_valid_rows_reports_bad_ones_and_rescreens(client_for, world):
    a, b = hire(world.x, 71), hire(world.x, 72)
    hire(world.y, 73)
    upload = xlsx(
        [
            ["姓名", "身份证号码", "日期", "时间", "体温（℃）", "健康码"],
            ["排查员工71", synthetic_id(71), TODAY, "08:05", 36.6, "绿"],
            ["排查员工72", synthetic_id(72), TODAY, "08:06", 37.4, "绿码"],
            ["排查员工73", synthetic_id(73), TODAY, "08:07", 36.5, "绿"],
            ["错名字", synthetic_id(71), TODAY, "", 36.5, ""],
            ["排查员工71", "431003198808080000", TODAY, "", 36.5, ""],
            ["排查员工71", synthetic_id(71), TODAY, "25:00", 36.5, ""],
            ["排查员工71", synthetic_id(71), TODAY, "", 50, ""],
        ]
    )
    response = client_for("enterprise_admin_x").post(
        reverse("screening:gate_upload", args=[world.x.pk]), {"file": upload}
    )
    body = response.content.decode()
    assert response.status_code == 400  # some rows were refused
    assert HealthReading.objects.filter(source="gate").count() == 2
    for number in (synthetic_id(71), synthetic_id(73)):
        assert number not in body
    assert body.count("<tr><td>") == 5
    b.refresh_from_db()
    a.refresh_from_db()
    assert b.clearance == "abnormal" and Alert.objects.filter(employee=b, kind="fever").exists()
    assert a.clearance == "cleared"


def test_an_unreadable_gate_file_says_why(client_for, world):
    upload = io.BytesIO(b"not a spreadsheet")
    upload.name = "readings.pdf"
    response = client_for("enterprise_admin_x").post(
        reverse("screening:gate_upload", args=[world.x.pk]), {"file": upload}
    )
    assert response.status_code == 400 and "不支持的文件类型" in response.content.decode()
    assert services  # services is the write path exercised above
