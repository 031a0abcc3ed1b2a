"""Phone intake: Twilio's voice webhook (form-encoded request, TwiML reply).

Twilio POSTs `CallSid`, `From`, `To`, `CallStatus`, … when a call comes in and speaks or dials
whatever TwiML we answer. Every request is stored raw first (InboundMessage source "voice",
dedupe key = CallSid), authenticated with `X-Twilio-Signature` (settings/env
`TWILIO_AUTH_TOKEN`), then processed once. What happens, by the number called (`To`) and the
caller (`From`, matched in E.164 to a Contact's phone, then a Client's):

    unknown caller            polite message; the call is HELD "unknown caller" for triage,
                              no ticket (as unknown e-mail senders: staff decide who it was)
    hotline, tier includes it a P2 "hotline" ticket, assigned to the technician on call, and
                              <Dial> to their phone; when the technician answers, the call is
                              logged on the ticket as the first response (the dial callback)
    hotline, nobody on call   a clear spoken message, the ticket, and the dispatchers mailed
    hotline, tier lacks it    the tier's channel instructions are read out and a "callback"
                              ticket is opened (flagged outside entitlement by ticket_open)
    any other number          (the attendant line, TIERDESK_ATTENDANT_NUMBER) a "callback"
                              ticket on channel phone_attendant and "we will call you back"

A replayed CallSid gets the same answer again and creates nothing. Settings (Django settings
first, then the environment): TWILIO_AUTH_TOKEN, TIERDESK_HOTLINE, TIERDESK_ATTENDANT_NUMBER,
TIERDESK_PHONE_REGION, TIERDESK_DIAL_TIMEOUT (seconds, default 25).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction

from tierdesk.clients.models import Client, Contact
from tierdesk.core import clock
from tierdesk.core.events import record
from tierdesk.core.models import Role, User
from tierdesk.desk import services
from tierdesk.desk.access import can_work
from tierdesk.desk.intake import webhooks
from tierdesk.desk.intake.signatures import secret_setting, twilio_signature_valid
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
    TicketType,
)
from tierdesk.desk.oncall import on_call_now
from tierdesk.desk.phones import phone_normalize, phone_variants

log = logging.getLogger(__name__)

UNKNOWN_CALLER = "unknown caller"


def setting(name: str, default: str = "") -> str:
    return str(getattr(settings, name, None) or os.environ.get(name) or default)


@dataclass
class VoiceReply:
    """What the endpoint answers: an HTTP status and a TwiML document."""

    status_code: int
    twiml: str
    inbound: InboundMessage | None = None
    replay: bool = False


# --- TwiML -----------------------------------------------------------------------------------


def twiml(*verbs: str) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?><Response>' + "".join(verbs) + "</Response>"


def say(text: str) -> str:
    return f"<Say>{escape(text)}</Say>"


def dial(number: str, *, action: str, timeout: int) -> str:
    return (f"<Dial timeout={quoteattr(str(timeout))} action={quoteattr(action)}>"
            f"<Number>{escape(number)}</Number></Dial>")


def spoken_reference(reference: str) -> str:
    """ "TD-7KQ3M9" read out one character at a time: "T D, 7 K Q 3 M 9"."""
    prefix, _, code = reference.partition("-")
    return f"{' '.join(prefix)}, {' '.join(code)}"


def _msp() -> str:
    return setting("TIERDESK_MSP_NAME", "the service desk")


def _fallback_instructions() -> str:
    email = setting("TIERDESK_MSP_EMAIL")
    return (f"Please e-mail us at {email} or use the client portal."
            if email else "Please e-mail us or use the client portal.")


# --- callers ---------------------------------------------------------------------------------


def caller_lookup(e164: str) -> tuple[Client | None, Contact | None]:
    """The contact (and its client) whose phone is this number, else a client whose main
    number it is. One indexed IN query over the usual spellings of the number each."""
    if not e164:
        return None, None
    variants = phone_variants(e164)
    contact = (Contact.objects.select_related("client").filter(phone__in=variants)
               .order_by("id").first())
    if contact is not None:
        return contact.client, contact
    return Client.objects.filter(phone__in=variants, is_active=True).order_by("id").first(), None


# --- the webhook -----------------------------------------------------------------------------


def voice_call_receive(*, body: bytes, params: list[tuple[str, str]], signature: str,
                       urls: list[str], dial_action: str, at: datetime | None = None
                       ) -> VoiceReply:
    """Store, authenticate and answer one incoming-call webhook. Never raises for bad input:
    every outcome is a stored InboundMessage and a TwiML reply."""
    at = at or clock.now()
    fields = dict(params)
    sender = fields.get("From", "")[:300]
    summary = f"call from {sender or '?'} to {fields.get('To', '?')}"
    token = secret_setting("TWILIO_AUTH_TOKEN")
    if not twilio_signature_valid(urls=urls, params=params, signature=signature, token=token):
        reason = ("TWILIO_AUTH_TOKEN is not configured" if not token
                  else "bad X-Twilio-Signature" if signature else "missing X-Twilio-Signature")
        inbound, _ = inbound_store(
            source=InboundSource.VOICE, dedupe_key="rejected:" + body_hash(body, signature),
            raw=body, at=at, sender=sender, summary=summary, status=InboundStatus.REJECTED,
            reason=reason)
        return VoiceReply(403, twiml(say("This call could not be verified.")), inbound)
    call_sid = fields.get("CallSid", "").strip()
    if not call_sid or len(call_sid) > 64:
        inbound, _ = inbound_store(
            source=InboundSource.VOICE, dedupe_key="invalid:" + body_hash(body), raw=body,
            at=at, sender=sender, summary=summary, status=InboundStatus.REJECTED,
            reason="CallSid missing or invalid")
        return VoiceReply(400, twiml(say("This call could not be processed.")), inbound)

    inbound, _created = inbound_store(source=InboundSource.VOICE, dedupe_key=call_sid,
                                      raw=body, at=at, sender=sender, summary=summary)
    try:
        with transaction.atomic():
            locked = inbound_lock(inbound)
            if locked.status != InboundStatus.RECEIVED:
                return VoiceReply(200, _replayed(locked, dial_action), locked, replay=True)
            return VoiceReply(200, _answer(locked, fields, at=at, dial_action=dial_action),
                              locked)
    except Exception as exc:  # noqa: BLE001 - a caller must hear something, never a 500
        log.exception("voice webhook %s failed", call_sid)
        inbound_fail(inbound, exc=exc, at=at)
        return VoiceReply(200, twiml(say(
            f"Sorry, we could not take your call automatically. {_fallback_instructions()}"
        )), inbound)


def _answer(inbound: InboundMessage, fields: dict, *, at: datetime, dial_action: str,
            recovered: bool = False) -> str:
    """Decide what the call is and ticket it; returns the TwiML the caller hears. `at` is
    when the call came in. `recovered`: the retry processes a call whose first processing
    crashed — the caller is gone, so nobody is dialled: the ticket opens as the call would
    have made it (a hotline call is then handled as "nobody could take it") and the row and
    the ticket say it was recovered."""
    done_at = clock.now() if recovered else at

    def finish(status, reason, ticket=None):
        if recovered:
            reason = f"{reason} ({webhooks.RECOVERED}; the caller heard no ticket reference)"
        inbound_finish(inbound, status=status, at=done_at, ticket=ticket, reason=reason)

    caller = phone_normalize(fields.get("From", ""))
    client, contact = caller_lookup(caller)
    if client is None:
        inbound_finish(inbound, status=InboundStatus.HELD, at=done_at, reason=UNKNOWN_CALLER + (
            f" ({webhooks.RECOVERED})" if recovered else ""))
        return _unknown_twiml()
    called = phone_normalize(fields.get("To", ""))
    hotline = phone_normalize(setting("TIERDESK_HOTLINE"))
    who = contact.name if contact else client.name
    details = (f"Call {fields.get('CallSid', '')} from {fields.get('From', '')} "
               f"({who}, {client.name}) to {fields.get('To', '')}, status "
               f"{fields.get('CallStatus', '?')}.")
    if recovered:
        details += (" Recovered after a failure: the caller was not answered by tierdesk "
                    "and heard no ticket reference — call them back.")
    common = {"client": client, "contact": contact, "requester": caller or fields.get("From", ""),
              "opened_at": at, "inbound": inbound}
    if not (hotline and called == hotline):
        ticket = services.ticket_open(
            channel=IntakeChannel.PHONE_ATTENDANT, type=TicketType.CALLBACK, priority="p3",
            subject=f"Callback request from {who}", body=details, **common)
        finish(InboundStatus.TICKETED, "attendant line: callback ticket", ticket)
        return _attendant_twiml(ticket)

    allowed, instructions = services.channel_entitlement(client=client,
                                                         channel=IntakeChannel.HOTLINE)
    if not allowed:
        ticket = services.ticket_open(
            channel=IntakeChannel.HOTLINE, type=TicketType.CALLBACK, priority="p3",
            subject=f"Callback request: hotline call from {who}", body=details, **common)
        finish(InboundStatus.TICKETED,
               "hotline not in the tier: instructions read, callback ticket", ticket)
        return _redirect_twiml(ticket, instructions)

    ticket = services.ticket_open(channel=IntakeChannel.HOTLINE, priority="p2",
                                  subject=f"Hotline call from {who}", body=details, **common)
    shift = on_call_now(at)
    if shift is not None and can_work(shift.user):
        services.ticket_assign(ticket=ticket, assignee=shift.user, by=None)
    if recovered:
        _tell_dispatchers(ticket, why="the call was stored but its processing failed, so "
                                      "nobody was connected")
        finish(InboundStatus.TICKETED, "hotline: not connected; dispatchers notified", ticket)
        return _nobody_twiml(ticket)
    if shift is None:
        _tell_dispatchers(ticket, why="nobody is on call")
        finish(InboundStatus.TICKETED, "hotline: nobody on call; dispatchers notified", ticket)
        return _nobody_twiml(ticket)
    finish(InboundStatus.TICKETED,
           f"hotline: forwarded to on-call {shift.user} at {shift.phone}", ticket)
    return _dial_twiml(ticket, shift.phone, dial_action)


def _replayed(inbound: InboundMessage, dial_action: str) -> str:
    """The answer a processed call got, rebuilt from what was stored (a replayed CallSid:
    Twilio retries when our first answer was slow)."""
    ticket = (Ticket.objects.select_related("client").filter(pk=inbound.ticket_id).first()
              if inbound.ticket_id else None)
    if inbound.status == InboundStatus.HELD or ticket is None:
        return _unknown_twiml() if inbound.reason.startswith(UNKNOWN_CALLER) else twiml(
            say(f"Thank you for calling {_msp()}. {_fallback_instructions()}"))
    if ticket.channel == IntakeChannel.PHONE_ATTENDANT:
        return _attendant_twiml(ticket)
    if ticket.type == TicketType.CALLBACK:
        _, instructions = services.channel_entitlement(client=ticket.client,
                                                       channel=IntakeChannel.HOTLINE)
        return _redirect_twiml(ticket, instructions)
    shift = on_call_now(inbound.received_at)
    if shift is None:
        return _nobody_twiml(ticket)
    return _dial_twiml(ticket, shift.phone, dial_action)


def _unknown_twiml() -> str:
    return twiml(say(
        f"Thank you for calling {_msp()}. We could not match your number to a client. "
        f"Your call has been recorded and our team will review it. {_fallback_instructions()}"
    ), "<Hangup/>")


def _attendant_twiml(ticket: Ticket) -> str:
    return twiml(say(
        f"Thank you for calling {_msp()}. We have logged your call as ticket "
        f"{spoken_reference(ticket.reference)}, and we will call you back. Goodbye."
    ), "<Hangup/>")


def _redirect_twiml(ticket: Ticket, instructions: str) -> str:
    return twiml(say(
        "The live hotline is not part of your support agreement. "
        f"{instructions or _fallback_instructions()} "
        f"We have logged your call as ticket {spoken_reference(ticket.reference)} and will "
        "call you back."
    ), "<Hangup/>")


def _nobody_twiml(ticket: Ticket) -> str:
    return twiml(say(
        "We are sorry: no technician can take your call right now. We have opened ticket "
        f"{spoken_reference(ticket.reference)} and alerted our dispatcher, who will call you "
        "back as soon as possible."
    ), "<Hangup/>")


def _dial_twiml(ticket: Ticket, phone: str, dial_action: str) -> str:
    timeout = int(setting("TIERDESK_DIAL_TIMEOUT", "25") or 25)
    action = f"{dial_action}?ticket={ticket.reference}"
    return twiml(say(
        f"Connecting you to the on-call technician. Your ticket is "
        f"{spoken_reference(ticket.reference)}."
    ), dial(phone, action=action, timeout=timeout))


def _tell_dispatchers(ticket: Ticket, *, why: str) -> None:
    """Mail the active dispatchers (after commit) and leave a note on the ticket."""
    services.ticket_note(ticket=ticket, by=None,
                         body=f"Hotline call: {why}; the dispatchers were notified.")
    recipients = sorted(set(User.objects.filter(role=Role.DISPATCHER, is_active=True)
                            .exclude(email="").values_list("email", flat=True)))
    if not recipients:
        return
    subject = f"[{ticket.reference}] Hotline call needs a callback: {why}"
    text = (f"A hotline call from {ticket.requester} ({ticket.client.name}) could not be "
            f"connected: {why}.\nTicket {ticket.reference}: {ticket.subject}\n"
            "Please call the client back.")
    transaction.on_commit(lambda: send_mail(subject, text, None, recipients,
                                            fail_silently=True))


# --- the <Dial> callback -----------------------------------------------------------------


def voice_dial_receive(*, body: bytes, params: list[tuple[str, str]], signature: str,
                       urls: list[str], reference: str, at: datetime | None = None
                       ) -> VoiceReply:
    """Twilio's request to the <Dial action> when the forwarded leg ends. Answered
    (`DialCallStatus=completed`): the call is logged on the ticket by the on-call technician,
    which is the ticket's first response. Not answered: the caller hears that we will call
    back, and the dispatchers are told. Stored (key "dial:<CallSid>") and replay-safe."""
    at = at or clock.now()
    fields = dict(params)
    status = fields.get("DialCallStatus", "")
    summary = f"dial result {status or '?'} for {reference or '?'}"
    token = secret_setting("TWILIO_AUTH_TOKEN")
    if not twilio_signature_valid(urls=urls, params=params, signature=signature, token=token):
        inbound, _ = inbound_store(
            source=InboundSource.VOICE, dedupe_key="rejected:" + body_hash(body, signature),
            raw=body, at=at, summary=summary, status=InboundStatus.REJECTED,
            reason="bad X-Twilio-Signature on the dial callback")
        return VoiceReply(403, twiml(), inbound)
    call_sid = fields.get("CallSid", "").strip()[:64] or body_hash(body)
    inbound, _ = inbound_store(source=InboundSource.VOICE, dedupe_key=f"dial:{call_sid}",
                               raw=body, at=at, sender=fields.get("From", ""), summary=summary)
    answered = status == "completed"
    done = twiml("<Hangup/>") if answered else twiml(say(
        "Sorry, the technician could not answer. Your ticket is open and we will call you "
        "back as soon as possible."), "<Hangup/>")
    try:
        with transaction.atomic():
            locked = inbound_lock(inbound)
            if locked.status != InboundStatus.RECEIVED:
                return VoiceReply(200, done, locked, replay=True)
            ticket = (Ticket.objects.select_related("client", "assignee")
                      .filter(reference=reference).first())
            _dial_result(locked, fields, ticket, reference=reference, at=at)
            return VoiceReply(200, done, locked)
    except Exception as exc:  # noqa: BLE001 - never a 500 to Twilio
        log.exception("voice dial callback %s failed", call_sid)
        inbound_fail(inbound, exc=exc, at=at)
        return VoiceReply(200, done, inbound)


def _dial_result(inbound: InboundMessage, fields: dict, ticket: Ticket | None, *,
                 reference: str, at: datetime, recovered: bool = False) -> None:
    """Act on a <Dial> result for `ticket` (inside the caller's transaction)."""
    status = fields.get("DialCallStatus", "")
    done_at = clock.now() if recovered else at
    suffix = f" ({webhooks.RECOVERED})" if recovered else ""
    if ticket is None:
        inbound_finish(inbound, status=InboundStatus.RECORDED, at=done_at,
                       reason=f"dial result {status}: no ticket {reference!r}{suffix}")
        return
    answered = status == "completed"
    seconds = fields.get("DialCallDuration", "?")
    if answered and ticket.assignee_id and can_work(ticket.assignee):
        services.ticket_log_call(
            ticket=ticket, by=ticket.assignee, at=at,
            body=f"Answered the hotline call ({seconds} s, forwarded by the hotline).")
        reason = f"dial answered by {ticket.assignee} ({seconds} s): call logged"
    elif answered:
        services.ticket_note(ticket=ticket, by=None,
                             body=f"The hotline call was answered ({seconds} s).")
        reason = f"dial answered ({seconds} s)"
    else:
        _tell_dispatchers(ticket, why=f"the on-call technician did not answer ({status})")
        reason = f"dial not answered ({status}); dispatchers notified"
    inbound_finish(inbound, status=InboundStatus.THREADED, at=done_at, ticket=ticket,
                   reason=reason + suffix)


# --- recovery and triage ---------------------------------------------------------------------


def _fields(inbound: InboundMessage) -> dict:
    return dict(parse_qsl(bytes(inbound.raw).decode("utf-8", "replace"),
                          keep_blank_values=True))


def voice_recover(*, inbound: InboundMessage) -> InboundMessage:
    """Process a stored voice request still RECEIVED (its first processing crashed before
    it could record anything; the periodic inbound_retry_pending calls this). The call is
    over: a call opens its ticket or callback as it would have, dated when it came in, with
    nothing dialled and the dispatchers told about a hotline call; a dial result is applied
    to the ticket of its call (same CallSid). Idempotent: a row no longer RECEIVED is
    returned unchanged. A failure holds the row for triage with the error."""
    at = inbound.received_at
    try:
        with transaction.atomic():
            row = inbound_lock(inbound)
            if row.status != InboundStatus.RECEIVED:
                return row
            fields = _fields(row)
            if row.dedupe_key.startswith("dial:"):
                call = (InboundMessage.objects.select_related("ticket__assignee")
                        .filter(source=InboundSource.VOICE,
                                dedupe_key=row.dedupe_key.removeprefix("dial:")).first())
                ticket = call.ticket if call is not None else None
                _dial_result(row, fields, ticket, reference=ticket.reference if ticket else "",
                             at=at, recovered=True)
            else:
                _answer(row, fields, at=at, dial_action="", recovered=True)
            return row
    except Exception as exc:  # noqa: BLE001 - kept and held, never lost
        log.exception("voice request %s could not be recovered", inbound.pk)
        return inbound_fail(inbound, exc=exc, at=clock.now())


def voice_triage_callback(*, inbound: InboundMessage, client: Client,
                          contact: Contact | None = None, by) -> InboundMessage:
    """Staff say who a HELD call was from (an unknown number, or a call whose processing
    failed): a callback ticket opens for `client` (as `contact`, which must be the client's),
    on the channel the call came in on (hotline when it called the hotline number, else the
    attendant line) — entitlement gating is ticket_open's — dated when the call came in.
    Errors: `inbound` not a held call, `contact` of another client."""
    if contact is not None and contact.client_id != client.pk:
        raise ValidationError({"contact": "the contact belongs to another client"})
    with transaction.atomic():
        row = inbound_lock(inbound)
        if row.source != InboundSource.VOICE or row.status != InboundStatus.HELD:
            raise ValidationError({"inbound": "only a held call can be called back"})
        fields = _fields(row)
        caller = phone_normalize(fields.get("From", "")) or fields.get("From", "") or row.sender
        hotline = phone_normalize(setting("TIERDESK_HOTLINE"))
        on_hotline = bool(hotline) and phone_normalize(fields.get("To", "")) == hotline
        who = contact.name if contact else client.name
        ticket = services.ticket_open(
            client=client, contact=contact, requester=caller[:300],
            channel=IntakeChannel.HOTLINE if on_hotline else IntakeChannel.PHONE_ATTENDANT,
            type=TicketType.CALLBACK, priority="p3", opened_at=row.received_at, by=by,
            inbound=row, subject=f"Callback request from {who}",
            body=(f"Call {fields.get('CallSid', '')} from {caller or '?'} to "
                  f"{fields.get('To', '?')}, held ({row.reason}); {by} identified the "
                  f"caller as {who} ({client.name}). Call them back."))
        inbound_finish(row, status=InboundStatus.TICKETED, at=clock.now(), ticket=ticket,
                       reason=f"call back assigned to {client.name} by {by} "
                              f"(was held: {row.reason})"[:4000])
        record(action="inbound.assigned", obj=row, by=by,
               message=f"{ticket.reference} (callback) for {client.name}")
    return row
