"""Classifying work sessions by the client's tier — every minute with the reason that decided it.

The rules (one pure function, `classify_row`, applies them; classification_batch.py applies
the same rules to NumPy arrays; `session_classify` is the one write path that stores the
result):

1. **internal** — the work type is "internal" (not client work). A session of a client
   with no agreement in effect must be flagged internal; any other work type is refused
   (ValidationError on `work_type`), because there is no tier to classify it by.
2. **billable on-site** — an on-site session when the tier's BillingRule "onsite" is
   billable: the visit is billed whatever the work was (at the onsite rule's rate, else the
   version's hourly rate). On-site beats coverage: "Gold fully supports X" covers the fix,
   not the drive.
3. **included by coverage** — break-fix, maintenance or monitoring work on a service the
   tier covers far enough: break-fix needs "fully supported"; maintenance needs
   "maintained" or better AND a version that includes scheduled maintenance (the work of
   a maintenance work order, or maintenance asked for on a ticket); a monitoring response
   needs any coverage ("monitored only").
   Reasons: "included: Platinum fully supports Patch management and upgrades",
   "included: Gold includes scheduled maintenance of Antivirus (maintained)".
   Maintenance under a version without scheduled maintenance falls to rule 5 — for
   Silver it is billable: "billable: Silver does not include scheduled maintenance; …".
4. **help desk** (remote or phone) counts against the monthly allowance:
   * unlimited (helpdesk_sessions empty) → allowance, "unlimited help desk";
   * session counting "blocks": a session uses ceil(minutes / helpdesk_session_minutes)
     units, at least 1 (25 min against 15-minute sessions = 2); "calls": 1 per session;
   * units up to what is left of the month are allowance units, the rest overage units,
     billed overage_units × overage_session_price. A session with any overage unit is
     classed "overage"; otherwise "allowance". The reason names the units this session
     takes ("allowance: 2 of 2 Silver help-desk sessions (15 min) a month; 25 min
     counts as 2"), never its rank in the month, so re-classifying in another order
     leaves every reason as it was.
5. **the work type's BillingRule** — billable=False → included ("included: Gold includes
   break-fix"); billable=True, or no rule at all (work the tier does not cover) → billable
   at the rule's hourly rate, else the version's hourly rate. Monitoring responses use the
   break-fix rule; help desk done on-site where on-site is not billable is allowance (4).
6. **after-hours** — minutes outside TIERDESK_MSP_HOURS (the MSP's own calendar) of a
   billable session are multiplied by after_hours_multiplier when the tier's BillingRule
   "after_hours" is billable.
7. **travel** — only for a billable on-site session, per the tier's travel_billing:
   "included" adds nothing, "trip_fee" adds onsite_trip_fee once, "hourly" bills
   travel_minutes at the session's hourly rate (no after-hours multiplier).

Money: a billable amount is computed exactly in integer cents —
rate_cents × (minutes×100 + after_hours×(multiplier×100 − 100) [+ travel×100]) / 6000 — and
rounded once, half-up, then the trip fee is added; it becomes the invoice line's amount.

Period and ledger: a session belongs to the calendar month, in the client's time zone, that
contains `started_at`; its AllowanceLedger row is taken FOR UPDATE in the same transaction.
`sessions_used` is the sum of the allowance units of the period's sessions. Re-classifying
first gives back the units the session held, then takes them again, so an unchanged session
re-classified changes nothing. Invoiced sessions are locked.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from tierdesk.billing.models import (
    AllowanceLedger,
    Classification,
    Invoice,
    InvoiceKind,
    SessionMode,
    SessionWorkType,
    WorkSession,
)
from tierdesk.core import clock
from tierdesk.core.money import format_money
from tierdesk.sla import Calendar

LEVEL_RANK = {"monitored": 1, "maintained": 2, "supported": 3}
LEVEL_WORDS = {"monitored": "monitored only", "maintained": "maintained",
               "supported": "fully supported"}
#: Coverage level a work type needs to be included by coverage.
NEEDS_LEVEL = {SessionWorkType.BREAK_FIX: 3, SessionWorkType.MAINTENANCE: 2,
               SessionWorkType.MONITORING: 1}
#: The BillingRule work type that decides a session's work type (help desk has none).
RULE_FOR = {SessionWorkType.BREAK_FIX: "break_fix", SessionWorkType.MAINTENANCE: "maintenance",
            SessionWorkType.MONITORING: "break_fix", SessionWorkType.PROJECT: "project",
            SessionWorkType.HELPDESK: None, SessionWorkType.INTERNAL: None}
WORK_WORDS = {"break_fix": "break-fix", "maintenance": "maintenance", "project": "project work",
              "onsite": "on-site visits", "helpdesk": "help desk", "monitoring": "monitoring"}


@dataclass(frozen=True)
class Rule:
    billable: bool
    rate: Decimal | None
    note: str = ""


@dataclass(frozen=True)
class Terms:
    """What classification needs of one plan version, as plain values."""

    tier: str
    sessions_included: int | None
    session_minutes: int
    counting: str
    overage_price: Decimal
    hourly_rate: Decimal
    after_hours_multiplier: Decimal
    trip_fee: Decimal
    travel_billing: str
    approval_threshold: Decimal | None
    coverage: dict[int, tuple[str, str]] = field(default_factory=dict)  # id: (level, name)
    rules: dict[str, Rule] = field(default_factory=dict)
    currency: str = "USD"
    #: The version includes scheduled maintenance (rule 3 for maintenance work).
    scheduled_maintenance: bool = False

    @classmethod
    def from_version(cls, version) -> Terms:
        return cls(
            tier=version.plan.name, sessions_included=version.helpdesk_sessions,
            session_minutes=version.helpdesk_session_minutes,
            counting=version.session_counting, overage_price=version.overage_session_price,
            hourly_rate=version.hourly_rate,
            after_hours_multiplier=version.after_hours_multiplier,
            trip_fee=version.onsite_trip_fee, travel_billing=version.travel_billing,
            approval_threshold=version.approval_threshold,
            coverage={c.service_id: (c.level, c.service.name)
                      for c in version.coverage.select_related("service")},
            rules={r.work_type: Rule(r.billable, r.hourly_rate, r.note)
                   for r in version.billing.all()},
            currency=getattr(settings, "CURRENCY", "USD"),
            scheduled_maintenance=version.scheduled_maintenance,
        )

    def money(self, value) -> str:
        return format_money(value, self.currency)


@dataclass(frozen=True)
class Row:
    """One session as plain values. `used_before`: allowance units the period's other
    sessions hold."""

    work_type: str
    mode: str
    minutes: int
    after_hours_minutes: int = 0
    travel_minutes: int = 0
    service_id: int | None = None
    used_before: int = 0


@dataclass(frozen=True)
class Result:
    classification: str
    reason: str
    allowance_units: int = 0
    overage_units: int = 0
    billable_minutes: int = 0
    after_hours_minutes: int = 0
    rate: Decimal | None = None
    amount: Decimal = Decimal("0.00")


def session_units(minutes: int, session_minutes: int, counting: str) -> int:
    """Allowance units a help-desk session uses: 1 per call, or each started block."""
    if counting == "calls":
        return 1
    return max(1, math.ceil(minutes / session_minutes))


def amount_cents(rate: Decimal, minutes: int, after_hours: int, multiplier: Decimal,
                 travel_minutes: int, trip_fee: Decimal) -> int:
    """Exact integer-cent amount of billable time, rounded once half-up, plus the trip fee."""
    rate_c = int(rate * 100)
    mult_h = int(multiplier * 100)
    numerator = rate_c * (minutes * 100 + after_hours * (mult_h - 100) + travel_minutes * 100)
    return (2 * numerator + 6000) // 12000 + int(trip_fee * 100)


def _sessions_word(n: int) -> str:
    return "1 session" if n == 1 else f"{n} sessions"


def classify_row(terms: Terms | None, row: Row) -> Result:
    """Apply the module's rules to one session. Pure: no database."""
    if row.work_type == SessionWorkType.INTERNAL:
        return Result(Classification.INTERNAL, "internal: not client work")
    if terms is None:
        raise ValidationError({"work_type": "the client has no agreement in effect; "
                                            "log this as internal work"})
    tier = terms.tier
    onsite_rule = terms.rules.get("onsite")
    if row.mode == SessionMode.ONSITE and onsite_rule and onsite_rule.billable:
        return _billable(terms, row, onsite_rule,
                         f"billable: {tier} bills on-site visits", onsite=True)

    needed = NEEDS_LEVEL.get(row.work_type)
    level, name = terms.coverage.get(row.service_id, (None, None))
    maintenance = row.work_type == SessionWorkType.MAINTENANCE
    if needed and level and LEVEL_RANK[level] >= needed and (
            terms.scheduled_maintenance or not maintenance):
        if maintenance:
            return Result(Classification.INCLUDED,
                          f"included: {tier} includes scheduled maintenance of {name} "
                          f"({LEVEL_WORDS[level]})")
        verb = {"monitored": "monitors", "maintained": "maintains",
                "supported": "fully supports"}[level]
        return Result(Classification.INCLUDED, f"included: {tier} {verb} {name}")

    if row.work_type == SessionWorkType.HELPDESK:
        return _helpdesk(terms, row)

    rule_type = RULE_FOR[row.work_type]
    rule = terms.rules.get(rule_type)
    words = WORK_WORDS[row.work_type]
    if rule is not None and not rule.billable:
        note = f" ({rule.note})" if rule.note else ""
        return Result(Classification.INCLUDED, f"included: {tier} includes {words}{note}")
    if maintenance and not terms.scheduled_maintenance:
        why = f"billable: {tier} does not include scheduled maintenance"
    elif level:
        why = f"billable: {tier} covers {name} {LEVEL_WORDS[level]}"
    elif rule is not None:
        why = f"billable: {tier} bills {words}"
    else:
        why = f"billable: {tier} does not include {words}"
    return _billable(terms, row, rule, why, onsite=False, words=words)


