"""Sending an agreement for signature: feasibility first, one live link at a time, the link
e-mailed to the contact and shown once to staff."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from tierdesk.clients.factories import SiteFactory
from tierdesk.documents.models import SigningLink
from tierdesk.documents.tests.fixtures import token_of
from tierdesk.documents.tokens import token_sha256


def test_sending_mails_the_contact_a_single_use_link(send, silver_agreement, signer):
    link, url = send(silver_agreement, signer)
    silver_agreement.refresh_from_db()
    assert silver_agreement.status == "sent"
    assert url.startswith("https://desk.northwind.example/documents/sign/")
    assert link.token_sha256 == token_sha256(token_of(url))
    assert token_of(url) not in link.token_sha256  # the token itself is not stored
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [signer.email]
    assert url in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and url in html


def test_sending_without_acknowledging_warnings_stores_nothing(send, platinum_agreement,
                                                               signer):
    SiteFactory(client=platinum_agreement.client, name="Lake cabin", drive_minutes=400,
                has_rmm_agent=False)
    with pytest.raises(ValidationError):
        send(platinum_agreement, signer)
    platinum_agreement.refresh_from_db()
    assert platinum_agreement.status == "draft"
    assert not SigningLink.objects.exists()
    assert mail.outbox == []


def test_acknowledged_warnings_are_kept_with_the_note(send, platinum_agreement, signer,
                                                      personas):
    SiteFactory(client=platinum_agreement.client, name="Lake cabin", drive_minutes=400)
    send(platinum_agreement, signer, acknowledge=True, note="client accepts next-day visits")
    platinum_agreement.refresh_from_db()
    assert platinum_agreement.status == "sent"
    assert platinum_agreement.feasibility_acknowledged_by == personas.dispatcher
    assert platinum_agreement.feasibility_note == "client accepts next-day visits"


def test_resending_revokes_the_older_unused_link(send, silver_agreement, signer, other_signer):
    first, _ = send(silver_agreement, signer)
    second, _ = send(silver_agreement, other_signer)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.revoked_at is not None
    assert second.revoked_at is None
    assert len(mail.outbox) == 2


def test_a_contact_of_another_client_cannot_be_sent_the_link(send, silver_agreement, personas):
    with pytest.raises(ValidationError) as caught:
        send(silver_agreement, personas.outsider.contact)
    assert "contact" in caught.value.message_dict
    assert not SigningLink.objects.exists()


def test_a_contact_who_may_not_sign_is_refused(send, silver_agreement, other_signer):
    other_signer.can_sign = False
    other_signer.save()
    with pytest.raises(ValidationError) as caught:
        send(silver_agreement, other_signer)
    assert "contact" in caught.value.message_dict


def test_send_page_lists_warnings_and_only_contacts_who_can_sign(login, personas,
                                                                  platinum_agreement, signer,
                                                                  other_signer):
    SiteFactory(client=platinum_agreement.client, name="Lake cabin", drive_minutes=400)
    other_signer.can_sign = False
    other_signer.save()
    page = login(personas.dispatcher).get(
        reverse("documents:agreement_send", args=[platinum_agreement.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Lake cabin is 400 min away" in body
    assert "I acknowledge" in body
    assert list(page.context["form"].fields["contact"].queryset) == [signer]


def test_posting_without_acknowledging_shows_the_error_on_the_checkbox(
        login, personas, platinum_agreement, signer):
    SiteFactory(client=platinum_agreement.client, name="Lake cabin", drive_minutes=400)
    response = login(personas.owner).post(
        reverse("documents:agreement_send", args=[platinum_agreement.pk]),
        {"contact": signer.pk, "expires_in_days": 14})
    assert response.status_code == 200
    assert response.context["form"].errors["acknowledge"]
    assert not SigningLink.objects.exists()


def test_the_page_after_sending_shows_the_link_to_copy(login, personas, silver_agreement,
                                                        signer):
    response = login(personas.dispatcher).post(
        reverse("documents:agreement_send", args=[silver_agreement.pk]),
        {"contact": signer.pk, "expires_in_days": 7})
    assert response.status_code == 200
    url = response.context["url"]
    assert url in response.content.decode()
    assert url in mail.outbox[0].body


@pytest.mark.parametrize("role", ["technician", "billing"])
def test_only_owners_and_dispatchers_may_send(login, personas, silver_agreement, role):
    response = login(getattr(personas, role)).get(
        reverse("documents:agreement_send", args=[silver_agreement.pk]))
    assert response.status_code == 403
