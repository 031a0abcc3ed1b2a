"""Demo tickets, so the desk looks alive on first start.

Tickets are written through the desk services (tierdesk.desk.services) like any real
request: opening snapshots the tier's targets, replies stop the first-response clock,
"waiting on client" pauses the resolution clock, and one `sla_sweep` at the end flags what
has breached. So the queue shows real due times — some upcoming, some warned, some
breached — in every state, and nothing here re-implements a clock rule.

Reproducible: every random draw comes from one `random.Random` seeded from the run's seed,
drawn in a fixed order whatever the current time, so the same seed gives the same subjects,
priorities and stories (the due times move with "now", as they would for real tickets).

Mail: the services queue acknowledgements, replies and SLA notices for sending on commit.
desk.notify has no switch for "do not send", but `notify.entry_send` skips an entry whose
`data["sent_at"]` is set (that is how it avoids sending twice). Demo entries are stamped so,
with `data["demo_not_sent"] = True` to say they never left, inside the same transaction —
so the queued tasks find them "already sent" and no demo mail goes out.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction

from tierdesk.clients.models import Client
from tierdesk.core.clock import now as clock_now
from tierdesk.core.models import Role, User
from tierdesk.desk import services
from tierdesk.desk.models import InboundMessage, Ticket, TicketEntry
from tierdesk.desk.services import current_agreement
from tierdesk.desk.sweeps import sla_sweep

#: Above this many clients a run creates no tickets unless --tickets-per-client says so:
#: thousands of clients are for load tests, where a service call per ticket would take long.
AUTO_TICKETS_MAX_CLIENTS = 200
#: Tickets per client in a small run: (count, weight) — about two on average.
AUTO_COUNT_WEIGHTS = [(0, 15), (1, 30), (2, 30), (3, 15), (4, 10)]


@dataclass(frozen=True)
class Request:
    """One kind of request an MSP gets. {first} is the contact's first name, {site} the
    site's name."""

    subject: str
    body: str
    type: str = "helpdesk"
    priorities: tuple[str, ...] = ("p3",)
    onsite: bool = False
    note: str = ""
    fix: str = ""