def _helpdesk(terms: Terms, row: Row) -> Result:
    tier, included = terms.tier, terms.sessions_included
    units = session_units(row.minutes, terms.session_minutes, terms.counting)
    if included is None:
        return Result(Classification.ALLOWANCE, "allowance: unlimited help desk",
                      allowance_units=units)
    left = max(0, included - row.used_before)
    allowance = min(units, left)
    overage = units - allowance
    counted = "" if units == 1 else f"; {row.minutes} min counts as {units}"
    if overage == 0:
        return Result(
            Classification.ALLOWANCE,
            f"allowance: {units} of {included} {tier} help-desk sessions "
            f"({terms.session_minutes} min) a month{counted}",
            allowance_units=allowance)
    price = terms.money(terms.overage_price)
    if included == 0:
        why = f"overage: {tier} includes no help-desk sessions; {price} a session"
    elif allowance == 0:
        why = f"overage: {tier}'s {_sessions_word(included)} are used; {price} a session"
    else:
        why = (f"overage: {allowance} of {overage + allowance} units in {tier}'s "
               f"{_sessions_word(included)}, {overage} beyond at {price} a session")
    # For overage the rate is the price of one session: the invoice line is
    # overage units × this rate.
    return Result(Classification.OVERAGE, (why + counted)[:300], allowance_units=allowance,
                  overage_units=overage, rate=terms.overage_price,
                  amount=terms.overage_price * overage)


