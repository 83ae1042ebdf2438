"""`load_demo`: the 苏仙区 demo reproduces the article's figures, gives each role the right scope, and can be
run again (nothing changes) or with --reset (business data reloaded, audit history kept).

The demo is loaded once for the module inside a transaction that is rolled back at the end; each test runs
in its own savepoint on top of it, so tests that reload or reset see the loaded demo and leave it intact.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from unittest import mock

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import override_settings

from fugong.accounts.models import User
from fugong.accounts.roles import Role
from fugong.core import figures, scoping
from fugong.core.identifiers import normalise_phone, validate_uscc
from fugong.core.models import AuditLog
from fugong.demo.accounts import DEMO_ACCOUNTS
from fugong.demo.dataset import build_demo
from fugong.demo.enterprises import FENGCHU, GOSPELL, YIZHISHI
from fugong.demo.people import ARTICLE_PEOPLE
from fugong.enterprises.models import Enterprise, KeyProject, SizeThreshold
from fugong.finance.models import Bank, BankMatchmaking
from fugong.liaison.models import Cadre, LeaderPairing, LiaisonAssignment
from fugong.outreach.models import OutreachTeam
from fugong.regions.models import IndustrialPark, Region

AS_OF = dt.date(2020, 3, 2)
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PASSWORD_LINE = re.compile(r"密码（随机生成，仅显示这一次）：(\S+)")


def run_load_demo(*args: str, password: str | None = None) -> str:
    env = {"FUGONG_DEMO_PASSWORD": password or ""}
    out = io.StringIO()
    with mock.patch.dict(os.environ, env):
        call_command("load_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker):
    """Load the demo once for the module; roll it back afterwards."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER):
        with transaction.atomic():
            output = run_load_demo()
            yield output
            transaction.set_rollback(True)


@pytest.fixture
def demo(demo_output, db, settings):
    settings.PASSWORD_HASHERS = FAST_HASHER
    return demo_output


def user(username: str) -> User:
    return User.objects.get(username=username)


def business_counts() -> dict[str, int]:
    labels = [
        "regions.Region",
        "regions.IndustrialPark",
        "accounts.Department",
        "accounts.User",
        "enterprises.Enterprise",
        "enterprises.KeyProject",
        "liaison.Cadre",
        "liaison.LiaisonAssignment",
        "liaison.LeaderPairing",
        "outreach.OutreachTeam",
        "finance.Bank",
        "finance.BankMatchmaking",
        "core.AuditLog",
    ]
    return {label: apps.get_model(label).objects.count() for label in labels}