REQUESTS = [
    Request("Outlook keeps asking for password",
            "Since this morning Outlook pops up a password box every few minutes. I type my "
            "password and it comes back. Webmail works fine.",
            priorities=("p3", "p2"),
            note="Stale credentials in Credential Manager after the M365 password change.",
            fix="Cleared the cached credentials and re-added the profile; no prompts since."),
    Request("New hire laptop setup for Monday",
            "We have a new starter on Monday, {first} will send the details. Can you set up a "
            "laptop with the usual software, e-mail and access to the shared drive?",
            priorities=("p4",),
            note="Laptop imaged from the standard build; waiting for the M365 licence.",
            fix="Laptop ready and tested, handed over at reception."),
    Request("Printer on the 2nd floor shows offline",
            "The big printer upstairs shows offline for everyone. We turned it off and on.",
            note="Printer got a new DHCP address; the print server points at the old one.",
            fix="Reserved its IP address and updated the port on the print server."),
    Request("Can't connect to VPN from home",
            "I'm working from home today and the VPN says 'authentication failed'. I need the "
            "accounting system before noon.",
            priorities=("p2",),
            note="User's account locked after the password change; VPN uses AD auth.",
            fix="Unlocked the account and confirmed the VPN connects."),
    Request("Shared drive S: missing after reboot",
            "After Windows updates last night the S: drive is gone from my computer.",
            note="Drive mapping GPO failed to apply: machine lost its trust relationship.",
            fix="Rejoined the PC to the domain; the drive maps again."),
    Request("E-mails to a supplier bounce back",
            "Every e-mail I send to our supplier comes back with 'message rejected'. Other "
            "addresses are fine. The bounce is attached.",
            note="Their side rejects us on SPF: our record misses the newsletter service.",
            fix="Added the missing include to the SPF record; test mail delivered."),
    Request("Please reset MFA for {first}",
            "{first} got a new phone and can't approve the sign-in prompts any more.",
            priorities=("p2", "p3"),
            fix="MFA methods reset; {first} re-registered the authenticator app."),
    Request("Whole office has no internet",
            "Nobody at {site} can get online since about 20 minutes ago. Phones are down too. "
            "The lights on the router are orange.",
            type="break_fix", priorities=("p1",), onsite=True,
            note="ISP reports no outage; the firewall is not answering on its WAN port.",
            fix="Replaced the failed firewall power supply; link up, calls working."),
    Request("Server room UPS beeping",
            "The UPS in the server cupboard at {site} has been beeping every few seconds "
            "since this morning.",
            type="break_fix", priorities=("p2",), onsite=True,
            note="UPS self-test failed: battery at end of life. Replacement ordered.",
            fix="Battery pack replaced, self-test passed."),
    Request("Phishing e-mail - did someone click?",
            "Several of us got an e-mail 'Invoice overdue' with a link. I think one person "
            "clicked it and typed their password.",
            priorities=("p1",),
            note="Sign-in logs show a foreign login attempt; sessions revoked, password reset.",
            fix="Account secured, message purged from all mailboxes, staff warned."),
    Request("Teams calls drop after a few minutes",
            "Calls in Teams keep dropping after 3-4 minutes, both video and audio.",
            note="Firewall UDP session timeout too short for Teams media.",
            fix="Raised the UDP timeout; a 30-minute test call held."),
    Request("Add {first} to the accounts mailbox",
            "Can {first} get access to the accounts@ shared mailbox please?",
            priorities=("p4",), fix="Full access and send-as granted."),
    Request("Scan to e-mail stopped working",
            "The copier says 'SMTP error' when we scan to e-mail.",
            note="The copier's relay account had its password expire.",
            fix="Moved the copier to the SMTP relay connector; scans arrive again."),
    Request("Quote for two new monitors",
            "Could you send us a quote for two 27\" monitors for the front desk?",
            type="project", priorities=("p4",),
            fix="Quote sent and approved; monitors ordered."),
    Request("Wi-Fi very slow in the meeting room",
            "Video calls from the meeting room at {site} freeze. Wi-Fi speed test shows 2 Mbps.",
            onsite=True,
            note="Access point in the meeting room is on 2.4 GHz only after a firmware reset.",
            fix="Reconfigured the access point for 5 GHz; 180 Mbps measured."),
    Request("QuickBooks won't open the company file",
            "QuickBooks says the company file is in use, but everyone has closed it.",
            priorities=("p2",),
            note="Database server manager service stopped on the file server.",
            fix="Restarted the service and set it to start automatically."),
    Request("Laptop screen cracked",
            "{first} dropped their laptop, the screen is cracked but it still works with a "
            "monitor.",
            type="break_fix", priorities=("p3",),
            note="Out of warranty; screen part quoted at $180.",
            fix="Screen replaced."),
]

#: Monitoring alerts, keyed per device and check (alert_key), as an RMM tool sends them.
ALERTS = [
    Request("Backup job failed on FS01",
            "Backup job 'Nightly FS01' finished with status FAILED: VSS snapshot timed out.",
            type="monitoring_alert", priorities=("p2",),
            note="VSS writer stuck after the patch reboot; reran the job manually.",
            fix="Backup completed successfully."),
    Request("Disk C: 95% full on DC01",
            "Volume C: on DC01 has 4.1 GB free of 80 GB (95% used).",
            type="monitoring_alert", priorities=("p3",),
            fix="Cleaned up the update cache and old logs: 31 GB free."),
    Request("Server SRV-APP01 not responding",
            "SRV-APP01 has not answered ping or the agent heartbeat for 10 minutes.",
            type="monitoring_alert", priorities=("p1",),
            note="Host hung on a stuck driver; remote power cycle through the iLO.",
            fix="Server back up, services checked."),
    Request("Antivirus definitions out of date on 3 devices",
            "3 devices report antivirus definitions older than 7 days.",
            type="monitoring_alert", priorities=("p4",),
            fix="Devices updated after they came back online."),
    Request("UPS on battery at {site}",
            "The UPS at {site} reports: on battery, 38 minutes runtime left.",
            type="monitoring_alert", priorities=("p2",),
            note="Local power cut confirmed by the office.", fix="Mains power restored."),
]

