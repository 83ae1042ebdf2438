"""The registry pages against the persona world: scope (404), role actions (403), filters, forms, history,
the logged reveal of a contact phone, and query budgets."""

import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from fugong.accounts import roles
from fugong.core.identifiers import make_uscc
from fugong.core.models import AccessLog, AuditLog
from fugong.core.testing import EnterpriseFactory, assert_max_queries
from fugong.enterprises import services
from fugong.enterprises.models import Enterprise, KeyProject, Ownership, ResumptionStatus

LIST = reverse("enterprises:list")


@pytest.fixture
def z(world):
    """A state-owned construction firm in town B: key-guarantee, renting state premises, resumed."""
    return EnterpriseFactory(
        name="郴州市测试建工集团有限公司",
        town=world.town_b,
        industry_section="E",
        industry_division="47",
        employees=90,
        annual_revenue_wan=Decimal("4000"),
        total_assets_wan=Decimal("3000"),
        ownership=Ownership.STATE,
        is_key_guarantee=True,
        rents_state_premises=True,
        monthly_rent_yuan=Decimal("12000"),
        status=ResumptionStatus.RESUMED,
        contact_phone="13912345678",
    )


def names_listed(response):
    body = response.content.decode()
    table = body[body.index('data-testid="enterprise-table"') :]
    return set(re.findall(r'href="/enterprises/\d+/">([^<]+)</a>', table))


def edit_payload(e, **overrides):
    data = {
        "uscc": e.uscc,
        "name": e.name,
        "legal_representative": e.legal_representative,
        "town": e.town_id,
        "address": e.address,
        "industry_section": e.industry_section,
        "industry_division": e.industry_division,
        "size_sector": e.size_sector,
        "employees": e.employees if e.employees is not None else "",
        "annual_revenue_wan": e.annual_revenue_wan if e.annual_revenue_wan is not None else "",
        "total_assets_wan": e.total_assets_wan if e.total_assets_wan is not None else "",
        "ownership": e.ownership,
        "industrial_park": e.industrial_park_id or "",
        "monthly_rent_yuan": e.monthly_rent_yuan if e.monthly_rent_yuan is not None else "",
        "contact_name": e.contact_name,
        "contact_phone": "",
        "version": e.version,
    }
    if e.is_key_guarantee:
        data["is_key_guarantee"] = "on"
    if e.rents_state_premises:
        data["rents_state_premises"] = "on"
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- list -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_admin", 200),
        ("leader_of_x", 200),
        ("hrss_officer", 200),
        ("town_a_officer", 200),
        ("liaison_of_x", 200),
        ("district_team_member", 200),
        ("enterprise_admin_y", 200),
        ("bank_officer", 200),
        ("auditor", 403),
        ("no_role_user", 403),
    ],
)
def test_the_list_opens_for_roles_that_view_enterprises_and_refuses_the_others(client_for, persona, expected):
    assert client_for(persona).get(LIST).status_code == expected


def test_the_list_sends_an_anonymous_visitor_to_the_login_page(client_for):
    response = client_for(None).get(LIST)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_each_persona_lists_exactly_its_scope(client_for, world, z):
    assert names_listed(client_for("district_admin").get(LIST)) == {world.x.name, world.y.name, z.name}
    assert names_listed(client_for("town_a_officer").get(LIST)) == {world.x.name}
    assert names_listed(client_for("enterprise_admin_y").get(LIST)) == {world.y.name}
    assert names_listed(client_for("bank_officer").get(LIST)) == {world.x.name}
    assert names_listed(client_for("town_b_team_member").get(LIST)) == {world.y.name, z.name}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("town=431003100", {"y", "z"}),
        ("category=above_scale_industrial", {"x"}),
        ("category=construction", {"z"}),
        ("size_class=small", {"y", "z"}),
        ("status=resumed", {"z"}),
        ("ownership=non_public", {"x", "y"}),
        ("ownership=state", {"z"}),
        ("key_guarantee=1", {"z"}),
        ("key_guarantee=0", {"x", "y"}),
        ("in_park=1", {"x"}),
        ("in_park=0", {"y", "z"}),
        ("state_premises=1", {"z"}),
        ("q=餐饮", {"y"}),
        ("town=431003100&size_class=small&key_guarantee=1", {"z"}),
        ("category=no-such-category", set()),
    ],
)
def test_each_filter_narrows_the_list(client_for, world, z, query, expected):
    by_key = {"x": world.x.name, "y": world.y.name, "z": z.name}
    response = client_for("district_admin").get(f"{LIST}?{query}")
    assert response.status_code == 200
    assert names_listed(response) == {by_key[k] for k in expected}
    assert f"共 {len(expected)} 家" in response.content.decode()


