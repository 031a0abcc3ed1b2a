"""The portal shows a contact its own client's agreements and signed PDFs, and nothing of
any other client's."""

import pytest
from django.urls import reverse

from tierdesk.clients.factories import AgreementFactory
from tierdesk.documents.services import agreement_signature_capture
from tierdesk.documents.tests.fixtures import token_of


@pytest.fixture
def signed(send, silver_agreement, signer):
    _, url = send(silver_agreement, signer)
    agreement_signature_capture(token=token_of(url), typed_name="Carol Contact", consent=True,
                                ip="192.0.2.1", user_agent="pytest")
    silver_agreement.refresh_from_db()
    return silver_agreement


def test_home_lists_the_clients_agreements_with_tier_status_and_term(login, personas, signed):
    page = login(personas.contact).get(reverse("portal:home"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Acme Dental" in body
    assert "Silver" in body and "Active" in body
    assert reverse("portal:agreement_detail", args=[signed.pk]) in body
    assert reverse("portal:signed_pdf", args=[signed.pk]) in body


def test_drafts_are_not_shown_to_contacts(login, personas, silver_agreement):
    page = login(personas.contact).get(reverse("portal:home"))
    assert silver_agreement not in page.context["agreements"]
    detail = login(personas.contact).get(
        reverse("portal:agreement_detail", args=[silver_agreement.pk]))
    assert detail.status_code == 404


def test_contact_reads_the_agreement_and_downloads_the_signed_pdf(login, personas, signed):
    client = login(personas.contact)
    detail = client.get(reverse("portal:agreement_detail", args=[signed.pk]))
    assert detail.status_code == 200
    assert "Schedule of services" in detail.content.decode()
    pdf = client.get(reverse("portal:signed_pdf", args=[signed.pk]))
    assert pdf.status_code == 200
    data = b"".join(pdf.streaming_content)
    assert data == signed.signed_document.pdf.read()


def test_an_unsigned_agreement_has_no_signed_pdf(login, personas, send, platinum_agreement,
                                                 signer):
    send(platinum_agreement, signer)
    response = login(personas.contact).get(
        reverse("portal:signed_pdf", args=[platinum_agreement.pk]))
    assert response.status_code == 404


def test_the_outsider_gets_404_for_every_portal_url_of_acmes(login, personas, signed):
    client = login(personas.outsider)
    for name in ("agreement_detail", "signed_pdf"):
        assert client.get(reverse(f"portal:{name}", args=[signed.pk])).status_code == 404
    home = client.get(reverse("portal:home"))
    assert home.status_code == 200
    assert "Acme Dental" not in home.content.decode()


def test_the_outsider_sees_its_own_agreements_only(login, personas, signed, tiers):
    own = AgreementFactory(client=personas.outsider.contact.client,
                           plan_version=tiers["gold"], status="active")
    page = login(personas.outsider).get(reverse("portal:home"))
    assert list(page.context["agreements"]) == [own]


@pytest.mark.parametrize("role", ["owner", "dispatcher", "technician", "billing"])
def test_staff_are_refused_the_portal(login, personas, role):
    response = login(getattr(personas, role)).get(reverse("portal:home"))
    assert response.status_code == 403


def test_anonymous_visitors_are_sent_to_login(client, signed):
    response = client.get(reverse("portal:signed_pdf", args=[signed.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_contacts_are_refused_staff_document_pages_of_their_own_agreement(login, personas,
                                                                          signed):
    client = login(personas.contact)
    document = signed.signed_document
    assert client.get(reverse("documents:signed_pdf", args=[document.pk])).status_code == 403
    assert client.get(reverse("documents:agreement_document",
                              args=[signed.pk])).status_code == 403
