"""The roster export: masked by default, full identifiers only for a role that may reveal and states a purpose,
every export in the access log, and the file naming who exported it and when."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from fugong.core.models import AccessLog
from fugong.core.testing import assert_max_queries
from fugong.workforce.exports import RosterExport
from fugong.workforce.selectors import RosterFilters
from fugong.workforce.tests.test_pages import phone, staff
from fugong.workforce.tests.test_services import synthetic_id


def export_url(enterprise) -> str:
    return reverse("workforce:export", args=[enterprise.pk])


def sheets(response) -> dict[str, list[list]]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def flat(rows: list[list]) -> str:
    return " ".join(str(c) for row in rows for c in row)


@pytest.fixture
def people(world):
    staff(world.x, [1, 2], batch_number=1, resident=True)
    return staff(world.x, [3, 4, 5], batch_number=2, resident=False)


def test_the_default_export_is_masked_and_logged(client_for, world, people):
    response = client_for("enterprise_admin_x").get(export_url(world.x))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    data = sheets(response)
    roster = data["员工花名册"]
    assert roster[0][:4] == ["姓名", "身份证号码", "性别", "手机号码"]
    assert len(roster) == 6
    text = flat(roster)
    assert people[0].id_number_masked in text and people[0].phone_masked in text
    for seq in range(1, 6):
        assert synthetic_id(seq) not in text and phone(seq) not in text and f"测试员工{seq}" not in text
    assert "出生日期" not in roster[0]
    log = AccessLog.objects.get(kind="export")
    assert (log.subject_type, log.subject_id, log.record_count) == ("workforce.roster", str(world.x.pk), 5)
    assert log.fields == ["name(masked)", "id_number(masked)", "phone(masked)"]
    assert log.actor_label == "enterprise_admin_x"


def test_the_exported_file_names_who_exported_it_and_when(client_for, world, people):
    info = dict((row[0], row[1]) for row in sheets(client_for("town_a_officer").get(export_url(world.x)))["导出信息"])
    assert info["导出人"].startswith("town_a_officer")
    assert len(info["导出时间"]) == 19 and info["导出时间"][:2] == "20"
    assert world.x.name in info["内容"] and "已脱敏" in info["说明"]
    assert info["记录数"] == "5"


def test_an_export_from_the_english_pages_names_its_filters_in_english(world, people):
    from django.utils import translation

    with translation.override("en"):
        export = RosterExport(world.district_admin, world.x, RosterFilters(resident=False, batch=2))
        assert export.describe_filters() == "Batch=2, Resident=No"
    with translation.override("zh-hans"):
        assert export.describe_filters() == "批次=2，常住人口=否"


def test_the_export_follows_the_rosters_filters(client_for, world, people):
    response = client_for("district_admin").get(export_url(world.x), {"resident": "0", "batch": "2"})
    assert len(sheets(response)["员工花名册"]) == 4
    assert AccessLog.objects.get(kind="export").record_count == 3


def test_a_stated_purpose_exports_full_identifiers_and_is_logged_with_it(client_for, world, people):
    client = client_for("district_admin")
    form = client.get(export_url(world.x), {"full": "1", "resident": "0"})
    assert form.status_code == 200 and 'name="resident" value="0"' in form.content.decode()
    response = client.post(export_url(world.x), {"purpose": "报送区防控指挥部核酸排查", "resident": "0"})
    data = sheets(response)
    roster, info = data["员工花名册"], dict((r[0], r[1]) for r in data["导出信息"])
    assert "出生日期" in roster[0] and len(roster) == 4
    text = flat(roster)
    assert synthetic_id(3) in text and phone(3) in text and "测试员工3" in text
    assert synthetic_id(1) not in text  # resident, filtered out
    assert "报送区防控指挥部核酸排查" in info["说明"] and info["导出人"].startswith("district_admin")
    log = AccessLog.objects.get(kind="export")
    assert log.purpose == "报送区防控指挥部核酸排查" and "id_number" in log.fields and log.record_count == 3


def test_a_full_export_without_a_purpose_is_refused_and_writes_nothing(client_for, world, people):
    response = client_for("enterprise_admin_x").post(export_url(world.x), {"purpose": " "})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html") and 'data-field="purpose"' in response.content.decode()
    assert not AccessLog.objects.exists()


def test_a_purpose_from_a_role_that_may_not_reveal_still_gives_a_masked_file(world, people):
    export = RosterExport(world.liaison_of_x, world.x, RosterFilters(), purpose="核查")
    assert export.reveal is False
    assert synthetic_id(3) not in flat([export.row(e) for e in export.queryset()])


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("enterprise_admin_y", 404), ("auditor", 404), ("liaison_of_x", 403), ("bank_officer", 403), ("leader_of_x", 403)],
)
def test_the_export_is_404_outside_the_scope_and_403_without_the_export_action(
    client_for, world, people, persona, expected
):
    client = client_for(persona)
    assert client.get(export_url(world.x)).status_code == expected
    assert client.post(export_url(world.x), {"purpose": "核查"}).status_code == expected
    assert not AccessLog.objects.exists()


def test_the_export_runs_a_constant_number_of_queries(client_for, world):
    client = client_for("district_admin")
    staff(world.x, range(1, 11), batch_number=1)
    with assert_max_queries(12) as small:
        b"".join(client.get(export_url(world.x)).streaming_content)
    staff(world.x, range(11, 121), batch_number=2)
    with assert_max_queries(12) as large:
        response = client.get(export_url(world.x))
        assert len(sheets(response)["员工花名册"]) == 121
    assert len(large.captured_queries) == len(small.captured_queries)
