"""Outsourcing pages: owners set partners and routes, dispatchers look, others are refused;
the ticket page's partner panel shows the partner's targets next to the MSP's SLA."""
# ruff: noqa: F811  (pytest fixtures are imported by name and then requested as arguments)

import pytest

from tierdesk.core.models import AuditEvent
from tierdesk.desk.models import HelpdeskRoute, OutsourcingPartner
from tierdesk.desk.tests.desk_fixtures import acme_on_gold, gold, ny  # noqa: F401
from tierdesk.desk.tests.outsourcing_fixtures import (  # noqa: F401
    gold_routed,
    open_helpdesk,
    partner,
)

pytestmark = pytest.mark.django_db

NEW_PARTNER = {
    "action": "create", "name": "DeskPlus", "email": "ops@deskplus.example",
    "webhook_url": "", "hours": '{"tz": "UTC", "hours": {"mon": [["08:00", "16:00"]]}}',
    "target_kind": "business", "first_response_minutes": "60", "resolution_minutes": "",
    "fee_per_ticket": "4.00", "fee_per_month": "0", "contract_start": "2026-01-01",
    "contract_end": "", "is_active": "on",
}


@pytest.mark.parametrize("persona, status", [
    ("owner", 200), ("dispatcher", 200), ("technician", 403), ("billing", 403),
    ("contact", 403), ("outsider", 403),
])
def test_who_sees_the_outsourcing_page(personas, login, persona, status):
    assert login(getattr(personas, persona)).get("/desk/outsourcing/").status_code == status


def test_the_owner_adds_a_partner_and_routes_a_tier(gold, personas, login):
    browser = login(personas.owner)
    response = browser.post("/desk/outsourcing/", NEW_PARTNER)
    partner = OutsourcingPartner.objects.get(name="DeskPlus")
    assert response.status_code == 302
    assert partner.targets == {"first_response": {"kind": "business", "minutes": 60,
                                                  "cutoff": None}}
    browser.post("/desk/outsourcing/", {"action": "route", "plan": gold.plan.pk,
                                        "partner": partner.pk})
    assert HelpdeskRoute.objects.get(plan=gold.plan).partner == partner
    routes = browser.get("/desk/outsourcing/").content.decode().split('id="routes"')[1]
    assert "<td>DeskPlus</td>" in routes.split("</table>")[0]


def test_a_partner_without_a_way_to_reach_it_is_refused_naming_the_field(personas, login):
    response = login(personas.owner).post("/desk/outsourcing/", {**NEW_PARTNER, "email": ""})
    assert response.status_code == 200
    assert "Email: give an e-mail address or a webhook URL" in response.content.decode()
    assert not OutsourcingPartner.objects.exists()


def test_a_dispatcher_cannot_change_partners_or_routes(gold, partner, personas, login):
    browser = login(personas.dispatcher)
    assert browser.post("/desk/outsourcing/", NEW_PARTNER).status_code == 403
    assert browser.post("/desk/outsourcing/", {"action": "route", "plan": gold.plan.pk,
                                               "partner": partner.pk}).status_code == 403
    assert browser.post(f"/desk/outsourcing/partners/{partner.pk}/",
                        {"action": "rotate"}).status_code == 403
    assert not HelpdeskRoute.objects.exists()


def test_the_owner_sees_and_rotates_the_webhook_secret(partner, personas, login):
    browser = login(personas.owner)
    old = partner.webhook_secret
    assert old in browser.get(f"/desk/outsourcing/partners/{partner.pk}/").content.decode()
    browser.post(f"/desk/outsourcing/partners/{partner.pk}/", {"action": "rotate"})
    partner.refresh_from_db()
    assert partner.webhook_secret != old and len(partner.webhook_secret) == 64
    assert AuditEvent.objects.filter(action="outsourcing.partner_updated").exists()
    # A dispatcher sees the partner but never its secret.
    page = login(personas.dispatcher).get(f"/desk/outsourcing/partners/{partner.pk}/")
    assert page.status_code == 200 and partner.webhook_secret not in page.content.decode()


def test_the_ticket_page_loads_the_partners_targets(gold_routed, acme_on_gold, personas,
                                                    login):
    ticket = open_helpdesk(acme_on_gold, at=ny(2026, 3, 2, 9, 0))
    browser = login(personas.technician)
    detail = browser.get(f"/desk/tickets/{ticket.pk}/").content.decode()
    assert f"/desk/outsourcing/tickets/{ticket.pk}/" in detail
    panel = browser.get(f"/desk/outsourcing/tickets/{ticket.pk}/").content.decode()
    assert "Outsourced help desk · HelpCo" in panel
    assert "Due Mon 02 Mar 2026 16:00 GMT" in panel  # first response, partner's zone
    assert "Due Tue 03 Mar 2026 14:00 GMT" in panel  # resolution


def test_a_technician_records_the_partners_response(gold_routed, acme_on_gold, personas,
                                                   login):
    ticket = open_helpdesk(acme_on_gold)
    response = login(personas.technician).post(
        f"/desk/outsourcing/tickets/{ticket.pk}/step/", {"step": "first_response"})
    assert response.status_code == 302
    ticket.outsourcing.refresh_from_db()
    assert ticket.outsourcing.partner_responded_at is not None
    bad = login(personas.technician).post(f"/desk/outsourcing/tickets/{ticket.pk}/step/",
                                          {"step": "nap"})
    assert bad.status_code == 400 and "step" in bad.content.decode()


def test_billing_cannot_record_partner_steps_and_contacts_never_see_the_panel(
        gold_routed, acme_on_gold, personas, login):
    ticket = open_helpdesk(acme_on_gold)
    assert login(personas.billing).post(f"/desk/outsourcing/tickets/{ticket.pk}/step/",
                                        {"step": "first_response"}).status_code == 403
    assert login(personas.contact).get(
        f"/desk/outsourcing/tickets/{ticket.pk}/").status_code == 403
    assert login(personas.outsider).get(
        f"/desk/outsourcing/tickets/{ticket.pk}/").status_code == 403


def test_a_ticket_kept_in_house_has_an_empty_panel_and_unknown_ids_are_404(
        acme_on_gold, personas, login):
    ticket = open_helpdesk(acme_on_gold)
    browser = login(personas.owner)
    assert browser.get(f"/desk/outsourcing/tickets/{ticket.pk}/").content.strip() == b""
    assert browser.get("/desk/outsourcing/tickets/99999/").status_code == 404
    assert browser.post(f"/desk/outsourcing/tickets/{ticket.pk}/step/",
                        {"step": "resolution"}).status_code == 404
    assert browser.get("/desk/outsourcing/partners/99999/").status_code == 404
