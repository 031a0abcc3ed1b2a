"""Staff pages of billable items: who may read and write, field errors, and 404 for
another client's item."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from tierdesk.billing import items
from tierdesk.billing.models import BillableItem
from tierdesk.clients.factories import AgreementFactory


@pytest.fixture
def agreement(acme):
    return AgreementFactory(client=acme, status="active", start_date=dt.date(2026, 1, 1))


@pytest.mark.parametrize("role,status", [("owner", 200), ("billing", 200), ("dispatcher", 200),
                                         ("technician", 200), ("contact", 403),
                                         ("outsider", 403)])
def test_staff_read_the_items_of_a_client(acme, personas, login, role, status):
    response = login(getattr(personas, role)).get(reverse("billing:item_list", args=[acme.pk]))
    assert response.status_code == status


@pytest.mark.parametrize("role,status", [("billing", 302), ("dispatcher", 302),
                                         ("technician", 403), ("outsider", 403)])
def test_owner_billing_and_dispatchers_add_items(agreement, personas, login, role, status):
    response = login(getattr(personas, role)).post(
        reverse("billing:item_create", args=[agreement.client_id]),
        {"kind": "hardware", "description": "Router", "quantity": "1", "unit_cost": "100"})
    assert response.status_code == status
    assert BillableItem.objects.count() == (1 if status == 302 else 0)
    if status == 302:
        assert BillableItem.objects.get().unit_price == Decimal("115.00")


def test_a_negative_price_is_shown_on_its_field(agreement, personas, login):
    response = login(personas.billing).post(
        reverse("billing:item_create", args=[agreement.client_id]),
        {"kind": "software", "description": "Licence", "quantity": "1", "unit_price": "-4"})
    assert response.status_code == 400
    assert response.context["form"].errors["unit_price"] == ["must not be negative"]
    assert not BillableItem.objects.exists()


def test_editing_reprices_and_another_clients_item_is_404(agreement, globex, personas,
                                                          login):
    item = items.item_create(client=agreement.client, kind="other", description="Cabling",
                             quantity=1, unit_price="80", by=personas.billing)
    client = login(personas.billing)
    response = client.post(reverse("billing:item_edit", args=[agreement.client_id, item.pk]),
                           {"kind": "other", "description": "Cabling", "quantity": "2",
                            "unit_price": "80"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.quantity == Decimal("2.00")
    assert client.get(reverse("billing:item_edit", args=[globex.pk, item.pk])
                      ).status_code == 404
