"""Agreements through the API: draft, send (with feasibility warnings), sign, change tier."""

import datetime as dt
import re

import pytest
from django.core import mail

from tierdesk.api.tests.conftest import fields
from tierdesk.clients.factories import AgreementFactory, SiteFactory
from tierdesk.clients.models import Agreement
from tierdesk.plans.factories import PlanVersionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(db):
    return PlanVersionFactory(plan__name="Silver", plan__slug="silver")


@pytest.fixture
def draft(personas, bearer, acme, version):
    response = bearer(personas.dispatcher).post("/agreements", {
        "client_id": acme.pk, "plan_version_id": version.pk,
        "start_date": str(dt.date.today() - dt.timedelta(days=1)),
    })
    assert response.status_code == 201, response.content
    return response.json()


def test_draft_takes_counts_and_prices_from_client_and_tier(draft, acme, version):
    assert draft["status"] == "draft"
    assert draft["users_count"] == acme.users_count
    assert draft["base_fee"] == "99.00"
    assert draft["plan_name"] == "Silver" and draft["plan_version_number"] == 1


def test_negotiated_price_needs_a_reason(personas, bearer, acme, version):
    response = bearer(personas.owner).post("/agreements", {
        "client_id": acme.pk, "plan_version_id": version.pk,
        "start_date": str(dt.date.today()), "base_fee": "50",
    })
    assert "override_reason" in fields(response)


def test_send_without_warnings_moves_draft_to_sent(personas, bearer, draft):
    response = bearer(personas.dispatcher).post(f"/agreements/{draft['id']}/send", {})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "sent"
    assert response.json()["sent_at"] is not None


def test_send_with_warnings_is_409_listing_them_until_acknowledged(personas, bearer, acme,
                                                                  draft):
    SiteFactory(client=acme, name="Cabin", drive_minutes=600, has_rmm_agent=False)
    api = bearer(personas.dispatcher)

    refused = api.post(f"/agreements/{draft['id']}/send", {})

    assert refused.status_code == 409
    codes = {w["code"] for w in refused.json()["warnings"]}
    assert {"onsite_too_far", "no_remote_agent"} <= codes
    assert Agreement.objects.get(pk=draft["id"]).status == "draft"

    sent = api.post(f"/agreements/{draft['id']}/send",
                    {"acknowledge": True, "note": "client accepts next-day visits"})

    assert sent.status_code == 200
    body = sent.json()
    assert body["status"] == "sent"
    assert body["feasibility_note"] == "client accepts next-day visits"
    assert {w["code"] for w in body["feasibility_warnings"]} == codes


def test_send_to_a_contact_emails_the_link_and_the_api_signs_with_it(personas, bearer, acme,
                                                                     draft):
    signer = personas.contact.contact
    sent = bearer(personas.dispatcher).post(f"/agreements/{draft['id']}/send",
                                            {"contact_id": signer.pk})
    assert sent.status_code == 200, sent.content
    assert len(mail.outbox) == 1
    token = re.search(r"/sign/([^/\s]+)/", mail.outbox[0].body).group(1)
    api = bearer(personas.contact)

    unchecked = api.post(f"/agreements/{draft['id']}/sign",
                         {"token": token, "typed_name": "Carla Contact", "consent": False})
    assert "consent" in fields(unchecked)

    signed = api.post(f"/agreements/{draft['id']}/sign",
                      {"token": token, "typed_name": "Carla Contact", "consent": True})

    assert signed.status_code == 200, signed.content
    assert signed.json()["status"] == "active"  # its start date has come
    again = api.post(f"/agreements/{draft['id']}/sign",
                     {"token": token, "typed_name": "Carla Contact", "consent": True})
    assert again.status_code == 410


