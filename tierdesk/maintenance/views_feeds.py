"""Calendar feeds: the secret .ics URL, and the pages that create and rotate it.

The URL is shown once, in the answer to the POST that rotates it (only its hash is stored),
and that answer is never cached. Rotating kills the old URL at once.
"""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from tierdesk.clients.access import client_for_staff, contact_client
from tierdesk.core.permissions import MANAGERS, contact_view, public_view, staff_view
from tierdesk.maintenance import feeds
from tierdesk.maintenance.models import CalendarFeed
from tierdesk.maintenance.services import (
    calendar_feed_for_secret,
    calendar_feed_mark_used,
    calendar_feed_rotate,
)


@public_view
@require_safe
def feed_ics(request, secret: str):
    """The feed itself, for calendar apps: no login, the secret is the key."""
    feed = calendar_feed_for_secret(secret)
    if feed is None or not feeds.feed_is_live(feed):
        raise Http404("No such calendar.")
    body = feeds.feed_calendar(feed)
    calendar_feed_mark_used(feed=feed)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="tierdesk-work-orders.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


def _feed_page(request, *, owner_label: str, feed: CalendarFeed | None, user=None,
               client=None, back_url: str = "", lists: str = ""):
    url = ""
    if request.method == "POST":
        feed, secret = calendar_feed_rotate(by=request.user, user=user, client=client)
        url = feeds.feed_url(secret)
    response = render(request, "maintenance/feed_page.html", {
        "owner_label": owner_label, "feed": feed, "url": url, "back_url": back_url,
        "lists": lists, "days_ahead": feeds.FEED_DAYS_AHEAD,
    })
    if url:
        # The secret is in this page only: keep it out of every cache.
        response["Cache-Control"] = "no-store"
    return response


@staff_view()
@require_http_methods(["GET", "POST"])
def my_feed(request):
    """Any staff member's own feed."""
    user = request.user
    lists = ("every client's work orders except the daily checklists"
             if user.role in MANAGERS else "the work orders assigned to you")
    return _feed_page(request, owner_label="Your calendar feed",
                      feed=CalendarFeed.objects.filter(user=user).first(), user=user,
                      lists=lists)


@staff_view(*MANAGERS)
@require_http_methods(["GET", "POST"])
def client_feed(request, pk: int):
    """A client's feed, handed out by an owner or dispatcher from the client's page."""
    client = client_for_staff(request.user, pk)
    return _feed_page(request, owner_label=f"Calendar feed of {client.name}",
                      feed=CalendarFeed.objects.filter(client=client).first(), client=client,
                      back_url=reverse("clients:client_detail", args=[client.pk]),
                      lists=f"the work orders of {client.name}, without internal notes")


@contact_view
@require_http_methods(["GET", "POST"])
def portal_feed(request):
    """The contact's own client's feed, from the portal."""
    client = contact_client(request.user)
    return _feed_page(request, owner_label=f"Maintenance calendar of {client.name}",
                      feed=CalendarFeed.objects.filter(client=client).first(), client=client,
                      back_url=reverse("portal:home"),
                      lists="the maintenance and audits planned for you")
