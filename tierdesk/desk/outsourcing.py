"""Outsourcing end-user help desk: partners, routing by tier, handing tickets over, the
partner's own targets, its notification and its fees.

Routing is per tier (HelpdeskRoute, keyed by plans.Plan: see there why not the version).
When a ticket of type "help desk" opens under a tier routed to an active partner whose
contract runs that day (`route_for_ticket`), `ticket_outsource` — called by
services.ticket_open inside the opening's transaction — records the hand-over
(OutsourcedTicket) with the partner's due times computed on the partner's calendar
(tierdesk.sla, the desk's clock rules), writes an internal timeline entry, and notifies the
partner:

* by e-mail through the desk's mail path: the entry carries the envelope and joins the
  mail batch on commit (notify.entry_queue_mail; notify.entry_send sends it once);
* by webhook: the JSON body is stored (PartnerWebhook) and POSTed by
  tasks.send_partner_webhook_task, queued on commit and retried, signed like the RMM
  intake verifies: ``X-Tierdesk-Timestamp: <unix seconds>`` and ``X-Tierdesk-Signature:
  sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>``.

Only END-USER HELP-DESK tickets move (type "helpdesk"): break-fix, on-site visits,
monitoring alerts, maintenance and projects stay with the MSP's technicians. The MSP's own
SLA stays on the ticket: the client's promise is the tier's, whoever answers.

`outsourcing_fees(start=..., end=...)` is the read profitability counts the partners' fees
with.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.template.loader import render_to_string

from tierdesk.core import clock
from tierdesk.core.money import ZERO, round_money, to_decimal
from tierdesk.core.rows import Columns, fetch_one
from tierdesk.desk import clocks, events, notify
from tierdesk.desk.access import require_work
from tierdesk.desk.intake.signatures import rmm_signature
from tierdesk.desk.models import (
    EntryKind,
    HelpdeskRoute,
    OutsourcedTicket,
    OutsourcingPartner,
    PartnerWebhook,
    Ticket,
    TicketEntry,
    TicketType,
    WebhookStatus,
)
from tierdesk.plans.models import Plan, PlanVersion

STEPS = ("first_response", "resolution")
STEP_LABELS = {"first_response": "First response", "resolution": "Resolution"}
#: Attempts of a webhook before it is left failed (the task retries a minute apart).
MAX_WEBHOOK_ATTEMPTS = 6
#: A claim older than this is a worker that died mid-send: the row may be claimed again.
CLAIM_TIMEOUT = dt.timedelta(minutes=10)
WEBHOOK_TIMEOUT_SECONDS = 10
PARTNER_FIELDS = ("name", "email", "webhook_url", "hours", "target_kind",
                  "first_response_minutes", "resolution_minutes", "fee_per_ticket",
                  "fee_per_month", "contract_start", "contract_end", "is_active")


def msp_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIERDESK_MSP_HOURS.get("tz", "UTC"))


# Reads ------------------------------------------------------------------------------------

def partner_list() -> QuerySet[OutsourcingPartner]:
    return OutsourcingPartner.objects.order_by("-is_active", "name")


def routes_by_plan() -> dict[int, HelpdeskRoute]:
    return {r.plan_id: r for r in HelpdeskRoute.objects.select_related("partner")}


def partner_on_contract(partner: OutsourcingPartner, day: dt.date) -> bool:
    return (partner.is_active and partner.contract_start <= day
            and (partner.contract_end is None or day <= partner.contract_end))


_ROUTE = Columns(HelpdeskRoute, "r")
_PARTNER = Columns(OutsourcingPartner, "p")
_PLAN = Columns(Plan, "pl")


def routed_sql(plan_column: str) -> str:
    """An SQL condition for a caller's own query, with one parameter (True): whether the
    tier in `plan_column` has a route to an active partner — what route_for_version looks
    for, without reading it."""
    return (f"EXISTS (SELECT 1 FROM {HelpdeskRoute._meta.db_table} r "
            f"INNER JOIN {OutsourcingPartner._meta.db_table} p ON p.id = r.partner_id "
            f"WHERE r.plan_id = {plan_column} AND p.is_active = %s)")


def route_for_version(version_id: int | None) -> HelpdeskRoute | None:
    """The route of the tier a plan version belongs to, if its partner is active, with its
    `partner` and `plan`; None otherwise.

    Every help-desk ticket opening asks (almost always to hear "none"): hand-written SQL
    (core/rows.py says why) for what `HelpdeskRoute.objects.filter(plan__versions__id=
    version_id, partner__is_active=True).select_related("partner", "plan").first()` reads.
    Writing that query cost the ORM about 1 ms of CPU per ticket, a quarter of an
    API opening (bench/bench_api_tickets.py); running it costs tens of microseconds. A
    plan has at most one route (one-to-one) and a version one plan: at most one row.
    """
    if not version_id:
        return None
    row = fetch_one(
        f"SELECT {_ROUTE.sql()}, {_PARTNER.sql()}, {_PLAN.sql()} "
        f"FROM {HelpdeskRoute._meta.db_table} r "
        f"INNER JOIN {PlanVersion._meta.db_table} v ON v.plan_id = r.plan_id "
        f"INNER JOIN {OutsourcingPartner._meta.db_table} p ON p.id = r.partner_id "
        f"INNER JOIN {Plan._meta.db_table} pl ON pl.id = r.plan_id "
        f"WHERE v.id = %s AND p.is_active = %s",
        [version_id, True],
    )
    if row is None:
        return None
    route = _ROUTE.instance(row)
    route.partner = _PARTNER.instance(row, len(_ROUTE))
    route.plan = _PLAN.instance(row, len(_ROUTE) + len(_PARTNER))
    return route


def signature(*, secret: str, timestamp: str, body: bytes) -> str:
    """The X-Tierdesk-Signature of a partner webhook: the RMM intake's scheme, so a partner
    verifies it the way tierdesk verifies alerts (desk/intake/signatures.py)."""
    return rmm_signature(secret=secret, timestamp=timestamp, body=body)


@dataclass(frozen=True)
class PartnerStep:
    """One partner target of a handed-over ticket, as the ticket page shows it."""

    step: str
    label: str
    spec: dict
    due: dt.datetime | None
    done: dt.datetime | None
    breached: bool
    overdue: bool
    countdown: str


def partner_steps(outsourced: OutsourcedTicket, *, now: dt.datetime) -> list[PartnerStep]:
    out = []
    for step in STEPS:
        spec = (outsourced.partner_targets or {}).get(step)
        if not spec:
            continue
        due = getattr(outsourced, f"{step}_due_at")
        done = (outsourced.partner_responded_at if step == "first_response"
                else outsourced.partner_resolved_at)
        breached = bool(getattr(outsourced, f"{step}_breached"))
        overdue = done is None and due is not None and now > due
        countdown = "" if done else clocks.countdown(
            calendar=outsourced.partner_calendar, spec=spec, due=due, now=now)
        out.append(PartnerStep(step, STEP_LABELS[step], spec, due, done,
                               breached or overdue, overdue, countdown))
    return out


@dataclass(frozen=True)
class OutsourcingFee:
    """What one partner charged for one client (and agreement) in one month.

    `ticket_fees`: the per-ticket fees of the tickets handed over in the month (the fee at
    hand-over). `monthly_fee`: this line's share of the partner's monthly fee, split over the
    month's lines by their number of tickets (largest remainder, so the shares add up to the
    fee to the cent); a contract month with no ticket is one line with `client_id` None.
    """

    partner_id: int
    partner: str
    month: dt.date
    client_id: int | None
    agreement_id: int | None
    tickets: int
    ticket_fees: Decimal
    monthly_fee: Decimal

    @property
    def total(self) -> Decimal:
        return self.ticket_fees + self.monthly_fee


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    """First days of the months whose first day lies in [start, end)."""
    month = start.replace(day=1)
    if month < start:
        month = (month + dt.timedelta(days=32)).replace(day=1)
    out = []
    while month < end:
        out.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return out


def _split(amount: Decimal, weights: list[int]) -> list[Decimal]:
    """`amount` split by `weights` in cents, largest remainder first (sums exactly)."""
    cents = int(round_money(amount) * 100)
    total = sum(weights)
    raw = [cents * w / total for w in weights]
    parts = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (parts[i] - raw[i], i))
    for i in order[: cents - sum(parts)]:
        parts[i] += 1
    return [Decimal(p) / 100 for p in parts]


def outsourcing_fees(*, start: dt.date, end: dt.date) -> list[OutsourcingFee]:
    """The partners' fees in [start, end) (dates in the MSP's time zone), one line per
    partner x month x client x agreement, for profitability.

    Per-ticket fees count in the month the ticket was handed over. A month's fee counts for
    each month whose first day lies in [start, end) and which the contract overlaps (whole
    months: a contract starting on the 20th pays that month). Amounts are rounded to cents
    once per line. Raises ValidationError naming `end` when the range is empty.
    """
    if end <= start:
        raise ValidationError({"end": "must be after start"})
    zone = msp_zone()
    lo = dt.datetime.combine(start, dt.time(), zone)
    hi = dt.datetime.combine(end, dt.time(), zone)
    rows = (OutsourcedTicket.objects.filter(routed_at__gte=lo, routed_at__lt=hi)
            .annotate(month=TruncMonth("routed_at", tzinfo=zone))
            .values("partner_id", "month", "ticket__client_id", "ticket__agreement_id")
            .annotate(tickets=Count("id"), fees=Sum("fee"))
            .order_by())
    lines: dict[tuple, dict] = {}
    for row in rows:
        month = row["month"]
        month = month.date() if isinstance(month, dt.datetime) else month
        key = (row["partner_id"], month, row["ticket__client_id"],
               row["ticket__agreement_id"])
        line = lines.setdefault(key, {"tickets": 0, "fees": ZERO, "monthly": ZERO})
        line["tickets"] += row["tickets"]
        line["fees"] += to_decimal(row["fees"] or ZERO)
    partners = {p.pk: p for p in OutsourcingPartner.objects.all()}
    for partner in partners.values():
        if partner.fee_per_month <= 0:
            continue
        for month in _months(start, end):
            last_day = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
            if partner.contract_start > last_day or (
                    partner.contract_end is not None and partner.contract_end < month):
                continue
            keys = [k for k in lines if k[0] == partner.pk and k[1] == month]
            if not keys:
                lines[(partner.pk, month, None, None)] = {
                    "tickets": 0, "fees": ZERO, "monthly": round_money(partner.fee_per_month)}
                continue
            keys.sort(key=lambda k: (k[2] or 0, k[3] or 0))
            shares = _split(partner.fee_per_month, [lines[k]["tickets"] for k in keys])
            for k, share in zip(keys, shares, strict=True):
                lines[k]["monthly"] = share
    out = [
        OutsourcingFee(partner_id=k[0], partner=partners[k[0]].name, month=k[1],
                       client_id=k[2], agreement_id=k[3], tickets=v["tickets"],
                       ticket_fees=round_money(v["fees"]), monthly_fee=round_money(v["monthly"]))
        for k, v in lines.items()
    ]
    out.sort(key=lambda f: (f.month, f.partner, f.client_id or 0, f.agreement_id or 0))
    return out


# Writes -----------------------------------------------------------------------------------

def _decimal(value, field: str) -> Decimal:
    try:
        return to_decimal(value if value not in (None, "") else "0")
    except (TypeError, ValueError):
        raise ValidationError({field: f"{value!r} is not an amount"}) from None


def _save_partner(partner: OutsourcingPartner) -> None:
    if partner.webhook_url and not partner.webhook_secret:
        partner.webhook_secret = secrets.token_hex(32)
    partner.full_clean()
    partner.save()


@transaction.atomic
def partner_create(*, name: str, by, email: str = "", webhook_url: str = "",
                   hours: dict | None = None, target_kind: str = "business",
                   first_response_minutes: int | None = None,
                   resolution_minutes: int | None = None, fee_per_ticket="0",
                   fee_per_month="0", contract_start: dt.date | None = None,
                   contract_end: dt.date | None = None) -> OutsourcingPartner:
    """Add a partner. A webhook gets a fresh random signing secret. Errors name the field
    (no e-mail and no webhook, a bad calendar, negative fees, an end before the start)."""
    partner = OutsourcingPartner(
        name=(name or "").strip(), email=(email or "").strip(),
        webhook_url=(webhook_url or "").strip(), target_kind=target_kind,
        first_response_minutes=first_response_minutes, resolution_minutes=resolution_minutes,
        fee_per_ticket=_decimal(fee_per_ticket, "fee_per_ticket"),
        fee_per_month=_decimal(fee_per_month, "fee_per_month"),
        contract_start=contract_start or clock.now().astimezone(msp_zone()).date(),
        contract_end=contract_end)
    if hours is not None:
        partner.hours = hours
    _save_partner(partner)
    events.partner_saved_event(partner=partner, by=by, created=True)
    return partner


@transaction.atomic
def partner_update(*, partner: OutsourcingPartner, by, rotate_secret: bool = False,
                   **changes) -> OutsourcingPartner:
    """Change a partner's fields (see PARTNER_FIELDS); `rotate_secret` issues a new webhook
    secret. Tickets already handed over keep their snapshot targets and fee."""
    unknown = set(changes) - set(PARTNER_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: "not a partner field"})
    locked = OutsourcingPartner.objects.select_for_update().get(pk=partner.pk)
    before = {f: getattr(locked, f) for f in PARTNER_FIELDS}
    for field, value in changes.items():
        if field in ("fee_per_ticket", "fee_per_month"):
            value = _decimal(value, field)
        elif isinstance(value, str) and field != "target_kind":
            value = value.strip()
        setattr(locked, field, value)
    if rotate_secret:
        locked.webhook_secret = secrets.token_hex(32)
    _save_partner(locked)
    after = {f: getattr(locked, f) for f in PARTNER_FIELDS}
    changed = {k: (before[k], after[k]) for k in PARTNER_FIELDS if before[k] != after[k]}
    if rotate_secret:
        changed["webhook_secret"] = ("(old)", "(new)")
    if changed:
        events.partner_saved_event(partner=locked, by=by, created=False, changes=changed)
    for field in PARTNER_FIELDS + ("webhook_secret", "updated_at"):
        setattr(partner, field, getattr(locked, field))
    return partner


@transaction.atomic
def helpdesk_route_set(*, plan: Plan, partner: OutsourcingPartner | None, by
                       ) -> HelpdeskRoute | None:
    """Route the end-user help desk of `plan` to `partner`, or back in house with None."""
    route = HelpdeskRoute.objects.select_for_update().filter(plan=plan).first()
    old = route.partner if route else None
    if partner is not None and not partner.is_active:
        raise ValidationError({"partner": f"{partner} is not active"})
    if (old.pk if old else None) == (partner.pk if partner else None):
        return route
    if partner is None:
        route.delete()
        route = None
    elif route is None:
        route = HelpdeskRoute.objects.create(plan=plan, partner=partner)
    else:
        route.partner = partner
        route.save(update_fields=["partner", "updated_at"])
    events.helpdesk_route_changed_event(plan=plan, old=old, new=partner, by=by)
    return route


def _request_text(ticket: Ticket) -> str:
    """The client's request: the ticket's first inbound entry."""
    return (TicketEntry.objects.filter(ticket=ticket, kind=EntryKind.INBOUND)
            .order_by("created_at", "id").values_list("body", flat=True).first()) or ""


def _webhook_body(ticket: Ticket, outsourced: OutsourcedTicket, request: str) -> str:
    contact = ticket.contact

    def iso(value):
        return value.isoformat() if value else None

    payload = {
        "event": "ticket.outsourced",
        "ticket": {
            "reference": ticket.reference, "subject": ticket.subject, "body": request,
            "priority": ticket.priority, "channel": ticket.channel,
            "opened_at": iso(ticket.opened_at), "client": ticket.client.name,
            "requester": ticket.requester,
            "contact": ({"name": contact.name, "email": contact.email, "phone": contact.phone}
                        if contact else None),
        },
        "partner_targets": {
            "first_response_due_at": iso(outsourced.first_response_due_at),
            "resolution_due_at": iso(outsourced.resolution_due_at),
        },
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"))


def route_for_ticket(*, ticket: Ticket, at: dt.datetime) -> HelpdeskRoute | None:
    """The route a ticket being opened at `at` goes by: when it is an end-user help-desk
    ticket of a routed tier and the partner's contract runs on `at` (MSP time zone); else
    None. A read: services.ticket_open asks before its transaction."""
    if ticket.type != TicketType.HELPDESK or not ticket.plan_version_id:
        return None
    route = route_for_version(ticket.plan_version_id)
    if route is None or not partner_on_contract(route.partner, at.astimezone(msp_zone()).date()):
        return None
    return route


def ticket_outsource(*, ticket: Ticket, at: dt.datetime, route: HelpdeskRoute
                     ) -> OutsourcedTicket:
    """Hand a just-opened ticket to the partner of `route` (from `route_for_ticket`).

    Call it inside the opening's transaction (services.ticket_open does): the hand-over,
    its entry, the stored webhook and the audit row commit or roll back with the ticket, and
    the notifications are queued on commit.
    """
    partner = route.partner
    targets = partner.targets
    cal = clocks.calendar_from_snapshot(partner.hours)
    dues = {step: clocks.due_at(cal, at, spec) for step, spec in targets.items()}
    channels = [c for c, on in (("email", partner.email), ("webhook", partner.webhook_url)) if on]
    outsourced = OutsourcedTicket.objects.create(
        ticket=ticket, partner=partner, routed_at=at, partner_calendar=partner.hours,
        partner_targets=targets, first_response_due_at=dues.get("first_response"),
        resolution_due_at=dues.get("resolution"), fee=partner.fee_per_ticket,
        notified_by="+".join(channels))
    request = _request_text(ticket)
    body = render_to_string("desk/mail/partner_handover.txt", {
        "ticket": ticket, "partner": partner, "outsourced": outsourced, "request": request,
        "tier": route.plan.name,
        "zone": partner.hours.get("tz", "UTC"),
    })
    mail = {"to": [partner.email], "subject": notify.subject_for(ticket, "Outsourced: "),
            "headers": {}} if partner.email else None
    entry = TicketEntry(
        ticket=ticket, kind=EntryKind.SYSTEM, body=body, created_at=at,
        message_id=notify.new_message_id() if mail else "",
        data={"notice": "outsourced", "partner": partner.pk, "internal": True,
              **({"mail": mail} if mail else {})})
    entry.save(force_insert=True)
    notify.entry_queue_mail(entry)
    if partner.webhook_url:
        hook = PartnerWebhook.objects.create(outsourced=outsourced, url=partner.webhook_url,
                                             body=_webhook_body(ticket, outsourced, request))
        transaction.on_commit(lambda: _queue_webhook(hook.pk))
    events.ticket_outsourced_event(ticket=ticket, partner=partner)
    return outsourced


def _queue_webhook(webhook_id: int) -> None:
    from tierdesk.desk.tasks import send_partner_webhook_task

    send_partner_webhook_task(webhook_id)


@transaction.atomic
def partner_step_record(*, outsourced: OutsourcedTicket, step: str, by,
                        at: dt.datetime | None = None) -> OutsourcedTicket:
    """Record that the partner gave its first response or resolved the ticket (once; a
    second call changes nothing). A step done after its due time is breached."""
    require_work(by)
    if step not in STEPS:
        raise ValidationError({"step": f'"{step}" is not a partner step '
                                       f'({", ".join(STEPS)})'})
    at = clock.now() if at is None else clock.require_aware(at, "at")
    locked = OutsourcedTicket.objects.select_for_update().get(pk=outsourced.pk)
    field = "partner_responded_at" if step == "first_response" else "partner_resolved_at"
    if getattr(locked, field) is None:
        due = getattr(locked, f"{step}_due_at")
        breached = bool(due and at > due)
        setattr(locked, field, at)
        setattr(locked, f"{step}_breached", breached)
        locked.save(update_fields=[field, f"{step}_breached"])
        TicketEntry.objects.create(
            ticket_id=locked.ticket_id, kind=EntryKind.SYSTEM, author_user=by, created_at=at,
            body=f"{locked.partner}: {STEP_LABELS[step].lower()} recorded"
                 + (" (after the partner's due time)" if breached else "") + ".",
            data={"partner_step": step})
        events.partner_step_event(ticket=locked.ticket, step=step, breached=breached, by=by)
    for name in (field, f"{step}_breached"):
        setattr(outsourced, name, getattr(locked, name))
    return outsourced


class WebhookError(Exception):
    """The partner's endpoint did not accept the POST; `str(exc)` is recorded."""