def test_sign_with_a_token_of_another_agreement_is_404(personas, bearer, acme, version,
                                                       draft):
    staff = bearer(personas.dispatcher)
    other = staff.post("/agreements", {"client_id": acme.pk, "plan_version_id": version.pk,
                                       "start_date": "2030-01-01"}).json()
    signer = personas.contact.contact
    staff.post(f"/agreements/{draft['id']}/send", {"contact_id": signer.pk})
    staff.post(f"/agreements/{other['id']}/send", {"contact_id": signer.pk})
    other_token = re.search(r"/sign/([^/\s]+)/", mail.outbox[1].body).group(1)
    api = bearer(personas.contact)

    wrong = api.post(f"/agreements/{draft['id']}/sign",
                     {"token": other_token, "typed_name": "X", "consent": True})
    forged = api.post(f"/agreements/{draft['id']}/sign",
                      {"token": "forged", "typed_name": "X", "consent": True})

    assert wrong.status_code == 404 and forged.status_code == 404
    assert Agreement.objects.get(pk=other["id"]).status == "sent"


def test_technician_cannot_send(personas, bearer, draft):
    response = bearer(personas.technician).post(f"/agreements/{draft['id']}/send", {})
    assert response.status_code == 403


def test_change_tier_drafts_the_successor(personas, bearer, acme, version):
    current = AgreementFactory(client=acme, plan_version=version, status="active",
                               start_date=dt.date(2026, 1, 1))
    gold = PlanVersionFactory(plan__name="Gold", plan__slug="gold", base_fee="249.00")

    response = bearer(personas.owner).post(f"/agreements/{current.pk}/change-tier", {
        "plan_version_id": gold.pk, "effective_date": "2026-06-01",
    })

    assert response.status_code == 201, response.content
    successor = response.json()
    assert successor["replaces_id"] == current.pk
    assert successor["status"] == "draft"
    assert successor["plan_name"] == "Gold" and successor["base_fee"] == "249.00"
    assert successor["start_date"] == "2026-06-01"


def test_change_tier_of_a_draft_is_a_409(personas, bearer, draft, version):
    response = bearer(personas.owner).post(f"/agreements/{draft['id']}/change-tier", {
        "plan_version_id": version.pk, "effective_date": "2030-01-01",
    })
    assert response.status_code == 409
    assert "active" in response.json()["detail"]


def test_draft_can_be_changed_and_discarded_but_a_sent_one_cannot(personas, bearer, draft):
    api = bearer(personas.dispatcher)
    patched = api.patch(f"/agreements/{draft['id']}", {"term_months": 24})
    assert patched.json()["term_months"] == 24

    api.post(f"/agreements/{draft['id']}/send", {})
    assert api.patch(f"/agreements/{draft['id']}", {"term_months": 6}).status_code == 409
    assert api.delete(f"/agreements/{draft['id']}").status_code == 409


def test_discarding_a_draft(personas, bearer, draft):
    api = bearer(personas.owner)
    assert api.delete(f"/agreements/{draft['id']}").status_code == 204
    assert api.get(f"/agreements/{draft['id']}").status_code == 404


def test_agreements_filter_by_status_and_client(personas, bearer, acme, globex, version):
    active = AgreementFactory(client=acme, plan_version=version, status="active")
    AgreementFactory(client=globex, plan_version=version, status="active")
    AgreementFactory(client=acme, plan_version=version, status="ended")
    api = bearer(personas.billing, "read")

    items = api.get("/agreements", {"status": "active", "client": acme.pk}).json()["items"]

    assert [a["id"] for a in items] == [active.pk]


def test_end_an_active_agreement(personas, bearer, acme, version):
    current = AgreementFactory(client=acme, plan_version=version, status="active",
                               start_date=dt.date(2026, 1, 1))
    api = bearer(personas.owner)
    assert "reason" in fields(api.post(f"/agreements/{current.pk}/end",
                                       {"end_date": "2026-05-31", "reason": ""}))
    ended = api.post(f"/agreements/{current.pk}/end",
                     {"end_date": "2026-05-31", "reason": "moved away"})
    assert ended.json()["status"] == "ended" and ended.json()["end_date"] == "2026-05-31"


def test_listing_agreements_takes_the_same_queries_for_many(personas, bearer, acme, version,
                                                            django_assert_max_num_queries):
    for _ in range(8):
        AgreementFactory(client=acme, plan_version=PlanVersionFactory(), status="active")
    api = bearer(personas.owner, "read")
    # token lookup + last-used update + count + page (+ savepoints of the update)
    with django_assert_max_num_queries(6):
        assert api.get("/agreements").json()["count"] == 8