REPLIES = [
    "Hi {first}, thanks for letting us know. I'm looking into this now and will update you "
    "shortly.",
    "Hi {first}, I've picked this up. Could you tell me when it started and whether anyone "
    "else is affected?",
    "Hi {first}, thanks. I've connected remotely and am working on it now.",
]
WAITING = ("Hi {first}, could you let me know a good time today for me to connect to your "
           "computer? I'll need about 15 minutes.")
CLIENT_ANSWERS = ["Any time after 2pm works, thanks!", "Yes, go ahead now.",
                  "Sorry for the delay - tomorrow morning is best."]
CALLS = ["Called {first}, talked through the problem and agreed to connect remotely.",
         "Spoke with {first} on the phone; they confirmed the issue and are available."]
VENDOR_NOTE = "Opened a case with the vendor; waiting for their answer."

#: What happened to a ticket so far: (story, weight) for fresh and for older tickets.
STORIES_FRESH = [("new", 55), ("replied", 30), ("called", 15)]
STORIES_OLDER = [("new", 14), ("replied", 14), ("called", 8), ("waiting_client", 14),
                 ("client_answered", 8), ("waiting_vendor", 6), ("resolved", 18),
                 ("closed", 18)]
CHANNELS = [("email", 45), ("portal", 30), ("phone_attendant", 20), ("walk_in", 5)]


def _pick(rng: random.Random, weighted: list[tuple]) -> str:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def _business_days_back(day: dt.date, days: int) -> dt.date:
    while days:
        day -= dt.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


@dataclass
class _Plan:
    """The drawn story of one ticket (everything random, nothing time-of-run dependent)."""

    request: Request
    alert: bool
    priority: str
    channel: str
    contact_index: float
    site_index: float
    days_back: int
    hour_fraction: float
    fresh_minutes: int
    story: str
    assign: bool
    note: bool
    folds: int
    reply: str
    call: str
    answer: str
    fractions: tuple[float, ...]


def _draw(rng: random.Random) -> _Plan:
    alert = rng.random() < 0.18
    request = rng.choice(ALERTS if alert else REQUESTS)
    days_back = rng.choices([0, 1, 2, 3, 4], weights=[35, 30, 15, 10, 10])[0]
    plan = _Plan(
        request=request, alert=alert, priority=rng.choice(request.priorities),
        channel="monitoring" if alert else _pick(rng, CHANNELS),
        contact_index=rng.random(), site_index=rng.random(), days_back=days_back,
        hour_fraction=rng.random(), fresh_minutes=rng.randint(5, 240),
        story=_pick(rng, STORIES_FRESH if days_back == 0 else STORIES_OLDER),
        assign=rng.random() < 0.7, note=rng.random() < 0.5, folds=rng.randint(0, 6),
        reply=rng.choice(REPLIES), call=rng.choice(CALLS), answer=rng.choice(CLIENT_ANSWERS),
        fractions=tuple(sorted(rng.uniform(0.05, 0.95) for _ in range(4))),
    )
    # An occasional priority bump, so the queue is not all P3.
    if not alert and plan.priority == "p3" and rng.random() < 0.15:
        plan.priority = "p2"
    return plan


def _opened_at(plan: _Plan, client: Client, now: dt.datetime) -> dt.datetime:
    if plan.days_back == 0:
        return now - dt.timedelta(minutes=plan.fresh_minutes)
    zone = ZoneInfo(client.timezone)
    day = _business_days_back(now.astimezone(zone).date(), plan.days_back)
    # Some time in a local working day, 08:00-17:30.
    minutes = 8 * 60 + int(plan.hour_fraction * 570)
    local = dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=zone)
    return min(local.astimezone(dt.UTC), now - dt.timedelta(minutes=5))


