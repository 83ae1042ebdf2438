"""The "who serves this enterprise" card (liaison_tags.enterprise_service) on the enterprise page and on the
enterprise admin's home page: the liaisons in post today, the paired leader and the help team; phones masked;
shown to the roles with VIEW_SERVICE only, and narrowed by the viewer's scope."""

from __future__ import annotations

import datetime as dt

import pytest

from fugong.accounts.models import Department
from fugong.liaison.models import Cadre, HelpTeam, LiaisonAssignment

pytestmark = pytest.mark.django_db

PHONE = "13900002222"
CARD = 'data-testid="enterprise-service"'


@pytest.fixture
def served(world):
    cadre = Cadre.objects.get(user=world.liaison_of_x)
    cadre.unit, cadre.phone = "区工信局", PHONE
    cadre.save()
    former = Cadre.objects.create(name="已调离联络员", phone="13711113333")
    LiaisonAssignment.objects.create(
        cadre=former, enterprise=world.x, start=dt.date(2020, 1, 1), end=dt.date(2020, 1, 31)
    )
    HelpTeam.objects.create(
        enterprise=world.x,
        leader=world.leader_of_x,
        department=Department.objects.get(code="hrss"),
        liaison=cadre,
        formed_on=dt.date(2020, 2, 5),
    )
    return cadre


def test_the_enterprise_admin_sees_who_serves_them_on_the_enterprise_page_and_home(world, client_for, served):
    client = client_for("enterprise_admin_x")
    for url in (f"/enterprises/{world.x.pk}/", "/"):
        body = client.get(url).content.decode()
        assert CARD in body, url
        assert served.name in body and "区工信局" in body and "139****2222" in body
        assert "区人社局" in body  # the help team's department
        assert PHONE not in body and "已调离联络员" not in body  # masked; a posting that ended is history


@pytest.mark.parametrize("persona", ["district_admin", "town_a_officer", "liaison_of_x", "leader_of_x"])
def test_government_roles_and_the_liaison_see_the_card(world, client_for, served, persona):
    assert CARD in client_for(persona).get(f"/enterprises/{world.x.pk}/").content.decode()


@pytest.mark.parametrize("persona", ["district_team_member", "bank_officer"])
def test_roles_without_the_action_see_the_enterprise_but_not_the_card(world, client_for, served, persona):
    response = client_for(persona).get(f"/enterprises/{world.x.pk}/")
    assert response.status_code == 200  # they may open the enterprise (the matrix): only the card is withheld
    assert CARD not in response.content.decode() and served.name not in response.content.decode()


def test_an_enterprise_without_anyone_says_so(world, client_for):
    body = client_for("enterprise_admin_y").get(f"/enterprises/{world.y.pk}/").content.decode()
    assert CARD in body and "尚未派驻" in body
