"""The permission matrix's vocabulary, shared by every app's fragment (`fugong/<app>/tests/matrix.py`).

A fragment defines `objects(world) -> dict` (the records its URLs need), `cases(o) -> dict[name, Case]` and
`CASE_NAMES` (the same names, listed statically so pytest can parametrize before the database exists).
tests/test_permission_matrix.py runs every fragment's cases for every persona and fails when a served URL is
in no fragment.

Out of scope is 404 (exactly like missing); in scope but not allowed to the role is 403; anonymous is sent to
the login page (302) or, on the API, 401.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.test import Client

from fugong.core.testing import PERSONAS

ALL = frozenset(PERSONAS)
# Who can see enterprise X (town A, 规上工业): the whole-district roles, X's leader, town A, X's liaison, the
# district outreach team (规上工业), X's own admin and the bank matched with X.
SEE_X = frozenset(
    {
        "district_admin",
        "leader_of_x",
        "hrss_officer",
        "town_a_officer",
        "liaison_of_x",
        "district_team_member",
        "enterprise_admin_x",
        "bank_officer",
    }
)
# Who can see key project P (town A, owned by X, assigned to X's liaison, no leader paired).
SEE_P = frozenset({"district_admin", "hrss_officer", "town_a_officer", "liaison_of_x", "enterprise_admin_x"})
GOVERNMENT_FIGURES = frozenset({"district_admin", "leader_of_x", "hrss_officer", "town_a_officer", "liaison_of_x"})
ENTERPRISE_VIEWERS = ALL - {"auditor", "no_role_user"}
AUDIT = frozenset({"district_admin", "auditor"})
ADMIN_ONLY = frozenset({"district_admin"})
REGISTRY_EDITORS = frozenset({"district_admin", "town_a_officer"})
ROSTER_X = frozenset({"district_admin", "town_a_officer", "liaison_of_x", "enterprise_admin_x"})
REVEAL_X = frozenset({"district_admin", "town_a_officer", "enterprise_admin_x"})


@dataclass(frozen=True)
class Case:
    path: str
    ok: frozenset[str]  # personas that get `ok_status`
    forbidden: frozenset[str] = frozenset()  # personas that get 403; every other persona gets 404
    method: str = "get"
    data: dict = field(default_factory=dict)
    ok_status: int = 200
    anonymous: int = 302
    json: bool = False
    overrides: dict = field(default_factory=dict)  # persona → status, where a role gets something else
    as_staff: bool = False  # make every persona staff first (to test the admin's own scoping)

    def expected(self, persona: str | None) -> int:
        if persona is None:
            return self.anonymous
        if persona in self.overrides:
            return self.overrides[persona]
        if persona in self.ok:
            return self.ok_status
        if persona in self.forbidden:
            return 403
        return 404


def page(path: str, ok: Any, forbidden: Any = None, **kw: Any) -> Case:
    """A page whose every non-ok persona is 403 unless listed otherwise (no object behind it)."""
    return Case(path, frozenset(ok), frozenset(ALL - set(ok)) if forbidden is None else frozenset(forbidden), **kw)


def record(path: str, ok: Any, scope: Any, **kw: Any) -> Case:
    """A page about one object: outside `scope` is 404, inside but not `ok` is 403."""
    return Case(path, frozenset(ok), frozenset(scope) - frozenset(ok), **kw)


def api(case: Case) -> Case:
    return Case(case.path, case.ok, case.forbidden, case.method, case.data, case.ok_status, 401, True, case.overrides)


def send(client: Client, case: Case):
    if case.method == "get":
        return client.get(case.path)
    if case.json:
        import json

        data = dict(case.data)
        if data.get("version") == "current":  # each persona edits the record as it is now
            from fugong.enterprises.models import Enterprise

            data["version"] = Enterprise.objects.get(pk=case.path.rstrip("/").rsplit("/", 1)[1]).version
        body = json.dumps(data)
        return getattr(client, case.method)(case.path, data=body, content_type="application/json")
    return getattr(client, case.method)(case.path, data=case.data)
