"""Who is calling the API, and what they may do.

Two ways in: `Authorization: Bearer <token>` with a personal token (scripts), or the browser
session with a CSRF token (the interactive docs). The token's scope limits the methods
(read → GET/HEAD/OPTIONS only); the user's role limits what may be changed:

    reads     any staff role reads everything; a client contact reads only its own client
              and that client's agreements — anything else is 404, as if it did not exist
    catalog, tiers           written by the owner
    clients, agreements      written by the owner and dispatchers
    billing, technicians     write nothing through the API (yet)
"""

from django.http import Http404, HttpRequest
from ninja.errors import AuthenticationError, AuthorizationError
from ninja.security import HttpBearer, SessionAuth

from tierdesk.api.models import TokenScope
from tierdesk.api.selectors import api_token_by_sha256
from tierdesk.api.services import api_token_mark_used, token_sha256
from tierdesk.core.models import Role

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

CATALOG_WRITERS = (Role.OWNER,)
PLAN_WRITERS = (Role.OWNER,)
CLIENT_WRITERS = (Role.OWNER, Role.DISPATCHER)
AGREEMENT_WRITERS = (Role.OWNER, Role.DISPATCHER)


class BearerTokenAuth(HttpBearer):
    """A personal API token. Unknown, revoked or inactive-user tokens get 401; a read token
    on a method that writes gets 403 naming the scope."""

    def authenticate(self, request: HttpRequest, token: str):
        # Looking up by the hash (a unique index) needs no constant-time compare: timing
        # reveals nothing about a stored token the caller does not already hold.
        api_token = api_token_by_sha256(token_sha256(token.strip()))
        if api_token is None or api_token.revoked_at is not None:
            raise AuthenticationError(message="invalid or revoked API token")
        if not api_token.user.is_active:
            raise AuthenticationError(message="the token's user is deactivated")
        if api_token.scope != TokenScope.WRITE and request.method not in SAFE_METHODS:
            raise AuthorizationError(
                message=f'this token has the "{api_token.scope}" scope, which allows only '
                f'GET; {request.method} needs a token with the "write" scope'
            )
        api_token_mark_used(token=api_token)
        # The rest of tierdesk (access helpers, services' `by=`) works with request.user.
        request.user = api_token.user
        request.api_token = api_token
        return api_token.user


class SessionCookieAuth(SessionAuth):
    """The browser session, with Django's CSRF check on unsafe methods. An anonymous request
    is passed over before the CSRF check, so it gets a 401 rather than a CSRF 403."""

    def __call__(self, request: HttpRequest):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        return super().__call__(request)


def is_staff(request: HttpRequest) -> bool:
    return request.user.is_msp_staff


def require_staff(request: HttpRequest) -> None:
    """Staff-only resources do not exist for client contacts (404, not 403)."""
    if not request.user.is_msp_staff:
        raise Http404


def require_role(request: HttpRequest, roles: tuple[str, ...], what: str) -> None:
    """403 naming the roles that may change `what`, for everyone else."""
    if not request.user.has_role(*roles):
        names = " and ".join(Role(r).label.lower() + "s" for r in roles)
        raise AuthorizationError(message=f"{what} may be changed only by {names}")
