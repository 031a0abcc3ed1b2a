"""Who may do what: token scope limits methods, the user's role limits what changes."""

import pytest

from tierdesk.catalog.factories import SegmentFactory

pytestmark = pytest.mark.django_db


def _new_client(segment):
    return {"name": "Initech", "segment_id": segment.pk, "timezone": "America/Chicago"}


def test_read_token_may_get_but_post_is_403_naming_the_scope(personas, bearer):
    api = bearer(personas.owner, "read")
    assert api.get("/clients").status_code == 200

    response = api.post("/clients", _new_client(SegmentFactory()))

    assert response.status_code == 403
    assert '"read" scope' in response.json()["detail"]
    assert '"write" scope' in response.json()["detail"]


def test_read_token_cannot_delete_or_patch_either(personas, bearer, acme):
    api = bearer(personas.owner, "read")
    assert api.patch(f"/clients/{acme.pk}", {"phone": "1"}).status_code == 403
    assert api.delete(f"/agreements/{acme.pk}").status_code == 403


@pytest.mark.parametrize("role", ["technician", "billing"])
def test_technician_and_billing_write_nothing(personas, bearer, role):
    api = bearer(getattr(personas, role), "write")

    response = api.post("/clients", _new_client(SegmentFactory()))

    assert response.status_code == 403
    assert "owners and dispatchers" in response.json()["detail"]
    assert api.post("/services", {"name": "X", "kind": "tactical"}).status_code == 403


@pytest.mark.parametrize("role", ["owner", "dispatcher", "technician", "billing"])
def test_every_staff_role_reads_everything(personas, bearer, role):
    api = bearer(getattr(personas, role), "read")
    for path in ("/clients", "/agreements", "/services", "/segments", "/tasks", "/plans"):
        assert api.get(path).status_code == 200, path


def test_dispatcher_writes_clients_but_not_the_catalog(personas, bearer):
    api = bearer(personas.dispatcher, "write")

    assert api.post("/clients", _new_client(SegmentFactory())).status_code == 201
    response = api.post("/services", {"name": "Backups", "kind": "tactical"})
    assert response.status_code == 403
    assert "owners" in response.json()["detail"]


def test_owner_writes_the_catalog(personas, bearer):
    response = bearer(personas.owner).post("/services", {"name": "Backups", "kind": "tactical"})
    assert response.status_code == 201
    assert response.json()["slug"] == "backups"


def test_session_login_works_for_reads(personas, login):
    client = login(personas.dispatcher)
    response = client.get("/api/clients")
    assert response.status_code == 200
    assert response.json()["count"] == 2


def test_session_writes_need_the_csrf_token(personas):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(personas.owner, backend="django.contrib.auth.backends.ModelBackend")

    response = browser.post("/api/services", {"name": "x"}, content_type="application/json")

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
