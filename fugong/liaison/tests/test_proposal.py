"""The assignment proposal against the database: kept postings, the cap from the rule, same-town preference,
the diff the admin accepts or edits, and the all-or-nothing apply."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from fugong.core.models import AuditLog
from fugong.core.testing import EnterpriseFactory
from fugong.enterprises.models import KeyProject
from fugong.liaison import proposal, services
from fugong.liaison.models import Cadre, LiaisonAssignment, LiaisonRule

TODAY = timezone.localdate


def _asi(world, name: str, town=None):
    return EnterpriseFactory(name=name, town=town or world.town_a, annual_revenue_wan=Decimal("6000"))


def _cap(n: int) -> None:
    LiaisonRule.objects.all().delete()
    LiaisonRule.objects.create(effective_from=dt.date(2020, 1, 1), max_load=n, visit_interval_days=3, source="测试")


def test_covered_targets_are_kept_and_the_rest_get_a_cadre_of_their_own_town(world):
    _cap(3)
    a_cadre = Cadre.objects.create(name="栖凤渡干部", home_town=world.town_a, phone="13900000001")
    Cadre.objects.create(name="白露塘干部", home_town=world.town_b, phone="13900000002")
    new = _asi(world, "郴州市新规上企业甲")
    plan = proposal.build_proposal(world.district_admin, TODAY())
    assert {r.target for r in plan.keeps} == {world.x, world.project}  # posted to liaison_of_x's cadre
    assert [(r.target, r.cadre) for r in plan.adds] == [(new, a_cadre)]
    assert plan.adds[0].same_town and not plan.uncovered


def test_the_liaison_already_at_the_cap_is_not_given_more(world):
    _cap(2)  # the test liaison already carries X and P
    new = _asi(world, "郴州市新规上企业乙")
    plan = proposal.build_proposal(world.district_admin, TODAY())
    assert [r.target for r in plan.uncovered] == [new]
    assert "名额不足" in plan.summary and "2" in plan.summary
    helper = Cadre.objects.create(name="白露塘干部", home_town=world.town_b, phone="13900000003")
    plan = proposal.build_proposal(world.district_admin, TODAY())
    assert [(r.target, r.cadre, r.same_town) for r in plan.adds] == [(new, helper, False)]


def test_the_key_guarantee_scope_adds_those_enterprises_to_the_targets(world):
    world.y.is_key_guarantee = True
    world.y.save()
    Cadre.objects.create(name="白露塘干部", home_town=world.town_b, phone="13900000004")
    with_kg = proposal.build_proposal(world.district_admin, TODAY(), ("asi", "projects", "key_guarantee"))
    without = proposal.build_proposal(world.district_admin, TODAY(), ("asi", "projects"))
    assert world.y in [r.target for r in with_kg.adds]
    assert world.y not in [r.target for r in without.adds + without.keeps]


def test_only_a_district_wide_viewer_gets_a_proposal(world):
    with pytest.raises(PermissionError):
        proposal.build_proposal(world.town_a_officer, TODAY())


def test_the_admin_accepts_the_diff_and_the_postings_are_written_and_audited(world, client_for):
    _cap(3)
    cadre = Cadre.objects.create(name="栖凤渡干部", home_town=world.town_a, phone="13900000005")
    e1, e2 = _asi(world, "新规上甲"), _asi(world, "新规上乙")
    client = client_for("district_admin")
    page = client.get("/liaison/proposal/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-target="e:{e1.pk}"' in html and 'data-testid="n-add">2<' in html
    response = client.post(
        "/liaison/proposal/",
        {"accept": [f"e:{e1.pk}", f"e:{e2.pk}"], f"cadre_e:{e1.pk}": cadre.pk, f"cadre_e:{e2.pk}": cadre.pk},
    )
    assert response.status_code == 302
    assert set(LiaisonAssignment.objects.filter(cadre=cadre).values_list("enterprise_id", flat=True)) == {e1.pk, e2.pk}
    assert AuditLog.objects.filter(action="liaison.assign").count() == 2
    assert AuditLog.objects.filter(action="liaison.proposal.apply").count() == 1
    after = proposal.build_proposal(world.district_admin, TODAY())
    assert not after.adds and {e1, e2} <= {r.target for r in after.keeps}


def test_an_edit_that_breaks_the_cap_writes_nothing_and_names_the_row(world, client_for):
    _cap(2)
    liaison = Cadre.objects.get(user=world.liaison_of_x)  # already at 2
    fresh = Cadre.objects.create(name="栖凤渡干部", home_town=world.town_a, phone="13900000006")
    e1, e2 = _asi(world, "新规上丙"), _asi(world, "新规上丁")
    response = client_for("district_admin").post(
        "/liaison/proposal/",
        {"accept": [f"e:{e1.pk}", f"e:{e2.pk}"], f"cadre_e:{e1.pk}": fresh.pk, f"cadre_e:{e2.pk}": liaison.pk},
    )
    assert response.status_code == 400
    assert "达到每人最多2个的上限" in response.content.decode()
    assert not LiaisonAssignment.objects.filter(enterprise__in=[e1, e2]).exists()


def test_posting_the_same_cadre_twice_to_a_target_is_refused(world):
    cadre = Cadre.objects.get(user=world.liaison_of_x)
    with pytest.raises(services.LiaisonValidationError) as exc:
        services.check_assign(world.district_admin, cadre, world.x, TODAY())
    assert "已派驻" in next(iter(exc.value.errors.values()))


def test_a_forged_row_is_reported_not_a_500(world, client_for):
    response = client_for("district_admin").post(
        "/liaison/proposal/", {"accept": ["e:99999999"], "cadre_e:99999999": "x"}
    )
    assert response.status_code == 400
    assert "找不到" in response.content.decode()
    response = client_for("district_admin").post("/liaison/proposal/", {})
    assert response.status_code == 400


def test_a_project_without_a_liaison_is_proposed_too(world):
    _cap(3)
    project = KeyProject.objects.create(code="XM-NEW", name="新重点项目", town=world.town_b)
    helper = Cadre.objects.create(name="白露塘干部", home_town=world.town_b, phone="13900000007")
    plan = proposal.build_proposal(world.district_admin, TODAY())
    assert [(r.target, r.cadre) for r in plan.adds] == [(project, helper)]


def test_a_new_rule_version_changes_the_cap_from_its_date_and_history_is_kept(world, client_for):
    today = TODAY()
    client = client_for("district_admin")
    response = client.post(
        "/liaison/rules/",
        {"effective_from": today.isoformat(), "max_load": 5, "visit_interval_days": 2, "source": "区复工办通知"},
    )
    assert response.status_code == 302
    assert LiaisonRule.objects.count() == 2
    assert proposal.build_proposal(world.district_admin, today).cap == 5
    # An earlier date would rewrite what already applied: refused.
    response = client.post(
        "/liaison/rules/",
        {"effective_from": "2020-02-10", "max_load": 4, "visit_interval_days": 2, "source": "改写历史"},
    )
    assert response.status_code == 400 and LiaisonRule.objects.count() == 2


def test_a_town_officer_reads_the_rules_but_cannot_add_a_version(world, client_for):
    client = client_for("town_a_officer")
    assert client.get("/liaison/rules/").status_code == 200
    response = client.post("/liaison/rules/", {"effective_from": "2099-01-01", "max_load": 9, "source": "x"})
    assert response.status_code == 403