def post_webhook(*, url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST `body` to `url`; the HTTP status, or WebhookError unless it is 2xx."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        raise WebhookError(f"HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise WebhookError(str(getattr(exc, "reason", exc))) from None
    if not 200 <= status < 300:
        raise WebhookError(f"HTTP {status}")
    return status


def partner_webhook_send(*, webhook_id: int, now: dt.datetime | None = None) -> bool:
    """Send a stored partner webhook once. Returns True when this call delivered it, False
    when there is nothing to do (sent already, being sent by another worker, gave up).
    A failed attempt is recorded and re-raised as WebhookError so the task retries it;
    the last allowed attempt leaves the row failed instead."""
    now = now or clock.now()
    claimed = (PartnerWebhook.objects.filter(pk=webhook_id)
               .filter(Q(status=WebhookStatus.PENDING)
                       | Q(status=WebhookStatus.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT))
               .update(status=WebhookStatus.SENDING, claimed_at=now,
                       attempts=F("attempts") + 1))
    if not claimed:
        return False
    hook = PartnerWebhook.objects.select_related("outsourced__partner").get(pk=webhook_id)
    body = hook.body.encode()
    timestamp = str(int(now.timestamp()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "tierdesk",
        "X-Tierdesk-Event": "ticket.outsourced",
        "X-Tierdesk-Delivery": str(hook.pk),
        "X-Tierdesk-Timestamp": timestamp,
        "X-Tierdesk-Signature": signature(secret=hook.outsourced.partner.webhook_secret,
                                          timestamp=timestamp, body=body),
    }
    try:
        status = post_webhook(url=hook.url, body=body, headers=headers)
    except WebhookError as exc:
        final = hook.attempts >= MAX_WEBHOOK_ATTEMPTS
        PartnerWebhook.objects.filter(pk=hook.pk).update(
            status=WebhookStatus.FAILED if final else WebhookStatus.PENDING,
            last_error=str(exc)[:500])
        if final:
            return False
        raise
    PartnerWebhook.objects.filter(pk=hook.pk).update(
        status=WebhookStatus.SENT, sent_at=clock.now(), response_status=status, last_error="")
    return True
