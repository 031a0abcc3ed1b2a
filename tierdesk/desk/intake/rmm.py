"""Monitoring intake: alerts from remote-management (RMM) tools.

Two payload formats, both POSTed as JSON and signed the same way (signatures.py:
`X-Tierdesk-Timestamp` + `X-Tierdesk-Signature: sha256=HMAC(secret, ts + "." + body)`,
secret in settings/env `TIERDESK_RMM_SECRET`, ±5 minutes):

generic (POST /api/intake/rmm)::

    {"alert_id": "a-1842", "client_id": 7 | "client": "Acme Dental" | "domain": "acme.example",
     "site": "Main office", "device": "ACME-DC01", "check": "Disk C: free space",
     "service": "backup-dr", "severity": "critical|error|warning|info",
     "status": "triggered|resolved", "message": "C: 4% free", "occurred_at": ISO-8601}

    required: one of client_id/client/domain, device, check; the rest optional
    (severity "warning", status "triggered", occurred_at = received).

Tactical RMM (POST /api/intake/rmm/tactical): the JSON an alert template's webhook action
sends with the body template in the webhooks documentation (`event`, `agent_id`,
`hostname`, `client`, `site`, `alert_type`, `check`, `task`, `severity`, `message`,
`alert_time`) — mapped onto the generic fields by `from_tactical`.

Processing (one stored InboundMessage per alert, O(1) queries per alert, no scans):

* dedupe key: `id:<alert_id>|<status>|<occurred_at>` when the alert has an id, else the
  SHA-256 of the body — a resend of the same alert is a replay and creates nothing;
* alert key `<device>|<check>` (lower-cased): a triggered alert with an open ticket of the
  same client and key folds into it (`ticket_alert_fold`, counter + 1, FOLDED); otherwise a
  "monitoring" ticket opens (TICKETED). Two workers opening the same alert at once meet the
  partial unique constraint: the loser folds into the winner's ticket;
* a resolved alert resolves the open ticket (`ticket_transition` to resolved, reason
  "alert resolved") when TIERDESK_RMM_AUTO_RESOLVE (default true), else notes it; RECORDED;
* coverage of the alert's service (payload `service`, a catalog slug, else
  TIERDESK_RMM_DEFAULT_SERVICE, default "event-log-monitoring") under the ticket's tier
  version: "monitored" only (or not covered, or no agreement) → the client is notified
  (acknowledgement mail to the client's billing e-mail) and an internal note
  "remediation is billable: <tier> covers <service> monitored only" is added with
  `data = {"billable": true, "service": slug, "coverage": level}` for billing;
* unknown client → HELD "unknown client" for triage; invalid payload → REJECTED (400).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.dateparse import parse_datetime

from tierdesk.clients.models import Client, Contact, Site
from tierdesk.core import clock
from tierdesk.core.events import record
from tierdesk.desk import services
from tierdesk.desk.intake import webhooks
from tierdesk.desk.intake.signatures import SignatureError, rmm_verify, secret_setting
from tierdesk.desk.intake.webhooks import (
    body_hash,
    inbound_fail,
    inbound_finish,
    inbound_lock,
    inbound_store,
)
from tierdesk.desk.models import (
    InboundMessage,
    InboundSource,
    InboundStatus,
    IntakeChannel,
    Ticket,
    TicketEntry,
    TicketStatus,
    TicketType,
)
from tierdesk.desk.statuses import OPEN_STATUSES
from tierdesk.plans.models import CoveredService

log = logging.getLogger(__name__)

SEVERITY_PRIORITY = {"critical": "p1", "error": "p2", "warning": "p3", "info": "p4"}
SEVERITY_ALIASES = {"crit": "critical", "fatal": "critical", "high": "error", "major": "error",
                    "medium": "warning", "warn": "warning", "minor": "warning", "low": "info",
                    "informational": "info", "information": "info"}
RESOLVED_WORDS = {"resolved", "resolve", "ok", "cleared", "recovered", "closed"}
TRIGGERED_WORDS = {"triggered", "trigger", "failure", "failed", "firing", "open", "alert"}
DEFAULT_SERVICE = "event-log-monitoring"


def _flag(name: str, default: bool) -> bool:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "on")


@dataclass
class Alert:
    """One alert in tierdesk's terms, whatever format it came in."""

    device: str
    check: str
    client_id: int | None = None
    client_name: str = ""
    domain: str = ""
    site: str = ""
    service: str = ""
    severity: str = "warning"
    status: str = "triggered"
    message: str = ""
    alert_id: str = ""
    occurred_at: dt.datetime | None = None
    extra: dict = field(default_factory=dict)

    @property
    def alert_key(self) -> str:
        key = f"{self.device.strip().lower()}|{self.check.strip().lower()}"
        return key if len(key) <= 200 else key[:135] + "#" + body_hash(key)[:64]

    @property
    def priority(self) -> str:
        return SEVERITY_PRIORITY.get(self.severity, "p3")


