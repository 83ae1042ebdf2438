"""Test support shared by every app: a small named world (personas), factories and query budgets.

The world: district 苏仙区 (431003) with town A 栖凤渡镇 and town B 白露塘镇; enterprise X (规上工业, town A)
and Y (service, town B); key project P in town A. One user per role, named by what they see:

    district_admin, leader_of_x, hrss_officer (department), town_a_officer, liaison_of_x,
    district_team_member (outreach, district team → 规上工业 = X), town_b_team_member (town B team → Y),
    enterprise_admin_x, enterprise_admin_y, bank_officer (matched with X), auditor, no_role_user
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import factory
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fugong.accounts.models import Department, User
from fugong.accounts.roles import Role
from fugong.core.identifiers import make_uscc
from fugong.enterprises.models import Enterprise, KeyProject, Ownership
from fugong.enterprises.services import Classifier
from fugong.finance.models import Bank, BankMatchmaking
from fugong.liaison.models import Cadre, LeaderPairing, LiaisonAssignment
from fugong.outreach.models import OutreachTeam
from fugong.regions.models import IndustrialPark, Region

TEST_PASSWORD = "correct-horse-battery-9"  # noqa: S105 — test-only


# Parametrised so `Factory.create(...)` is typed as the model (calling the class itself is untyped in factory_boy).
class RegionFactory(factory.django.DjangoModelFactory[Region]):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"431003{n + 100:03d}")
    name = factory.Sequence(lambda n: f"测试镇{n}")
    level = Region.Level.TOWN
    kind = Region.Kind.TOWN


_org_seq = iter(range(10_000_000, 99_999_999))


def next_uscc() -> str:
    return make_uscc("431003", f"{next(_org_seq):08d}")


class EnterpriseFactory(factory.django.DjangoModelFactory[Enterprise]):
    class Meta:
        model = Enterprise

    uscc = factory.LazyFunction(next_uscc)
    name = factory.Sequence(lambda n: f"郴州市测试企业{n}有限公司")
    town = factory.SubFactory(RegionFactory)
    industry_section = "C"
    industry_division = "39"
    employees = 120
    annual_revenue_wan = Decimal("5000")
    ownership = Ownership.PRIVATE
    contact_name = "测试联系人"
    contact_phone = "13800001234"

    @classmethod
    def _create(cls, model_class: type[Enterprise], *args: Any, **kwargs: Any) -> Enterprise:
        # No Meta.inline_args, so factory_boy only ever passes field values by keyword.
        if args:
            raise TypeError("EnterpriseFactory takes field values by keyword only")
        obj = model_class(**kwargs)
        Classifier().apply(obj)
        obj.save()
        return obj


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"测试用户{n}")
    password = factory.django.Password(TEST_PASSWORD)


@dataclass
class World:
    district: Region
    town_a: Region
    town_b: Region
    park: IndustrialPark
    x: Enterprise
    y: Enterprise
    project: KeyProject
    bank: Bank
    users: dict[str, User] = field(default_factory=dict)

    def __getattr__(self, name: str) -> User:
        try:
            return self.__dict__["users"][name]
        except KeyError:
            raise AttributeError(name) from None


PERSONAS = (
    "district_admin",
    "leader_of_x",
    "hrss_officer",
    "town_a_officer",
    "liaison_of_x",
    "district_team_member",
    "town_b_team_member",
    "enterprise_admin_x",
    "enterprise_admin_y",
    "bank_officer",
    "auditor",
    "no_role_user",
)


def build_world() -> World:
    province, _ = Region.objects.get_or_create(code="430000", defaults={"name": "湖南省", "level": "province"})
    city, _ = Region.objects.get_or_create(
        code="431000", defaults={"name": "郴州市", "level": "city", "parent": province}
    )
    district, _ = Region.objects.get_or_create(
        code="431003", defaults={"name": "苏仙区", "level": "district", "parent": city}
    )
    town_a = RegionFactory.create(code="431003104", name="栖凤渡镇", parent=district)
    town_b = RegionFactory.create(code="431003100", name="白露塘镇", parent=district)
    park, _ = IndustrialPark.objects.get_or_create(
        name="苏仙工业集中区", defaults={"district": district, "state_premises_relief": True}
    )
    x = EnterpriseFactory.create(
        name="郴州市测试数码科技股份有限公司",
        town=town_a,
        annual_revenue_wan=Decimal("30000"),
        employees=700,
        industrial_park=park,
    )
    y = EnterpriseFactory.create(
        name="郴州测试餐饮服务有限公司",
        town=town_b,
        industry_section="H",
        industry_division="62",
        employees=30,
        annual_revenue_wan=Decimal("400"),
    )
    project = KeyProject.objects.create(code="XM-TEST-1", name="测试物流园项目", town=town_a, owner=x)
    bank = Bank.objects.create(name="测试银行苏仙支行")
    hrss = Department.objects.create(code="hrss", name="区人社局")
    today = dt.date(2020, 1, 1)

    def user(name: str, role: str, **extra: Any) -> User:
        return UserFactory.create(username=name, role=role, **extra)

    users = {
        "district_admin": user("district_admin", Role.DISTRICT_ADMIN, is_staff=True),
        "leader_of_x": user("leader_of_x", Role.DISTRICT_LEADER),
        "hrss_officer": user("hrss_officer", Role.DEPARTMENT, department=hrss),
        "town_a_officer": user("town_a_officer", Role.TOWN, town=town_a),
        "liaison_of_x": user("liaison_of_x", Role.LIAISON),
        "district_team_member": user("district_team_member", Role.OUTREACH),
        "town_b_team_member": user("town_b_team_member", Role.OUTREACH),
        "enterprise_admin_x": user("enterprise_admin_x", Role.ENTERPRISE, enterprise=x),
        "enterprise_admin_y": user("enterprise_admin_y", Role.ENTERPRISE, enterprise=y),
        "bank_officer": user("bank_officer", Role.BANK, bank=bank),
        "auditor": user("auditor", Role.AUDITOR, is_staff=True),
        "no_role_user": user("no_role_user", ""),
    }
    LeaderPairing.objects.create(leader=users["leader_of_x"], enterprise=x, start=today)
    cadre = Cadre.objects.create(user=users["liaison_of_x"], name="测试联络员", home_town=town_a)
    LiaisonAssignment.objects.create(cadre=cadre, enterprise=x, start=today)
    LiaisonAssignment.objects.create(cadre=cadre, project=project, start=today)
    district_team = OutreachTeam.objects.create(name="区防疫宣传小分队", level="district")
    district_team.members.add(users["district_team_member"])
    town_team = OutreachTeam.objects.create(name="白露塘镇防疫宣传小分队", level="town", town=town_b)
    town_team.members.add(users["town_b_team_member"])
    BankMatchmaking.objects.create(bank=bank, enterprise=x, since=today)
    return World(district, town_a, town_b, park, x, y, project, bank, users)


@contextmanager
def assert_max_queries(limit: int) -> Iterator[CaptureQueriesContext]:
    """Fail if the block runs more than `limit` queries (N+1 is a bug). Prints them when it fails."""
    with CaptureQueriesContext(connection) as ctx:
        yield ctx
    executed = len(ctx.captured_queries)
    assert executed <= limit, f"{executed} queries > budget {limit}:\n" + "\n".join(
        q["sql"][:200] for q in ctx.captured_queries
    )
