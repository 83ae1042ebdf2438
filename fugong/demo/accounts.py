"""The demo's departments and its accounts: one per role (interfaces.md, "Demo accounts"), and the password.

The password is $FUGONG_DEMO_PASSWORD when set — checked against the site's password validators and at least
12 characters — or else a random one that the command prints once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from fugong.accounts.roles import Role

from .organisation import DEMO_BANK, DISTRICT_TEAM
from .regions import QIFENGDU

PASSWORD_ENV = "FUGONG_DEMO_PASSWORD"  # noqa: S105 — the variable's name, not a password
MIN_PASSWORD_LENGTH = 12

# (code, name): 人社、市场监管、工信、发改、金融办、商务、卫健.
DEPARTMENTS = (
    ("hrss", "区人力资源和社会保障局"),
    ("market", "区市场监督管理局"),
    ("miit", "区工业和信息化局"),
    ("ndrc", "区发展和改革局"),
    ("finance", "区金融工作办公室"),
    ("commerce", "区商务局"),
    ("health", "区卫生健康局"),
)


@dataclass(frozen=True)
class AccountSpec:
    username: str
    role: str
    unit: str
    is_staff: bool = False
    department: str = ""  # department code
    town: str = ""  # region code
    enterprise: str = ""  # enterprise tag in the catalogue
    bank: str = ""  # bank name
    team: str = ""  # outreach team name


DEMO_ACCOUNTS = (
    AccountSpec("demo-district", Role.DISTRICT_ADMIN, "苏仙区复工复产指挥部办公室", is_staff=True),
    AccountSpec("demo-leader", Role.DISTRICT_LEADER, "苏仙区人民政府"),
    AccountSpec("demo-hrss", Role.DEPARTMENT, "区人力资源和社会保障局", department="hrss"),
    AccountSpec("demo-market", Role.DEPARTMENT, "区市场监督管理局", department="market"),
    AccountSpec("demo-town", Role.TOWN, "栖凤渡镇人民政府", town=QIFENGDU),
    AccountSpec("demo-liaison", Role.LIAISON, "区工业和信息化局"),
    AccountSpec("demo-team", Role.OUTREACH, "区委宣传部", team=DISTRICT_TEAM),
    AccountSpec("demo-enterprise", Role.ENTERPRISE, "郴州市高斯贝尔数码科技股份有限公司", enterprise="gospell"),
    AccountSpec("demo-enterprise2", Role.ENTERPRISE, "郴州凤楚食品科技有限公司", enterprise="fengchu"),
    AccountSpec("demo-bank", Role.BANK, DEMO_BANK, bank=DEMO_BANK),
    AccountSpec("demo-auditor", Role.AUDITOR, "苏仙区审计局", is_staff=True),
)
DEMO_USERNAMES = tuple(a.username for a in DEMO_ACCOUNTS)


class DemoPasswordError(Exception):
    def __init__(self, messages: list[str]) -> None:
        super().__init__(" ".join(messages))
        self.messages = messages


def check_password_strength(password: str) -> None:
    """Raise DemoPasswordError with every reason the password is refused (nothing is written before this)."""
    from fugong.accounts.models import User

    messages: list[str] = []
    too_short = False
    # Checked against one of the accounts it will protect, so a password resembling a username is refused.
    try:
        validate_password(password, User(username=DEMO_USERNAMES[0], full_name=""))
    except ValidationError as exc:
        for error in exc.error_list:
            too_short = too_short or error.code == "password_too_short"
            messages.extend(str(m) for m in error.messages)
    # 12 characters at least, even where the site's validators ask for fewer.
    if len(password) < MIN_PASSWORD_LENGTH and not too_short:
        messages.insert(0, _("演示账号密码至少需要%(n)d个字符。") % {"n": MIN_PASSWORD_LENGTH})
    if messages:
        raise DemoPasswordError(messages)


# No 0/O or 1/l/I: the password is read off a terminal and typed into a browser.
_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def random_password(length: int = 16) -> str:
    while True:
        candidate = "".join(secrets.choice(_ALPHABET) for _ in range(length))
        if any(c.isdigit() for c in candidate) and any(c.isupper() for c in candidate):
            try:
                check_password_strength(candidate)
            except DemoPasswordError:
                continue
            return candidate