def _workers() -> tuple[list[User], User | None]:
    """(demo technicians, the user who dispatches): the demo staff when they exist, else
    any active owner or dispatcher, else nobody (tickets then only open)."""
    techs = list(User.objects.filter(username__in=["demo-tech1", "demo-tech2"],
                                     is_active=True).order_by("username"))
    boss = (User.objects.filter(username="demo-dispatcher", is_active=True).first()
            or User.objects.filter(role__in=[Role.DISPATCHER, Role.OWNER], is_active=True)
            .order_by("pk").first())
    return techs, boss


def demo_tickets_generate(*, clients: list[Client], seed: int, per_client: int | None = None,
                          now: dt.datetime | None = None) -> dict:
    """Open demo tickets for `clients` (in the given order) through the desk services and
    run the SLA sweep once. `per_client` None draws 0-4 per client; inactive clients get
    none. One or two requests arrive through the hotline from clients whose tier does not
    include it ("outside entitlement"). Returns counts by status, "tickets" and "sweep"."""
    rng = random.Random(f"tierdesk-demo-tickets-{seed}")
    now = now or clock_now()
    techs, boss = _workers()
    counts: dict[str, int] = {"tickets": 0}
    outside_left = 2
    with transaction.atomic():
        ids = []
        for client in clients:
            count = _pick(rng, AUTO_COUNT_WEIGHTS) if per_client is None else per_client
            plans = [_draw(rng) for _ in range(count)]
            if not client.is_active or not plans:
                continue
            contacts = list(client.contacts.order_by("pk"))
            sites = list(client.sites.order_by("pk"))
            agreement = current_agreement(client)
            channels = agreement.plan_version.channels if agreement else []
            used_alerts: set[str] = set()
            for plan in plans:
                if plan.alert and plan.request.subject in used_alerts:
                    continue  # one open alert per device and check
                if plan.channel == "phone_attendant" and "hotline" in channels:
                    plan.channel = "hotline"  # Platinum clients call the live line
                elif (outside_left and agreement and plan.channel == "phone_attendant"
                        and "hotline" not in channels):
                    plan.channel, outside_left = "hotline", outside_left - 1
                ticket = _open(plan, client, contacts, sites, now)
                if plan.alert:
                    used_alerts.add(plan.request.subject)
                _story(plan, ticket, techs, boss, now)
                ids.append(ticket.pk)
                counts[ticket.status] = counts.get(ticket.status, 0) + 1
                counts["tickets"] += 1
        counts["sweep"] = sla_sweep(now=now) if ids else {}
        _mark_mail_not_sent(ids)
    return counts


def _open(plan: _Plan, client: Client, contacts: list, sites: list, now) -> Ticket:
    contact = contacts[int(plan.contact_index * len(contacts))] if contacts else None
    site = sites[int(plan.site_index * len(sites))] if sites else None
    first = contact.name.split(" ")[0] if contact else "there"
    words = {"first": first, "site": site.name if site else "the office"}
    request = plan.request
    subject = request.subject.format(**words)
    return services.ticket_open(
        client=client, channel=plan.channel, subject=subject,
        body=request.body.format(**words), contact=None if plan.alert else contact,
        site=site, priority=plan.priority, type=request.type,
        needs_onsite=request.onsite and site is not None,
        opened_at=_opened_at(plan, client, now),
        alert_key=f"rmm:{subject.lower()}" if plan.alert else "",
    )


