"""Writes of core data: users and their passwords."""

import secrets

from django.db import transaction

from tierdesk.core.events import record
from tierdesk.core.models import Role, User


def user_create(*, username: str, email: str = "", role: str, first_name: str = "",
                last_name: str = "", password: str | None = None, by=None) -> tuple[User, str]:
    """Create a user. Without `password`, a random one is generated, returned once, and
    must be changed at first login. Returns (user, password)."""
    if role not in Role.values:
        raise ValueError(f"role: unknown role {role!r}")
    generated = password is None
    password = password or secrets.token_urlsafe(12)
    with transaction.atomic():
        # The owner runs the installation, Django admin included.
        is_owner = role == Role.OWNER
        user = User(username=username, email=email, role=role, first_name=first_name,
                    last_name=last_name, must_change_password=generated,
                    is_staff=is_owner, is_superuser=is_owner)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
        record(action="user.created", obj=user, by=by, changes={"role": (None, role)})
    return user, password


def user_password_changed(*, user: User) -> None:
    """Clear a forced password change once the user has chosen their own."""
    if user.must_change_password:
        User.objects.filter(pk=user.pk).update(must_change_password=False)
        user.must_change_password = False
