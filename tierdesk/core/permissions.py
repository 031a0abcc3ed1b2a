"""Who may use a view: every view in tierdesk is wrapped by exactly one of these.

`staff_view(*roles)` admits logged-in MSP staff with one of the roles (all staff roles when
none are named); `contact_view` admits client contacts; `public_view` marks the few views
open to anyone (login, signing links) so that a test can check that no view is undeclared.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from tierdesk.core.models import STAFF_ROLES, Role

OWNER = (Role.OWNER,)
MANAGERS = (Role.OWNER, Role.DISPATCHER)
BILLING = (Role.OWNER, Role.BILLING)
ALL_STAFF = tuple(STAFF_ROLES)


def staff_view(*roles: str) -> Callable:
    allowed = frozenset(roles or STAFF_ROLES)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not (user.is_active and user.role in allowed):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.tierdesk_access = ("staff", allowed)
        return wrapper

    return decorator


def contact_view(view: Callable) -> Callable:
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user.is_client_contact:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapper.tierdesk_access = ("contact", frozenset({Role.CONTACT}))
    return wrapper


def public_view(view: Callable) -> Callable:
    view.tierdesk_access = ("public", frozenset())
    return view
