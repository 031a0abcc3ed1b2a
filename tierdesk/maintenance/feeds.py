"""The iCalendar feeds of upcoming work orders (RFC 5545, built with the icalendar package).

Whose work orders a feed lists:

* a technician's (or billing person's) feed: the work orders assigned to them — what they
  will be doing, not the whole shop's plan;
* an owner's or dispatcher's feed: every work order but the daily checklists, since
  planning is their job (one daily checklist per client per business day would bury the
  rest, and nobody plans them);
* a client's feed: that client's work orders, with no internal text (no completion notes,
  no assignee, no findings) — just what will happen, when and where.

Each event's UID is stable per work order, so a calendar app updates an event in place when
the work order moves and drops it when it is cancelled (STATUS:CANCELLED). Times are UTC
(`...Z`): every calendar app shows them in its own zone, and nothing depends on a VTIMEZONE
block being right. The window runs from a week back (so an event does not vanish from the
calendar the moment it starts or while it is overdue) to 60 days ahead.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from icalendar import Calendar, Event

from tierdesk.maintenance.access import MANAGER_ROLES
from tierdesk.maintenance.models import CalendarFeed, WorkOrder, WorkOrderKind, WorkOrderStatus

FEED_DAYS_AHEAD = 60
FEED_DAYS_BEHIND = 7
#: A dispatcher's feed of a large shop could hold tens of thousands of work orders;
#: calendar apps choke long before that (and icalendar spends ~1 ms on each event).
#: The nearest ones come first.
FEED_MAX_EVENTS = 2000
#: Sections of a checklist named in an event's description before "and N more".
DESCRIPTION_SECTIONS = 8
#: Where the staff UI shows one work order, tried in order (that UI lives in
#: maintenance/urls.py; a missing name falls back to the home page).
STAFF_WORK_ORDER_ROUTES = ("maintenance:workorder_detail", "maintenance:work_order_detail")


def feed_url(secret: str) -> str:
    """The absolute URL of the feed a secret opens."""
    return settings.SITE_URL + reverse("calendar_feeds:ics", args=[secret])


def feed_is_live(feed: CalendarFeed) -> bool:
    """A feed keeps working only while its owner is still someone it is for: an active
    staff user, or an active client."""
    if feed.user_id is not None:
        return feed.user.is_msp_staff
    return feed.client.is_active


def feed_title(feed: CalendarFeed) -> str:
    if feed.client_id is not None:
        return f"{feed.client.name} — maintenance"
    if feed.user.role in MANAGER_ROLES:
        return "tierdesk — all work orders"
    return f"tierdesk — work orders of {feed.user.get_full_name() or feed.user.username}"


def feed_work_orders(feed: CalendarFeed, now: dt.datetime) -> QuerySet[WorkOrder]:
    """The work orders the feed lists at `now`, nearest first."""
    orders = WorkOrder.objects.filter(
        scheduled_at__gte=now - dt.timedelta(days=FEED_DAYS_BEHIND),
        scheduled_at__lte=now + dt.timedelta(days=FEED_DAYS_AHEAD))
    if feed.client_id is not None:
        orders = orders.filter(client_id=feed.client_id)
    elif feed.user.role in MANAGER_ROLES:
        orders = orders.exclude(kind=WorkOrderKind.DAILY)
    else:
        orders = orders.filter(assigned_to_id=feed.user_id)
    return (orders.select_related("client", "site", "assigned_to")
            .order_by("scheduled_at", "id")[:FEED_MAX_EVENTS])


def feed_calendar(feed: CalendarFeed, *, now: dt.datetime | None = None) -> bytes:
    """The feed as an iCalendar document."""
    now = now or timezone.now()
    for_client = feed.client_id is not None
    calendar = Calendar()
    calendar.add("prodid", "-//tierdesk//maintenance work orders//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    title = feed_title(feed)
    calendar.add("name", title)
    calendar.add("x-wr-calname", title)
    # Ask subscribers to poll hourly (RFC 7986, and the older Outlook property).
    calendar.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    host = urlsplit(settings.SITE_URL).hostname or "tierdesk"
    links = _Links(for_client=for_client)
    for order in feed_work_orders(feed, now):
        calendar.add_component(_event(order, host=host, for_client=for_client,
                                      link=links.for_order(order)))
    return calendar.to_ical()


def _event(order: WorkOrder, *, host: str, for_client: bool, link: str) -> Event:
    event = Event()
    event.add("uid", f"workorder-{order.pk}@{host}")
    # Without a METHOD, DTSTAMP is when the event was last revised (RFC 5545 3.8.7.2).
    event.add("dtstamp", order.updated_at.astimezone(dt.UTC))
    event.add("last-modified", order.updated_at.astimezone(dt.UTC))
    start = order.scheduled_at.astimezone(dt.UTC)
    event.add("dtstart", start)
    event.add("dtend", start + dt.timedelta(minutes=order.estimated_minutes))
    summary = order.title if for_client else f"{order.title} — {order.client.name}"
    if order.status == WorkOrderStatus.DONE:
        summary = f"✓ {summary}"
    event.add("summary", summary)
    if order.site_id is not None:
        address = " ".join(order.site.address.split())
        event.add("location", f"{order.site.name}, {address}" if address else order.site.name)
    event.add("status", "CANCELLED" if order.status == WorkOrderStatus.CANCELLED
              else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if for_client else "OPAQUE")
    event.add("url", link)
    event.add("description", _description(order, link=link, for_client=for_client))
    return event


def _description(order: WorkOrder, *, link: str, for_client: bool) -> str:
    lines = [f"{order.reference} · {order.get_kind_display()} · "
             f"{order.get_delivery_display().lower()} · {order.get_status_display().lower()}"]
    if not for_client:
        lines.append(f"Client: {order.client.name}")
        lines.append("Assigned to: " + (str(order.assigned_to.get_full_name()
                                              or order.assigned_to.username)
                                          if order.assigned_to_id else "nobody yet"))
    lines.append(f"Estimated time: {order.estimated_minutes} min")
    total = len(order.checklist)
    if total:
        lines.append(f"Checklist ({order.done_count} of {total} done):")
        sections = _sections(order.checklist)
        for section, labels in sections[:DESCRIPTION_SECTIONS]:
            if len(labels) == 1 and labels[0] == section:
                lines.append(f"- {section}")
            else:
                lines.append(f"- {section}: {len(labels)} item{'s' if len(labels) != 1 else ''}")
        if len(sections) > DESCRIPTION_SECTIONS:
            lines.append(f"- and {len(sections) - DESCRIPTION_SECTIONS} more")
    lines.append(link)
    return "\n".join(lines)


def _sections(checklist: list[dict]) -> list[tuple[str, list[str]]]:
    sections: dict[str, list[str]] = {}
    for item in checklist:
        sections.setdefault(item.get("section") or "Checklist", []).append(item["label"])
    return list(sections.items())


class _Links:
    """The link back of each event, with the URL resolved once per feed rather than once
    per event (a feed has up to FEED_MAX_EVENTS of them)."""

    def __init__(self, *, for_client: bool) -> None:
        self.for_client = for_client
        self.staff_route = None
        if not for_client:
            for name in STAFF_WORK_ORDER_ROUTES:
                try:
                    reverse(name, args=[1])
                except NoReverseMatch:
                    continue
                self.staff_route = name
                break
        self.fixed = {
            "audits": settings.SITE_URL + reverse("audits:portal_list"),
            "portal": settings.SITE_URL + reverse("portal:home"),
            "home": settings.SITE_URL + reverse("home"),
        }

    def for_order(self, order: WorkOrder) -> str:
        if self.for_client:
            return self.fixed["audits" if order.kind == WorkOrderKind.AUDIT else "portal"]
        if self.staff_route is None:
            return self.fixed["home"]
        return settings.SITE_URL + reverse(self.staff_route, args=[order.pk])
