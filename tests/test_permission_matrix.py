"""The permission matrix: every URL × every persona, with the status the product promises.

Each app lists its URLs in `fugong/<app>/tests/matrix.py` (vocabulary in fugong/core/matrix.py). This module
runs them all, and fails when a served URL is in no fragment — so a new view cannot ship without its row.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

import fugong
from fugong.core.matrix import send
from fugong.core.testing import PERSONAS


def _fragments():
    for info in sorted(pkgutil.iter_modules(fugong.__path__), key=lambda i: i.name):
        if (Path(fugong.__path__[0]) / info.name / "tests" / "matrix.py").exists():
            yield importlib.import_module(f"fugong.{info.name}.tests.matrix")


FRAGMENTS = {m.__name__.split(".")[1]: m for m in _fragments()}
CASES = [(app, name) for app, module in FRAGMENTS.items() for name in module.CASE_NAMES]

# Served URLs that are not pages of the product: the API's own documents, the language switch, media files.
NOT_PAGES = {"api:openapi-json", "api:openapi-view", "api:api-root", "set_language", ""}


def _names(patterns, ns=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            inner = f"{ns}:{p.namespace}" if ns and p.namespace else (p.namespace or ns)
            yield from _names(p.url_patterns, inner or "")
        elif isinstance(p, URLPattern):
            yield f"{ns}:{p.name}" if ns and p.name else (p.name or "")


def test_every_url_is_in_the_matrix():
    served = {n for n in _names(get_resolver().url_patterns) if not n.startswith("admin:")} - NOT_PAGES
    listed = {name for _app, name in CASES}
    missing = served - listed
    assert not missing, f"add these views to a permission-matrix fragment: {sorted(missing)}"


@pytest.mark.parametrize("app", sorted(FRAGMENTS))
def test_each_fragment_lists_exactly_its_cases(world, app):
    module = FRAGMENTS[app]
    assert set(module.CASE_NAMES) == set(module.cases(module.objects(world)))


@pytest.mark.parametrize(("app", "name"), CASES, ids=[f"{a}-{n}" for a, n in CASES])
def test_each_persona_gets_the_promised_status(world, app, name):
    module = FRAGMENTS[app]
    case = module.cases(module.objects(world))[name]
    got, want = {}, {}
    for persona in (*PERSONAS, None):
        client = Client()
        if persona:
            user = world.users[persona]
            if case.as_staff and not user.is_staff:
                user.is_staff = True
                user.save(update_fields=["is_staff"])
            client.force_login(user)
        got[persona or "anonymous"] = send(client, case).status_code
        want[persona or "anonymous"] = case.expected(persona)
    wrong = {p: f"got {got[p]}, want {want[p]}" for p in want if got[p] != want[p]}
    assert not wrong, f"{name} {case.path}: {wrong}"