def _billable(terms: Terms, row: Row, rule: Rule | None, why: str, *, onsite: bool,
              words: str = "on-site visits") -> Result:
    rate = rule.rate if rule is not None and rule.rate is not None else terms.hourly_rate
    after_rule = terms.rules.get("after_hours")
    after = row.after_hours_minutes if after_rule and after_rule.billable else 0
    travel_minutes, trip_fee = 0, Decimal("0")
    reason = f"{why}; {words} at {terms.money(rate)}/h"
    if onsite or row.mode == SessionMode.ONSITE:
        if terms.travel_billing == "trip_fee" and terms.trip_fee:
            trip_fee = terms.trip_fee
            reason += f" + {terms.money(trip_fee)} trip fee"
        elif terms.travel_billing == "hourly" and row.travel_minutes:
            travel_minutes = row.travel_minutes
            reason += f" + {row.travel_minutes} min travel"
    if after:
        reason += f"; {after} min after hours × {terms.after_hours_multiplier.normalize()}"
    cents = amount_cents(rate, row.minutes, after, terms.after_hours_multiplier,
                         travel_minutes, trip_fee)
    return Result(Classification.BILLABLE, reason[:300], billable_minutes=row.minutes,
                  after_hours_minutes=after, rate=rate,
                  amount=(Decimal(cents) / 100).quantize(Decimal("0.01")))


# -- the database side ---------------------------------------------------------------------


@lru_cache(maxsize=1)
def _msp_calendar() -> Calendar:
    return Calendar.from_dict(settings.TIERDESK_MSP_HOURS)


