"""Verification of signed PDFs: the stored file is intact, an uploaded copy matches, and one
flipped byte anywhere is caught."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tierdesk.documents.services import agreement_signature_capture
from tierdesk.documents.tests.fixtures import token_of
from tierdesk.documents.verification import signed_document_verify


@pytest.fixture
def document(send, silver_agreement, signer):
    _, url = send(silver_agreement, signer)
    return agreement_signature_capture(token=token_of(url), typed_name="Carol Contact",
                                       consent=True, ip="198.51.100.4", user_agent="pytest")


def overwrite(document, data: bytes) -> None:
    # Tampering behind the application's back, as someone with disk access would.
    storage, name = document.pdf.storage, document.pdf.name
    storage.delete(name)
    assert storage.save(name, ContentFile(data)) == name


def flipped(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]


def test_the_stored_file_verifies(document):
    result = signed_document_verify(document=document)
    assert result.valid, result.reason
    assert result.agreement == document.agreement
    assert result.signer_name == "Carol Contact"
    assert result.signed_at == document.signed_at


@pytest.mark.parametrize("where", ["signed part", "stamp"])
def test_one_flipped_byte_makes_verification_fail(document, where):
    data = document.pdf.read()
    document.pdf.close()
    at = document.signed_length // 2 if where == "signed part" else len(data) - 200
    overwrite(document, flipped(data, at))
    result = signed_document_verify(document=document)
    assert not result.valid
    assert "altered" in result.reason


def test_an_uploaded_copy_of_the_signed_file_matches_its_signature(document):
    data = document.pdf.read()
    result = signed_document_verify(pdf_bytes=data)
    assert result.valid and result.document == document


def test_an_uploaded_copy_with_a_flipped_byte_does_not_match(document):
    data = document.pdf.read()
    result = signed_document_verify(pdf_bytes=flipped(data, 1000))
    assert not result.valid


def test_bytes_appended_after_signing_are_reported_as_a_change(document):
    data = document.pdf.read()
    result = signed_document_verify(pdf_bytes=data + b"\n1 0 obj\n<<>>\nendobj\n%%EOF\n")
    assert not result.valid
    assert result.document == document
    assert "changed after signing" in result.reason


def test_staff_can_verify_an_upload_on_the_verify_page(login, personas, document):
    client = login(personas.billing)
    assert client.get(reverse("documents:verify")).status_code == 200
    upload = SimpleUploadedFile("a.pdf", document.pdf.read(), content_type="application/pdf")
    response = client.post(reverse("documents:verify"), {"pdf": upload})
    assert response.status_code == 200
    assert response.context["result"].valid
    assert "Carol Contact" in response.content.decode()


def test_staff_can_check_a_stored_document_by_picking_it(login, personas, document):
    response = login(personas.technician).post(reverse("documents:verify"),
                                               {"document": document.pk})
    assert response.context["result"].valid


def test_contacts_cannot_use_the_staff_verify_page(login, personas, document):
    assert login(personas.contact).get(reverse("documents:verify")).status_code == 403


def test_the_public_verify_page_says_valid_and_little_else(client, document):
    response = client.get(reverse("documents:verify_hash", args=[document.sha256]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Valid signature" in body and "Acme Dental" in body
    assert "Carol Contact" not in body and "198.51.100.4" not in body
    assert "Schedule of services" not in body


def test_the_public_verify_page_says_invalid_after_tampering(client, document):
    data = document.pdf.read()
    document.pdf.close()
    overwrite(document, flipped(data, 500))
    response = client.get(reverse("documents:verify_hash", args=[document.sha256]))
    assert "Not valid" in response.content.decode()


def test_an_unknown_hash_is_a_404(client, db):
    assert client.get(reverse("documents:verify_hash", args=["0" * 64])).status_code == 404


def test_the_stamped_verify_url_is_printed_on_the_document(document):
    from tierdesk.documents.tests.fixtures import pdf_text

    text = "".join(pdf_text(document.pdf.read()).split())
    assert f"desk.northwind.example/documents/verify/{document.sha256}/" in text
