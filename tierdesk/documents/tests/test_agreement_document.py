"""The agreement document promises exactly what the tier holds: names the channels, targets
and allowance, and shows the hotline only to tiers that include it."""

import re

from django.urls import reverse

from tierdesk.core.money import format_money
from tierdesk.documents.agreement_document import (
    agreement_pdf,
    helpdesk_allowance_text,
    minutes_label,
)
from tierdesk.documents.tests.fixtures import HOTLINE, pdf_text


def flat(text: str) -> str:
    return " ".join(text.split())


def test_silver_pdf_names_channels_same_day_target_and_allowance_and_no_hotline(
        silver_agreement):
    text = flat(pdf_text(agreement_pdf(silver_agreement)))
    assert "Silver" in text
    for channel in ("E-mail", "Web portal", "Phone (automated attendant)"):
        assert channel in text
    assert "Same business day" in text
    assert re.search(r"\b2 remote sessions of 15 minutes a month", text)
    assert "further sessions $35.00 each" in text
    # Neither the number nor the hotline channel; the tier's own instructions may still
    # say that the live hotline is a Platinum feature.
    assert HOTLINE not in text
    assert "24x7 hotline" not in text
    assert "Urgent issues, any time" not in text


def test_platinum_pdf_has_the_hotline_number_and_unlimited_help_desk(platinum_agreement):
    text = flat(pdf_text(agreement_pdf(platinum_agreement)))
    assert HOTLINE in text
    assert "24x7 hotline answered live" in text
    assert "Unlimited" in text
    assert "2 hours" in text  # the wall-clock P1 first response


def test_pdf_names_both_parties_term_and_fee_breakdown(silver_agreement):
    silver_agreement.end_date = None
    silver_agreement.auto_renew = True
    silver_agreement.save()
    text = flat(pdf_text(agreement_pdf(silver_agreement)))
    assert "Northwind IT Services" in text and "1 Harbour Road" in text
    assert "Acme Dental" in text
    assert "Renews automatically every 12 months" in text
    assert "Monthly" in text
    a = silver_agreement
    assert f"{a.users_count} × {format_money(a.price_per_user)}" in text
    assert f"{a.devices_count} × {format_money(a.price_per_device)}" in text
    assert format_money(a.monthly_fee) in text


def test_negotiated_price_is_noted_with_its_reason(silver_agreement):
    silver_agreement.base_fee = silver_agreement.base_fee - 10
    silver_agreement.override_reason = "Two-year commitment discount"
    silver_agreement.save()
    text = flat(pdf_text(agreement_pdf(silver_agreement)))
    assert "Negotiated price" in text
    assert "Two-year commitment discount" in text


def test_allowance_wording_for_limited_and_unlimited_tiers(tiers):
    assert helpdesk_allowance_text(tiers["silver"]) == (
        "2 remote sessions of 15 minutes a month; further sessions $35.00 each")
    assert helpdesk_allowance_text(tiers["platinum"]).startswith("Unlimited")


def test_minutes_are_written_in_words():
    assert minutes_label(120) == "2 hours"
    assert minutes_label(90) == "1 hour 30 minutes"
    assert minutes_label(15) == "15 minutes"


def test_staff_see_the_html_document_and_download_the_pdf(login, personas, silver_agreement):
    client = login(personas.technician)
    page = client.get(reverse("documents:agreement_document", args=[silver_agreement.pk]))
    assert page.status_code == 200
    assert "Schedule of services" in page.content.decode()
    pdf = client.get(reverse("documents:agreement_pdf", args=[silver_agreement.pk]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_contacts_are_refused_the_staff_document_pages(login, personas, silver_agreement):
    for user in (personas.contact, personas.outsider):
        client = login(user)
        for name in ("agreement_document", "agreement_pdf", "agreement_send"):
            response = client.get(reverse(f"documents:{name}", args=[silver_agreement.pk]))
            assert response.status_code == 403, (user, name)


def test_anonymous_users_are_sent_to_login(client, silver_agreement):
    response = client.get(reverse("documents:agreement_document", args=[silver_agreement.pk]))
    assert response.status_code == 302
    assert "/login/" in response["Location"]
