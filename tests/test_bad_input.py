"""Bad input never makes a 500: every form a persona can reach from the home page, each field in turn given the
values that have crashed pages before (numbers too wide for the decimal context or for an integer key, NUL,
Infinity), the other fields as the page filled them.

A small version of the fuzzing pass of session 4 (which found the 500s these values stand for), so a new form
cannot bring one back. Forms are found the way a user finds them: by following links from "/", one page per
URL shape; links that download files and forms that sign out are left alone. The API likewise, from its
OpenAPI document: bad path ids, bad query values, malformed bodies and one bad property at a time.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.test import Client

BAD_VALUES = ("9" * 40, "1e309", "NaN", "\x00")
SKIP = ("/accounts/logout", "/accounts/password", "/static/", "/media/", "/i18n/", "/admin/", "/api/")
PAGES_PER_PERSONA = 150


class _Page(HTMLParser):
    """Links and POST forms (action, fields with the value the page gave them) of one HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.forms: list[tuple[str, dict[str, str], set[str]]] = []
        self._form: tuple[str, dict[str, str], set[str]] | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href", "").startswith("/"):
            self.links.append(a["href"].split("#")[0])
        elif tag == "form" and a.get("method", "get").lower() == "post":
            self._form = (a.get("action", ""), {}, set())
        elif self._form is not None and tag in ("input", "textarea", "select") and a.get("name"):
            kind = a.get("type", tag).lower()
            if kind == "file":
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                self._form[2].add(a["name"])  # a field to fuzz, sent only when fuzzed
                return
            self._form[1].setdefault(a["name"], a.get("value", ""))
            if tag == "select":
                self._select = a["name"]
        elif tag == "option" and self._form is not None and self._select:
            if "selected" in a or not self._form[1].get(self._select):
                self._form[1][self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


def _shape(path: str) -> str:
    return re.sub(r"/\d+|/[0-9A-Za-z_-]{20,}", "/N", path.split("?")[0])


def _crawl(client: Client) -> dict[str, tuple[str, str, dict[str, str], set[str]]]:
    """{form shape: (page, action, fields, unchecked boxes)} of the POST forms reachable from "/"."""
    seen: set[str] = set()
    queue, forms = ["/"], {}
    while queue and len(seen) < PAGES_PER_PERSONA:
        path = queue.pop(0)
        if _shape(path) in seen or path.startswith(SKIP) or "export" in path or "download" in path:
            continue
        seen.add(_shape(path))
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        page = _Page()
        page.feed(response.content.decode())
        queue.extend(page.links)
        for action, fields, boxes in page.forms:
            target = action or path.split("?")[0]
            if target.startswith(SKIP):
                continue
            forms.setdefault(_shape(target), (path, target, fields, boxes))
    return forms


@pytest.mark.parametrize("persona", ["district_admin", "enterprise_admin_x"])
def test_no_form_answers_bad_values_with_a_server_error(world, persona):
    client = Client(raise_request_exception=False)
    client.force_login(world.users[persona])
    forms = _crawl(client)
    assert forms, "no form reached: the crawl itself is broken"
    failures = []
    for _page, action, fields, boxes in forms.values():
        for name in [*(k for k in fields if k != "csrfmiddlewaretoken"), *boxes]:
            for value in BAD_VALUES:
                response = client.post(action, {**fields, name: value})
                if response.status_code >= 500:
                    failures.append((action, name, value[:12], response.status_code))
                    break
    assert not failures, failures


# --- the API: every operation of the OpenAPI document --------------------------------------------------------
API_VALUES: tuple[object, ...] = ("9" * 40, 10**40, 1e308, "1e309", "NaN", "\x00", None, [], {}, True)


def _sample(schema: dict, components: dict, depth: int = 0) -> object:
    """A plausible value of `schema` (so that one bad field at a time gets past the others' validation)."""
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    for key in ("anyOf", "allOf", "oneOf"):
        if schema.get(key):
            return _sample(schema[key][0], components, depth)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {k: _sample(v, components, depth + 1) for k, v in props.items()} if depth < 3 else {}
    if kind == "array":
        return [_sample(schema.get("items", {}), components, depth + 1)] if depth < 3 else []
    fmt = schema.get("format", "")
    return {"integer": 1, "number": 1.5, "boolean": True}.get(kind or "", {"date": "2020-03-02"}.get(fmt, "x"))


def test_no_api_operation_answers_bad_values_with_a_server_error(world):
    from fugong.accounts.tokens import do_issue_token

    client = Client(raise_request_exception=False)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {do_issue_token(None, world.district_admin)}"}
    document = client.get("/api/v1/openapi.json", **auth).json()
    components = document.get("components", {}).get("schemas", {})
    failures, operations = [], 0
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            operations += 1
            url = re.sub(r"\{[^}]+\}", str(world.x.pk), path)
            call = getattr(client, method)
            # Path parameters, then query parameters, then each property of a JSON body.
            for bad in ("9" * 40, "-1", "abc"):
                response = call(re.sub(r"\{[^}]+\}", bad, path), **auth)
                if response.status_code >= 500:
                    failures.append((method, path, "path", bad))
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "query":
                    continue
                for bad in API_VALUES:
                    if isinstance(bad, (str, int, float)):
                        response = call(f"{url}?{parameter['name']}={bad}", **auth)
                        if response.status_code >= 500:
                            failures.append((method, path, parameter["name"], str(bad)[:12]))
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" not in content:
                continue
            body = _sample(content["application/json"]["schema"], components)
            assert isinstance(body, dict)
            for raw in ("", "not json", "[]", "null", '{"a":' * 300):
                response = call(url, data=raw, content_type="application/json", **auth)
                if response.status_code >= 500:
                    failures.append((method, path, "body", raw[:12]))
            for name in body:
                for bad in API_VALUES:
                    response = call(url, data={**body, name: bad}, content_type="application/json", **auth)
                    if response.status_code >= 500:
                        failures.append((method, path, name, str(bad)[:12]))
    assert operations > 20, "the OpenAPI document lists fewer operations than the API has"
    assert not failures, failures
