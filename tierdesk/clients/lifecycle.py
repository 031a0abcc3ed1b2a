"""The one place an agreement's status changes.

`ALLOWED` is the whole state machine; `agreement_transition` enforces it with a conditional
UPDATE (`WHERE status = <the status the caller saw>`), so two requests or two workers acting
on the same agreement cannot both succeed: the second one updates no row and gets
`AgreementChanged`. Every service that moves an agreement (send, sign, activate, suspend,
resume, end, recall) calls this function; nothing else writes `status`.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from tierdesk.clients import events
from tierdesk.clients.models import Agreement, AgreementStatus
from tierdesk.core import clock

S = AgreementStatus

ALLOWED: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SENT}),
    S.SENT: frozenset({S.DRAFT, S.SIGNED}),  # back to draft = recalled before signature
    S.SIGNED: frozenset({S.ACTIVE, S.ENDED}),  # ended = cancelled before it started
    S.ACTIVE: frozenset({S.SUSPENDED, S.ENDED}),
    S.SUSPENDED: frozenset({S.ACTIVE, S.ENDED}),
    S.ENDED: frozenset(),
}

#: The timestamp each target status stamps (activated_at only the first time: a resume
#: after a suspension does not restart the agreement).
STAMPS = {S.SENT: "sent_at", S.SIGNED: "signed_at", S.ACTIVE: "activated_at",
          S.ENDED: "ended_at"}


class AgreementChanged(ValidationError):
    """The agreement's status was changed by someone else since it was read."""


def can_transition(agreement: Agreement, to: str) -> bool:
    return to in ALLOWED.get(agreement.status, frozenset())


def allowed_targets(agreement: Agreement) -> list[str]:
    return sorted(ALLOWED.get(agreement.status, frozenset()))


def agreement_transition(*, agreement: Agreement, to: str, by=None, reason: str = "",
                         at: dt.datetime | None = None,
                         end_date: dt.date | None = None) -> Agreement:
    """Move `agreement` from the status it was read with to `to`.

    Raises ValidationError on `status` when the map forbids the move, and AgreementChanged
    (also a ValidationError on `status`) when the row no longer has the status the caller
    saw. Stamps sent_at/signed_at/activated_at/ended_at with `at` (default now); ending
    records `reason` as the end reason and `end_date` (default: keep the agreement's).
    Updates `agreement` in place and returns it.
    """
    old = agreement.status
    if to not in S.values:
        raise ValidationError({"status": ValidationError(f"unknown status {to!r}",
                                                         code="invalid")})
    if to not in ALLOWED[old]:
        raise ValidationError({"status": ValidationError(
            f"an agreement that is {S(old).label.lower()} cannot become "
            f"{S(to).label.lower()}", code="transition")})
    at = clock.require_aware(at, "at") if at is not None else clock.now()
    values: dict = {"status": to, "updated_at": clock.now()}
    stamp = STAMPS.get(to)
    if stamp and not (stamp == "activated_at" and agreement.activated_at):
        values[stamp] = at
    if to == S.DRAFT:
        values["sent_at"] = None  # recalled: it is no longer out for signature
    if to == S.ENDED:
        values["end_reason"] = reason[:200]
        if end_date is not None:
            if end_date < agreement.start_date:
                raise ValidationError(
                    {"end_date": "the agreement cannot end before it starts "
                                 f"({agreement.start_date.isoformat()})"})
            values["end_date"] = end_date
    with transaction.atomic():
        updated = Agreement.objects.filter(pk=agreement.pk, status=old).update(**values)
        if not updated:
            current = (Agreement.objects.filter(pk=agreement.pk)
                       .values_list("status", flat=True).first())
            raise AgreementChanged({"status": ValidationError(
                f"agreement #{agreement.pk} changed meanwhile (it is now "
                f"{current or 'deleted'}, not {old}); reload it and try again",
                code="stale")})
        for name, value in values.items():
            setattr(agreement, name, value)
        events.agreement_transitioned_event(agreement=agreement, old=old, new=to, by=by,
                                            reason=reason)
    return agreement
