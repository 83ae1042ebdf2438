"""The daily brief page (reports:brief)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from fugong.core.testing import assert_max_queries
from fugong.enterprises.models import Enterprise, ResumptionStatus

URL = reverse("reports:brief")


@pytest.fixture
def x_resumed(world):
    Enterprise.objects.filter(pk=world.x.pk).update(status=ResumptionStatus.RESUMED, resumed_on=dt.date(2020, 2, 20))
    return world


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    "persona, status",
    [
        ("district_admin", 200),
        ("leader_of_x", 200),
        ("hrss_officer", 200),
        ("town_a_officer", 200),
        ("liaison_of_x", 200),
        ("district_team_member", 403),
        ("enterprise_admin_x", 403),
        ("bank_officer", 403),
        ("auditor", 403),
        ("no_role_user", 403),
    ],
)
def test_the_brief_page_needs_the_figures_permission(client_for, persona, status):
    assert client_for(persona).get(URL).status_code == status


def test_the_brief_page_shows_the_prose_for_the_date(client_for, x_resumed):
    response = client_for("district_admin").get(URL, {"date": "2020-03-02"})
    html = response.content.decode()
    assert "截至3月2日，全区规模以上工业企业1家，累计复工复产1家，复工率100%。" in html
    assert 'value="2020-03-02"' in html
    assert 'data-testid="copy-brief"' in html


def test_a_town_officer_sees_the_brief_of_their_town(client_for, x_resumed):
    html = client_for("town_a_officer").get(URL, {"date": "2020-03-02"}).content.decode()
    assert "截至3月2日，栖凤渡镇规模以上工业企业1家" in html
    assert "全区规模以上" not in html


def test_the_brief_downloads_as_text(client_for, x_resumed):
    response = client_for("district_admin").get(URL, {"date": "2020-03-02", "format": "txt"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert 'attachment; filename="fugong-brief-2020-03-02.txt"' == response["Content-Disposition"]
    assert "复工率100%" in response.content.decode("utf-8")


def test_the_printable_brief_is_a_standalone_page(client_for, x_resumed):
    html = client_for("district_admin").get(URL, {"date": "2020-03-02", "format": "html"}).content.decode()
    assert "复工率100%" in html
    assert "sidebar" not in html
    assert "window.print()" in html


@pytest.mark.parametrize("value", ["2020-02-30", "soon", "<script>"])
def test_a_bad_date_shows_a_clear_message_and_no_brief(client_for, world, value):
    response = client_for("district_admin").get(URL, {"date": value})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="brief-error"' in html
    assert 'data-testid="brief"' not in html
    message = html.split('data-testid="brief-error">')[1].split("</div>")[0]
    assert "日期" in message
    assert "<" not in message  # the value is echoed escaped, never as markup


def test_the_brief_page_runs_a_bounded_number_of_queries(client_for, world):
    """At most about one query per registered figure plus the page's own, and not one more with more data."""
    from fugong.core.figures import REGISTRY
    from fugong.core.testing import EnterpriseFactory

    client = client_for("district_admin")
    budget = len(REGISTRY) + 10
    with assert_max_queries(budget) as first:
        client.get(URL, {"date": "2020-03-02"})
    for _ in range(25):
        EnterpriseFactory(town=world.town_a)
    with assert_max_queries(len(first.captured_queries)):
        client.get(URL, {"date": "2020-03-02"})
