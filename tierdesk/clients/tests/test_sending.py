import pytest
from django.core.exceptions import ValidationError

from tierdesk.clients import services
from tierdesk.clients.factories import SiteFactory
from tierdesk.clients.models import Agreement
from tierdesk.core.models import AuditEvent


@pytest.fixture
def far_site(acme):
    # Silver (factory) promises on-site within 480 min for P1.
    return SiteFactory(client=acme, name="Harbour Clinic", drive_minutes=500, has_rmm_agent=True)


def test_sending_a_feasible_draft_marks_it_sent(draft, personas):
    sent = services.agreement_send(agreement=draft, by=personas.owner)
    stored = Agreement.objects.get(pk=draft.pk)
    assert (sent.status, stored.status) == ("sent", "sent")
    assert stored.sent_at is not None
    assert stored.feasibility_warnings == []
    assert stored.feasibility_acknowledged_by is None


def test_send_without_acknowledgement_raises_and_stores_nothing(draft, far_site, personas):
    with pytest.raises(ValidationError) as exc:
        services.agreement_send(agreement=draft, by=personas.owner)
    assert exc.value.code == "feasibility"
    assert "Harbour Clinic is 500 min away" in exc.value.messages[0]
    assert [w.code for w in exc.value.warnings] == ["onsite_too_far"]
    stored = Agreement.objects.get(pk=draft.pk)
    assert stored.status == "draft"
    assert stored.feasibility_warnings == []
    assert stored.feasibility_acknowledged_at is None
    assert not AuditEvent.objects.filter(object_type="clients.agreement").exclude(
        action="agreement.drafted").exists()


def test_send_with_acknowledgement_records_who_when_and_why(draft, far_site, personas):
    services.agreement_send(agreement=draft, by=personas.dispatcher, acknowledge=True,
                            note="client accepts next-day visits")
    stored = Agreement.objects.get(pk=draft.pk)
    assert stored.status == "sent"
    assert stored.feasibility_warnings[0]["code"] == "onsite_too_far"
    assert stored.feasibility_warnings[0]["site"] == "Harbour Clinic"
    assert stored.feasibility_acknowledged_by == personas.dispatcher
    assert stored.feasibility_acknowledged_at is not None
    assert stored.feasibility_note == "client accepts next-day visits"
    assert AuditEvent.objects.filter(action="agreement.feasibility_acknowledged").exists()


def test_only_a_draft_can_be_sent(active):
    with pytest.raises(ValidationError) as exc:
        services.agreement_send(agreement=active, acknowledge=True)
    assert "status" in exc.value.message_dict


def test_a_stale_draft_that_was_already_sent_cannot_be_sent_again(draft):
    stale = Agreement.objects.get(pk=draft.pk)
    services.agreement_send(agreement=draft)
    with pytest.raises(ValidationError) as exc:
        services.agreement_send(agreement=stale)
    assert "changed meanwhile" in exc.value.message_dict["status"][0]
