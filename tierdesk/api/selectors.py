"""Reads of the api app."""

from django.db.models import F, QuerySet
from django.shortcuts import get_object_or_404

from tierdesk.api.models import ApiToken


def api_token_list(*, user) -> QuerySet[ApiToken]:
    """`user`'s own tokens: live ones first, newest first; revoked ones say when."""
    return ApiToken.objects.filter(user=user).order_by(
        F("revoked_at").asc(nulls_first=True), "-created_at"
    )


def api_token_for_owner(user, pk) -> ApiToken:
    """One of `user`'s own tokens, or Http404: nobody reaches another person's tokens."""
    return get_object_or_404(ApiToken, user=user, pk=pk)
