"""Signing through the single-use link: the evidence is recorded in the PDF, the hash is
printed on it, and every unusable link says why and changes nothing."""

import datetime as dt
import hashlib
import re

import pytest
from django.core import mail
from django.urls import reverse

from tierdesk.core import pdf as core_pdf
from tierdesk.core.clock import now
from tierdesk.core.models import AuditEvent
from tierdesk.core.pdf import PdfRenderError
from tierdesk.documents.models import SignedDocument, SigningLink
from tierdesk.documents.tests.fixtures import pdf_text, token_of

UA = "Mozilla/5.0 (X11; Linux x86_64) TestBrowser/1.0"
IP = "203.0.113.7"


@pytest.fixture
def sent(send, silver_agreement, signer):
    link, url = send(silver_agreement, signer)
    return link, token_of(url)


def post_signature(client, token, **data):
    data = {"typed_name": "Carol Contact", "consent": "on"} | data
    return client.post(reverse("documents:sign", args=[token]), data,
                       REMOTE_ADDR=IP, HTTP_USER_AGENT=UA)


def test_the_signing_page_shows_the_agreement_and_a_pdf_to_download(client, sent):
    _, token = sent
    page = client.get(reverse("documents:sign", args=[token]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Schedule of services" in body
    assert "I agree to sign electronically" in body
    pdf = client.get(reverse("documents:sign_pdf", args=[token]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_signing_records_the_evidence_and_the_agreement_becomes_active(client, sent,
                                                                        silver_agreement,
                                                                        signer):
    link, token = sent
    response = post_signature(client, token)
    assert response.status_code == 200
    document = SignedDocument.objects.get()
    assert document.agreement == silver_agreement
    assert document.signer == signer
    assert document.signer_name == "Carol Contact"
    assert document.ip_address == IP
    assert document.user_agent == UA
    assert abs(document.signed_at - now()) < dt.timedelta(minutes=1)
    link.refresh_from_db()
    assert link.used_at == document.signed_at
    silver_agreement.refresh_from_db()
    assert silver_agreement.status == "active"
    assert silver_agreement.signed_at == document.signed_at
    assert AuditEvent.objects.filter(action="agreement.signed_electronically").count() == 1
    assert document.sha256 in response.content.decode()


def test_the_signed_pdf_keeps_the_signed_bytes_and_prints_their_hash(client, sent):
    _, token = sent
    post_signature(client, token)
    document = SignedDocument.objects.get()
    data = document.pdf.read()
    assert document.pdf.name.startswith("agreements/signed/")
    assert hashlib.sha256(data[:document.signed_length]).hexdigest() == document.sha256
    assert len(data) > document.signed_length  # the stamp is an appended update
    text = "".join(pdf_text(data).split())
    assert document.sha256 in text
    assert "CarolContact" in text and IP in text
    assert "America/New_York" in text
    assert re.search(r"\(UTC-0[45]00\)", text)  # the signing time in the client's zone
    # Only the signed part is what the hash covers: it already holds the evidence.
    signed_text = "".join(pdf_text(data[:document.signed_length]).split())
    assert "CarolContact" in signed_text and document.sha256 not in signed_text


def test_a_second_post_on_the_same_link_does_not_sign_twice(client, sent):
    _, token = sent
    assert post_signature(client, token).status_code == 200
    again = post_signature(client, token, typed_name="Someone Else")
    assert again.status_code == 410
    assert SignedDocument.objects.count() == 1
    assert SignedDocument.objects.get().signer_name == "Carol Contact"


def test_a_forged_token_is_a_404_and_changes_nothing(client, sent, silver_agreement):
    response = post_signature(client, "not-a-real-token")
    assert response.status_code == 404
    assert "not valid" in response.content.decode()
    silver_agreement.refresh_from_db()
    assert silver_agreement.status == "sent"
    assert not SignedDocument.objects.exists()


def _expire(link):
    SigningLink.objects.filter(pk=link.pk).update(expires_at=now() - dt.timedelta(minutes=1))


def _use(link):
    SigningLink.objects.filter(pk=link.pk).update(used_at=now())


def _revoke(link):
    SigningLink.objects.filter(pk=link.pk).update(revoked_at=now())


@pytest.mark.parametrize("spoil, words", [
    (_expire, "expired"), (_use, "already been signed"), (_revoke, "withdrawn"),
])
def test_spent_links_answer_410_with_the_reason_and_change_nothing(client, sent,
                                                                   silver_agreement, spoil,
                                                                   words):
    link, token = sent
    spoil(link)
    before = SigningLink.objects.values().get(pk=link.pk)
    for response in (client.get(reverse("documents:sign", args=[token])),
                     post_signature(client, token)):
        assert response.status_code == 410
        assert words in response.content.decode()
    assert SigningLink.objects.values().get(pk=link.pk) == before
    silver_agreement.refresh_from_db()
    assert silver_agreement.status == "sent"
    assert not SignedDocument.objects.exists()


def test_a_recalled_agreement_cannot_be_signed(client, sent, silver_agreement):
    from tierdesk.clients.services import agreement_recall

    _, token = sent
    agreement_recall(agreement=silver_agreement, reason="price change")
    response = post_signature(client, token)
    assert response.status_code == 410
    assert not SignedDocument.objects.exists()


@pytest.mark.parametrize("data, field", [
    ({"typed_name": "  "}, "typed_name"),
    ({"consent": ""}, "consent"),
])
def test_missing_name_or_consent_is_a_form_error_naming_the_field(client, sent, data, field):
    link, token = sent
    response = post_signature(client, token, **data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    link.refresh_from_db()
    assert link.used_at is None
    assert not SignedDocument.objects.exists()


def test_a_render_failure_leaves_the_link_usable_and_stores_nothing(client, sent,
                                                                    silver_agreement,
                                                                    monkeypatch):
    link, token = sent

    def broken(*args, **kwargs):
        raise PdfRenderError("the PDF could not be rendered: out of fonts")

    monkeypatch.setattr(core_pdf, "render_pdf", broken)
    response = post_signature(client, token)
    assert response.status_code == 400
    assert "Nothing was signed" in response.content.decode()
    link.refresh_from_db()
    assert link.used_at is None
    assert not SignedDocument.objects.exists()
    silver_agreement.refresh_from_db()
    assert silver_agreement.status == "sent"

    monkeypatch.undo()
    assert post_signature(client, token).status_code == 200
    assert SignedDocument.objects.count() == 1


def test_the_mailed_link_is_the_one_that_signs(client, sent):
    url = next(line for line in mail.outbox[0].body.splitlines() if "/documents/sign/" in line)
    path = url.strip().removeprefix("https://desk.northwind.example")
    assert client.get(path).status_code == 200


def test_a_forged_token_cannot_fetch_the_pdf_either(client, sent):
    assert client.get(reverse("documents:sign_pdf", args=["forged"])).status_code == 404
    assert client.get(reverse("documents:sign", args=["forged"])).status_code == 404


def test_a_link_from_before_a_recall_and_resend_no_longer_signs(client, sent, silver_agreement,
                                                                personas):
    from tierdesk.clients.services import agreement_recall, agreement_send

    _, token = sent
    agreement_recall(agreement=silver_agreement, reason="price change")
    silver_agreement.refresh_from_db()
    agreement_send(agreement=silver_agreement, by=personas.owner)
    response = post_signature(client, token)
    assert response.status_code == 410
    assert "withdrawn" in response.content.decode()
    assert not SignedDocument.objects.exists()
