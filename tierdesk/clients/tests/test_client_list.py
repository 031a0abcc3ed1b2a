"""The client list: filters, sorting, and a constant number of queries per page."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tierdesk.catalog.factories import SegmentFactory
from tierdesk.clients import selectors
from tierdesk.clients.factories import AgreementFactory, ClientFactory


def make_clients(n, version, segment, start=0):
    for i in range(start, start + n):
        client = ClientFactory(name=f"Bulk {i:04d}", segment=segment)
        AgreementFactory(client=client, plan_version=version, status="active")


def test_client_list_with_200_clients_renders_in_constant_queries(
        personas, login, silver, django_assert_max_num_queries):
    segment = SegmentFactory()
    browser = login(personas.owner)
    make_clients(20, silver, segment)
    with CaptureQueriesContext(connection) as few:
        assert browser.get(reverse("clients:client_list")).status_code == 200
    make_clients(180, silver, segment, start=20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = browser.get(reverse("clients:client_list") + "?ordering=tier")
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 202  # + acme and globex
    assert len(response.context["page"].object_list) == 50


def test_client_list_shows_the_current_tier(personas, login, acme, silver):
    AgreementFactory(client=acme, plan_version=silver, status="active")
    response = login(personas.technician).get(reverse("clients:client_list"), {"q": "acme"})
    assert [c.name for c in response.context["page"]] == ["Acme Dental"]
    assert response.context["page"][0].current_tier == "Silver"
    assert b"Silver" in response.content


def test_filters_by_segment_tier_and_status(acme, globex, silver, gold):
    AgreementFactory(client=acme, plan_version=silver, status="active")
    AgreementFactory(client=globex, plan_version=gold, status="sent")
    names = lambda f: [c.name for c in selectors.client_list(f)]  # noqa: E731
    assert names({"tier": str(silver.plan_id)}) == ["Acme Dental"]
    assert names({"status": "sent"}) == ["Globex Finance"]
    assert names({"segment": str(globex.segment_id)}) == ["Globex Finance"]
    assert names({"ordering": "-name"}) == ["Globex Finance", "Acme Dental"]


def test_dashboard_counts_and_exact_mrr(personas, login, acme, globex, silver, gold):
    AgreementFactory(client=acme, plan_version=silver, status="active", users_count=3,
                     devices_count=1, base_fee=Decimal("99.99"),
                     price_per_user=Decimal("10.01"), price_per_device=Decimal("0.01"))
    AgreementFactory(client=globex, plan_version=gold, status="active", users_count=0,
                     devices_count=0, base_fee=Decimal("0.10"), price_per_user=0,
                     price_per_device=0)
    AgreementFactory(client=globex, plan_version=gold, status="sent")
    AgreementFactory(client=globex, plan_version=silver, status="ended")
    assert selectors.monthly_recurring_revenue() == Decimal("130.13")
    assert selectors.agreements_by_status() == {
        "draft": 0, "sent": 1, "signed": 0, "active": 2, "suspended": 0, "ended": 1}
    assert selectors.clients_per_tier() == [
        {"tier": "Silver", "rank": 1, "clients": 1}, {"tier": "Gold", "rank": 2, "clients": 1}]
    response = login(personas.billing).get(reverse("clients:dashboard"))
    assert response.status_code == 200
    assert "130.13" in response.content.decode()
    assert [a.client for a in response.context["awaiting_signature"]] == [globex]


@pytest.mark.parametrize("role", ["owner", "technician"])
def test_client_detail_shows_sites_contacts_and_history(personas, login, acme, silver, role):
    AgreementFactory(client=acme, plan_version=silver, status="active")
    response = login(getattr(personas, role)).get(
        reverse("clients:client_detail", args=[acme.pk]))
    body = response.content.decode()
    assert "Main office" in body and "Contact" in body and "Silver v1" in body
    assert ("Add site" in body) is (role == "owner")
