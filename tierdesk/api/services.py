"""Writes of the api app: personal API tokens.

A token is `td_` followed by 43 URL-safe characters (256 bits of randomness). Only its SHA-256
is stored, with its first characters (`prefix`) so its owner can recognise it in a list; the
raw token is returned once by `api_token_create` and can never be shown again.
"""

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from tierdesk.api.models import ApiToken, TokenScope
from tierdesk.core import clock
from tierdesk.core.events import record

TOKEN_PREFIX = "td_"
#: last_used_at is refreshed at most this often, so a busy client does not write on every call.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def token_sha256(raw: str) -> str:
    """The stored form of a raw token."""
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user, name: str, scope: str) -> tuple[ApiToken, str]:
    """Create a token for `user` and return it with the raw token, which is shown once.

    Raises ValidationError naming `name` or `scope` on bad input, and `user` when the user
    is inactive (an inactive user's tokens are refused anyway).
    """
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = "give the token a name, e.g. the script that will use it"
    elif len(name) > ApiToken._meta.get_field("name").max_length:
        errors["name"] = "at most 100 characters"
    if scope not in TokenScope.values:
        errors["scope"] = f"must be one of {', '.join(TokenScope.values)}"
    if not user.is_active:
        errors["user"] = "an inactive user cannot have API tokens"
    if errors:
        raise ValidationError(errors)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, scope=scope, token_sha256=token_sha256(raw), prefix=raw[:8]
    )
    record(action="api_token.created", obj=token, by=user, message=f"scope {scope}")
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by) -> ApiToken:
    """Revoke `token` from now on. Revoking twice keeps the first revocation time."""
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])
        record(action="api_token.revoked", obj=token, by=by)
    return token


def api_token_mark_used(*, token: ApiToken) -> None:
    """Note that `token` was just used, at most once per LAST_USED_RESOLUTION.

    A conditional UPDATE (not a read-modify-write) so concurrent requests with the same
    token write once between them and never move the time backwards. Not audited: it would
    flood the trail.
    """
    now = clock.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    stale = now - LAST_USED_RESOLUTION
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lte=stale)
    ).update(last_used_at=now)
    token.last_used_at = now
