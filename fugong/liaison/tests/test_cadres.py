"""Liaison cadres: masked phones with a logged reveal, registration and its validation, postings N:M with
start and end dates, and who sees which cadre."""

from __future__ import annotations

import datetime as dt

from fugong.core.models import AccessLog, AuditLog
from fugong.core.testing import assert_max_queries
from fugong.liaison import selectors
from fugong.liaison.models import Cadre, LiaisonAssignment


def _cadre(world) -> Cadre:
    cadre = Cadre.objects.get(user=world.liaison_of_x)
    cadre.phone = "13912345678"
    cadre.save()
    return cadre


def test_the_phone_is_masked_on_the_list_and_the_record(world, client_for):
    cadre = _cadre(world)
    for url in ("/liaison/cadres/", f"/liaison/cadres/{cadre.pk}/"):
        html = client_for("district_admin").get(url).content.decode()
        assert "139****5678" in html and "13912345678" not in html


def test_a_reveal_needs_a_reason_and_is_logged(world, client_for):
    cadre = _cadre(world)
    client = client_for("town_a_officer")
    refused = client.post(f"/liaison/cadres/{cadre.pk}/reveal/", {"reason": ""})
    assert "13912345678" not in refused.content.decode() and not AccessLog.objects.exists()
    shown = client.post(f"/liaison/cadres/{cadre.pk}/reveal/", {"reason": "通知联络员到企业"})
    assert "13912345678" in shown.content.decode() and shown["Cache-Control"] == "no-store"
    log = AccessLog.objects.get()
    assert (log.actor, log.subject_type, log.fields, log.purpose) == (
        world.town_a_officer,
        "liaison.cadre",
        ["phone"],
        "通知联络员到企业",
    )
    assert client_for("leader_of_x").post(f"/liaison/cadres/{cadre.pk}/reveal/", {"reason": "x"}).status_code == 403


def test_the_admin_registers_a_cadre_and_a_bad_phone_is_named(world, client_for):
    client = client_for("district_admin")
    bad = client.post("/liaison/cadres/new/", {"name": "新干部", "phone": "12345", "home_town": world.town_b.pk})
    assert bad.status_code == 400 and not Cadre.objects.filter(name="新干部").exists()
    ok = client.post(
        "/liaison/cadres/new/",
        {"name": "新干部", "unit": "区商务局", "phone": "+86 139-0000-2222", "home_town": world.town_b.pk},
    )
    assert ok.status_code == 302
    cadre = Cadre.objects.get(name="新干部")
    assert cadre.phone == "13900002222" and cadre.home_town == world.town_b
    entry = AuditLog.objects.get(action="liaison.cadre.create")
    assert "13900002222" not in str(entry.changes)


def test_editing_without_a_phone_keeps_the_number(world, client_for):
    cadre = _cadre(world)
    response = client_for("district_admin").post(
        f"/liaison/cadres/{cadre.pk}/edit/", {"name": "改名联络员", "home_town": world.town_a.pk, "party_member": "on"}
    )
    assert response.status_code == 302
    cadre.refresh_from_db()
    assert cadre.name == "改名联络员" and cadre.phone == "13912345678"


def test_a_cadre_is_posted_to_several_targets_and_a_posting_ends_on_its_date(world, client_for):
    cadre = _cadre(world)
    client = client_for("district_admin")
    assert (
        client.post(
            f"/liaison/cadres/{cadre.pk}/assign/", {"target": f"e:{world.y.pk}", "start": "2020-02-03"}
        ).status_code
        == 302
    )
    assert LiaisonAssignment.objects.filter(cadre=cadre).count() == 3  # X, P and now Y: N:M
    posting = LiaisonAssignment.objects.get(cadre=cadre, enterprise=world.y)
    early = client.post(f"/liaison/assignments/{posting.pk}/end/", {"end": "2020-01-01"})
    assert early.status_code == 302
    posting.refresh_from_db()
    assert posting.end is None  # before its start: refused
    client.post(f"/liaison/assignments/{posting.pk}/end/", {"end": "2020-02-29"})
    posting.refresh_from_db()
    assert posting.end == dt.date(2020, 2, 29)
    assert AuditLog.objects.filter(action="liaison.assignment.end").count() == 1


def test_a_cadre_over_the_cap_cannot_be_posted_again_by_hand(world, client_for):
    cadre = _cadre(world)
    client = client_for("district_admin")
    client.post(f"/liaison/cadres/{cadre.pk}/assign/", {"target": f"e:{world.y.pk}", "start": "2020-02-03"})
    from fugong.core.testing import EnterpriseFactory

    fourth = EnterpriseFactory(name="第四家企业", town=world.town_a)
    response = client.post(f"/liaison/cadres/{cadre.pk}/assign/", {"target": f"e:{fourth.pk}", "start": "2020-02-03"})
    assert response.status_code == 400 and "上限" in response.content.decode()


def test_a_leader_sees_only_the_cadres_posted_to_their_pairings(world):
    other = Cadre.objects.create(name="白露塘联络员", home_town=world.town_b, phone="13900003333")
    LiaisonAssignment.objects.create(cadre=other, enterprise=world.y, start=dt.date(2020, 1, 1))
    assert set(selectors.cadres_for(world.leader_of_x)) == {Cadre.objects.get(user=world.liaison_of_x)}
    assert set(selectors.cadres_for(world.hrss_officer)) == set(Cadre.objects.all())


def test_the_cadre_list_stays_within_its_query_budget(world, client_for):
    for i in range(30):
        c = Cadre.objects.create(name=f"干部{i:02d}", home_town=world.town_a, phone="13900004444")
        LiaisonAssignment.objects.create(cadre=c, enterprise=world.x, start=dt.date(2020, 1, 1))
    client = client_for("town_a_officer")
    with assert_max_queries(10):
        assert client.get("/liaison/cadres/").status_code == 200
