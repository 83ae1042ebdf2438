"""The Django admin, held to the same rules as every page (product.md: "the same on every page, export, API
and admin view").

- *What* a user sees: `ScopedModelAdmin.get_queryset` narrows rows through fugong.core.scoping, and an object
  outside that queryset — or missing, or with a malformed id — is a plain 404, never Django's default
  "perhaps it was deleted" redirect that tells a stranger whether the id exists.
- *Who* may open a model: the role decides (roles.can), on top of Django's is_staff gate for /admin/ itself.
  Django's per-model permissions are not used: one mechanism, not two that can disagree.
- *Writes*: only the district admin, and every admin write leaves an audit row — through the app's service
  where one exists (the subclass overrides save_model), otherwise through the audited save below.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _

from fugong.accounts import roles
from fugong.accounts.roles import Role
from fugong.core import audit, scoping
from fugong.core.fields import EncryptedTextField
from fugong.core.masking import mask_phone

# Fields never copied into an audit row, even masked: they are secrets or bookkeeping, not business data.
NEVER_AUDITED = frozenset({"password", "digest", "last_login"})


def is_district_admin(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.is_staff
        and getattr(user, "role", "") == Role.DISTRICT_ADMIN
    )


def any_of(*qs: Q) -> Q:
    """OR of scope conditions where an empty Q means "everything" (Django would drop it from an OR)."""
    if any(not q for q in qs):
        return Q()
    out = qs[0]
    for q in qs[1:]:
        out |= q
    return out


def _sensitive_kind(field: models.Field) -> str:
    # audit.diff masks by kind; anything encrypted that is not a phone or an ID is replaced by "***".
    for kind in ("phone", "id_number"):
        if kind in field.name:
            return kind
    return "secret"


# --- choices by id -------------------------------------------------------------------------------------
MAX_ID = 2**63 - 1  # the widest integer key any backend stores


def _fits(field: forms.ModelChoiceField, value: Any) -> bool:
    """False for a numeric value that no integer key can hold: Django's model choice fields pass it to the
    database, where SQLite raises OverflowError and PostgreSQL an out-of-range error — a 500 for a typo."""
    if field.queryset is None:
        return True
    model = field.queryset.model
    key = model._meta.get_field(field.to_field_name) if field.to_field_name else model._meta.pk
    if not isinstance(key, models.IntegerField):
        return True  # text keys (region codes) take any string
    try:
        return abs(int(str(value).strip())) <= MAX_ID
    except ValueError:
        return True  # not a number: Django's own check reports it as an invalid choice


class BoundedModelChoiceField(forms.ModelChoiceField):
    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values and not _fits(self, value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value: Any) -> Any:
        for pk in value if isinstance(value, (list, tuple, set, frozenset)) else ():
            if not _fits(self, pk):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)  # type: ignore[misc]  # Django's, missing from the stubs


class RoleGatedAdmin(admin.ModelAdmin):
    """Opened by staff whose role can `view_action`; changed only by the district admin."""

    view_action: str = roles.VIEW_ENTERPRISES
    allow_add = True
    allow_change = True
    allow_delete = True

    def _may_view(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and roles.can(user, self.view_action))

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        # Missing, out of scope and malformed ids are the same 404 (no existence leak).
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        kwargs.setdefault("form_class", BoundedModelChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        kwargs.setdefault("form_class", BoundedModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may_view(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_view(request) or self.has_change_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self.allow_add and is_district_admin(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.allow_change and is_district_admin(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.allow_delete and is_district_admin(request.user)


class ScopedModelAdmin(RoleGatedAdmin):
    """A model admin whose rows are the user's scope.

    `scope_path` is the lookup path from the model to its enterprise ("" for Enterprise itself,
    "enterprise" for a record that belongs to one). `None` marks reference data (regions, thresholds,
    banks…) that any permitted role reads whole. Models reached some other way override `scope_q`.
    """

    scope_path: str | None = None
    # Set when the scope follows a to-many path, so a row reached twice is listed once.
    scope_distinct = False

    def scope_q(self, request: HttpRequest) -> Q:
        if self.scope_path is None:
            return Q()
        prefix = f"{self.scope_path}__" if self.scope_path else ""
        return scoping.enterprise_q(request.user, prefix)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request).filter(self.scope_q(request))
        return qs.distinct() if self.scope_distinct else qs

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        # A select box must not list enterprises or projects outside the editor's scope.
        from fugong.enterprises.models import Enterprise, KeyProject

        if db_field.related_model is Enterprise:
            kwargs["queryset"] = scoping.enterprises_for(request.user)
        elif db_field.related_model is KeyProject:
            kwargs["queryset"] = scoping.projects_for(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # --- audited writes for models without a service ------------------------------------------------
    def audited_fields(self) -> list[str]:
        return [
            f.name
            for f in self.model._meta.concrete_fields
            if not f.primary_key and f.name not in NEVER_AUDITED and not getattr(f, "auto_now", False)
        ]

    def audited_m2m(self) -> list[str]:
        return [f.name for f in self.model._meta.many_to_many]

    def sensitive_fields(self) -> dict[str, str]:
        return {
            f.name: _sensitive_kind(f) for f in self.model._meta.concrete_fields if isinstance(f, EncryptedTextField)
        }

    def _state(self, obj: Any) -> dict[str, Any]:
        state = audit.snapshot(obj, self.audited_fields())
        if obj.pk is not None:
            for name in self.audited_m2m():
                state[name] = sorted(str(o) for o in getattr(obj, name).all())
        return state

    def _action(self, verb: str) -> str:
        return f"{self.model._meta.model_name}.admin_{verb}"

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # The before-state is read from the database: `obj` already carries the form's new values.
        before = self._state(type(obj)._default_manager.get(pk=obj.pk)) if change else {}
        obj.save()
        obj._fugong_audit = (before, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        obj = form.instance
        pending = getattr(obj, "_fugong_audit", None)
        if pending is None:  # a subclass wrote through a service, which audited it
            return
        before, was_change = pending
        changes = audit.diff(before, self._state(obj), self.sensitive_fields())
        if changes or not was_change:
            audit.record(request.user, self._action("update" if was_change else "create"), obj, changes=changes)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            self._record_delete(request, obj)
            obj.delete()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset:
                self._record_delete(request, obj)
            queryset.delete()

    def _record_delete(self, request: HttpRequest, obj: Any) -> None:
        changes = audit.diff(self._state(obj), {}, self.sensitive_fields())
        audit.record(request.user, self._action("delete"), obj, changes=changes)


class ReadOnlyAdmin(RoleGatedAdmin):
    """Shown, never written — not even by the district admin, and without the bulk-delete action."""

    allow_add = allow_change = allow_delete = False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_view(request)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


def masked_phone_column(field_name: str, label: Any = None) -> Any:
    """A list_display column showing an encrypted phone as 138****1234."""

    @admin.display(description=label or _("联系电话"))
    def column(obj: Any) -> str:
        return mask_phone(getattr(obj, field_name)) or "—"

    column.__name__ = f"{field_name}_masked"
    return column
