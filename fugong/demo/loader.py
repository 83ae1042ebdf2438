"""Writes the demo description (dataset.py) into the database.

Idempotent: every row is looked up by its natural key (region code, USCC, project code, username, cadre
name, team name…) and only what is missing is created, so a second run writes nothing — not even a fresh
ciphertext for an unchanged phone number. Existing rows are left as they are (an edit made in the app
survives a re-run), except the demo accounts, whose role and scope are put back so each still shows its role.

Everything happens in one transaction; the registry is bulk-created with the Classifier applied (services'
own rule for the computed fields), and one audit row `demo.load` records what the run created and changed.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction

from fugong.accounts.models import Department, User
from fugong.accounts.roles import Role
from fugong.core import audit
from fugong.enterprises.models import Enterprise, KeyProject
from fugong.enterprises.services import Classifier
from fugong.finance.models import Bank, BankMatchmaking
from fugong.liaison.models import Cadre, LeaderPairing, LiaisonAssignment
from fugong.outreach.models import OutreachTeam
from fugong.regions.models import IndustrialPark, Region

from .accounts import DEMO_ACCOUNTS, DEPARTMENTS, check_password_strength, random_password
from .dataset import DemoData, build_demo
from .organisation import ASSIGNED_FROM, BANKS, Target
from .regions import DISTRICT, PARKS
from .reset import WipeResult, wipe
from .workforce import write_workforce


class PasswordSource(StrEnum):
    ENV = "env"  # $FUGONG_DEMO_PASSWORD
    GENERATED = "generated"  # a new random password, set on `password_set_on`
    UNCHANGED = "unchanged"  # every demo account existed and kept its password


@dataclass
class LoadResult:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    wiped: WipeResult | None = None
    password_source: PasswordSource = PasswordSource.UNCHANGED
    password: str = ""
    password_set_on: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(+self.created or +self.updated or self.wiped)


def load(*, reset: bool = False, password: str | None = None) -> LoadResult:
    """Load the demo; `password` is $FUGONG_DEMO_PASSWORD (validated before anything is written)."""
    if password is not None:
        check_password_strength(password)
    started = time.monotonic()
    data = build_demo()
    result = LoadResult()
    with transaction.atomic():
        if reset:
            result.wiped = wipe()
            audit.record(
                None,
                "demo.reset",
                object_type="demo",
                object_repr=DISTRICT[1],
                changes={"deleted": result.wiped.deleted, "detached_accounts": result.wiped.detached_accounts},
                note="load_demo --reset",
            )
        _Writer(data, result).run(reset=reset, password=password)
        if +result.created or +result.updated:
            audit.record(
                None,
                "demo.load",
                object_type="demo",
                object_repr=DISTRICT[1],
                changes={"created": dict(sorted(result.created.items())), "updated": dict(result.updated)},
                note="load_demo",
            )
    result.seconds = time.monotonic() - started
    return result


class _Writer:
    def __init__(self, data: DemoData, result: LoadResult) -> None:
        self.data = data
        self.result = result
        self.parks: dict[str, IndustrialPark] = {}
        self.departments: dict[str, Department] = {}
        self.banks: dict[str, Bank] = {}
        self.enterprise_ids: dict[str, int] = {}
        self.project_ids: dict[str, int] = {}
        self.users: dict[str, User] = {}

    def run(self, *, reset: bool, password: str | None) -> None:
        self.regions()
        self.reference_data()
        self.enterprises()
        self.projects()
        self.accounts(reset=reset, password=password)
        self.cadres()
        self.pairings()
        self.teams()
        self.matchmaking()
        self.workforce()
        from .steps import step_modules

        for step in step_modules():  # later capabilities' demo data (see steps.py)
            self.result.created.update(step.write(self))

    def _created(self, label: str, n: int = 1) -> None:
        if n:
            self.result.created[label] += n

    # --- places and institutions ------------------------------------------------------------------
    def regions(self) -> None:
        specs = self.data.regions
        have = set(Region.objects.filter(code__in=[s.code for s in specs]).values_list("code", flat=True))
        new = [
            Region(code=s.code, name=s.name, level=s.level, kind=s.kind, parent_id=s.parent, sort=s.sort)
            for s in specs
            if s.code not in have
        ]
        Region.objects.bulk_create(new)
        self._created("regions.Region", len(new))

    def reference_data(self) -> None:
        for name, relief in PARKS:
            park, made = IndustrialPark.objects.get_or_create(
                name=name, defaults={"district_id": DISTRICT[0], "state_premises_relief": relief}
            )
            self.parks[name] = park
            self._created("regions.IndustrialPark", made)
        for code, name in DEPARTMENTS:
            dept, made = Department.objects.get_or_create(code=code, defaults={"name": name})
            self.departments[code] = dept
            self._created("accounts.Department", made)
        for name in BANKS:
            bank, made = Bank.objects.get_or_create(name=name)
            self.banks[name] = bank
            self._created("finance.Bank", made)

    # --- the registry -----------------------------------------------------------------------------
    def enterprises(self) -> None:
        specs = self.data.catalogue.enterprises
        codes = [s.uscc for s in specs]
        have = set(Enterprise.objects.filter(uscc__in=codes).values_list("uscc", flat=True))
        classifier = Classifier()
        new = []
        for spec in specs:
            if spec.uscc in have:
                continue
            e = Enterprise(
                **spec.model_fields(),
                town_id=spec.town,
                industrial_park=self.parks[spec.industrial_park] if spec.industrial_park else None,
            )
            classifier.apply(e)
            new.append(e)
        Enterprise.objects.bulk_create(new, batch_size=250)
        self._created("enterprises.Enterprise", len(new))
        self.enterprise_ids = dict(Enterprise.objects.filter(uscc__in=codes).values_list("uscc", "id"))

    def projects(self) -> None:
        specs = self.data.catalogue.projects
        have = set(KeyProject.objects.filter(code__in=[p.code for p in specs]).values_list("code", flat=True))
        new = [
            KeyProject(
                code=p.code,
                name=p.name,
                town_id=p.town,
                owner_id=self.enterprise_ids[self.data.catalogue.tagged(p.owner_tag).uscc] if p.owner_tag else None,
                industry_section=p.industry_section,
                total_investment_yuan=p.total_investment_yuan,
                stage=p.stage,
                status=p.status,
            )
            for p in specs
            if p.code not in have
        ]
        KeyProject.objects.bulk_create(new)
        self._created("enterprises.KeyProject", len(new))
        self.project_ids = dict(KeyProject.objects.filter(code__in=[p.code for p in specs]).values_list("code", "id"))

    def _ids(self, target: Target) -> tuple[int | None, int | None]:
        if target.kind == "enterprise":
            return self.enterprise_ids[target.key], None
        return None, self.project_ids[target.key]

    # --- accounts ---------------------------------------------------------------------------------
    def _account_fields(self) -> dict[str, dict[str, Any]]:
        """username → the fields the demo sets on that account (the one scope field its role needs)."""
        out: dict[str, dict[str, Any]] = {}
        tagged = self.data.catalogue.tagged
        for a in DEMO_ACCOUNTS:
            out[a.username] = {
                "role": a.role,
                "full_name": self.data.full_names[a.username],
                "unit": a.unit,
                "is_staff": a.is_staff,
                "is_active": True,
                "department_id": self.departments[a.department].pk if a.department else None,
                "town_id": a.town or None,
                "enterprise_id": self.enterprise_ids[tagged(a.enterprise).uscc] if a.enterprise else None,
                "bank_id": self.banks[a.bank].pk if a.bank else None,
            }
        for leader in self.data.organisation.leaders[1:]:
            out[leader.username] = {
                "role": Role.DISTRICT_LEADER,
                "full_name": leader.full_name,
                "unit": leader.unit,
                "is_staff": False,
                "is_active": True,
                "department_id": None,
                "town_id": None,
                "enterprise_id": None,
                "bank_id": None,
            }
        return out

    def accounts(self, *, reset: bool, password: str | None) -> None:
        wanted = self._account_fields()
        demo_names = {a.username for a in DEMO_ACCOUNTS}
        existing = {u.username: u for u in User.objects.filter(username__in=list(wanted))}
        result = self.result
        if password is not None:
            result.password_source, result.password = PasswordSource.ENV, password
        elif reset or not demo_names <= set(existing):
            result.password_source, result.password = PasswordSource.GENERATED, random_password()
        # One hash for all the demo accounts: they share the password, and hashing is the slow part.
        encoded = make_password(result.password) if result.password else ""
        matches: dict[str, bool] = {}

        def has_password(user: User) -> bool:
            if user.password not in matches:
                matches[user.password] = check_password(result.password, user.password)
            return matches[user.password]

        new: list[User] = []
        for username, fields in wanted.items():
            user = existing.get(username)
            is_demo = username in demo_names
            if user is None:
                user = User(username=username, **fields)
                # The other district leaders are pairing data, not logins: no usable password.
                user.password = encoded if is_demo else make_password(None)
                if is_demo:
                    result.password_set_on.append(username)
                new.append(user)
                continue
            changed = [k for k, v in fields.items() if getattr(user, k) != v]
            for key in changed:
                setattr(user, key, fields[key])
            # An existing account keeps its password unless the operator asked for one or reset the demo.
            if is_demo and (reset or password is not None):
                # A fresh random password cannot match; the operator's may already be set (a re-run).
                if result.password_source == PasswordSource.GENERATED or not has_password(user):
                    user.password = encoded
                    changed.append("password")
                    result.password_set_on.append(username)
            if changed:
                user.save(update_fields=changed)
                result.updated["accounts.User"] += 1
        User.objects.bulk_create(new)
        self._created("accounts.User", len(new))
        self.users = {u.username: u for u in User.objects.filter(username__in=list(wanted))}

    # --- liaison, pairing, outreach, banks --------------------------------------------------------
    def cadres(self) -> None:
        specs = self.data.organisation.cadres
        by_name = {c.name: c for c in Cadre.objects.filter(name__in=[s.name for s in specs])}
        new = []
        for spec in specs:
            user = self.users.get(spec.username) if spec.username else None
            # The liaison account may already have a cadre record (accounts create one for liaisons).
            cadre = (Cadre.objects.filter(user=user).first() if user else None) or by_name.get(spec.name)
            if cadre is None:
                cadre = Cadre(
                    user=user,
                    name=spec.name,
                    unit=spec.unit,
                    rank=spec.rank,
                    phone=spec.phone,
                    home_town_id=spec.home_town,
                )
                new.append(cadre)
            by_name[spec.name] = cadre
        Cadre.objects.bulk_create(new)
        self._created("liaison.Cadre", len(new))
        ids = [by_name[s.name].pk for s in specs]
        have: set[tuple[int, int | None, int | None]] = set(
            LiaisonAssignment.objects.filter(cadre_id__in=ids).values_list("cadre_id", "enterprise_id", "project_id")
        )
        assignments = []
        for spec in specs:
            cadre_id = by_name[spec.name].pk
            for target in spec.targets:
                key = (cadre_id, *self._ids(target))
                if key not in have:
                    have.add(key)
                    assignments.append(
                        LiaisonAssignment(
                            cadre_id=cadre_id, enterprise_id=key[1], project_id=key[2], start=ASSIGNED_FROM
                        )
                    )
        LiaisonAssignment.objects.bulk_create(assignments)
        self._created("liaison.LiaisonAssignment", len(assignments))

    def pairings(self) -> None:
        leaders = self.data.organisation.leaders
        ids = [self.users[lead.username].pk for lead in leaders]
        have: set[tuple[int, int | None, int | None]] = set(
            LeaderPairing.objects.filter(leader_id__in=ids).values_list("leader_id", "enterprise_id", "project_id")
        )
        new = []
        for lead in leaders:
            leader_id = self.users[lead.username].pk
            for target in lead.targets:
                key = (leader_id, *self._ids(target))
                if key not in have:
                    have.add(key)
                    new.append(
                        LeaderPairing(leader_id=leader_id, enterprise_id=key[1], project_id=key[2], start=ASSIGNED_FROM)
                    )
        LeaderPairing.objects.bulk_create(new)
        self._created("liaison.LeaderPairing", len(new))

    def teams(self) -> None:
        members = {a.team: self.users[a.username] for a in DEMO_ACCOUNTS if a.team}
        for name, level, town in self.data.organisation.teams:
            team, made = OutreachTeam.objects.get_or_create(name=name, defaults={"level": level, "town_id": town})
            self._created("outreach.OutreachTeam", made)
            member = members.get(name)
            if member is not None and not team.members.filter(pk=member.pk).exists():
                team.members.add(member)
                self._created("outreach.OutreachTeam.members")

    def matchmaking(self) -> None:
        for bank, uscc, since, credit in self.data.organisation.matches:
            _match, made = BankMatchmaking.objects.get_or_create(
                bank=self.banks[bank],
                enterprise_id=self.enterprise_ids[uscc],
                defaults={"since": since, "credit_granted_yuan": credit},
            )
            self._created("finance.BankMatchmaking", made)

    # --- the workforce archive (issue #3) ---------------------------------------------------------
    def workforce(self) -> None:
        self.result.created.update(write_workforce(self.data.workforce, self.users))
