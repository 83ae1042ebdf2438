"""Every read of the registry, scoped to the user through fugong.core.scoping."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from fugong.core import scoping
from fugong.core.identifiers import normalise
from fugong.core.querystring import clean_params

from .models import Enterprise, KeyProject


@dataclass
class EnterpriseFilters:
    q: str = ""
    town: str = ""
    category: str = ""
    size_class: str = ""
    status: str = ""
    ownership: str = ""
    key_guarantee: bool | None = None
    in_park: bool | None = None
    state_premises: bool | None = None

    @classmethod
    def from_query(cls, raw: Any) -> EnterpriseFilters:
        params = clean_params(raw)

        def flag(name: str) -> bool | None:
            value = (params.get(name) or "").lower()
            return True if value in {"1", "true", "yes"} else False if value in {"0", "false", "no"} else None

        return cls(
            q=(params.get("q") or "").strip()[:100],
            town=(params.get("town") or "").strip()[:12],
            category=(params.get("category") or "").strip()[:30],
            size_class=(params.get("size_class") or "").strip()[:10],
            status=(params.get("status") or "").strip()[:12],
            ownership=(params.get("ownership") or "").strip()[:20],
            key_guarantee=flag("key_guarantee"),
            in_park=flag("in_park"),
            state_premises=flag("state_premises"),
        )

    def apply(self, qs: QuerySet[Enterprise]) -> QuerySet[Enterprise]:
        if self.q:
            code = normalise(self.q)
            qs = qs.filter(Q(name__icontains=self.q) | Q(uscc__startswith=code))
        if self.town:
            qs = qs.filter(town_id=self.town)
        if self.category:
            qs = qs.filter(category=self.category)
        if self.size_class:
            qs = qs.filter(size_class=self.size_class)
        if self.status:
            qs = qs.filter(status=self.status)
        if self.ownership == "non_public":
            qs = qs.filter(is_non_public=True)
        elif self.ownership:
            qs = qs.filter(ownership=self.ownership)
        if self.key_guarantee is not None:
            qs = qs.filter(is_key_guarantee=self.key_guarantee)
        if self.in_park is not None:
            qs = qs.filter(industrial_park__isnull=not self.in_park)
        if self.state_premises is not None:
            qs = qs.filter(rents_state_premises=self.state_premises)
        return qs


def enterprises_for_user(user: Any, filters: EnterpriseFilters | None = None) -> QuerySet[Enterprise]:
    qs = scoping.enterprises_for(user).select_related("town", "industrial_park")
    return (filters or EnterpriseFilters()).apply(qs)


def get_enterprise_for_user(user: Any, pk: Any) -> Enterprise:
    return scoping.get_in_scope(scoping.enterprises_for(user).select_related("town", "industrial_park"), pk=pk)


def projects_for_user(user: Any) -> QuerySet[KeyProject]:
    return scoping.projects_for(user).select_related("town", "owner")


def get_project_for_user(user: Any, pk: Any) -> KeyProject:
    return scoping.get_in_scope(projects_for_user(user), pk=pk)
