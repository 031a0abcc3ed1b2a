"""Agreement pages: pricing on creation, the detail page's buttons, status actions."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from tierdesk.clients.factories import AgreementFactory, ContactFactory, SiteFactory
from tierdesk.clients.models import Agreement


def create_data(client, version, **extra):
    return {"client": client.pk, "plan_version": version.pk,
            "start_date": dt.date(2027, 1, 1).isoformat(), "term_months": 12,
            "billing_cycle": "monthly", "auto_renew": "on"} | extra


def test_compute_price_shows_the_segment_price_without_saving(personas, login, acme, silver):
    acme.segment.price_factor = Decimal("1.50")
    acme.segment.save()
    response = login(personas.dispatcher).post(reverse("clients:agreement_create"),
                                               create_data(acme, silver, preview="1"))
    assert response.status_code == 200
    preview = response.context["preview"]
    assert preview["price"].price_per_user == Decimal("15.00")
    # 99 + 10 users × 15 + 12 devices × 7.50
    assert preview["monthly_fee"] == Decimal("339.00")
    assert not Agreement.objects.exists()


def test_create_draft_and_land_on_its_page(personas, login, acme, silver):
    response = login(personas.owner).post(reverse("clients:agreement_create"),
                                          create_data(acme, silver))
    agreement = Agreement.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("clients:agreement_detail", args=[agreement.pk])
    assert agreement.price_per_user == silver.price_per_user


def test_price_override_without_reason_shows_the_error_on_that_field(personas, login, acme,
                                                                     silver):
    response = login(personas.owner).post(reverse("clients:agreement_create"),
                                          create_data(acme, silver, base_fee="50.00"))
    assert response.status_code == 200
    assert "override_reason" in response.context["form"].errors
    assert not Agreement.objects.exists()
    response = login(personas.owner).post(
        reverse("clients:agreement_create"),
        create_data(acme, silver, base_fee="50.00", override_reason="pilot client"))
    assert Agreement.objects.get().base_fee == Decimal("50.00")


def test_draft_page_links_to_send_for_signature_and_warns_ahead(personas, login, acme, silver):
    SiteFactory(client=acme, name="Harbour Clinic", drive_minutes=600)
    draft = AgreementFactory(client=acme, plan_version=silver, status="draft")
    response = login(personas.owner).get(reverse("clients:agreement_detail", args=[draft.pk]))
    body = response.content.decode()
    assert reverse("documents:agreement_send", args=[draft.pk]) in body
    assert "Harbour Clinic is 600 min away" in body


def test_readers_see_no_buttons(personas, login, acme, silver):
    agreement = AgreementFactory(client=acme, plan_version=silver, status="active")
    body = login(personas.technician).get(
        reverse("clients:agreement_detail", args=[agreement.pk])).content.decode()
    assert "Change tier" not in body and "Suspend" not in body


def test_suspend_resume_and_end_through_the_buttons(personas, login, acme, silver):
    agreement = AgreementFactory(client=acme, plan_version=silver, status="active",
                                 start_date=dt.date(2026, 1, 1))
    browser = login(personas.owner)
    url = lambda action: reverse("clients:agreement_action", args=[agreement.pk, action])  # noqa: E731
    detail = browser.get(reverse("clients:agreement_detail", args=[agreement.pk]))
    assert [a["name"] for a in detail.context["actions"]] == ["suspend", "end"]
    browser.post(url("suspend"), {"reason": "unpaid"})
    assert Agreement.objects.get(pk=agreement.pk).status == "suspended"
    browser.post(url("resume"))
    assert Agreement.objects.get(pk=agreement.pk).status == "active"
    response = browser.post(url("end"), {"reason": "", "end_date": "2026-06-30"}, follow=True)
    assert "say why the agreement ends" in response.content.decode()
    browser.post(url("end"), {"reason": "closed", "end_date": "2026-06-30"})
    stored = Agreement.objects.get(pk=agreement.pk)
    assert (stored.status, stored.end_date) == ("ended", dt.date(2026, 6, 30))


def test_forbidden_action_reports_the_error_and_changes_nothing(personas, login, acme, silver):
    agreement = AgreementFactory(client=acme, plan_version=silver, status="draft")
    response = login(personas.owner).post(
        reverse("clients:agreement_action", args=[agreement.pk, "suspend"]), {"reason": "x"},
        follow=True)
    assert "cannot become suspended" in response.content.decode()
    assert Agreement.objects.get(pk=agreement.pk).status == "draft"


def test_change_tier_page_drafts_the_successor(personas, login, active, gold, today):
    response = login(personas.dispatcher).post(
        reverse("clients:agreement_change_tier", args=[active.pk]),
        {"plan_version": gold.pk, "effective_date": (today + dt.timedelta(days=7)).isoformat()})
    successor = Agreement.objects.get(replaces=active)
    assert response.url == reverse("clients:agreement_detail", args=[successor.pk])
    assert successor.plan_version == gold
    body = login(personas.owner).get(response.url).content.decode()
    assert "Tier changes" in body


def test_site_form_shows_negative_drive_minutes_on_the_field(personas, login, acme):
    response = login(personas.owner).post(
        reverse("clients:site_create", args=[acme.pk]),
        {"name": "Annex", "address": "1 Road", "drive_minutes": "-3"})
    assert "drive_minutes" in response.context["form"].errors


def test_client_form_rejects_an_unknown_time_zone_on_the_field(personas, login, acme):
    response = login(personas.owner).post(
        reverse("clients:client_edit", args=[acme.pk]),
        {"name": acme.name, "segment": acme.segment_id, "timezone": "Mars/Base",
         "users_count": 1, "devices_count": 1})
    assert "timezone" in response.context["form"].errors


@pytest.mark.parametrize("role", ["owner", "dispatcher"])
def test_contact_invite_shows_the_password_once(personas, login, acme, role):
    contact = ContactFactory(client=acme, name="Dana Scully", email="dana@acme.example")
    url = reverse("clients:contact_invite", args=[acme.pk, contact.pk])
    browser = login(getattr(personas, role))
    response = browser.post(url)
    password = response.context["password"]
    assert password and password in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    contact.refresh_from_db()
    assert contact.user.check_password(password)
    again = browser.get(url).content.decode()
    assert password not in again and "already has a portal login" in again


def test_editing_a_draft_keeps_given_prices_and_resets_cleared_ones(personas, login, acme,
                                                                    silver):
    draft = AgreementFactory(client=acme, plan_version=silver, status="draft",
                             base_fee=Decimal("80.00"), override_reason="pilot")
    data = {"plan_version": silver.pk, "start_date": draft.start_date.isoformat(),
            "term_months": 24, "billing_cycle": "quarterly", "base_fee": "80.00",
            "price_per_user": "", "price_per_device": "", "override_reason": "pilot"}
    response = login(personas.owner).post(reverse("clients:agreement_edit", args=[draft.pk]),
                                          data)
    assert response.status_code == 302
    stored = Agreement.objects.get(pk=draft.pk)
    assert (stored.base_fee, stored.price_per_user) == (Decimal("80.00"), Decimal("10.00"))
    assert (stored.term_months, stored.billing_cycle) == (24, "quarterly")


def test_a_sent_agreement_cannot_be_edited(personas, login, acme, silver):
    sent = AgreementFactory(client=acme, plan_version=silver, status="sent")
    response = login(personas.owner).post(reverse("clients:agreement_edit", args=[sent.pk]),
                                          {"plan_version": silver.pk, "term_months": 1})
    assert response.status_code == 302
    assert Agreement.objects.get(pk=sent.pk).term_months == 12
