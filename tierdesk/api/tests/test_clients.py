"""Clients, sites and contacts through the API, written through clients.services."""

import pytest

from tierdesk.api.tests.conftest import fields
from tierdesk.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_dispatcher_creates_a_client_with_a_site_and_a_contact(personas, bearer, acme):
    api = bearer(personas.dispatcher)
    created = api.post("/clients", {"name": "Initech", "segment_id": acme.segment_id,
                                    "timezone": "America/Chicago", "users_count": 8})
    assert created.status_code == 201, created.content
    client_id = created.json()["id"]

    site = api.post(f"/clients/{client_id}/sites",
                    {"name": "HQ", "address": "1 Main St", "drive_minutes": 20})
    contact = api.post(f"/clients/{client_id}/contacts",
                       {"name": "Bill Lumbergh", "email": "bill@initech.example",
                        "can_sign": True})

    assert site.status_code == 201 and contact.status_code == 201
    assert api.get(f"/clients/{client_id}/sites").json()["count"] == 1
    assert api.get(f"/clients/{client_id}/contacts").json()["items"][0]["can_sign"] is True
    assert AuditEvent.objects.filter(object_type="clients.client",
                                     object_id=str(client_id)).exists()


def test_update_changes_only_the_fields_given(personas, bearer, acme):
    api = bearer(personas.owner)
    response = api.patch(f"/clients/{acme.pk}", {"phone": "+1 555 0100"})
    assert response.status_code == 200
    body = response.json()
    assert body["phone"] == "+1 555 0100" and body["timezone"] == "America/New_York"


def test_bad_update_is_422_and_changes_nothing(personas, bearer, acme):
    api = bearer(personas.owner)
    errors = fields(api.patch(f"/clients/{acme.pk}",
                              {"timezone": "Nowhere/Land", "phone": "123"}))
    assert "timezone" in errors
    acme.refresh_from_db()
    assert acme.timezone == "America/New_York" and acme.phone != "123"


def test_duplicate_client_name_is_422_on_name(personas, bearer, acme):
    response = bearer(personas.owner).post("/clients", {"name": acme.name,
                                                        "segment_id": acme.segment_id})
    assert "name" in fields(response)


def test_site_update_and_bad_drive_minutes(personas, bearer, acme):
    api = bearer(personas.dispatcher)
    site = acme.sites.first()
    assert "drive_minutes" in fields(api.patch(f"/clients/{acme.pk}/sites/{site.pk}",
                                               {"drive_minutes": -5}))
    moved = api.patch(f"/clients/{acme.pk}/sites/{site.pk}", {"has_rmm_agent": False})
    assert moved.json()["has_rmm_agent"] is False


def test_site_of_another_client_is_404_under_this_client(personas, bearer, acme, globex):
    globex_site = globex.sites.first()
    api = bearer(personas.owner)
    assert api.get(f"/clients/{acme.pk}/sites/{globex_site.pk}").status_code == 404
    assert api.patch(f"/clients/{acme.pk}/sites/{globex_site.pk}",
                     {"name": "x"}).status_code == 404


def test_contact_reads_its_own_clients_sites_and_contacts(personas, bearer, acme):
    api = bearer(personas.contact, "read")
    assert api.get(f"/clients/{acme.pk}/sites").json()["count"] == 1
    contacts = api.get(f"/clients/{acme.pk}/contacts").json()["items"]
    assert [c["name"] for c in contacts] == ["Contact"]
    assert contacts[0]["has_portal_login"] is True
