"""Time logged on maintenance work orders: maintenance of the work order's service, included
when the tier covers it with scheduled maintenance (the reason names the entitlement),
billable for a Silver client; the sessions panel on the work order page."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from tierdesk.billing.classification import Row, Rule, Terms, classify_row
from tierdesk.billing.models import WorkSession
from tierdesk.billing.sessions import session_log, session_start, session_stop
from tierdesk.catalog.models import Service
from tierdesk.desk import services as desk_services
from tierdesk.maintenance.factories import (
    active_agreement,
    load_tiers,
    schedule_for,
    work_order_for,
)

NY = ZoneInfo("America/New_York")
BACKUPS = "Backups and disaster recovery"


def ny(*args):
    return dt.datetime(*args, tzinfo=NY)


@pytest.fixture
def tiers(db):
    return load_tiers()


def order_on(tier, tiers, client, *, task="Verify offsite backup replication"):
    agreement = active_agreement(client=client, version=tiers[tier],
                                 start=dt.date(2026, 1, 5), segment_slug="small-business")
    return work_order_for(schedule_for(agreement, task_title=task), due_on=dt.date(2026, 3, 6))


def log(order, tech, minutes=20, **kw):
    start = ny(2026, 3, 6, 10)
    return session_log(work_order=order, technician=tech, started_at=start,
                       ended_at=start + dt.timedelta(minutes=minutes), **kw)


def test_scheduled_maintenance_the_tier_covers_is_included_naming_the_entitlement(
        tiers, acme, personas):
    order = order_on("platinum", tiers, acme)
    s = log(order, personas.technician)
    assert (s.work_order, s.client, s.ticket) == (order, acme, None)
    assert (s.work_type, s.service.name) == ("maintenance", BACKUPS)
    assert (s.classification, s.amount) == ("included", Decimal("0"))
    assert s.reason == f"included: Platinum includes scheduled maintenance of {BACKUPS} " \
                       "(fully supported)"


def test_gold_includes_maintenance_of_the_services_it_maintains(tiers, acme, personas):
    s = log(order_on("gold", tiers, acme), personas.technician)
    assert s.classification == "included"
    assert s.reason == f"included: Gold includes scheduled maintenance of {BACKUPS} (maintained)"


def test_maintenance_a_silver_client_asked_for_is_billable(tiers, acme, personas):
    active_agreement(client=acme, version=tiers["silver"], start=dt.date(2026, 1, 5))
    backups = Service.objects.get(name=BACKUPS)
    s = session_log(client=acme, technician=personas.technician, work_type="maintenance",
                    service=backups, started_at=ny(2026, 3, 2, 10),
                    ended_at=ny(2026, 3, 2, 11))
    assert (s.classification, s.amount) == ("billable", Decimal("150.00"))
    assert s.reason == ("billable: Silver does not include scheduled maintenance; "
                        "maintenance at $150.00/h")
    # Even on the one service Silver fully supports: support is not scheduled maintenance.
    helpdesk = Service.objects.get(slug="help-desk")
    s = session_log(client=acme, technician=personas.technician, work_type="maintenance",
                    service=helpdesk, started_at=ny(2026, 3, 3, 10),
                    ended_at=ny(2026, 3, 3, 10, 30))
    assert s.classification == "billable"


def test_a_work_order_made_by_hand_for_a_silver_client_is_billable(tiers, acme, personas):
    s = log(order_on("silver", tiers, acme), personas.technician, minutes=30)
    assert (s.classification, s.amount) == ("billable", Decimal("75.00"))
    assert s.reason.startswith("billable: Silver does not include scheduled maintenance")


def test_maintained_coverage_without_scheduled_maintenance_is_not_included():
    terms = Terms(tier="Custom", sessions_included=None, session_minutes=15,
                  counting="blocks", overage_price=Decimal("0"), hourly_rate=Decimal("100"),
                  after_hours_multiplier=Decimal("1"), trip_fee=Decimal("0"),
                  travel_billing="included", approval_threshold=None,
                  coverage={7: ("maintained", "Antivirus")},
                  rules={"maintenance": Rule(True, None)})
    row = Row(work_type="maintenance", mode="remote", minutes=60, service_id=7)
    assert classify_row(terms, row).classification == "billable"
    with_maintenance = Terms(**{**terms.__dict__, "scheduled_maintenance": True})
    result = classify_row(with_maintenance, row)
    assert (result.classification, result.reason) == (
        "included", "included: Custom includes scheduled maintenance of Antivirus (maintained)")
    # Break-fix keeps its own rule: coverage decides, scheduled maintenance does not.
    fix = Row(work_type="break_fix", mode="remote", minutes=60, service_id=7)
    assert classify_row(terms, fix).classification == "billable"


def test_time_on_a_work_order_is_maintenance_of_its_own_services(tiers, acme, personas):
    order = order_on("platinum", tiers, acme)
    with pytest.raises(ValidationError) as exc:
        log(order, personas.technician, work_type="helpdesk")
    assert "work_type" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        log(order, personas.technician, service=Service.objects.get(slug="help-desk"))
    assert "not a service of" in exc.value.message_dict["service"][0]
    ticket = desk_services.ticket_open(client=acme, channel="portal", subject="Printer")
    with pytest.raises(ValidationError) as exc:
        log(order, personas.technician, ticket=ticket)
    assert "work_order" in exc.value.message_dict
    order.status = "cancelled"
    order.save(update_fields=["status"])
    with pytest.raises(ValidationError) as exc:
        log(order, personas.technician)
    assert "is cancelled" in exc.value.message_dict["work_order"][0]
    assert not WorkSession.objects.exists()


def test_a_daily_checklist_logs_against_its_first_service(tiers, acme, personas):
    order = order_on("platinum", tiers, acme, task="Verify nightly backup job completed")
    s = log(order, personas.technician)
    assert s.service.name == BACKUPS and s.classification == "included"


def test_the_timer_on_a_work_order(tiers, acme, personas):
    order = order_on("platinum", tiers, acme)
    running = session_start(technician=personas.technician, work_order=order,
                            at=ny(2026, 3, 6, 9))
    assert (running.work_type, running.classification) == ("maintenance", "")
    stopped = session_stop(session=running, by=personas.technician, at=ny(2026, 3, 6, 9, 40))
    assert (stopped.minutes, stopped.classification) == (40, "included")


# The panel on the work order page -----------------------------------------------------------

def panel(order, suffix=""):
    return f"/billing/work-orders/{order.pk}/sessions/{suffix}"


def test_the_panel_offers_the_work_orders_services_and_no_work_type(
        tiers, acme, personas, login):
    order = order_on("platinum", tiers, acme)
    body = login(personas.technician).get(panel(order)).content.decode()
    assert 'id="sessions-panel"' in body and "Start timer" in body
    assert "id_kind-work_type" not in body and "id_log-work_type" not in body
    assert f">{BACKUPS}</option>" in body and "Help desk support" not in body
    assert "Client approvals" not in body


def test_the_preview_says_covered_before_the_work(tiers, acme, personas, login):
    order = order_on("platinum", tiers, acme)
    backups = Service.objects.get(name=BACKUPS)
    body = login(personas.technician).post(panel(order, "preview/"), {
        "kind-mode": "remote", "kind-service": backups.pk, "kind-minutes": 30,
    }).content.decode()
    assert "covered" in body and "includes scheduled maintenance of" in body


def test_a_silver_work_order_previews_the_expected_charge(tiers, acme, personas, login):
    order = order_on("silver", tiers, acme)
    backups = Service.objects.get(name=BACKUPS)
    body = login(personas.technician).post(panel(order, "preview/"), {
        "kind-mode": "remote", "kind-service": backups.pk, "kind-minutes": 60,
    }).content.decode()
    # $150.00 within the MSP's hours, more after hours (the preview is for now).
    assert "expected charge $" in body and "Out of scope: this work is billable" in body
    assert "billable: Silver does not include scheduled maintenance" in body


def test_logging_by_hand_and_the_timer_through_the_panel(tiers, acme, personas, login):
    order = order_on("platinum", tiers, acme)
    backups = Service.objects.get(name=BACKUPS)
    c = login(personas.technician)
    response = c.post(panel(order, "log/"), {
        "log-mode": "remote", "log-service": backups.pk, "log-minutes": 20,
        "log-started_at": "2026-03-06T10:00"})
    assert response.status_code == 302
    assert response["Location"] == f"/maintenance/work-orders/{order.pk}/"
    s = WorkSession.objects.get()
    assert (s.started_at, s.minutes, s.classification) == (ny(2026, 3, 6, 10), 20, "included")
    body = c.get(panel(order)).content.decode()
    assert "Included" in body and "includes scheduled maintenance of" in body

    response = c.post(panel(order, "start/"), {"kind-mode": "remote",
                                               "kind-service": backups.pk,
                                               "kind-minutes": 15}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Stop timer" in response.content.decode()
    running = WorkSession.objects.get(ended_at__isnull=True)
    assert running.work_order == order
    response = c.post(f"/billing/sessions/{running.pk}/stop/", {"stop-travel_minutes": ""},
                      HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Start timer" in response.content.decode()
    running.refresh_from_db()
    assert running.classification == "included"


def test_panel_errors_name_the_field_and_reach_htmx(tiers, acme, personas, login):
    order = order_on("platinum", tiers, acme)
    c = login(personas.technician)
    data = {"log-mode": "remote", "log-minutes": 10, "log-started_at": "2026-03-06T10:00",
            "log-travel_minutes": -3}
    response = c.post(panel(order, "log/"), data)
    assert response.status_code == 400 and "Travel minutes" in response.content.decode()
    # htmx swaps only 2xx answers: the panel with its errors comes back as 200.
    response = c.post(panel(order, "log/"), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Travel minutes" in response.content.decode()
    assert not WorkSession.objects.exists()


def test_who_may_use_the_work_order_panel(tiers, acme, personas, login):
    order = order_on("platinum", tiers, acme)
    assert login(personas.billing).get(panel(order)).status_code == 200
    assert login(personas.billing).post(panel(order, "log/"), {}).status_code == 403
    for persona in ("contact", "outsider"):
        assert login(getattr(personas, persona)).get(panel(order)).status_code == 403
    assert login(personas.technician).get(
        "/billing/work-orders/999999/sessions/").status_code == 404