def raw_rows(sql: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return list(cursor.fetchall())


# --- idempotency, reset, password -------------------------------------------------------------------


def test_running_load_demo_twice_creates_and_changes_nothing(demo):
    counts = business_counts()
    enterprises = raw_rows("SELECT id, contact_phone, updated_at, version FROM enterprises_enterprise ORDER BY id")
    users = raw_rows("SELECT id, password, role, enterprise_id, town_id FROM accounts_user ORDER BY id")

    output = run_load_demo()

    assert business_counts() == counts
    assert (
        raw_rows("SELECT id, contact_phone, updated_at, version FROM enterprises_enterprise ORDER BY id") == enterprises
    )
    assert raw_rows("SELECT id, password, role, enterprise_id, town_id FROM accounts_user ORDER BY id") == users
    assert "未作任何改动" in output
    assert "密码未改变" in output


def test_the_first_load_prints_a_random_password_that_opens_every_demo_account(demo):
    match = PASSWORD_LINE.search(demo)
    assert match, demo
    password = match.group(1)
    assert len(password) >= 12
    for spec in DEMO_ACCOUNTS:
        assert user(spec.username).check_password(password), spec.username


def test_the_output_lists_every_demo_account_with_its_role(demo):
    for spec in DEMO_ACCOUNTS:
        line = next((line for line in demo.splitlines() if line.strip().startswith(spec.username + " ")), None)
        assert line is not None, spec.username
        assert str(Role(spec.role).label) in line


def test_the_output_states_the_articles_figures(demo):
    assert "规模以上工业企业 68 家，已复工 68 家，复工率 100%" in demo
    assert "驻企防疫联络员 109 名 → 企业和项目 179 个" in demo
    assert "防疫宣传小分队 16 支" in demo
    assert "授信 92,000,000.00 元" in demo


def test_fugong_demo_password_is_used_for_every_demo_account(demo):
    run_load_demo(password="Suxian-fugong-2020!")
    for spec in DEMO_ACCOUNTS:
        assert user(spec.username).check_password("Suxian-fugong-2020!"), spec.username
    audit_rows = AuditLog.objects.count()

    output = run_load_demo(password="Suxian-fugong-2020!")  # the same password again: nothing to change

    assert AuditLog.objects.count() == audit_rows
    assert "未作任何改动" in output


@pytest.mark.parametrize("weak", ["short-pw1", "123456789012345", "password12345", "demo-district1"])
def test_a_weak_fugong_demo_password_is_refused_and_nothing_is_written(demo, weak):
    before = business_counts()
    old_hash = user("demo-district").password

    with pytest.raises(CommandError, match="FUGONG_DEMO_PASSWORD"):
        run_load_demo("--reset", password=weak)

    assert business_counts() == before
    assert user("demo-district").password == old_hash


def test_reset_reloads_the_business_data_and_keeps_the_audit_history(demo):
    audit_ids = set(AuditLog.objects.values_list("id", flat=True))
    old_enterprise_ids = set(Enterprise.objects.values_list("id", flat=True))
    counts = business_counts()
    thresholds = SizeThreshold.objects.count()
    gospell_id = Enterprise.objects.get(name=GOSPELL).pk

    output = run_load_demo("--reset")

    assert audit_ids <= set(AuditLog.objects.values_list("id", flat=True))
    assert AuditLog.objects.filter(action="demo.reset").count() == 1
    assert AuditLog.objects.filter(action="demo.load").count() == 2
    assert not old_enterprise_ids & set(Enterprise.objects.values_list("id", flat=True))
    after = business_counts()
    assert {k: v for k, v in after.items() if k != "core.AuditLog"} == {
        k: v for k, v in counts.items() if k != "core.AuditLog"
    }
    assert SizeThreshold.objects.count() == thresholds > 0
    new_gospell = Enterprise.objects.get(name=GOSPELL)
    assert new_gospell.pk != gospell_id
    assert user("demo-enterprise").enterprise_id == new_gospell.pk
    new_password = PASSWORD_LINE.search(output).group(1)
    assert user("demo-district").check_password(new_password)


def test_reset_removes_business_records_that_are_not_part_of_the_demo(demo):
    stray = Enterprise.objects.create(
        uscc="91350100M000100Y43",
        name="郴州市测试外来企业有限公司",
        town_id="431003001",
        industry_section="F",
        ownership="private",
        size_class="micro",
        category="trade",
    )
    run_load_demo("--reset")
    assert not Enterprise.objects.filter(pk=stray.pk).exists()
    assert Enterprise.objects.count() == 560


def test_the_demo_description_is_the_same_on_every_build():
    first, second = build_demo(), build_demo()
    assert first.catalogue.enterprises == second.catalogue.enterprises
    assert first.organisation.cadres == second.organisation.cadres
    assert first.full_names == second.full_names


# --- the article's figures ---------------------------------------------------------------------------


def test_the_figures_show_68_above_scale_enterprises_all_resumed_on_2_march_2020(demo):
    figs = figures.compute(scoping.DISTRICT_WIDE, AS_OF)
    assert figs["above_scale_industrial_total"] == 68
    assert figs["above_scale_industrial_resumed"] == 68
    assert figs["above_scale_industrial_resumption_rate"] == 1.0
    assert figs["enterprises_total"] == 560


def test_above_scale_enterprises_resumed_between_3_and_28_february(demo):
    asi = Enterprise.objects.filter(category="above_scale_industrial")
    assert asi.count() == 68
    assert set(asi.values_list("industry_section", flat=True)) <= {"B", "C", "D"}
    assert not asi.filter(annual_revenue_wan__lt=2000).exists()
    dates = set(asi.values_list("resumed_on", flat=True))
    assert min(dates) >= dt.date(2020, 2, 3)
    assert max(dates) <= dt.date(2020, 2, 28)
    assert set(asi.values_list("status", flat=True)) == {"resumed"}


def test_other_enterprises_resumed_only_in_part_and_during_february(demo):
    others = Enterprise.objects.exclude(category="above_scale_industrial")
    assert 400 <= others.count() <= 600
    resumed = others.filter(status__in=["resumed", "partial"])
    assert 0.5 < resumed.count() / others.count() < 0.9
    assert others.filter(status="not_resumed", resumed_on__isnull=True).exists()
    dates = set(resumed.values_list("resumed_on", flat=True))
    assert None not in dates
    assert {d.month for d in dates} == {2}
    assert {"other_industrial", "construction", "trade", "hospitality", "services"} <= set(
        others.values_list("category", flat=True)
    )


def test_the_three_enterprises_of_the_article_are_as_described(demo):
    gospell = Enterprise.objects.get(name=GOSPELL)
    assert (gospell.industry_division, gospell.size_class, gospell.town.name) == ("39", "large", "栖凤渡镇")
    assert 1100 <= gospell.employees <= 1300
    fengchu = Enterprise.objects.get(name=FENGCHU)
    assert (fengchu.industry_division, fengchu.size_class, fengchu.town.name) == ("14", "medium", "栖凤渡镇")
    assert "岗脚村" in fengchu.address
    assert fengchu.is_non_public
    yizhishi = Enterprise.objects.get(name=YIZHISHI)
    assert (yizhishi.industry_section, yizhishi.industry_division) == ("C", "35")


def test_every_uscc_is_valid_and_belongs_to_the_district(demo):
    codes = list(Enterprise.objects.values_list("uscc", flat=True))
    assert len(codes) == len(set(codes)) == 560
    for code in codes:
        result = validate_uscc(code)
        assert result.code == code
        assert result.warnings == ()
        assert code[2:8] == "431003"


def test_contact_phones_are_synthetic_mobiles_stored_encrypted(demo):
    phones = list(Enterprise.objects.values_list("contact_phone", flat=True))
    assert all(normalise_phone(p) == p for p in phones)
    stored = [row[0] for row in raw_rows("SELECT contact_phone FROM enterprises_enterprise")]
    assert all(value.startswith("a1:") for value in stored)
    assert not set(stored) & set(phones)


def test_no_person_named_in_the_article_appears_in_the_demo(demo):
    names = set(Enterprise.objects.values_list("contact_name", flat=True))
    names |= set(Enterprise.objects.values_list("legal_representative", flat=True))
    names |= set(Cadre.objects.values_list("name", flat=True))
    names |= set(User.objects.values_list("full_name", flat=True))
    assert not names & ARTICLE_PEOPLE
    assert "" not in names


def test_eleven_key_guarantee_enterprises_and_three_banks_granting_92_million_to_five(demo):
    assert Enterprise.objects.filter(is_key_guarantee=True).count() == 11
    matches = BankMatchmaking.objects.all()
    assert matches.values("bank").distinct().count() == Bank.objects.count() == 3
    assert matches.values("enterprise").distinct().count() == 5
    assert sum(m.credit_granted_yuan for m in matches) == Decimal("92000000")
    assert not matches.filter(enterprise__is_key_guarantee=False).exists()


def test_rent_relief_for_the_ten_smes_in_state_premises_is_2638000_yuan(demo):
    tenants = Enterprise.objects.filter(rents_state_premises=True)
    assert tenants.count() == 10
    assert set(tenants.values_list("industrial_park__name", flat=True)) == {"苏仙工业集中区"}
    assert IndustrialPark.objects.get(name="苏仙工业集中区").state_premises_relief
    assert not tenants.filter(size_class="large").exists()
    rents = list(tenants.values_list("monthly_rent_yuan", flat=True))
    for rounding in (ROUND_HALF_UP, ROUND_HALF_EVEN):
        relief = sum((r * Decimal("4.5")).quantize(Decimal("0.01"), rounding) for r in rents)
        assert relief == Decimal("2638000.00")
    assert sum(rents) * Decimal("4.5") == Decimal("2637999.99")


def test_fifteen_key_projects_with_investment_across_towns(demo):
    projects = KeyProject.objects.all()
    assert projects.count() == 15
    assert not projects.filter(total_investment_yuan__isnull=True).exists()
    assert projects.values("town").distinct().count() >= 10
    assert set(projects.values_list("town__parent_id", flat=True)) == {"431003"}


# --- liaison, pairing, outreach ---------------------------------------------------------------------


def test_109_liaison_cadres_cover_179_enterprises_and_projects_from_3_february(demo):
    rows = LiaisonAssignment.objects.all()
    assert Cadre.objects.count() == 109
    assert rows.values("cadre").distinct().count() == 109
    targets = {(e, p) for e, p in rows.values_list("enterprise_id", "project_id")}
    assert len(targets) == 179
    assert set(rows.values_list("start", flat=True)) == {dt.date(2020, 2, 3)}
    asi = set(Enterprise.objects.filter(category="above_scale_industrial").values_list("id", flat=True))
    assert asi <= {e for e, _p in targets}


def test_every_above_scale_enterprise_and_key_project_has_a_district_leader(demo):
    paired = LeaderPairing.objects.filter(leader__role=Role.DISTRICT_LEADER)
    enterprises = set(paired.values_list("enterprise_id", flat=True))
    projects = set(paired.values_list("project_id", flat=True))
    asi = Enterprise.objects.filter(category="above_scale_industrial")
    assert not asi.exclude(id__in=enterprises).exists()
    assert not KeyProject.objects.exclude(id__in=projects).exists()
    assert User.objects.filter(role=Role.DISTRICT_LEADER).count() >= 3


def test_sixteen_outreach_teams_one_district_team_and_one_per_town_or_street(demo):
    teams = OutreachTeam.objects.all()
    assert teams.count() == 16
    assert teams.filter(level="district").count() == 1
    towns = set(Region.objects.filter(parent_id="431003", level="town").values_list("code", flat=True))
    assert set(teams.filter(level="town").values_list("town_id", flat=True)) == towns
    assert user("demo-team").outreach_teams.get().level == "district"


def test_the_district_has_fifteen_towns_and_streets_with_villages_and_origins_elsewhere(demo):
    towns = Region.objects.filter(parent_id="431003", level="town")
    assert towns.count() == 15
    assert towns.filter(kind="street").count() == 4
    for town in towns:
        assert len(town.code) == 9
        villages = Region.objects.filter(parent=town, level="village")
        assert 2 <= villages.count() <= 4, town.name
        assert all(len(v.code) == 12 and v.code.startswith(town.code) for v in villages)
    assert Region.objects.filter(parent__name="栖凤渡镇", name="岗脚村").exists()
    origins = Region.objects.filter(level="district").exclude(code="431003")
    assert 15 <= origins.count() <= 25
    assert origins.filter(code="420106", name="武昌区").exists()
    assert all(len(r.code) == 6 for r in origins)


# --- each account sees its scope --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "role", "scope_field", "scope_name"),
    [
        ("demo-district", Role.DISTRICT_ADMIN, None, None),
        ("demo-leader", Role.DISTRICT_LEADER, None, None),
        ("demo-hrss", Role.DEPARTMENT, "department", "区人力资源和社会保障局"),
        ("demo-market", Role.DEPARTMENT, "department", "区市场监督管理局"),
        ("demo-town", Role.TOWN, "town", "栖凤渡镇"),
        ("demo-liaison", Role.LIAISON, None, None),
        ("demo-team", Role.OUTREACH, None, None),
        ("demo-enterprise", Role.ENTERPRISE, "enterprise", GOSPELL),
        ("demo-enterprise2", Role.ENTERPRISE, "enterprise", FENGCHU),
        ("demo-bank", Role.BANK, "bank", "中国工商银行郴州苏仙支行"),
        ("demo-auditor", Role.AUDITOR, None, None),
    ],
)
def test_each_demo_account_has_its_role_and_only_its_scope_field(demo, username, role, scope_field, scope_name):
    account = user(username)
    assert account.role == role
    assert account.is_active
    assert account.is_staff == (username in {"demo-district", "demo-auditor"})
    for field in ("department", "town", "enterprise", "bank"):
        value = getattr(account, field)
        if field == scope_field:
            assert value is not None and value.name == scope_name
        else:
            assert value is None, field


