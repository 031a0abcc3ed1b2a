"""Project middleware: the forced password change, and the browser middleware that API calls
carrying a bearer token skip.

An /api/ request with `Authorization: Bearer ...` is authenticated by its token alone
(api/auth.py: the bearer scheme either authenticates the call or answers 401; the session
cookie is never consulted for it). Sessions, CSRF cookies, the session user and flash
messages are the browser's, so for those calls the four middleware below pass straight
through: on the API's busiest path (opening tickets) they were pure overhead. Every other
request — the browser's, and /api/ calls without a bearer token, which the API
authenticates by session *with* its CSRF check — runs them exactly as Django ships them.
"""

from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect
from django.urls import reverse

#: Where tierdesk/urls.py mounts the API.
API_PREFIX = "/api/"


def is_api_bearer_request(request) -> bool:
    """An API call that authenticates with a bearer token (the scheme name is
    case-insensitive, as django-ninja's HttpBearer reads it)."""
    if not request.path_info.startswith(API_PREFIX):
        return False
    scheme = request.META.get("HTTP_AUTHORIZATION", "").split(" ", 1)[0]
    return scheme.lower() == "bearer"


class _BrowserOnly:
    """Skip this middleware for bearer-token API calls (see the module docstring)."""

    def __call__(self, request):
        if is_api_bearer_request(request):
            if not hasattr(request, "user"):
                # Until the token says who is calling: nobody, as without a session.
                request.user = AnonymousUser()
            return self.get_response(request)
        return super().__call__(request)


class BrowserSessionMiddleware(_BrowserOnly, SessionMiddleware):
    """django.contrib.sessions' middleware, skipped for bearer-token API calls."""


class BrowserAuthenticationMiddleware(_BrowserOnly, AuthenticationMiddleware):
    """django.contrib.auth's middleware (the session user), skipped for bearer-token API
    calls."""


class BrowserMessageMiddleware(_BrowserOnly, MessageMiddleware):
    """django.contrib.messages' middleware, skipped for bearer-token API calls."""


class BrowserCsrfViewMiddleware(_BrowserOnly, CsrfViewMiddleware):
    """Django's CSRF middleware, skipped for bearer-token API calls: a request that carries
    its credentials in a header, not a cookie, cannot be forged by another site (the API's
    views are csrf_exempt anyway; its session authentication runs this check itself)."""

    def process_view(self, request, callback, callback_args, callback_kwargs):
        if is_api_bearer_request(request):
            return None
        return super().process_view(request, callback, callback_args, callback_kwargs)


class PasswordChangeRequiredMiddleware:
    """Send a user whose `must_change_password` is set to the password page until it is done."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            allowed = (reverse("password_change"), reverse("logout"))
            if request.path not in allowed and not request.path.startswith("/static/"):
                return redirect("password_change")
        return self.get_response(request)
