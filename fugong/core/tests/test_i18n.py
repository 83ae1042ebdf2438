"""The English interface: the language switch in the top bar, and a catalogue that covers the Chinese msgids.

The msgids are Chinese (the users' language, LANGUAGE_CODE zh-hans); locale/en is the translation. These tests
go through the real set_language view and the real compiled catalogue, so a missing .mo, a broken plural header
or an untranslated navigation label shows up here.
"""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
SETLANG = "/i18n/setlang/"


def _switch(client, language: str, next_url: str = "/") -> None:
    response = client.post(SETLANG, {"language": language, "next": next_url})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == language


def _side_nav(html: str) -> str:
    """Just the side navigation, so a label found there is not a stray word elsewhere on the page."""
    match = re.search(r'<nav class="nav flex-column.*?</nav>', html, re.S)
    assert match, "the page has no side navigation"
    return match[0]


def _unquote(text: str) -> str:
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m[1], m[0]), text.strip()[1:-1])


def _catalogue(path: Path) -> list[tuple[str, list[str], set[str]]]:
    """(msgid, msgstrs, flags) per entry, header skipped. A tiny parser on purpose: the file changes under us
    as engineers add strings, and the test must not depend on a .po library."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        fields: dict[str, str] = {}
        flags: set[str] = set()
        current = None
        for line in block.splitlines():
            if line.startswith("#~"):
                continue  # obsolete entries do not count
            if line.startswith("#,"):
                flags |= {f.strip() for f in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif line.startswith('"') and current:
                fields[current] += _unquote(line)
            elif line.strip():
                current, _sep, value = line.partition(" ")
                fields[current] = _unquote(value)
        msgid = fields.get("msgid")
        if not msgid:  # the header (msgid "") or a comment-only block
            continue
        msgstrs = [v for k, v in fields.items() if k.startswith("msgstr")]
        if "msgctxt" in fields:  # keyed as gettext keys it in the compiled catalogue
            msgid = f"{fields['msgctxt']}\x04{msgid}"
        entries.append((msgid, msgstrs, flags))
    return entries


# --- switching language ------------------------------------------------------------------------------------


def test_switching_to_english_shows_the_side_navigation_in_english(client_for):
    client = client_for("district_admin")
    _switch(client, "en")

    response = client.get("/")
    assert response.status_code == 200
    nav = _side_nav(response.content.decode())
    for label in ("Home", "Enterprise registry", "Enterprises", "Key projects", "Employee roster", "Audit log"):
        assert label in nav, label
    for chinese in ("首页", "企业列表", "重点项目", "操作日志"):
        assert chinese not in nav, chinese
    assert '<html lang="en">' in response.content.decode()


def test_the_enterprise_list_has_its_english_title_after_switching(client_for):
    client = client_for("district_admin")
    _switch(client, "en", "/enterprises/")

    html = client.get(reverse("enterprises:list")).content.decode()
    assert re.search(r"<title>\s*Enterprises\s*·\s*Work Resumption Service Platform</title>", html)
    assert re.search(r'<h1 class="h4 mb-0">Enterprise registry', html)
    assert "企业台账" not in html


def test_the_enterprise_count_uses_english_plural_forms(client_for, world):
    client = client_for("district_admin")
    _switch(client, "en")

    html = client.get(reverse("enterprises:list")).content.decode()
    total = re.search(r'data-testid="total">(.*?)</small>', html, re.S)
    assert total, "the list shows no total"
    # The persona world holds more than one enterprise, so the plural form must be used.
    assert re.fullmatch(r"\d+ enterprises", total[1].strip()), total[1]


def test_switching_back_to_chinese_shows_chinese_again(client_for):
    client = client_for("district_admin")
    _switch(client, "en")
    assert "Enterprises" in _side_nav(client.get("/").content.decode())

    _switch(client, "zh-hans")
    html = client.get("/").content.decode()
    nav = _side_nav(html)
    assert "企业列表" in nav and "首页" in nav
    assert "Enterprises" not in nav
    assert '<html lang="zh-hans">' in html
    list_html = client.get(reverse("enterprises:list")).content.decode()
    assert "<title>企业列表" in list_html


def test_without_a_choice_the_interface_is_chinese(client_for):
    html = client_for("district_admin").get("/").content.decode()
    assert "企业列表" in _side_nav(html)
    assert "Enterprises" not in _side_nav(html)


def test_a_browser_that_prefers_chinese_gets_chinese_even_though_it_also_accepts_english(client_for):
    # Chinese browsers send zh-CN; it must map to zh-hans, not fall through to the English catalogue.
    client = client_for("district_admin")
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9,en;q=0.8").content.decode()
    assert "企业列表" in _side_nav(html)
    assert "Enterprises" not in _side_nav(html)


def test_the_language_switch_overrides_the_browser_preference(client_for):
    client = client_for("district_admin")
    _switch(client, "en")
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    assert "Enterprises" in _side_nav(html)


def test_the_top_bar_offers_the_other_language(client_for):
    client = client_for("district_admin")
    html = client.get("/").content.decode()
    assert 'data-testid="lang-en"' in html and 'data-testid="lang-zh"' not in html

    _switch(client, "en")
    html = client.get("/").content.decode()
    assert 'data-testid="lang-zh"' in html and 'data-testid="lang-en"' not in html


def test_an_anonymous_visitor_with_the_english_cookie_gets_the_english_login_page(client_for):
    client = client_for(None)
    _switch(client, "en", reverse("accounts:login"))

    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sign in to the Work Resumption Service Platform" in html
    assert "Username" in html and "Password" in html
    assert "登录复工复产服务平台" not in html
    assert "用户名" not in html


def test_a_wrong_password_message_is_english_for_an_english_visitor(client_for, world):
    client = client_for(None)
    _switch(client, "en", reverse("accounts:login"))

    response = client.post(reverse("accounts:login"), {"username": "district_admin", "password": "wrong"})
    html = response.content.decode()
    assert "Incorrect username or password" in html
    assert "用户名或密码不正确" not in html


def test_an_unknown_language_is_refused_and_the_interface_stays_chinese(client_for):
    client = client_for("district_admin")
    response = client.post(SETLANG, {"language": "xx", "next": "/"})
    assert response.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert "企业列表" in _side_nav(client.get("/").content.decode())


# --- the catalogue -----------------------------------------------------------------------------------------


def test_the_compiled_english_catalogue_exists_and_holds_every_translation_of_the_po():
    po, mo = LOCALE_DIR / "django.po", LOCALE_DIR / "django.mo"
    assert po.is_file() and mo.is_file()
    with mo.open("rb") as f:
        compiled = gettext.GNUTranslations(f)._catalog  # raises on a file that is not a .mo
    compiled_ids = {k[0] if isinstance(k, tuple) else k for k in compiled}
    translated = [e[0] for e in _catalogue(po) if e[1] and all(e[1]) and "fuzzy" not in e[2]]
    stale = [m for m in translated if m not in compiled_ids]
    # A .po translated after the last compilemessages would pass the other tests and still show Chinese.
    assert not stale, f"{len(stale)} translations are not compiled yet (run compilemessages); e.g. {stale[:5]}"


def test_at_least_95_percent_of_the_msgids_are_translated():
    entries = _catalogue(LOCALE_DIR / "django.po")
    assert len(entries) > 500, "the catalogue looks truncated"
    done = [e for e in entries if e[1] and all(s.strip() for s in e[1]) and "fuzzy" not in e[2]]
    missing = [e[0] for e in entries if e not in done]
    assert len(done) / len(entries) >= 0.95, f"{len(done)}/{len(entries)} translated; e.g. {missing[:10]}"


def test_plural_entries_have_both_english_forms():
    entries = _catalogue(LOCALE_DIR / "django.po")
    text = (LOCALE_DIR / "django.po").read_text(encoding="utf-8")
    assert '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"' in text
    assert '"Language: en\\n"' in text
    plural = [e for e in entries if len(e[1]) > 1]
    assert plural, "no plural entries found"
    for msgid, forms, _flags in plural:
        assert len(forms) == 2, msgid


def test_translations_keep_the_named_placeholders_of_their_msgids():
    named = re.compile(r"%\((\w+)\)|\{(\w+)\}")
    for msgid, forms, flags in _catalogue(LOCALE_DIR / "django.po"):
        if "fuzzy" in flags or not all(forms):
            continue
        wanted = {m[0] or m[1] for m in named.findall(msgid)}
        if len(forms) > 1:
            # An English singular may drop the count; the plural form must keep every name.
            assert {m[0] or m[1] for m in named.findall(forms[-1])} == wanted, msgid
        else:
            assert {m[0] or m[1] for m in named.findall(forms[0])} == wanted, msgid


@pytest.mark.parametrize("msgid", ["企业列表", "规上工业", "驻企联络员", "员工档案卡", "统一社会信用代码"])
def test_core_terms_are_translated_as_the_glossary_says(msgid):
    glossary = {
        "企业列表": "Enterprises",
        "规上工业": "Above-scale industry",
        "驻企联络员": "Liaison cadre",
        "员工档案卡": "Employee archive card",
        "统一社会信用代码": "Unified social credit code",
    }
    translations = {e[0]: e[1][0] for e in _catalogue(LOCALE_DIR / "django.po") if e[1]}
    assert translations[msgid] == glossary[msgid]


def test_translation_functions_are_imported_under_names_makemessages_extracts():
    """makemessages (xgettext) finds _(…), gettext_lazy(…), gettext_noop(…), pgettext(…) and the like by name:
    a text marked with an alias (`gettext_lazy as _lazy`) is never extracted, so it stays Chinese in English
    (the registry import's template headers and help texts did)."""
    import ast

    root = Path(settings.BASE_DIR)
    offenders = []
    for path in [*(root / "fugong").rglob("*.py"), *(root / "config").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
                offenders += [f"{path.relative_to(root)}: {a.name} as {a.asname}" for a in node.names
                              if a.asname not in (None, "_") and "gettext" in a.name]  # fmt: skip
    assert offenders == []


@pytest.mark.parametrize(
    "template", ["enterprises:import_template", "workforce:import_template", "screening:risk_template",
                 "screening:gate_template"],
)  # fmt: skip
def test_an_import_template_downloaded_from_the_english_pages_has_english_headers(client_for, template):
    import io

    import openpyxl

    client = client_for("district_admin")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse(template))
    data = b"".join(response.streaming_content) if response.streaming else response.content
    headers = next(openpyxl.load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True))
    assert [h for h in headers if h and re.search(r"[\u4e00-\u9fff]", str(h))] == []
