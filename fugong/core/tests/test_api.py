"""The API's shared behaviour: authentication (session, bearer tokens), error bodies, pagination, OpenAPI."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from fugong.accounts.models import ApiToken
from fugong.accounts.tokens import do_issue_token, do_revoke_token, verify_token
from fugong.core.api_support import MAX_PAGE_SIZE, paginate, validation_body
from fugong.core.models import AuditLog
from fugong.core.testing import assert_max_queries
from fugong.enterprises.models import Enterprise


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


# --- authentication ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v1/enterprises", "/api/v1/stats/overview"])
def test_a_request_without_credentials_is_401_with_a_json_reason(world, path):
    response = Client().get(path)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "API令牌" in response.json()["detail"]


def test_an_anonymous_patch_is_401_not_a_csrf_403(world):
    client = Client(enforce_csrf_checks=True)
    response = client.patch(f"/api/v1/enterprises/{world.x.pk}", data={"version": 1}, content_type="application/json")
    assert response.status_code == 401


def test_the_browser_session_authenticates(client_for):
    response = client_for("town_a_officer").get("/api/v1/me")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "town_a_officer"
    assert body["role"] == "town"
    assert body["scope"] == "栖凤渡镇"
    assert "enterprise.edit" in body["actions"]


def test_a_session_patch_without_the_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.district_admin)
    response = client.patch(
        f"/api/v1/enterprises/{world.x.pk}", data={"version": 1, "address": "新地址"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    world.x.refresh_from_db()
    assert world.x.address != "新地址"


def test_a_session_patch_with_the_csrf_token_is_accepted(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.district_admin)
    client.get("/reports/brief/")  # a page renders the CSRF token and sets its cookie, as in the browser
    token = client.cookies["csrftoken"].value
    response = client.patch(
        f"/api/v1/enterprises/{world.x.pk}",
        data={"version": 1, "address": "新地址"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 200, response.content
    assert response.json()["address"] == "新地址"


def test_a_bearer_token_authenticates_and_needs_no_csrf(world):
    token = do_issue_token(None, world.district_admin)
    client = Client(enforce_csrf_checks=True)
    assert client.get("/api/v1/me", **bearer(token)).json()["username"] == "district_admin"
    response = client.patch(
        f"/api/v1/enterprises/{world.x.pk}",
        data={"version": 1, "address": "经令牌修改"},
        content_type="application/json",
        **bearer(token),
    )
    assert response.status_code == 200, response.content
    audit = AuditLog.objects.filter(action="enterprise.update").latest("id")
    assert audit.actor == world.district_admin
    assert audit.via == "api"


def test_a_bearer_token_sees_only_its_users_scope(world):
    token = do_issue_token(None, world.enterprise_admin_y)
    response = Client().get(f"/api/v1/enterprises/{world.x.pk}", **bearer(token))
    assert response.status_code == 404


def test_a_revoked_token_is_401(world):
    token = do_issue_token(None, world.district_admin)
    do_revoke_token(None, ApiToken.objects.get(digest=ApiToken.digest_of(token)))
    response = Client().get("/api/v1/me", **bearer(token))
    assert response.status_code == 401


def test_a_token_of_a_deactivated_user_is_401(world):
    token = do_issue_token(None, world.town_a_officer)
    world.town_a_officer.is_active = False
    world.town_a_officer.save()
    assert Client().get("/api/v1/me", **bearer(token)).status_code == 401


@pytest.mark.parametrize("header", ["Bearer nonsense", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer " + "x" * 5000])
def test_a_wrong_authorization_header_is_401_even_with_a_session(client_for, header):
    client = client_for("district_admin")
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=header).status_code == 401


def test_only_the_digest_and_a_short_prefix_of_a_token_are_stored(world):
    token = do_issue_token(None, world.district_admin)
    row = ApiToken.objects.get(user=world.district_admin)
    assert row.digest == ApiToken.digest_of(token) != token
    assert token.startswith(row.prefix) and len(row.prefix) <= 12
    assert token not in json.dumps(list(AuditLog.objects.values("object_repr", "changes")), ensure_ascii=False)


def test_last_used_is_written_at_most_once_a_minute(world, django_assert_num_queries):
    token = do_issue_token(None, world.district_admin)
    with django_assert_num_queries(2):  # look-up + first stamp
        assert verify_token(token) == world.district_admin
    first = ApiToken.objects.get(user=world.district_admin).last_used_at
    assert first is not None
    with django_assert_num_queries(1):  # look-up only: stamped less than a minute ago
        verify_token(token)
    ApiToken.objects.filter(user=world.district_admin).update(last_used_at=timezone.now() - dt.timedelta(minutes=2))
    verify_token(token)
    assert ApiToken.objects.get(user=world.district_admin).last_used_at > first


def test_issue_token_prints_a_working_token(world, capsys):
    call_command("issue_token", "bank_officer")
    token = capsys.readouterr().out.strip()
    assert token.startswith("fg_")
    response = Client().get("/api/v1/me", **bearer(token))
    assert response.status_code == 200
    assert response.json()["username"] == "bank_officer"
    assert AuditLog.objects.filter(action="api_token.issue").count() == 1


def test_issue_token_for_an_unknown_user_fails_clearly_with_exit_code_1(world):
    with pytest.raises(CommandError, match="用户不存在") as excinfo:
        call_command("issue_token", "nobody-here")
    assert excinfo.value.returncode == 1
    assert not ApiToken.objects.exists()


# --- errors and pagination -----------------------------------------------------------------------


def test_a_missing_object_and_an_out_of_scope_one_have_the_same_404_body(client_for, world):
    client = client_for("enterprise_admin_y")
    missing = client.get("/api/v1/enterprises/987654")
    hidden = client.get(f"/api/v1/enterprises/{world.x.pk}")
    assert missing.status_code == hidden.status_code == 404
    assert missing.content == hidden.content


@pytest.mark.parametrize(
    "query, field",
    [
        ("page=abc", "page"),
        ("page=0", "page"),
        ("page_size=100000", "page_size"),
        ("page_size=-1", "page_size"),
        (f"page_size={MAX_PAGE_SIZE + 1}", "page_size"),
        ("key_guarantee=maybe", "key_guarantee"),
        ("category=nonsense", "category"),
    ],
)
def test_bad_list_parameters_are_422_naming_the_field(client_for, query, field):
    response = client_for("district_admin").get(f"/api/v1/enterprises?{query}")
    assert response.status_code == 422
    body = response.json()
    assert body["detail"]
    assert field in [e["field"] for e in body["errors"]]
    assert all(e["message"] for e in body["errors"])


def test_the_page_size_maximum_is_accepted(client_for):
    response = client_for("district_admin").get(f"/api/v1/enterprises?page_size={MAX_PAGE_SIZE}")
    assert response.status_code == 200


def test_a_huge_id_is_bad_input_not_a_server_error(client_for):
    response = client_for("district_admin").get("/api/v1/enterprises/99999999999999999999999")
    assert response.status_code == 422


def test_a_malformed_json_body_is_422(client_for, world):
    response = client_for("district_admin").patch(
        f"/api/v1/enterprises/{world.x.pk}", data="{not json", content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body"


def test_validation_messages_name_the_field_without_the_parameter_name():
    body = validation_body(
        [
            {"type": "missing", "loc": ("body", "payload", "version"), "msg": "Field required"},
            {"type": "less_than_equal", "loc": ("query", "page_size"), "msg": "…", "ctx": {"le": 500}},
        ]
    )
    assert body["errors"] == [
        {"field": "version", "message": "必填"},
        {"field": "page_size", "message": "不能大于 500"},
    ]


def test_paginate_returns_the_count_and_one_slice_in_two_queries(world):
    qs = Enterprise.objects.order_by("id")
    with assert_max_queries(2):
        page = paginate(qs, page=2, page_size=1)
    assert page["count"] == 2
    assert [e.pk for e in page["items"]] == [world.y.pk]
    assert paginate(qs, page=9, page_size=1)["items"] == []


# --- documentation -------------------------------------------------------------------------------


def test_the_openapi_document_loads_and_lists_the_endpoints(world):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/v1/enterprises", "/api/v1/enterprises/{id}", "/api/v1/stats/overview", "/api/v1/me"):
        assert path in paths
    schemes = response.json()["components"]["securitySchemes"]
    assert {"BearerAuth", "SessionAuth"} <= set(schemes)


def test_the_interactive_docs_use_no_cdn(world):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower()
    assert "/static/ninja/swagger-ui-bundle.js" in html