def test_junk_in_the_query_string_is_an_empty_result_not_an_error(client_for, world):
    client = client_for("district_admin")
    response = client.get(LIST, {"town": "\x00abc", "q": "<script>\x00", "category": "x" * 500, "sort": "drop"})
    assert response.status_code == 200 and names_listed(response) == set()
    assert "<script>\x00" not in response.content.decode()
    assert client.get(reverse("enterprises:project_list"), {"town": "\x00", "q": "\x00"}).status_code == 200


def test_search_by_a_uscc_prefix_in_lower_case_finds_the_enterprise(client_for, world, z):
    prefix = world.y.uscc[:17].lower()
    assert names_listed(client_for("district_admin").get(LIST, {"q": prefix})) == {world.y.name}


def test_a_town_officer_is_offered_only_their_own_town_in_the_filter(client_for, world):
    body = client_for("town_a_officer").get(LIST).content.decode()
    assert 'value="431003104"' in body and 'value="431003100"' not in body
    body = client_for("district_admin").get(LIST).content.decode()
    assert 'value="431003104"' in body and 'value="431003100"' in body


def test_the_list_shows_masked_phones_only(client_for, world, z):
    body = client_for("district_admin").get(LIST).content.decode()
    assert "138****1234" in body and "139****5678" in body
    assert "13800001234" not in body and "13912345678" not in body


def test_the_summary_row_counts_categories_within_the_filter(client_for, world, z):
    EnterpriseFactory(town=world.town_b, industry_section="E", industry_division="47")
    body = client_for("district_admin").get(LIST, {"town": "431003100"}).content.decode()
    summary = body[body.index('data-testid="summary"') :]
    summary = summary[: summary.index("</div>")]
    assert re.search(r'data-category="construction">\s*建筑业 <span class="fw-semibold">2</span>', summary)
    assert re.search(r'data-category="hospitality">\s*住宿餐饮业 <span class="fw-semibold">1</span>', summary)
    assert "above_scale_industrial" not in summary


def test_pages_hold_fifty_and_page_links_keep_the_filters(client_for, world):
    for _ in range(55):
        EnterpriseFactory(town=world.town_b, industry_section="H", industry_division="62")
    client = client_for("district_admin")
    first = client.get(LIST, {"category": "hospitality"})
    assert len(names_listed(first)) == 50
    assert "共 56 家" in first.content.decode()
    assert "?category=hospitality&amp;page=2" in first.content.decode()
    second = client.get(LIST, {"category": "hospitality", "page": 2})
    assert len(names_listed(second)) == 6
    assert not names_listed(second) & names_listed(first)
    assert client.get(LIST, {"page": "abc"}).status_code == 200  # a bad page number is not an error


def test_sorting_by_name_orders_rows_both_ways(client_for, world, z):
    client = client_for("district_admin")
    body = client.get(LIST, {"sort": "name"}).content.decode()
    table = body[body.index('data-testid="enterprise-table"') :]
    rows = re.findall(r'href="/enterprises/\d+/">([^<]+)</a>', table)
    assert rows == sorted(rows)
    body = client.get(LIST, {"sort": "-name"}).content.decode()
    table = body[body.index('data-testid="enterprise-table"') :]
    assert re.findall(r'href="/enterprises/\d+/">([^<]+)</a>', table) == sorted(rows, reverse=True)


