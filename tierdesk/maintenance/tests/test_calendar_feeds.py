"""Calendar feeds: secret .ics URLs of upcoming work orders for technicians and clients,
shown once and rotated."""

import datetime as dt

import pytest
from django.utils import timezone
from icalendar import Calendar

from tierdesk.core.models import AuditEvent
from tierdesk.maintenance import feeds
from tierdesk.maintenance.factories import active_agreement
from tierdesk.maintenance.generation import workorders_generate
from tierdesk.maintenance.models import CalendarFeed, WorkOrder, WorkOrderStatus
from tierdesk.maintenance.services import (
    calendar_feed_rotate,
    workorder_assign,
    workorder_complete,
    workorder_transition,
)


@pytest.fixture
def planned(platinum_acme, tiers, globex):
    """Acme on Platinum from last week and Globex on Gold, 90 days of work generated."""
    today = timezone.localdate()
    platinum_acme.start_date = today - dt.timedelta(days=7)
    platinum_acme.save(update_fields=["start_date"])
    active_agreement(client=globex, version=tiers["gold"], start=today - dt.timedelta(days=7))
    workorders_generate(today=today, horizon_days=90)
    return WorkOrder.objects.order_by("scheduled_at", "id")


def _path(secret: str) -> str:
    return f"/calendar/{secret}.ics"


def _events(response) -> dict[str, object]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    return {str(e["uid"]): e for e in calendar.walk("VEVENT")}


def _find(events, order):
    matches = [e for uid, e in events.items() if uid.startswith(f"workorder-{order.pk}@")]
    assert len(matches) <= 1
    return matches[0] if matches else None


def test_a_technicians_feed_lists_only_the_work_orders_assigned_to_them(
        planned, personas, client):
    mine = planned.filter(client__name="Acme Dental").first()
    other = planned.filter(client__name="Acme Dental").exclude(pk=mine.pk).first()
    workorder_assign(work_order=mine, technician=personas.technician, by=personas.dispatcher)
    _, secret = calendar_feed_rotate(by=personas.technician, user=personas.technician)

    events = _events(client.get(_path(secret)))

    assert _find(events, mine) is not None
    assert _find(events, other) is None
    assert len(events) == 1


def test_a_dispatchers_feed_lists_every_clients_work_orders_but_daily_checklists(
        planned, personas, client):
    _, secret = calendar_feed_rotate(by=personas.dispatcher, user=personas.dispatcher)
    events = _events(client.get(_path(secret)))
    names = {str(e["summary"]).rsplit(" — ", 1)[-1] for e in events.values()}
    assert {"Acme Dental", "Globex Finance"} <= names
    daily = planned.filter(kind="daily").first()
    assert _find(events, daily) is None
    assert _find(events, planned.filter(kind="maintenance").first()) is not None


def test_a_technician_assigned_a_daily_checklist_sees_it(planned, personas, client):
    daily = planned.filter(kind="daily").first()
    workorder_assign(work_order=daily, technician=personas.technician, by=personas.dispatcher)
    _, secret = calendar_feed_rotate(by=personas.technician, user=personas.technician)
    event = _find(_events(client.get(_path(secret))), daily)
    assert str(event["summary"]).startswith("Daily checklist — ")


def test_a_client_feed_lists_its_own_work_orders_without_internal_notes(
        planned, personas, client):
    order = planned.filter(client__name="Acme Dental").first()
    for item in order.checklist:
        item["done"] = True
    order.save()
    workorder_assign(work_order=order, technician=personas.technician, by=personas.dispatcher)
    workorder_complete(work_order=order, by=personas.technician,
                       note="INTERNAL: the server room key is under the mat")
    _, secret = calendar_feed_rotate(by=personas.dispatcher, client=order.client)

    response = client.get(_path(secret))
    events = _events(response)

    acme_count = planned.filter(client__name="Acme Dental",
                                scheduled_at__lte=timezone.now() + dt.timedelta(days=60)).count()
    assert len(events) == acme_count
    assert not any(_find(events, o) for o in planned.filter(client__name="Globex Finance"))
    assert b"INTERNAL" not in response.content
    assert b"Assigned to" not in response.content
    assert str(_find(events, order)["summary"]).startswith("✓ ")


def test_an_event_carries_time_place_checklist_and_a_link(planned, personas, client):
    order = planned.filter(client__name="Acme Dental", kind="maintenance").first()
    site = order.site
    site.address = "12 Harbor Street\nBrooklyn, NY 11201"
    site.save()
    workorder_assign(work_order=order, technician=personas.technician, by=personas.dispatcher)
    _, secret = calendar_feed_rotate(by=personas.technician, user=personas.technician)

    event = _find(_events(client.get(_path(secret))), order)

    start = event.decoded("dtstart")
    assert start == order.scheduled_at
    assert start.utcoffset() == dt.timedelta(0)
    assert event.decoded("dtend") - start == dt.timedelta(minutes=order.estimated_minutes)
    assert str(event["location"]) == "Main office, 12 Harbor Street Brooklyn, NY 11201"
    description = str(event["description"])
    assert order.reference in description
    assert f"Checklist (0 of {len(order.checklist)} done)" in description
    assert order.checklist[0]["section"] in description
    assert str(event["url"]) == f"http://127.0.0.1:8000/maintenance/work-orders/{order.pk}/"
    assert str(event["url"]) in description
    assert str(event["status"]) == "CONFIRMED"


