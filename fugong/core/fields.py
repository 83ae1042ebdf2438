"""Model fields for personal data: encrypted at rest, with a keyed hash beside them for look-up."""

from __future__ import annotations

from typing import Any

from django.db import models

from . import crypto


class EncryptedTextField(models.TextField):
    """Stores AES-GCM tokens; Python code sees plaintext. The column name is bound as associated data.

    Never filter on this field (a token is random per write): filter on its companion hash field.
    """

    def __init__(self, *args: Any, purpose: str = "", **kwargs: Any) -> None:
        self.purpose = purpose
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.purpose:
            kwargs["purpose"] = self.purpose
        return name, path, args, kwargs

    def _aad(self) -> str:
        return self.purpose or f"{self.model._meta.label_lower}.{self.attname}"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str:
        if not value:
            return ""
        return crypto.decrypt(value, self._aad())

    def get_prep_value(self, value: Any) -> str:
        value = super().get_prep_value(value)
        if not value:
            return ""
        return crypto.encrypt(str(value), self._aad())