def _story(plan: _Plan, ticket: Ticket, techs: list, boss, now: dt.datetime) -> None:
    """Play the drawn story on the ticket at instants between its opening and now."""
    if boss is None:
        return
    first = ticket.contact.name.split(" ")[0] if ticket.contact_id else "there"
    age = now - ticket.opened_at
    at = [ticket.opened_at + age * f for f in plan.fractions]
    worker = boss
    if plan.assign and techs:
        worker = techs[int(plan.hour_fraction * len(techs))]
        services.ticket_assign(ticket=ticket, assignee=worker, by=boss)
    if plan.alert and plan.folds:
        for i in range(plan.folds):
            services.ticket_alert_fold(ticket=ticket, at=at[0] + (at[1] - at[0]) * i / 6,
                                       summary=f"Alert repeated: {ticket.subject}")
    story = plan.story
    if story == "new":
        return
    if plan.alert:
        _alert_story(plan, ticket, worker, at)
        return
    if story == "called" or (story != "replied" and ticket.channel in ("phone_attendant",
                                                                       "hotline")):
        services.ticket_log_call(ticket=ticket, body=plan.call.format(first=first),
                                 by=worker, at=at[0])
    else:
        services.ticket_reply(ticket=ticket, body=plan.reply.format(first=first),
                              by=worker, at=at[0])
    if plan.note and plan.request.note:
        services.ticket_note(ticket=ticket, body=plan.request.note, by=worker, at=at[1])
    fix = plan.request.fix.format(first=first)
    if story in ("waiting_client", "client_answered"):
        services.ticket_reply(ticket=ticket, body=WAITING.format(first=first), by=worker,
                              at=at[1])
        services.ticket_transition(ticket=ticket, to="waiting_client", by=worker, at=at[1])
        if story == "client_answered" and ticket.contact_id:
            services.ticket_client_message(ticket=ticket, body=plan.answer,
                                           channel="email" if ticket.channel != "portal"
                                           else "portal", contact=ticket.contact, at=at[2])
    elif story == "waiting_vendor":
        services.ticket_transition(ticket=ticket, to="waiting_vendor", by=worker, at=at[2],
                                   reason=VENDOR_NOTE)
    elif story in ("resolved", "closed"):
        services.ticket_reply(ticket=ticket, body=f"Hi {first}, this is sorted: {fix} "
                              "Let us know if anything else comes up.", by=worker, at=at[2])
        services.ticket_transition(ticket=ticket, to="resolved", by=worker, at=at[2],
                                   reason=fix)
        if story == "closed":
            services.ticket_transition(ticket=ticket, to="closed", by=worker, at=at[3])


def _alert_story(plan: _Plan, ticket: Ticket, worker, at: list) -> None:
    """Alerts have nobody to reply to: a technician takes them up, notes, fixes."""
    services.ticket_transition(ticket=ticket, to="open", by=worker, at=at[0])
    if plan.request.note:
        services.ticket_note(ticket=ticket, body=plan.request.note, by=worker, at=at[1])
    if plan.story == "waiting_vendor":
        services.ticket_transition(ticket=ticket, to="waiting_vendor", by=worker, at=at[2],
                                   reason=VENDOR_NOTE)
    elif plan.story in ("resolved", "closed"):
        services.ticket_transition(ticket=ticket, to="resolved", by=worker, at=at[2],
                                   reason=plan.request.fix)
        if plan.story == "closed":
            services.ticket_transition(ticket=ticket, to="closed", by=worker, at=at[3])


def _mark_mail_not_sent(ticket_ids: list[int]) -> int:
    """Stamp the demo tickets' queued mail as handled, so `notify.entry_send` (run by the
    tasks queued on commit) sends none of it. Call inside the generating transaction."""
    stamped = 0
    entries = TicketEntry.objects.filter(ticket_id__in=ticket_ids).exclude(message_id="")
    for entry in entries.only("pk", "data"):
        if (entry.data.get("mail") or {}).get("to") and not entry.data.get("sent_at"):
            data = {**entry.data, "sent_at": entry.created_at.isoformat(),
                    "demo_not_sent": True}
            TicketEntry.objects.filter(pk=entry.pk).update(data=data)
            stamped += 1
    return stamped


def demo_tickets_delete(clients) -> dict:
    """Delete the tickets of `clients` (a queryset) with their timeline, pauses, SLA
    notices and attachments (rows cascade; stored files are removed after commit). Raw
    inbound messages are kept — received data is never dropped — and only unlinked."""
    tickets = Ticket.objects.filter(client__in=clients)
    files = []
    for ticket in tickets.prefetch_related("attachments"):
        files += [a.file for a in ticket.attachments.all() if a.file]
    unlinked = InboundMessage.objects.filter(ticket__in=tickets).update(ticket=None)
    TicketEntry.objects.filter(ticket__in=tickets).exclude(inbound=None).update(inbound=None)
    deleted = tickets.count()
    tickets.delete()
    transaction.on_commit(lambda: [f.delete(save=False) for f in files])
    return {"tickets": deleted, "inbound messages unlinked": unlinked}