@dataclass
class RmmResult:
    """The endpoint's answer: HTTP status and a JSON-able body."""

    status_code: int
    body: dict
    inbound: InboundMessage | None = None


# --- parsing ---------------------------------------------------------------------------------


def _text(data: dict, name: str, limit: int = 200) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, (str, int, float)):
        raise ValidationError({name: "must be a string"})
    return str(value).strip()[:limit]


def _severity(raw: str) -> str:
    value = (raw or "warning").strip().lower()
    value = SEVERITY_ALIASES.get(value, value)
    if value not in SEVERITY_PRIORITY:
        raise ValidationError({"severity": f'"{raw}" is not one of critical, error, warning, '
                                           "info"})
    return value


def _status(raw: str) -> str:
    value = (raw or "triggered").strip().lower()
    if value in RESOLVED_WORDS:
        return "resolved"
    if value in TRIGGERED_WORDS:
        return "triggered"
    raise ValidationError({"status": f'"{raw}" is not "triggered" or "resolved"'})


def _when(raw) -> dt.datetime | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        try:
            return dt.datetime.fromtimestamp(float(raw), tz=dt.UTC)
        except (OverflowError, OSError, ValueError):
            raise ValidationError({"occurred_at": "not a valid Unix time"}) from None
    value = parse_datetime(str(raw).strip().replace(" UTC", "+00:00"))
    if value is None:
        raise ValidationError({"occurred_at": f'"{str(raw)[:40]}" is not an ISO 8601 time'})
    if value.tzinfo is None:
        raise ValidationError({"occurred_at": "include the time zone, e.g. 2026-05-01T10:00Z"})
    return value.astimezone(dt.UTC)


def from_generic(data: dict) -> Alert:
    """The generic format (module docstring) → Alert; ValidationError names every bad
    field at once."""
    errors: dict[str, str] = {}

    def take(name, parse):
        try:
            return parse()
        except ValidationError as exc:
            errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
            return None

    client_id = data.get("client_id")
    if client_id in (None, ""):
        client_id = None
    else:
        try:
            client_id = int(client_id)
        except (TypeError, ValueError):
            errors["client_id"] = "must be an integer"
            client_id = None
    values = {name: take(name, lambda n=name, lim=limit: _text(data, n, lim))
              for name, limit in (("device", 200), ("check", 200), ("client", 150),
                                  ("domain", 200), ("site", 100), ("service", 60),
                                  ("message", 4000), ("alert_id", 120))}
    severity = take("severity", lambda: _severity(_text(data, "severity", 30)))
    status = take("status", lambda: _status(_text(data, "status", 30)))
    occurred_at = take("occurred_at", lambda: _when(data.get("occurred_at")))
    if not values["device"] and "device" not in errors:
        errors["device"] = "required"
    if not values["check"] and "check" not in errors:
        errors["check"] = "required"
    if client_id is None and not values["client"] and not values["domain"]:
        errors.setdefault("client_id", "give client_id, client (name) or domain")
    if errors:
        raise ValidationError(errors)
    return Alert(device=values["device"], check=values["check"], client_id=client_id,
                 client_name=values["client"], domain=values["domain"].lower(),
                 site=values["site"], service=values["service"], severity=severity,
                 status=status, message=values["message"], alert_id=values["alert_id"],
                 occurred_at=occurred_at)


def from_tactical(data: dict) -> Alert:
    """Tactical RMM's alert-template webhook body (see the webhooks README) → Alert."""
    alert_type = _text(data, "alert_type", 30).lower()
    check = (_text(data, "check") or _text(data, "task")
             or ("agent offline" if alert_type == "availability" else alert_type))
    generic = {
        "device": data.get("hostname") or data.get("agent_id"),
        "check": check,
        "client": data.get("client"), "client_id": data.get("client_id"),
        "site": data.get("site"), "service": data.get("service"),
        "severity": data.get("severity"), "status": data.get("event"),
        "message": data.get("message"),
        "alert_id": data.get("alert_id") or "",
        "occurred_at": data.get("alert_time") or None,
    }
    alert = from_generic(generic)
    alert.extra = {"format": "tactical", "agent_id": _text(data, "agent_id", 100),
                   "alert_type": alert_type}
    return alert