def test_export_links_carry_the_current_filters_and_import_shows_only_for_importers(client_for, world):
    body = client_for("district_admin").get(LIST, {"town": "431003104", "page": "1"}).content.decode()
    assert f"{reverse('enterprises:export')}?town=431003104&amp;format=xlsx" in body
    assert f"{reverse('enterprises:export')}?town=431003104&amp;format=csv" in body
    assert 'data-testid="import-link"' in body
    body = client_for("leader_of_x").get(LIST).content.decode()
    assert 'data-testid="import-link"' not in body and 'data-testid="export-xlsx"' in body
    assert 'data-testid="export-xlsx"' not in client_for("bank_officer").get(LIST).content.decode()


def test_the_list_runs_the_same_number_of_queries_for_three_or_fifty_rows(client_for, world, z):
    client = client_for("district_admin")
    client.get(LIST)  # warm the session
    with assert_max_queries(8) as small:
        assert client.get(LIST).status_code == 200
    for i in range(40):
        EnterpriseFactory(town=world.town_a if i % 2 else world.town_b, industrial_park=world.park)
    with assert_max_queries(8) as large:
        response = client.get(LIST)
    assert len(names_listed(response)) == 43
    assert len(large.captured_queries) == len(small.captured_queries)


# --- detail ---------------------------------------------------------------------------------------
def test_the_detail_page_explains_the_size_class_from_the_figures(client_for, world):
    response = client_for("district_admin").get(reverse("enterprises:detail", args=[world.x.pk]))
    body = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "从业人员 700 人、营业收入 30000 万元 → 中型（工业：300≤X<1000 且 2000≤Y<40000）" in body
    assert world.project.name in body
    assert "138****1234" in body and "13800001234" not in body


@pytest.mark.parametrize(
    ("persona", "target", "expected"),
    [
        ("enterprise_admin_y", "x", 404),
        ("town_a_officer", "y", 404),
        ("liaison_of_x", "y", 404),
        ("auditor", "x", 404),
        ("enterprise_admin_x", "x", 200),
        ("leader_of_x", "x", 200),
        ("town_b_team_member", "y", 200),
    ],
)
def test_detail_and_history_are_404_outside_the_scope(client_for, world, persona, target, expected):
    pk = getattr(world, target).pk
    client = client_for(persona)
    assert client.get(reverse("enterprises:detail", args=[pk])).status_code == expected
    assert client.get(reverse("enterprises:history", args=[pk])).status_code == expected


def test_a_missing_enterprise_is_404_like_an_out_of_scope_one(client_for):
    assert client_for("district_admin").get(reverse("enterprises:detail", args=[999999])).status_code == 404


@pytest.mark.parametrize(
    "persona", ["district_admin", "town_a_officer", "liaison_of_x", "leader_of_x", "enterprise_admin_x"]
)
def test_the_reveal_button_appears_exactly_for_roles_that_may_reveal(client_for, world, persona):
    body = client_for(persona).get(reverse("enterprises:detail", args=[world.x.pk])).content.decode()
    assert ("查看完整号码" in body) == roles.can(world.users[persona], roles.REVEAL_PERSONAL_DATA)
    assert "13800001234" not in body


def test_the_detail_page_has_a_query_budget(client_for, world):
    client = client_for("district_admin")
    url = reverse("enterprises:detail", args=[world.x.pk])
    client.get(url)
    with assert_max_queries(11):  # 8, and 3 for the "who serves this enterprise" card (liaison_tags)
        assert client.get(url).status_code == 200


