# ruff: noqa: F811  (pytest fixtures imported by name and used as arguments)
"""Client approvals of estimates: e-mailed single-use links, the portal, decided once."""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from tierdesk.billing.approvals import approval_decide, approval_request, token_hash
from tierdesk.billing.models import ApprovalRequest
from tierdesk.billing.tests.test_sessions_fixtures import (  # noqa: F401
    acme_on_silver,
    ny,
    services,
    silver,
    ticket,
)
from tierdesk.clients.models import Contact


@pytest.fixture
def signer(personas):
    contact = Contact.objects.get(user=personas.contact)
    contact.can_sign = True
    contact.save()
    return contact


def _request(ticket, personas):
    return approval_request(ticket=ticket, description="Replace the server",
                            estimate_amount=Decimal("900"), by=personas.technician)


def test_a_request_mails_a_single_use_link_and_stores_only_its_hash(
        ticket, personas, signer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = _request(ticket, personas)
    stored = ApprovalRequest.objects.get()
    assert stored.token_sha256 == token_hash(request.token) != request.token
    assert [m.to for m in mail.outbox] == [[signer.email]]
    assert request.token in mail.outbox[0].body and ticket.reference in mail.outbox[0].subject


def test_without_a_signer_the_request_waits_unmailed(ticket, personas,
                                                    django_capture_on_commit_callbacks):
    Contact.objects.update(can_sign=False)
    with django_capture_on_commit_callbacks(execute=True):
        _request(ticket, personas)
    assert ApprovalRequest.objects.get().state == "pending"
    assert mail.outbox == []


def test_bad_estimates_name_the_field(ticket, personas, signer):
    with pytest.raises(ValidationError) as exc:
        approval_request(ticket=ticket, description="", estimate_amount="-1",
                         by=personas.technician)
    assert set(exc.value.message_dict) == {"description", "estimate_amount"}


def test_the_link_decides_once_and_then_no_longer_works(ticket, personas, signer, client):
    request = _request(ticket, personas)
    url = f"/billing/approve/{request.token}/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"decision": "approve", "note": "ok"})
    assert "approved" in response.content.decode()
    stored = ApprovalRequest.objects.get()
    assert (stored.state, stored.decided_by, stored.decision_note) == ("approved", None, "ok")
    assert client.get(url).status_code == 404
    assert client.get("/billing/approve/not-a-token/").status_code == 404


def test_a_decision_is_recorded_once(ticket, personas, signer):
    request = _request(ticket, personas)
    approval_decide(request=request, approve=False, contact=signer, note="too much")
    with pytest.raises(ValidationError) as exc:
        approval_decide(request=request, approve=True, contact=signer, note="")
    assert "state" in exc.value.message_dict
    assert ApprovalRequest.objects.get().state == "declined"


def test_a_contact_of_another_client_cannot_decide(ticket, personas, signer):
    request = _request(ticket, personas)
    outsider = Contact.objects.get(user=personas.outsider)
    outsider.can_sign = True
    outsider.save()
    with pytest.raises(ValidationError):
        approval_decide(request=request, approve=True, contact=outsider)
    assert ApprovalRequest.objects.get().state == "pending"


def test_a_signer_approves_in_the_portal_and_the_outsider_gets_404(
        ticket, personas, signer, login):
    request = _request(ticket, personas)
    url = f"/portal/approvals/{request.pk}/"
    assert login(personas.outsider).get(url).status_code == 404
    assert login(personas.outsider).post(url, {"decision": "approve"}).status_code == 404
    c = login(personas.contact)
    assert "Replace the server" in c.get("/portal/approvals/").content.decode()
    assert c.post(url, {"decision": "approve"}).status_code == 302
    assert ApprovalRequest.objects.get().decided_by == signer
    assert login(personas.technician).get(url).status_code == 403


def test_a_contact_who_cannot_sign_only_reads(ticket, personas, signer, login):
    request = _request(ticket, personas)
    signer.can_sign = False
    signer.save()
    c = login(personas.contact)
    c.post(f"/portal/approvals/{request.pk}/", {"decision": "approve"})
    assert ApprovalRequest.objects.get().state == "pending"


def test_the_portal_home_shows_the_allowance_left(ticket, personas, login):
    from datetime import timedelta

    from tierdesk.billing.sessions import session_log
    from tierdesk.core import clock

    start = clock.now().replace(second=0, microsecond=0) - timedelta(hours=1)
    session_log(ticket=ticket, technician=personas.technician, started_at=start,
                ended_at=start + timedelta(minutes=10))
    body = login(personas.contact).get("/portal/").content.decode()
    assert "1 of 2 remote sessions left this month" in body
    assert "remote sessions left" not in login(personas.outsider).get("/portal/").content.decode()