FORMATS = {"generic": from_generic, "tactical": from_tactical}


# --- clients ---------------------------------------------------------------------------------


def client_for_alert(alert: Alert) -> Client | None:
    """By id (primary key), else exact name, else the e-mail domain of its billing address or
    of one of its contacts (indexed on contacts' e-mail)."""
    if alert.client_id is not None:
        return Client.objects.filter(pk=alert.client_id).first()
    if alert.client_name:
        return (Client.objects.filter(name=alert.client_name).first()
                or Client.objects.filter(name__iexact=alert.client_name).first())
    if alert.domain:
        client = Client.objects.filter(billing_email__iendswith="@" + alert.domain).first()
        if client is None:
            contact = (Contact.objects.select_related("client")
                       .filter(email__iendswith="@" + alert.domain).order_by("id").first())
            client = contact.client if contact else None
        return client
    return None


# --- the webhook -----------------------------------------------------------------------------


def _result(code: int, inbound: InboundMessage, *, duplicate: bool = False) -> RmmResult:
    # After processing the ticket is cached on the row; a replay reads it (one query).
    ticket_ref = inbound.ticket.reference if inbound.ticket_id else None
    return RmmResult(code, {
        "status": inbound.status, "reason": inbound.reason, "ticket": ticket_ref,
        "inbound": inbound.pk, "duplicate": duplicate,
    }, inbound)


def _dedupe_key(alert: Alert, body: bytes) -> str:
    if alert.alert_id:
        when = alert.occurred_at.isoformat() if alert.occurred_at else ""
        return f"id:{alert.alert_id}|{alert.status}|{when}"
    return "sha256:" + body_hash(body)


def rmm_alert_receive(*, body: bytes, timestamp: str, signature: str, fmt: str = "generic",
                      at: dt.datetime | None = None) -> RmmResult:
    """Store, authenticate and process one alert. Never raises for bad input."""
    at = at or clock.now()
    try:
        rmm_verify(secret=secret_setting("TIERDESK_RMM_SECRET"), timestamp=timestamp or "",
                   signature=signature or "", body=body, now=at)
    except SignatureError as exc:
        inbound, _ = inbound_store(
            source=InboundSource.RMM, raw=body, at=at, summary=f"{fmt} alert (unverified)",
            dedupe_key="rejected:" + body_hash(body, timestamp or "", signature or ""),
            status=InboundStatus.REJECTED, reason=str(exc))
        return RmmResult(403, {"status": "rejected", "reason": str(exc),
                               "inbound": inbound.pk}, inbound)
    try:
        data = json.loads(body)
        if not isinstance(data, dict):
            raise ValueError("the body must be a JSON object")
        alert = FORMATS[fmt](data)
    except (ValueError, UnicodeDecodeError, ValidationError) as exc:
        if isinstance(exc, ValidationError):
            reason = "invalid alert: " + "; ".join(
                f"{k}: {' '.join(v)}" for k, v in sorted(exc.message_dict.items()))
        else:
            reason = f"invalid JSON: {exc}"
        inbound, _ = inbound_store(
            source=InboundSource.RMM, dedupe_key="invalid:" + body_hash(body), raw=body, at=at,
            summary=f"{fmt} alert (invalid)", status=InboundStatus.REJECTED, reason=reason[:2000])
        return RmmResult(400, {"status": "rejected", "reason": inbound.reason,
                               "inbound": inbound.pk}, inbound)

    inbound, created = inbound_store(
        source=InboundSource.RMM, dedupe_key=_dedupe_key(alert, body), raw=body, at=at,
        sender=alert.device, summary=f"{alert.status} {alert.severity}: {alert.device} / "
                                     f"{alert.check}")
    if not created and inbound.status != InboundStatus.RECEIVED:
        return _result(200, inbound, duplicate=True)
    try:
        with transaction.atomic():
            locked = inbound_lock(inbound)
            if locked.status != InboundStatus.RECEIVED:
                return _result(200, locked, duplicate=True)
            _process(locked, alert, at=at)
            return _result(200, locked)
    except Exception as exc:  # noqa: BLE001 - an RMM must get an answer, the alert is kept
        log.exception("RMM alert %s failed", inbound.pk)
        inbound_fail(inbound, exc=exc, at=at)
        return _result(202, inbound)