# --- reveal ---------------------------------------------------------------------------------------
def test_revealing_without_a_reason_shows_an_error_and_logs_nothing(client_for, world):
    url = reverse("enterprises:reveal_contact", args=[world.x.pk])
    response = client_for("district_admin").post(url, {"reason": " "}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "请填写查看理由" in body and "13800001234" not in body
    assert not AccessLog.objects.exists()


def test_revealing_with_a_reason_returns_the_number_and_writes_an_access_log_row(client_for, world):
    url = reverse("enterprises:reveal_contact", args=[world.x.pk])
    response = client_for("town_a_officer").post(url, {"reason": "电话通知复工核查"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert 'data-testid="revealed-phone">13800001234<' in body
    assert "<html" not in body  # the htmx fragment, not a whole page
    assert response["Cache-Control"] == "no-store"
    log = AccessLog.objects.get()
    assert (log.actor, log.kind, log.subject_id, log.purpose) == (
        world.town_a_officer,
        "reveal",
        str(world.x.pk),
        "电话通知复工核查",
    )


def test_revealing_without_javascript_returns_the_whole_detail_page(client_for, world):
    url = reverse("enterprises:reveal_contact", args=[world.x.pk])
    body = client_for("district_admin").post(url, {"reason": "核对联系人"}).content.decode()
    assert "<html" in body and "13800001234" in body


def test_reveal_is_403_for_a_role_without_it_404_out_of_scope_and_405_for_get(client_for, world):
    url = reverse("enterprises:reveal_contact", args=[world.x.pk])
    assert client_for("liaison_of_x").post(url, {"reason": "想看看"}).status_code == 403
    assert client_for("enterprise_admin_y").post(url, {"reason": "想看看"}).status_code == 404
    assert client_for("district_admin").get(url).status_code == 405
    assert not AccessLog.objects.exists()


# --- create ---------------------------------------------------------------------------------------
def create_payload(world, **overrides):
    data = {
        "uscc": make_uscc("431003", "66778899"),
        "name": "郴州市新登记科技有限公司",
        "town": world.town_a.pk,
        "industry_section": "C",
        "industry_division": "39",
        "employees": "25",
        "annual_revenue_wan": "350",
        "ownership": Ownership.PRIVATE,
        "contact_name": "李测试",
        "contact_phone": "13600001111",
    }
    data.update(overrides)
    return data


def test_creating_an_enterprise_redirects_to_it_and_audits_it(client_for, world):
    response = client_for("town_a_officer").post(reverse("enterprises:create"), create_payload(world))
    e = Enterprise.objects.get(name="郴州市新登记科技有限公司")
    assert response.status_code == 302 and response["Location"] == reverse("enterprises:detail", args=[e.pk])
    assert e.size_class == "small" and e.town == world.town_a
    assert AuditLog.objects.get(object_id=str(e.pk), object_type="enterprises.enterprise").actor == world.town_a_officer


def test_a_bad_uscc_shows_which_position_is_wrong_and_writes_nothing(client_for, world):
    good = make_uscc("431003", "66778899")
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    before = Enterprise.objects.count(), AuditLog.objects.count()
    response = client_for("district_admin").post(reverse("enterprises:create"), create_payload(world, uscc=bad))
    body = response.content.decode()
    assert response.status_code == 200
    assert "统一社会信用代码第18位校验码错误" in body
    assert 'data-field="uscc"' in body
    assert (Enterprise.objects.count(), AuditLog.objects.count()) == before


def test_a_bad_uscc_is_reported_together_with_other_missing_fields(client_for, world):
    bad = make_uscc("431003", "66778899")[:17] + "I"
    payload = create_payload(world, uscc=bad)
    del payload["town"]
    body = client_for("district_admin").post(reverse("enterprises:create"), payload).content.decode()
    assert 'data-field="town"' in body and 'data-field="uscc"' in body
    assert "第18位" in body
    assert not Enterprise.objects.filter(name=payload["name"]).exists()


def test_a_letter_not_in_the_uscc_alphabet_is_named_by_position(client_for, world):
    bad = "9143" + "I" + make_uscc("431003", "66778899")[5:]
    body = client_for("district_admin").post(reverse("enterprises:create"), create_payload(world, uscc=bad))
    assert "第5位“I”不是允许的字符" in body.content.decode()


def test_a_town_officer_cannot_file_an_enterprise_under_another_town(client_for, world):
    before = Enterprise.objects.count()
    response = client_for("town_a_officer").post(
        reverse("enterprises:create"), create_payload(world, town=world.town_b.pk)
    )
    assert response.status_code == 200 and 'data-field="town"' in response.content.decode()
    assert Enterprise.objects.count() == before


def test_bad_numbers_are_field_errors_not_server_errors(client_for, world):
    response = client_for("district_admin").post(
        reverse("enterprises:create"), create_payload(world, employees="-5", annual_revenue_wan="很多")
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-field="employees"' in body and 'data-field="annual_revenue_wan"' in body
    assert not Enterprise.objects.filter(name="郴州市新登记科技有限公司").exists()


def test_a_script_in_a_name_is_stored_as_text_and_rendered_escaped(client_for, world):
    name = "<script>alert(1)</script>测试公司"
    client = client_for("district_admin")
    assert client.post(reverse("enterprises:create"), create_payload(world, name=name)).status_code == 302
    e = Enterprise.objects.get(name=name)
    for url in (reverse("enterprises:detail", args=[e.pk]), LIST, reverse("enterprises:history", args=[e.pk])):
        body = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;测试公司" in body


@pytest.mark.parametrize("persona", ["enterprise_admin_x", "liaison_of_x", "leader_of_x", "hrss_officer", "auditor"])
def test_roles_without_create_get_403(client_for, persona, world):
    client = client_for(persona)
    assert client.get(reverse("enterprises:create")).status_code == 403
    assert client.post(reverse("enterprises:create"), create_payload(world)).status_code == 403


# --- edit -----------------------------------------------------------------------------------------
def test_a_liaison_editing_its_own_enterprise_gets_403(client_for, world):
    url = reverse("enterprises:edit", args=[world.x.pk])
    assert client_for("liaison_of_x").get(url).status_code == 403
    assert client_for("liaison_of_x").post(url, edit_payload(world.x, name="改名")).status_code == 403


@pytest.mark.parametrize(("persona", "target"), [("enterprise_admin_y", "x"), ("town_a_officer", "y")])
def test_editing_outside_the_scope_is_404(client_for, world, persona, target):
    e = getattr(world, target)
    url = reverse("enterprises:edit", args=[e.pk])
    assert client_for(persona).get(url).status_code == 404
    assert client_for(persona).post(url, edit_payload(e, name="改名")).status_code == 404
    e.refresh_from_db()
    assert e.name != "改名"


def test_an_edit_saves_reclassifies_and_keeps_the_phone_when_left_blank(client_for, world):
    x = world.x
    response = client_for("town_a_officer").post(
        reverse("enterprises:edit", args=[x.pk]), edit_payload(x, employees="250")
    )
    assert response.status_code == 302
    x.refresh_from_db()
    assert (x.employees, x.size_class, x.version, x.contact_phone) == (250, "small", 2, "13800001234")


def test_the_edit_page_never_shows_the_phone_in_clear(client_for, world):
    body = client_for("district_admin").get(reverse("enterprises:edit", args=[world.x.pk])).content.decode()
    assert "13800001234" not in body and "138****1234" in body


def test_a_concurrent_edit_is_refused_with_a_clear_message_and_changes_nothing(client_for, world):
    x = world.x
    url = reverse("enterprises:edit", args=[x.pk])
    stale = edit_payload(x, employees="650")  # loaded at version 1
    assert client_for("district_admin").post(url, edit_payload(x, employees="720")).status_code == 302
    response = client_for("town_a_officer").post(url, stale)
    assert response.status_code == 409
    assert "该企业信息已被他人修改，请刷新后重试" in response.content.decode()
    x.refresh_from_db()
    assert (x.employees, x.version) == (720, 2)


def test_an_enterprise_admin_edits_only_its_own_figures(client_for, world):
    x = world.x
    url = reverse("enterprises:edit", args=[x.pk])
    client = client_for("enterprise_admin_x")
    page = client.get(url).content.decode()
    assert 'name="employees"' in page and 'name="uscc"' not in page and 'name="town"' not in page
    payload = edit_payload(x, employees="705", uscc=make_uscc("431003", "11223344"), name="篡改名称")
    assert client.post(url, payload).status_code == 302
    x.refresh_from_db()
    assert (x.employees, x.uscc, x.name) == (705, world.x.uscc, world.x.name)


def test_a_duplicate_uscc_on_edit_is_a_field_error(client_for, world):
    response = client_for("district_admin").post(
        reverse("enterprises:edit", args=[world.x.pk]), edit_payload(world.x, uscc=world.y.uscc)
    )
    assert response.status_code == 200 and "该统一社会信用代码已登记" in response.content.decode()


# --- history --------------------------------------------------------------------------------------
def test_history_lists_changes_newest_first_with_field_names_and_masked_phones(client_for, world):
    x = world.x
    services.check_update_enterprise(world.district_admin, x, {"employees": 710}, 1)
    services.check_update_enterprise(world.town_a_officer, x, {"contact_phone": "13700009999"}, 2)
    body = client_for("district_admin").get(reverse("enterprises:history", args=[x.pk])).content.decode()
    assert body.count('data-testid="history-entry"') == 2
    assert body.index("137****9999") < body.index("从业人员（人）")  # newest first
    assert "联系电话" in body and "138****1234" in body
    assert "13700009999" not in body and "13800001234" not in body
    assert "town_a_officer" in body and "district_admin" in body


# --- key projects ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("persona", "in_scope"),
    [
        ("district_admin", True),
        ("town_a_officer", True),
        ("liaison_of_x", True),
        ("leader_of_x", False),  # paired with X, not with the project
        ("enterprise_admin_x", True),  # X owns the project
        ("enterprise_admin_y", False),
        ("auditor", False),
    ],
)
def test_project_pages_are_404_outside_the_scope_and_403_without_the_role(client_for, world, persona, in_scope):
    client = client_for(persona)
    may_view = roles.can(world.users[persona], roles.VIEW_PROJECTS)
    assert client.get(reverse("enterprises:project_list")).status_code == (200 if may_view else 403)
    detail = client.get(reverse("enterprises:project_detail", args=[world.project.pk])).status_code
    assert detail == (404 if not in_scope else 200 if may_view else 403)


def test_the_project_list_is_scoped_and_has_a_query_budget(client_for, world):
    for i in range(30):
        KeyProject.objects.create(code=f"XM-B-{i}", name=f"白露塘项目{i}", town=world.town_b, owner=world.y)
    client = client_for("town_a_officer")
    client.get(reverse("enterprises:project_list"))
    with assert_max_queries(8):
        body = client.get(reverse("enterprises:project_list")).content.decode()
    assert world.project.name in body and "白露塘项目" not in body
    assert "共 31 个" in client_for("district_admin").get(reverse("enterprises:project_list")).content.decode()


def test_a_town_officer_creates_a_project_and_a_liaison_cannot_edit_one(client_for, world):
    data = {"code": "XM-A-9", "name": "栖凤渡新厂房", "town": world.town_a.pk, "owner": world.x.pk}
    data |= {"stage": "building", "status": "not_resumed"}
    response = client_for("town_a_officer").post(reverse("enterprises:project_create"), data)
    project = KeyProject.objects.get(code="XM-A-9")
    assert response.status_code == 302 and project.owner == world.x
    url = reverse("enterprises:project_edit", args=[world.project.pk])
    assert client_for("liaison_of_x").get(url).status_code == 403
    duplicate = client_for("district_admin").post(reverse("enterprises:project_create"), data)
    assert "该项目编号已存在" in duplicate.content.decode()


def test_a_project_edit_is_audited_and_a_stale_one_refused(client_for, world):
    p = world.project
    url = reverse("enterprises:project_edit", args=[p.pk])
    data = {"code": p.code, "name": p.name, "town": p.town_id, "owner": p.owner_id, "stage": "done"}
    data |= {"status": "resumed", "version": 1}
    assert client_for("district_admin").post(url, data).status_code == 302
    assert client_for("town_a_officer").post(url, data | {"stage": "paused"}).status_code == 409
    p.refresh_from_db()
    assert (p.stage, p.status, p.version) == ("done", "resumed", 2)
    body = client_for("district_admin").get(reverse("enterprises:project_detail", args=[p.pk])).content.decode()
    assert "建设阶段" in body and "竣工" in body
