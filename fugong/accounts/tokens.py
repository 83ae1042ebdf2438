"""API bearer tokens: issue, verify, revoke.

A token is shown once, when issued; the database keeps only its SHA-256 (`ApiToken.digest`) and a short
prefix so an operator can tell tokens apart in the admin without being able to use them.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from fugong.core import audit

from .models import ApiToken, User

TOKEN_PREFIX = "fg_"  # noqa: S105 — not a secret: makes a leaked token recognisable to secret scanners and log reviews
PREFIX_LENGTH = 10  # "fg_" + 7 characters: enough to tell tokens apart, useless to an attacker
# Writing last_used_at on every request would turn each API read into a write; once a minute is enough to
# answer "is this token still in use?".
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
MAX_TOKEN_LENGTH = 200  # anything longer is not one of ours; refuse before hashing


@transaction.atomic
def do_issue_token(actor: Any, user: User) -> str:
    """Create a token for `user` and return it in clear — the only time it exists outside the caller."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, prefix=raw[:PREFIX_LENGTH], digest=ApiToken.digest_of(raw))
    audit.record(actor, "api_token.issue", token, object_repr=f"{token.prefix}… ({user.username})")
    return raw


@transaction.atomic
def do_revoke_token(actor: Any, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk).update(revoked=True)
    token.revoked = True
    audit.record(actor, "api_token.revoke", token, object_repr=f"{token.prefix}… ({token.user.username})")


def verify_token(raw: str) -> User | None:
    """The active user the token belongs to, or None for an unknown, revoked or inactive-user token."""
    if not raw or len(raw) > MAX_TOKEN_LENGTH:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=ApiToken.digest_of(raw), revoked=False, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        # Conditional update: concurrent requests in the same minute write at most once between them.
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
    return token.user