def _process(inbound: InboundMessage, alert: Alert, *, at: dt.datetime,
             client: Client | None = None) -> None:
    """Ticket, fold, resolve or hold one alert (inside the caller's transaction, the row
    locked). `client` forces whose alert it is (triage); else it is looked up."""
    client = client or client_for_alert(alert)
    if client is None:
        inbound_finish(inbound, status=InboundStatus.HELD, at=at,
                       reason="unknown client: " + (str(alert.client_id or "") or
                                                    alert.client_name or alert.domain))
        return
    # An alert without its own time happened when it was received (a retry or a triage
    # decision comes later).
    occurred = min(alert.occurred_at or inbound.received_at, at)
    key = alert.alert_key
    open_ticket = (Ticket.objects.filter(client=client, alert_key=key,
                                         status__in=OPEN_STATUSES).first())
    if alert.status == "resolved":
        _resolve(inbound, alert, open_ticket, at=at)
        return
    if open_ticket is not None:
        services.ticket_alert_fold(ticket=open_ticket, at=at)
        inbound_finish(inbound, status=InboundStatus.FOLDED, at=at, ticket=open_ticket,
                       reason=f"repeat #{open_ticket.alert_count}")
        return
    site = (Site.objects.filter(client=client, name=alert.site).first() if alert.site
            else None)
    billable, data = _coverage(client, alert)
    try:
        with transaction.atomic():
            ticket = services.ticket_open(
                client=client, channel=IntakeChannel.MONITORING, type=TicketType.MONITORING_ALERT,
                priority=alert.priority, site=site, alert_key=key, inbound=inbound,
                subject=f"[{alert.severity}] {alert.device}: {alert.check}",
                body=alert.message or f"{alert.check} on {alert.device}",
                # A billable alert is told to the client (its billing address); a covered one
                # is the MSP's own business.
                requester=(client.billing_email if billable and client.billing_email
                           else alert.device), opened_at=occurred)
    except ValidationError as exc:
        if "alert_key" not in exc.message_dict:
            raise
        # Another worker opened this alert's ticket between our read and our insert.
        winner = Ticket.objects.get(client=client, alert_key=key, status__in=OPEN_STATUSES)
        services.ticket_alert_fold(ticket=winner, at=at)
        inbound_finish(inbound, status=InboundStatus.FOLDED, at=at, ticket=winner,
                       reason=f"repeat #{winner.alert_count} (opened concurrently)")
        return
    reason = "opened alert ticket"
    if billable:
        _mark_billable(ticket, billable, data, at=at)
        reason += "; " + billable
    inbound_finish(inbound, status=InboundStatus.TICKETED, at=at, ticket=ticket, reason=reason)


def _resolve(inbound: InboundMessage, alert: Alert, ticket: Ticket | None, *,
             at: dt.datetime) -> None:
    if ticket is None:
        inbound_finish(inbound, status=InboundStatus.RECORDED, at=at,
                       reason="resolved alert with no open ticket")
        return
    text = f"Monitoring: {alert.check} on {alert.device} resolved" + (
        f" ({alert.message})" if alert.message else "")
    if _flag("TIERDESK_RMM_AUTO_RESOLVE", True):
        services.ticket_transition(ticket=ticket, to=TicketStatus.RESOLVED, by=None, at=at,
                                   reason=text[:500])
        reason = "resolved alert: ticket auto-resolved"
    else:
        services.ticket_note(ticket=ticket, by=None, body=text, at=at)
        reason = "resolved alert: noted (auto-resolve is off)"
    inbound_finish(inbound, status=InboundStatus.RECORDED, at=at, ticket=ticket, reason=reason)


