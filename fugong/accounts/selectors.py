"""Reads of staff accounts. Only an account manager (区复工办管理员) sees other people's accounts; for anyone
else the list is empty and a single account is 404, like a missing one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from fugong.core import scoping

from . import roles
from .models import User


@dataclass
class UserFilters:
    role: str = ""
    q: str = ""
    active: bool | None = None

    @classmethod
    def from_query(cls, params: Any) -> UserFilters:
        role = (params.get("role") or "").strip()
        active = (params.get("active") or "").strip()
        return cls(
            # "none" lists accounts without a role (they see nothing until one is given).
            role=role if role in roles.Role.values or role == "none" else "",
            q=(params.get("q") or "").strip()[:60],
            active=True if active == "1" else False if active == "0" else None,
        )

    def apply(self, qs: QuerySet[User]) -> QuerySet[User]:
        if self.role == "none":
            qs = qs.filter(role="")
        elif self.role:
            qs = qs.filter(role=self.role)
        if self.q:
            qs = qs.filter(Q(username__icontains=self.q) | Q(full_name__icontains=self.q) | Q(unit__icontains=self.q))
        if self.active is not None:
            qs = qs.filter(is_active=self.active)
        return qs


def users_for_user(user: Any, filters: UserFilters | None = None) -> QuerySet[User]:
    if not roles.can(user, roles.MANAGE_ACCOUNTS):
        return User.objects.none()
    qs = User.objects.select_related("town", "department", "enterprise", "bank").order_by("-is_active", "username")
    return (filters or UserFilters()).apply(qs)


def get_user_for_user(user: Any, pk: Any) -> User:
    return scoping.get_in_scope(users_for_user(user), pk=pk)
