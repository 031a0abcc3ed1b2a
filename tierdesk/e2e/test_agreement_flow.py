"""The main flow, through the browser only: an owner sets up a client and sends a Silver
agreement; the contact signs it from the e-mailed link; the signed PDF says what Silver
promises and nothing it does not, and its fingerprint verifies."""

import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from pypdf import PdfReader

from tierdesk.catalog.seed import catalog_load_defaults
from tierdesk.clients.models import Agreement, AgreementStatus
from tierdesk.core.models import Role
from tierdesk.core.services import user_create
from tierdesk.documents.models import SignedDocument
from tierdesk.documents.verification import signed_document_verify
from tierdesk.plans.models import PlanVersion
from tierdesk.plans.seed import tiers_load_defaults

pytestmark = pytest.mark.browser


def _log_in(page, username, password):
    page.goto("/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def _today_iso(timezone: str) -> str:
    return dt.datetime.now(ZoneInfo(timezone)).date().isoformat()


def _pdf_text(document) -> str:
    with document.pdf.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "\n".join(p.extract_text() for p in reader.pages)


def test_owner_sends_silver_agreement_and_contact_signs_it(browser, page, live_server,
                                                           tmp_path):
    catalog_load_defaults()
    tiers_load_defaults()
    # No password given: a generated one that must be changed at the first login.
    _, generated = user_create(username="olivia", role=Role.OWNER, email="olivia@msp.example")

    # First login goes to the password page, and nowhere else until it is changed.
    _log_in(page, "olivia", generated)
    page.wait_for_url("**/password/")
    page.goto("/clients/")
    page.wait_for_url("**/password/")
    page.get_by_label("Old password").fill(generated)
    page.get_by_label("New password", exact=True).fill("Blue-harbour-lantern-42")
    page.get_by_label("New password confirmation").fill("Blue-harbour-lantern-42")
    page.get_by_role("button", name=re.compile("change", re.I)).click()
    page.wait_for_url("**/clients/dashboard/")

    # A client, its site and a contact who may sign.
    page.get_by_role("link", name="Clients", exact=True).click()
    page.get_by_role("link", name="New client").click()
    page.get_by_label("Name").fill("Harbour Bakery")
    page.get_by_label("Segment").select_option(label="Small business")
    page.get_by_label("Timezone").select_option("America/Chicago")
    page.get_by_label("Users count").fill("6")
    page.get_by_label("Devices count").fill("8")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="Harbour Bakery").wait_for()

    page.get_by_role("link", name="Add site").click()
    page.get_by_label("Name").fill("Shop")
    page.get_by_label("Address").fill("1 Quay Street\nPortland")
    page.get_by_label("Drive minutes").fill("20")
    page.get_by_label("Remote-management agent installed").check()
    page.get_by_role("button", name="Save").click()
    page.get_by_role("cell", name="Shop", exact=True).wait_for()

    page.get_by_role("link", name="Add contact").click()
    page.get_by_label("Name").fill("Hana Baker")
    page.get_by_label("Email").fill("hana@harbour.example")
    page.get_by_label("May sign agreements").check()
    page.get_by_role("button", name="Save").click()
    page.get_by_role("cell", name="Hana Baker").wait_for()

    # A Silver agreement, sent for signature.
    page.get_by_role("link", name="New agreement").click()
    silver = PlanVersion.objects.get(plan__slug="silver", number=1)
    page.get_by_label("Tier").select_option(str(silver.pk))
    page.get_by_label("Start date").fill(_today_iso("America/Chicago"))
    page.get_by_role("button", name="Create draft").click()
    page.get_by_role("heading", name=re.compile(r"Agreement #\d+")).wait_for()
    agreement = Agreement.objects.get(client__name="Harbour Bakery")
    assert agreement.status == AgreementStatus.DRAFT

    page.locator("#send-for-signature").click()
    page.get_by_label("Send to").select_option(label="Hana Baker (Harbour Bakery)")
    acknowledge = page.get_by_label(re.compile("I acknowledge the warnings"))
    if page.locator(".alert-warning").count():
        acknowledge.check()
        page.get_by_label(re.compile("Note")).fill("Close by and remote agent installed.")
    mail.outbox.clear()
    page.get_by_role("button", name="Send the signing link").click()
    page.get_by_role("heading", name="Signing link sent").wait_for()

    # The e-mail went out in this process (locmem backend): it carries the link.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["hana@harbour.example"]
    shown = page.locator("#signing-url").input_value()
    assert shown in mail.outbox[0].body
    # SITE_URL is the configured public address; the path is what the browser opens.
    signing_path = shown.removeprefix(settings.SITE_URL)
    assert signing_path.startswith("/documents/sign/")

    page.get_by_role("button", name="Log out").click()

    # The contact signs in a fresh context: no staff session.
    signer = browser.new_context(base_url=live_server.url)
    try:
        sign_page = signer.new_page()
        sign_page.goto(signing_path)
        sign_page.get_by_text("Hana Baker, please read the agreement").wait_for()
        sign_page.get_by_label("Your full name").fill("Hana Baker")
        sign_page.get_by_label(re.compile("I agree to sign electronically")).check()
        sign_page.get_by_role("button", name="Sign the agreement").click()
        sign_page.get_by_role("heading", name="Thank you, Hana Baker").wait_for()
        sign_page.screenshot(path=str(tmp_path / "signed.png"), full_page=True)
    finally:
        signer.close()

    agreement.refresh_from_db()
    assert agreement.status in (AgreementStatus.SIGNED, AgreementStatus.ACTIVE)
    assert agreement.plan_version.plan.slug == "silver"
    document = SignedDocument.objects.get(agreement=agreement)
    assert document.signer_name == "Hana Baker"

    text = _pdf_text(document)
    flat = " ".join(text.split())
    for channel in ("E-mail", "Web portal", "Phone (automated attendant)"):
        assert channel in flat, channel
    assert "same business day" in flat.lower()
    assert re.search(r"\b2 (remote )?sessions? of 15 minutes", flat), flat
    assert "hotline at" not in flat.lower()
    assert settings.TIERDESK_HOTLINE not in flat
    assert "0199" not in flat
    assert signed_document_verify(document=document).valid
    assert f"SHA-256 of the signed document: {document.sha256}" in flat