def test_demo_town_sees_only_the_enterprises_of_qifengdu_and_a_realistic_number(demo):
    seen = scoping.enterprises_for(user("demo-town"))
    assert set(seen.values_list("town__name", flat=True)) == {"栖凤渡镇"}
    assert seen.count() == Enterprise.objects.filter(town__name="栖凤渡镇").count()
    assert 20 <= seen.count() <= 80
    assert {GOSPELL, FENGCHU} <= set(seen.values_list("name", flat=True))


def test_demo_liaison_sees_gospell_and_one_or_two_other_targets(demo):
    liaison = user("demo-liaison")
    seen = set(scoping.enterprises_for(liaison).values_list("name", flat=True))
    assert GOSPELL in seen
    assert 2 <= len(seen) + scoping.projects_for(liaison).count() <= 3
    assert liaison.cadre.name == liaison.full_name


def test_demo_enterprise_accounts_see_exactly_their_own_enterprise(demo):
    assert list(scoping.enterprises_for(user("demo-enterprise")).values_list("name", flat=True)) == [GOSPELL]
    assert list(scoping.enterprises_for(user("demo-enterprise2")).values_list("name", flat=True)) == [FENGCHU]


def test_demo_team_sees_the_68_above_scale_enterprises(demo):
    seen = scoping.enterprises_for(user("demo-team"))
    assert seen.count() == 68
    assert set(seen.values_list("category", flat=True)) == {"above_scale_industrial"}


def test_demo_leader_sees_the_enterprises_paired_to_them_including_gospell(demo):
    leader = user("demo-leader")
    seen = set(scoping.enterprises_for(leader).values_list("id", flat=True))
    assert Enterprise.objects.get(name=GOSPELL).pk in seen
    assert seen == set(LeaderPairing.objects.filter(leader=leader).values_list("enterprise_id", flat=True)) - {None}
    assert len(seen) < 560


def test_demo_bank_sees_only_the_enterprises_matched_with_its_bank(demo):
    bank_user = user("demo-bank")
    seen = set(scoping.enterprises_for(bank_user).values_list("id", flat=True))
    assert seen == set(BankMatchmaking.objects.filter(bank=bank_user.bank).values_list("enterprise_id", flat=True))
    assert len(seen) == 2


def test_department_and_district_accounts_see_the_whole_district_and_the_auditor_none(demo):
    assert scoping.enterprises_for(user("demo-district")).count() == 560
    assert scoping.enterprises_for(user("demo-hrss")).count() == 560
    assert scoping.enterprises_for(user("demo-auditor")).count() == 0
