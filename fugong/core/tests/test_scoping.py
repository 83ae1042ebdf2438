"""fugong.core.scoping: exactly who sees which enterprises and projects (product.md, roles)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from fugong.core import scoping
from fugong.enterprises.models import Enterprise, KeyProject
from fugong.finance.models import BankMatchmaking
from fugong.liaison.models import LiaisonAssignment


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# persona → (enterprises, projects) by world name; X is 规上工业 in town A, Y a service firm in town B,
# P a key project in town A owned by X.
EXPECTED = {
    "district_admin": ({"x", "y"}, {"p"}),
    "leader_of_x": ({"x"}, set()),  # paired with X only, not with P
    "hrss_officer": ({"x", "y"}, {"p"}),  # departments read the district
    "town_a_officer": ({"x"}, {"p"}),
    "liaison_of_x": ({"x"}, {"p"}),
    "district_team_member": ({"x"}, set()),  # the district team covers 规上工业
    "town_b_team_member": ({"y"}, set()),  # a town team covers its town's other enterprises
    "enterprise_admin_x": ({"x"}, {"p"}),  # P's owner is X
    "enterprise_admin_y": ({"y"}, set()),
    "bank_officer": ({"x"}, set()),  # matched with X
    "auditor": (set(), set()),  # audits logs, sees no business records
    "no_role_user": (set(), set()),
}


def names(world, qs) -> set[str]:
    by_pk = {world.x.pk: "x", world.y.pk: "y"} if qs.model is Enterprise else {world.project.pk: "p"}
    return {by_pk[pk] for pk in qs.values_list("pk", flat=True)}


def test_every_persona_is_covered_by_the_expectations(world):
    assert set(EXPECTED) == set(world.users)


def test_each_persona_sees_exactly_their_enterprises(world, persona):
    assert names(world, scoping.enterprises_for(world.users[persona])) == EXPECTED[persona][0]


def test_each_persona_sees_exactly_their_projects(world, persona):
    assert names(world, scoping.projects_for(world.users[persona])) == EXPECTED[persona][1]


def _deactivated(world):
    user = world.district_admin
    user.is_active = False
    return user


def _town_officer_without_a_town(world):
    user = world.town_a_officer
    user.town = None
    return user


def _enterprise_account_without_an_enterprise(world):
    user = world.enterprise_admin_x
    user.enterprise = None
    return user


@pytest.mark.parametrize(
    "who",
    [
        lambda world: AnonymousUser(),
        _deactivated,
        _town_officer_without_a_town,
        _enterprise_account_without_an_enterprise,
    ],
    ids=["anonymous", "deactivated", "town-officer-without-a-town", "enterprise-account-without-an-enterprise"],
)
def test_a_user_without_a_complete_scope_sees_nothing(world, who):
    """Fails closed: no enterprise and no project — never every one."""
    user = who(world)
    assert not scoping.enterprises_for(user).exists()
    assert not scoping.projects_for(user).exists()


def test_the_district_wide_viewer_of_commands_sees_everything(world):
    assert names(world, scoping.enterprises_for(scoping.DISTRICT_WIDE)) == {"x", "y"}
    assert names(world, scoping.projects_for(scoping.DISTRICT_WIDE)) == {"p"}


def test_an_ended_liaison_assignment_removes_the_enterprise(world):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    LiaisonAssignment.objects.filter(enterprise=world.x).update(end=yesterday)
    assert names(world, scoping.enterprises_for(world.liaison_of_x)) == set()
    # The project assignment is still running.
    assert names(world, scoping.projects_for(world.liaison_of_x)) == {"p"}
    # On a day inside the assignment, X was in scope.
    assert names(world, scoping.enterprises_for(world.liaison_of_x, day=yesterday)) == {"x"}


def test_an_assignment_ending_today_still_counts_today(world):
    LiaisonAssignment.objects.filter(enterprise=world.x).update(end=timezone.localdate())
    assert names(world, scoping.enterprises_for(world.liaison_of_x)) == {"x"}


def test_an_assignment_not_yet_started_does_not_count(world):
    LiaisonAssignment.objects.all().update(start=timezone.localdate() + dt.timedelta(days=3))
    assert not scoping.enterprises_for(world.liaison_of_x).exists()
    assert not scoping.projects_for(world.liaison_of_x).exists()


def test_a_town_jurisdiction_without_a_town_is_empty(world):
    # The database refuses a town team without a town (a check constraint); the rule still fails closed.
    assert not Enterprise.objects.filter(scoping.jurisdiction_q("town", None)).exists()
    assert Enterprise.objects.filter(scoping.jurisdiction_q("town", world.town_b.pk)).exists()


def test_scope_filter_narrows_records_that_belong_to_an_enterprise(world):
    BankMatchmaking.objects.create(bank=world.bank, enterprise=world.y, since=dt.date(2020, 2, 1))
    rows = scoping.scope_filter(world.town_b_team_member, BankMatchmaking.objects.all(), "enterprise")
    assert [m.enterprise_id for m in rows] == [world.y.pk]
    everything = scoping.scope_filter(world.district_admin, BankMatchmaking.objects.all(), "enterprise")
    assert everything.count() == 2


def test_get_in_scope_returns_an_object_in_scope(world):
    got = scoping.get_in_scope(scoping.enterprises_for(world.town_a_officer), pk=world.x.pk)
    assert got == world.x


@pytest.mark.parametrize("pk", ["y", "missing", "not-a-number", None])
def test_get_in_scope_is_404_for_missing_out_of_scope_and_malformed_alike(world, pk):
    value = {"y": world.y.pk, "missing": 987654, "not-a-number": "abc", None: None}[pk]
    with pytest.raises(Http404):
        scoping.get_in_scope(scoping.enterprises_for(world.town_a_officer), pk=value)


def test_get_in_scope_is_404_for_a_project_out_of_scope(world):
    with pytest.raises(Http404):
        scoping.get_in_scope(scoping.projects_for(world.enterprise_admin_y), pk=world.project.pk)
    assert scoping.get_in_scope(KeyProject.objects.all(), pk=world.project.pk) == world.project
