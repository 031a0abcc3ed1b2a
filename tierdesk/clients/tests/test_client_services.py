import pytest
from django.core.exceptions import ValidationError

from tierdesk.catalog.factories import SegmentFactory
from tierdesk.clients import services
from tierdesk.clients.models import Client, Site
from tierdesk.core.models import AuditEvent, Role


def test_client_create_records_an_audit_event(db, personas):
    client = services.client_create(name="Initech", segment=SegmentFactory(),
                                    timezone="Europe/Berlin", by=personas.owner)
    assert Client.objects.get(pk=client.pk).timezone == "Europe/Berlin"
    assert AuditEvent.objects.filter(action="client.created", object_id=str(client.pk)).exists()


def test_unknown_time_zone_is_an_error_naming_timezone(db):
    with pytest.raises(ValidationError) as exc:
        services.client_create(name="Initech", segment=SegmentFactory(), timezone="Mars/Base")
    assert list(exc.value.message_dict) == ["timezone"]
    assert not Client.objects.filter(name="Initech").exists()


def test_client_update_with_unknown_time_zone_changes_nothing(acme):
    with pytest.raises(ValidationError) as exc:
        services.client_update(client=acme, timezone="Nowhere/City", phone="555")
    assert "timezone" in exc.value.message_dict
    stored = Client.objects.get(pk=acme.pk)
    assert (stored.timezone, stored.phone) == ("America/New_York", "")
    assert acme.timezone == "America/New_York"


def test_client_update_records_what_changed(acme, personas):
    services.client_update(client=acme, users_count=40, by=personas.dispatcher)
    event = AuditEvent.objects.get(action="client.updated")
    assert event.changes == {"users_count": [10, 40]}


def test_negative_drive_minutes_are_an_error_on_drive_minutes(acme):
    with pytest.raises(ValidationError) as exc:
        services.site_create(client=acme, name="Annex", address="1 Road", drive_minutes=-5)
    assert list(exc.value.message_dict) == ["drive_minutes"]
    assert not Site.objects.filter(name="Annex").exists()
    site = acme.sites.get()
    with pytest.raises(ValidationError) as exc:
        services.site_update(site=site, drive_minutes=-1)
    assert "drive_minutes" in exc.value.message_dict


def test_site_update_changes_the_remote_agent_flag(acme):
    site = services.site_update(site=acme.sites.get(), has_rmm_agent=False)
    assert Site.objects.get(pk=site.pk).has_rmm_agent is False


def test_contact_portal_invite_creates_a_contact_user_once(acme, personas):
    contact = services.contact_create(client=acme, name="Dana Scully",
                                      email="dana@acme.example", by=personas.owner)
    user, password = services.contact_portal_invite(contact=contact, by=personas.owner)
    assert user.role == Role.CONTACT
    assert user.must_change_password
    assert user.check_password(password)
    contact.refresh_from_db()
    assert contact.user == user
    with pytest.raises(ValidationError) as exc:
        services.contact_portal_invite(contact=contact, by=personas.owner)
    assert "user" in exc.value.message_dict


def test_contact_update_rejects_a_bad_email(acme):
    contact = services.contact_create(client=acme, name="Fox")
    with pytest.raises(ValidationError) as exc:
        services.contact_update(contact=contact, email="not-an-email")
    assert "email" in exc.value.message_dict
