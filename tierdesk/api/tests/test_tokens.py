"""Personal API tokens: created once, stored as a hash, refused when revoked."""

import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from tierdesk.api.models import ApiToken
from tierdesk.api.services import api_token_create, api_token_mark_used, api_token_revoke
from tierdesk.api.tests.conftest import ApiClient
from tierdesk.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_created_token_is_usable_and_only_its_hash_is_stored(personas):
    token, raw = api_token_create(user=personas.owner, name="backup script", scope="read")

    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.token_sha256 == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {str(v) for v in ApiToken.objects.values_list().get(pk=token.pk)}
    assert stored.prefix == raw[:8]
    response = ApiClient(raw).get("/clients")
    assert response.status_code == 200
    assert response.json()["count"] == 2


def test_each_token_is_different(personas):
    _, first = api_token_create(user=personas.owner, name="a", scope="read")
    _, second = api_token_create(user=personas.owner, name="b", scope="read")
    assert first != second and first.startswith("td_") and len(first) > 40


def test_token_creation_and_revocation_are_audited(personas):
    token, _ = api_token_create(user=personas.owner, name="a", scope="write")
    api_token_revoke(token=token, by=personas.owner)
    actions = set(AuditEvent.objects.filter(object_id=str(token.pk)).values_list("action",
                                                                                flat=True))
    assert actions == {"api_token.created", "api_token.revoked"}


def test_token_needs_a_name_and_a_known_scope(personas):
    with pytest.raises(ValidationError) as exc:
        api_token_create(user=personas.owner, name="  ", scope="admin")
    assert set(exc.value.message_dict) == {"name", "scope"}


def test_revoked_token_gets_401(personas):
    token, raw = api_token_create(user=personas.owner, name="old", scope="write")
    api_token_revoke(token=token, by=personas.owner)

    response = ApiClient(raw).get("/clients")

    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_token_of_a_deactivated_user_gets_401(personas):
    _, raw = api_token_create(user=personas.dispatcher, name="x", scope="read")
    personas.dispatcher.is_active = False
    personas.dispatcher.save()

    assert ApiClient(raw).get("/clients").status_code == 401


def test_unknown_token_and_no_token_get_401(personas, anonymous):
    assert ApiClient("td_made-up").get("/clients").status_code == 401
    response = anonymous.get("/clients")
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


def test_anonymous_post_gets_401_not_a_csrf_error(personas, anonymous):
    assert anonymous.post("/clients", {"name": "x"}).status_code == 401


def test_use_sets_last_used_at_at_most_once_a_minute(personas, bearer):
    api = bearer(personas.owner, "read")
    token = ApiToken.objects.get(user=personas.owner)
    assert token.last_used_at is None

    api.get("/clients")
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None

    api.get("/clients")
    token.refresh_from_db()
    assert token.last_used_at == first_use

    # A minute later the next use is recorded again.
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first_use - timedelta(minutes=2))
    api.get("/clients")
    token.refresh_from_db()
    assert token.last_used_at > first_use - timedelta(minutes=2)


def test_mark_used_never_moves_last_used_backwards(personas):
    token, _ = api_token_create(user=personas.owner, name="a", scope="read")
    api_token_mark_used(token=token)
    stale_copy = ApiToken.objects.get(pk=token.pk)
    stale_copy.last_used_at = None  # another worker's outdated view of the row
    api_token_mark_used(token=stale_copy)
    token.refresh_from_db()
    assert token.last_used_at is not None