def _coverage(client: Client, alert: Alert) -> tuple[str, dict]:
    """("remediation is billable: ...", data) when the client's tier only monitors the
    alert's service, does not cover it, or there is no agreement; ("", {}) when covered."""
    slug = alert.service or str(getattr(settings, "TIERDESK_RMM_DEFAULT_SERVICE", "")
                                or os.environ.get("TIERDESK_RMM_DEFAULT_SERVICE", "")
                                or DEFAULT_SERVICE)
    agreement = services.current_agreement(client)
    if agreement is None:
        text = "remediation is billable: the client has no current agreement"
        return text, {"billable": True, "service": slug, "coverage": "none", "reason": text}
    row = (CoveredService.objects.filter(version_id=agreement.plan_version_id,
                                         service__slug=slug)
           .select_related("service", "version__plan").first())
    if row is not None and row.level != "monitored":
        return "", {}
    if row is None:
        tier = agreement.plan_version.plan.name
        text = f"remediation is billable: {tier} does not cover {slug}"
    else:
        text = (f"remediation is billable: {row.version.plan.name} covers {row.service.name} "
                "monitored only")
    return text, {"billable": True, "service": slug, "coverage": row.level if row else "none",
                  "reason": text}


def _mark_billable(ticket: Ticket, text: str, data: dict, *, at: dt.datetime) -> None:
    """The internal note billing reads (issue 4), and the client's notice."""
    from tierdesk.desk import notify

    entry = services.ticket_note(ticket=ticket, by=None, body=text, at=at)
    # ticket_note takes no data; the flag is set on the entry it just wrote.
    TicketEntry.objects.filter(pk=entry.pk).update(data=data)
    # Monitoring tickets are not acknowledged by ticket_open; a billable one is told to
    # the client (sent only when the ticket has a requester address).
    if "@" in ticket.requester:
        notify.ticket_acknowledged(ticket=ticket, at=at)


# --- recovery and triage ---------------------------------------------------------------------


def alert_from_stored(inbound: InboundMessage) -> Alert:
    """Parse a stored alert body again. The format is not stored: a Tactical RMM body is
    recognised by its own fields (`hostname`/`agent_id`/`alert_type` without `device`).
    Raises ValidationError/ValueError for a body that is not an alert."""
    data = json.loads(bytes(inbound.raw))
    if not isinstance(data, dict):
        raise ValueError("the body must be a JSON object")
    tactical = "device" not in data and any(k in data for k in ("hostname", "agent_id",
                                                                 "alert_type"))
    return FORMATS["tactical" if tactical else "generic"](data)


def rmm_recover(*, inbound: InboundMessage) -> InboundMessage:
    """Process a stored alert still RECEIVED (the first processing crashed before it could
    record anything; the periodic inbound_retry_pending calls this) exactly as the webhook
    would have, and say on the row that it was recovered. Idempotent: a row no longer
    RECEIVED is returned unchanged. A failure holds the row for triage with the error."""
    now = clock.now()
    try:
        with transaction.atomic():
            row = inbound_lock(inbound)
            if row.status != InboundStatus.RECEIVED:
                return row
            try:
                alert = alert_from_stored(row)
            except (ValueError, UnicodeDecodeError, ValidationError) as exc:
                inbound_finish(row, status=InboundStatus.REJECTED, at=now,
                               reason=f"invalid stored alert: {exc}"[:2000])
                return row
            _process(row, alert, at=now)
            row.reason = f"{row.reason} ({webhooks.RECOVERED})"[:4000]
            row.save(update_fields=["reason"])
            return row
    except Exception as exc:  # noqa: BLE001 - kept and held, never lost
        log.exception("RMM alert %s could not be recovered", inbound.pk)
        return inbound_fail(inbound, exc=exc, at=now)


def rmm_triage_assign(*, inbound: InboundMessage, client: Client, by) -> InboundMessage:
    """Staff say whose a HELD alert is (an unknown client, or a failed processing): it goes
    through the same processing as the webhook with `client` forced — an alert ticket opens
    (or folds into the client's open one for the same device and check; a "resolved" alert
    resolves it), coverage decides billability. Errors: `inbound` not a held alert, a body
    that is not an alert."""
    now = clock.now()
    with transaction.atomic():
        row = inbound_lock(inbound)
        if row.source != InboundSource.RMM or row.status != InboundStatus.HELD:
            raise ValidationError({"inbound": "only a held alert can be assigned"})
        try:
            alert = alert_from_stored(row)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ValidationError({"inbound": f"the stored body is not an alert: {exc}"}) \
                from None
        held_for = row.reason
        _process(row, alert, at=now, client=client)
        row.reason = (f"{row.reason}; assigned to {client.name} by {by} "
                      f"(was held: {held_for})")[:4000]
        row.save(update_fields=["reason"])
        record(action="inbound.assigned", obj=row, by=by,
               message=(f"{row.ticket.reference} for {client.name}" if row.ticket_id
                        else f"for {client.name}"))
    return row
