"""Reads of the api app."""

from django.db.models import F, QuerySet
from django.shortcuts import get_object_or_404

from tierdesk.api.models import ApiToken
from tierdesk.core.models import User
from tierdesk.core.rows import Columns, fetch_one


def api_token_list(*, user) -> QuerySet[ApiToken]:
    """`user`'s own tokens: live ones first, newest first; revoked ones say when."""
    return ApiToken.objects.filter(user=user).order_by(
        F("revoked_at").asc(nulls_first=True), "-created_at"
    )


def api_token_for_owner(user, pk) -> ApiToken:
    """One of `user`'s own tokens, or Http404: nobody reaches another person's tokens."""
    return get_object_or_404(ApiToken, user=user, pk=pk)


_TOKEN = Columns(ApiToken, "t")
_USER = Columns(User, "u")


def api_token_by_sha256(sha256: str) -> ApiToken | None:
    """The token stored under `sha256`, with its user (`token.user`), or None. Every API
    request runs this, so it is one hand-written SELECT (core/rows.py says why), which
    returns what `ApiToken.objects.select_related("user").get(token_sha256=...)` would."""
    row = fetch_one(
        f"SELECT {_TOKEN.sql()}, {_USER.sql()} FROM {ApiToken._meta.db_table} t "
        f"INNER JOIN {User._meta.db_table} u ON u.id = t.user_id WHERE t.token_sha256 = %s",
        [sha256],
    )
    if row is None:
        return None
    token = _TOKEN.instance(row)
    token.user = _USER.instance(row, len(_TOKEN))
    return token