def test_the_uid_is_stable_and_a_cancelled_work_order_says_so(planned, personas, client):
    order = planned.filter(client__name="Acme Dental").first()
    _, secret = calendar_feed_rotate(by=personas.owner, client=order.client)
    before = _find(_events(client.get(_path(secret))), order)

    workorder_transition(work_order=order, to=WorkOrderStatus.CANCELLED, by=personas.dispatcher)
    after = _find(_events(client.get(_path(secret))), order)

    assert str(before["uid"]) == str(after["uid"]) == f"workorder-{order.pk}@127.0.0.1"
    assert str(before["status"]) == "CONFIRMED"
    assert str(after["status"]) == "CANCELLED"


def test_the_feed_covers_the_next_sixty_days_only(planned, personas, client):
    _, secret = calendar_feed_rotate(by=personas.owner, user=personas.owner)
    events = _events(client.get(_path(secret)))
    horizon = timezone.now() + dt.timedelta(days=feeds.FEED_DAYS_AHEAD)
    later = planned.filter(scheduled_at__gt=horizon)
    assert later.exists()
    assert not any(_find(events, o) for o in later[:50])
    assert all(e.decoded("dtstart") <= horizon for e in events.values())


def test_an_unknown_secret_is_404(db, client):
    assert client.get(_path("not-a-real-secret")).status_code == 404


def test_rotating_kills_the_old_url_and_records_an_event(planned, personas, client):
    _, old = calendar_feed_rotate(by=personas.technician, user=personas.technician)
    _, new = calendar_feed_rotate(by=personas.technician, user=personas.technician)
    assert client.get(_path(old)).status_code == 404
    assert client.get(_path(new)).status_code == 200
    assert CalendarFeed.objects.count() == 1
    assert AuditEvent.objects.filter(action="calendar_feed.rotated").count() == 2


def test_a_deactivated_technicians_feed_stops_working(planned, personas, client):
    _, secret = calendar_feed_rotate(by=personas.technician, user=personas.technician)
    personas.technician.is_active = False
    personas.technician.save()
    assert client.get(_path(secret)).status_code == 404


def test_fetching_the_feed_notes_when_it_was_last_used(planned, personas, client):
    feed, secret = calendar_feed_rotate(by=personas.technician, user=personas.technician)
    assert feed.last_used_at is None
    client.get(_path(secret))
    feed.refresh_from_db()
    assert feed.last_used_at is not None


# -- pages -----------------------------------------------------------------------------------


def _shown_url(response) -> str:
    text = response.content.decode()
    start = text.index('id="feed-url"')
    value = text[start:].split('value="', 1)[1].split('"', 1)[0]
    return value


def test_any_staff_member_creates_their_feed_and_sees_the_url_once(
        planned, personas, login):
    web = login(personas.billing)
    assert "Create the calendar address" in web.get("/calendar/mine/").content.decode()

    response = web.post("/calendar/mine/")
    url = _shown_url(response)
    assert response["Cache-Control"] == "no-store"
    assert url.startswith("http://127.0.0.1:8000/calendar/") and url.endswith(".ics")

    again = web.get("/calendar/mine/").content.decode()
    assert url not in again and "Make a new address" in again
    assert CalendarFeed.objects.get().user == personas.billing


def test_rotating_from_the_page_gives_a_new_url_and_kills_the_old(planned, personas, login):
    web = login(personas.technician)
    first = _shown_url(web.post("/calendar/mine/"))
    second = _shown_url(web.post("/calendar/mine/"))
    assert first != second
    path = lambda url: url.removeprefix("http://127.0.0.1:8000")  # noqa: E731
    assert web.get(path(first)).status_code == 404
    assert web.get(path(second)).status_code == 200


def test_managers_hand_out_a_clients_feed_from_the_client_page(planned, personas, login, acme):
    page = login(personas.dispatcher).get(f"/clients/{acme.pk}/").content.decode()
    assert f"/calendar/clients/{acme.pk}/" in page
    response = login(personas.dispatcher).post(f"/calendar/clients/{acme.pk}/")
    assert _shown_url(response).endswith(".ics")
    assert CalendarFeed.objects.get().client == acme


def test_technicians_and_contacts_cannot_hand_out_a_clients_feed(planned, personas, login,
                                                                 acme):
    assert login(personas.technician).post(f"/calendar/clients/{acme.pk}/").status_code == 403
    assert login(personas.contact).post(f"/calendar/clients/{acme.pk}/").status_code == 403
    assert not CalendarFeed.objects.exists()


def test_a_contact_rotates_their_own_clients_feed_from_the_portal(planned, personas, login,
                                                                  acme):
    web = login(personas.contact)
    assert "/calendar/portal/" in web.get("/portal/").content.decode()
    url = _shown_url(web.post("/calendar/portal/"))
    feed = CalendarFeed.objects.get()
    assert feed.client == acme
    events = _events(web.get(url.removeprefix("http://127.0.0.1:8000")))
    assert events and all("Globex" not in str(e["summary"]) for e in events.values())


def test_an_outsiders_portal_feed_is_their_own_clients_and_never_acmes(
        planned, personas, login, globex):
    web = login(personas.outsider)
    url = _shown_url(web.post("/calendar/portal/"))
    assert CalendarFeed.objects.get().client == globex
    events = _events(web.get(url.removeprefix("http://127.0.0.1:8000")))
    acme_ids = set(planned.filter(client__name="Acme Dental").values_list("pk", flat=True))
    assert events
    assert not any(_find(events, WorkOrder(pk=pk)) for pk in acme_ids)


def test_staff_pages_are_not_for_contacts(planned, personas, login):
    assert login(personas.contact).get("/calendar/mine/").status_code == 403