def after_hours_minutes(started_at: datetime, ended_at: datetime) -> int:
    """Minutes of [started_at, ended_at) outside the MSP's own business hours."""
    total = int((ended_at - started_at).total_seconds() // 60)
    open_minutes = int(_msp_calendar().business_time(started_at, ended_at).total_seconds()
                       // 60)
    return max(0, total - open_minutes)


def terms_for(agreement) -> Terms | None:
    if agreement is None:
        return None
    return Terms.from_version(agreement.plan_version)


def _row(session: WorkSession, used_before: int) -> Row:
    minutes = session.minutes or 0
    return Row(work_type=session.work_type, mode=session.mode, minutes=minutes,
               after_hours_minutes=after_hours_minutes(session.started_at, session.ended_at),
               travel_minutes=session.travel_minutes, service_id=session.service_id,
               used_before=used_before)


def period_closed(agreement_id, period_start) -> bool:
    """A period is closed once an invoice of the agreement for a LATER period exists: that
    invoice billed the period's work in arrears. The invoice for the period itself (drafted
    on its first day, billing its fee in advance) must not close it, or no work could be
    logged in the month after the 1st-of-month run."""
    return Invoice.objects.filter(agreement_id=agreement_id, period_start__gt=period_start,
                                  kind=InvoiceKind.INVOICE).exists()


RESULT_FIELDS = ("classification", "reason", "allowance_units", "overage_units",
                 "billable_minutes", "after_hours_minutes", "rate", "amount", "period_start",
                 "agreement_id")


def session_classify(*, session: WorkSession) -> WorkSession:
    """Classify `session` by its agreement's tier and store it with its reason.

    The one write path for classification fields. Gives back the allowance units the
    stored session held, then takes them again from the ledger row of its period (locked
    FOR UPDATE, in a fixed order when two periods are involved). A running timer holds no
    units. Refuses invoiced sessions and closed periods (ValidationError). An unchanged
    session re-classified writes nothing.
    """
    from tierdesk.billing.ledger import agreements_lock, ledger_lock, period_start_for

    with transaction.atomic():
        stored = None
        if session.pk:
            stored = (WorkSession.objects.select_for_update()
                      .filter(pk=session.pk)
                      .values("agreement_id", "period_start", "allowance_units",
                              "invoiced_line_id").first())
        # Before asking whether a period is closed: an invoice closing it cannot then
        # commit in between (the callers that lock the session row lock its agreement
        # first, as the invoice run does).
        agreements_lock(ids=[stored and stored["agreement_id"], session.agreement_id])
        if session.invoiced_line_id or (stored and stored["invoiced_line_id"]):
            raise ValidationError({"started_at": "this session is invoiced and locked; a "
                                                 "correction becomes an adjustment on the "
                                                 "next invoice"})
        if stored and stored["period_start"] and stored["agreement_id"] and period_closed(
                stored["agreement_id"], stored["period_start"]):
            raise ValidationError({"started_at": f"the billing period "
                                                 f"{stored['period_start']:%B %Y} is already "
                                                 "invoiced (closed)"})
        period = None
        if session.agreement_id:
            # A running timer too: stopped in a closed period it could never be classified.
            month = period_start_for(session.client, session.started_at)
            if period_closed(session.agreement_id, month):
                raise ValidationError({"started_at": f"the billing period {month:%B %Y} is "
                                                     "already invoiced (closed)"})
            period = month if session.ended_at is not None else None
        # Lock both ledgers (old and new period) in a fixed order before touching either.
        keys = set()
        if stored and stored["agreement_id"] and stored["period_start"]:
            keys.add((stored["agreement_id"], stored["period_start"]))
        if period is not None:
            keys.add((session.agreement_id, period))
        ledgers = {key: ledger_lock(agreement_id=key[0], period_start=key[1],
                                    agreement=session.agreement)
                   for key in sorted(keys)}
        held = stored["allowance_units"] if stored else 0
        if stored and (stored["agreement_id"], stored["period_start"]) in ledgers:
            old = ledgers[(stored["agreement_id"], stored["period_start"])]
            old.sessions_used = max(0, old.sessions_used - held)

        if session.ended_at is None:
            result, fields = Result("", ""), {"period_start": None}
        elif session.agreement_id is None and session.work_type != "internal":
            raise ValidationError({"work_type": f"{session.client} has no agreement in "
                                                "effect; log this as internal work"})
        else:
            ledger = ledgers.get((session.agreement_id, period))
            terms = terms_for(session.agreement) if session.agreement_id else None
            if terms is not None and ledger is not None:
                terms = _with_ledger(terms, ledger)
            used = ledger.sessions_used if ledger is not None else 0
            result = classify_row(terms, _row(session, used))
            fields = {"period_start": period}
            if ledger is not None:
                ledger.sessions_used += result.allowance_units
        for ledger in ledgers.values():
            ledger.save(update_fields=["sessions_used"])

        new = {"classification": result.classification, "reason": result.reason,
               "allowance_units": result.allowance_units,
               "overage_units": result.overage_units,
               "billable_minutes": result.billable_minutes,
               "after_hours_minutes": result.after_hours_minutes, "rate": result.rate,
               "amount": result.amount, **fields}
        for name, value in new.items():
            setattr(session, name, value)
        session.classified_at = clock.now() if session.ended_at else None
        session.save()
    return session


def _with_ledger(terms: Terms, ledger: AllowanceLedger) -> Terms:
    """The allowance is the ledger's snapshot (taken when the period opened)."""
    from dataclasses import replace

    return replace(terms, sessions_included=ledger.sessions_included,
                   session_minutes=ledger.session_minutes)


def correction_result(*, original: WorkSession, corrected: WorkSession) -> Result:
    """How `corrected` (an unsaved copy of the invoiced `original` with new times, mode,
    work type, service or travel) would have been classified, on the original's terms: the
    plan version of its agreement, the allowance snapshot of its period's ledger, and the
    units the period's other sessions hold. Reads only; so an unchanged copy gets exactly
    the original's result (the same rules the original was classified by)."""
    terms = terms_for(original.agreement)
    used_before = 0
    ledger = AllowanceLedger.objects.filter(agreement_id=original.agreement_id,
                                            period_start=original.period_start).first()
    if terms is not None and ledger is not None:
        terms = _with_ledger(terms, ledger)
        used_before = max(0, ledger.sessions_used - original.allowance_units)
    return classify_row(terms, _row(corrected, used_before))


@dataclass(frozen=True)
class Preview:
    classification: str
    reason: str
    allowance_left: int | None
    expected_charge: Decimal
    needs_approval: bool
    warning: str = ""
    allowance_included: int | None = None


def classification_preview(*, ticket=None, client=None, technician=None, started_at=None,
                           minutes: int, mode: str, work_type: str, service=None,
                           travel_minutes: int = 0) -> Preview:
    """What a session would be, before the work: covered, allowance left, or the expected
    charge; whether the tier needs the client's approval first. Reads only."""
    from tierdesk.billing.ledger import agreement_in_effect, period_start_for

    client = client or ticket.client
    started_at = started_at or clock.now()
    agreement = agreement_in_effect(client=client, ticket=ticket,
                                    on=started_at)
    terms = terms_for(agreement)
    used, left, included = 0, None, None
    if agreement is not None:
        ledger = AllowanceLedger.objects.filter(
            agreement=agreement, period_start=period_start_for(client, started_at)).first()
        used = ledger.sessions_used if ledger else 0
        included = ledger.sessions_included if ledger else terms.sessions_included
        if included is not None:
            left = max(0, included - used)
    ended = started_at + timedelta(minutes=minutes)
    row = Row(work_type=work_type, mode=mode, minutes=minutes,
              after_hours_minutes=after_hours_minutes(started_at, ended),
              travel_minutes=travel_minutes,
              service_id=getattr(service, "pk", service), used_before=used)
    result = classify_row(terms, row)
    needs, warning = preview_warning(result, terms)
    return Preview(result.classification, result.reason, left, result.amount, needs,
                   warning, included)


def preview_warning(result: Result, terms: Terms | None) -> tuple[bool, str]:
    """Whether work classified as `result` needs the client's approval of an estimate
    first, and the warning a technician gets before it (logging, or editing a session)."""
    needs = bool(result.classification == Classification.BILLABLE and terms is not None
                 and terms.approval_threshold is not None
                 and result.amount > terms.approval_threshold)
    warning = ""
    if result.classification == Classification.OVERAGE:
        warning = "The help-desk allowance is used up: this session will be billed."
    elif result.classification == Classification.BILLABLE:
        warning = "Out of scope: this work is billable."
    if needs:
        warning += (f" Above {terms.money(terms.approval_threshold)}: the client must "
                    "approve an estimate first.")
    return needs, warning.strip()
