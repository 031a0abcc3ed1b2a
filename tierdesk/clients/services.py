"""Every write to clients, sites, contacts and agreements.

Each function runs in one transaction, records its audit event (clients/events.py) and raises
ValidationError naming the field on bad input, so nothing is ever half-written. Agreement
status changes all go through clients/lifecycle.py.
"""

import datetime as dt
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from tierdesk.catalog.models import Segment
from tierdesk.clients import events
from tierdesk.clients.feasibility import agreement_feasibility_check
from tierdesk.clients.lifecycle import AgreementChanged, agreement_transition
from tierdesk.clients.models import (
    Agreement,
    AgreementStatus,
    Client,
    Contact,
    Site,
)
from tierdesk.clients.pricing import PRICE_FIELDS, price_overrides, tier_price
from tierdesk.core import clock
from tierdesk.core.events import diff
from tierdesk.core.models import Role, User
from tierdesk.core.money import to_decimal
from tierdesk.core.services import user_create
from tierdesk.plans.models import PlanVersion

S = AgreementStatus


def _snapshot(obj, fields) -> dict:
    return {name: getattr(obj, name) for name in fields}


def _apply(obj, fields: dict, allowed: frozenset, what: str) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"{what}: cannot change {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(obj, name, value)


def _update_locked(queryset, pk, fields: dict, allowed: frozenset, what: str, record):
    """The one update path of clients, sites and contacts: lock the row, apply `fields`,
    validate, save, and audit what changed (`record(obj, changes)`) — all or nothing."""
    with transaction.atomic():
        locked = queryset.select_for_update().get(pk=pk)
        before = _snapshot(locked, fields)
        _apply(locked, fields, allowed, what)
        locked.full_clean()
        locked.save()
        changes = diff(before, _snapshot(locked, fields))
        if changes:
            record(locked, changes)
    return locked


# Clients ------------------------------------------------------------------------------------

CLIENT_FIELDS = frozenset({"name", "segment", "timezone", "users_count", "devices_count",
                           "billing_email", "phone", "notes", "is_active"})


def client_create(*, name: str, segment: Segment, by=None, timezone: str = "America/New_York",
                  users_count: int = 1, devices_count: int = 1, billing_email: str = "",
                  phone: str = "", notes: str = "") -> Client:
    """Create a client. An unknown time zone is an error on `timezone`; a duplicate name on
    `name`."""
    client = Client(name=name, segment=segment, timezone=timezone, users_count=users_count,
                    devices_count=devices_count, billing_email=billing_email, phone=phone,
                    notes=notes)
    with transaction.atomic():
        client.full_clean()
        client.save()
        events.client_created_event(client=client, by=by)
    return client


def client_update(*, client: Client, by=None, **fields) -> Client:
    """Change a client's fields (any of CLIENT_FIELDS); validated like client_create.
    Returns a fresh instance; the one passed in is left untouched on error."""
    return _update_locked(
        Client.objects.all(), client.pk, fields, CLIENT_FIELDS, "client_update",
        lambda obj, changes: events.client_updated_event(client=obj, by=by, changes=changes))


# Sites --------------------------------------------------------------------------------------

SITE_FIELDS = frozenset({"name", "address", "drive_minutes", "has_rmm_agent"})


def _check_drive_minutes(value) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValidationError(
            {"drive_minutes": "must be a whole number of minutes, 0 or more"}, code="invalid"
        )


def site_create(*, client: Client, name: str, address: str, drive_minutes: int,
                has_rmm_agent: bool = False, by=None) -> Site:
    """Add a site to a client. Negative drive minutes are an error on `drive_minutes`."""
    _check_drive_minutes(drive_minutes)
    site = Site(client=client, name=name, address=address, drive_minutes=drive_minutes,
                has_rmm_agent=has_rmm_agent)
    with transaction.atomic():
        site.full_clean()
        site.save()
        events.site_created_event(site=site, by=by)
    return site


def site_update(*, site: Site, by=None, **fields) -> Site:
    """Change a site's name, address, drive minutes or remote-agent flag."""
    if "drive_minutes" in fields:
        _check_drive_minutes(fields["drive_minutes"])
    return _update_locked(
        Site.objects.select_related("client"), site.pk, fields, SITE_FIELDS, "site_update",
        lambda obj, changes: events.site_updated_event(site=obj, by=by, changes=changes))


# Contacts -----------------------------------------------------------------------------------

CONTACT_FIELDS = frozenset({"name", "email", "phone", "title", "can_sign", "is_billing"})


def contact_create(*, client: Client, name: str, by=None, email: str = "", phone: str = "",
                   title: str = "", can_sign: bool = False, is_billing: bool = False) -> Contact:
    """Add a contact to a client (no portal login; see contact_portal_invite)."""
    contact = Contact(client=client, name=name, email=email, phone=phone, title=title,
                      can_sign=can_sign, is_billing=is_billing)
    with transaction.atomic():
        contact.full_clean()
        contact.save()
        events.contact_created_event(contact=contact, by=by)
    return contact


def contact_update(*, contact: Contact, by=None, **fields) -> Contact:
    """Change a contact's details (any of CONTACT_FIELDS)."""
    return _update_locked(
        Contact.objects.select_related("client"), contact.pk, fields, CONTACT_FIELDS,
        "contact_update",
        lambda obj, changes: events.contact_updated_event(contact=obj, by=by, changes=changes))


def _portal_username(contact: Contact) -> str:
    base = (contact.email or slugify(contact.name) or f"contact-{contact.pk}").lower()
    base = re.sub(r"[^\w.@+-]", "", base)[:140] or f"contact-{contact.pk}"
    username, n = base, 1
    while User.objects.filter(username__iexact=username).exists():
        n += 1
        username = f"{base}-{n}"
    return username


def contact_portal_invite(*, contact: Contact, by=None) -> tuple[User, str]:
    """Give a contact a portal login: a role=contact user with a generated password that
    must be changed at first login. Returns (user, password); the password is shown once
    and never stored in clear. A contact that already has a login is an error on `user`."""
    with transaction.atomic():
        locked = Contact.objects.select_for_update().select_related("client").get(pk=contact.pk)
        if locked.user_id:
            raise ValidationError({"user": "this contact already has a portal login"},
                                  code="exists")
        first, _, last = locked.name.partition(" ")
        user, password = user_create(
            username=_portal_username(locked), email=locked.email, role=Role.CONTACT,
            first_name=first[:150], last_name=last[:150], by=by,
        )
        Contact.objects.filter(pk=locked.pk, user__isnull=True).update(user=user)
        locked.user = user
        events.contact_invited_event(contact=locked, user=user, by=by)
    contact.user = user
    return user, password


# Agreements: drafting -------------------------------------------------------------------------

AGREEMENT_FIELDS = frozenset({"plan_version", "start_date", "end_date", "auto_renew",
                              "term_months", "billing_cycle", "users_count", "devices_count",
                              "override_reason"}) | frozenset(PRICE_FIELDS)


def _priced(*, client: Client, plan_version: PlanVersion, given: dict,
            override_reason: str) -> dict[str, Decimal]:
    """The prices to store: each given one (None = the tier's for the client's segment).
    A price that differs from the tier's needs `override_reason`."""
    default = tier_price(plan_version=plan_version, segment=client.segment)
    parsed = {}
    for name in PRICE_FIELDS:
        value = given.get(name)
        if value is None or value == "":
            continue
        try:
            parsed[name] = to_decimal(value)
        except (TypeError, ValueError):
            raise ValidationError({name: f"{value!r} is not an amount"}, code="invalid") from None
    overrides = price_overrides(default=default, given=parsed)
    if overrides and not (override_reason or "").strip():
        listed = ", ".join(f"{name.replace('_', ' ')} {new} (tier: {old})"
                           for name, (old, new) in overrides.items())
        raise ValidationError(
            {"override_reason": f"say why the price differs from the tier's: {listed}"},
            code="required",
        )
    return default.as_dict() | parsed


def agreement_draft(*, client: Client, plan_version: PlanVersion, start_date: dt.date, by=None,
                    end_date: dt.date | None = None, auto_renew: bool = True,
                    term_months: int = 12, billing_cycle: str = "monthly",
                    users_count: int | None = None, devices_count: int | None = None,
                    base_fee=None, price_per_user=None, price_per_device=None,
                    override_reason: str = "", replaces: Agreement | None = None) -> Agreement:
    """Draft an agreement of `client` on `plan_version`.

    Counts default to the client's; prices to the tier's for the client's segment
    (clients/pricing.py). A given price that differs from the tier's needs
    `override_reason` (error on that field). Ending before the start is an error on
    `end_date`. `replaces` is set by agreement_change_tier.
    """
    prices = _priced(client=client, plan_version=plan_version,
                     given={"base_fee": base_fee, "price_per_user": price_per_user,
                            "price_per_device": price_per_device},
                     override_reason=override_reason)
    agreement = Agreement(
        client=client, plan_version=plan_version, status=S.DRAFT, start_date=start_date,
        end_date=end_date, auto_renew=auto_renew, term_months=term_months,
        billing_cycle=billing_cycle,
        users_count=client.users_count if users_count is None else users_count,
        devices_count=client.devices_count if devices_count is None else devices_count,
        override_reason=(override_reason or "").strip(), replaces=replaces, **prices,
    )
    with transaction.atomic():
        # full_clean runs Agreement.clean (end before start → `end_date`) and field checks.
        agreement.full_clean()
        agreement.save()
        events.agreement_drafted_event(agreement=agreement, by=by)
    return agreement


def agreement_update(*, agreement: Agreement, by=None, **fields) -> Agreement:
    """Change the terms of a draft (any of AGREEMENT_FIELDS). Changing the tier version
    without giving prices resets them to the new tier's; every price that differs from the
    tier's needs `override_reason`. Only drafts can change: error on `status` otherwise."""
    with transaction.atomic():
        locked = (Agreement.objects.select_for_update()
                  .select_related("client__segment", "plan_version__plan").get(pk=agreement.pk))
        if locked.status != S.DRAFT:
            raise ValidationError(
                {"status": "only a draft can be changed; recall it first if it was sent"},
                code="not_draft")
        unknown = set(fields) - AGREEMENT_FIELDS
        if unknown:
            raise TypeError(f"agreement_update: cannot change {', '.join(sorted(unknown))}")
        tracked = sorted(AGREEMENT_FIELDS)
        before = _snapshot(locked, tracked)
        version = fields.get("plan_version", locked.plan_version)
        reason = fields.get("override_reason", locked.override_reason)
        if "plan_version" in fields and version.pk != locked.plan_version_id:
            given = {name: fields.get(name) for name in PRICE_FIELDS}
        else:
            given = {name: fields.get(name, getattr(locked, name)) for name in PRICE_FIELDS}
        prices = _priced(client=locked.client, plan_version=version, given=given,
                         override_reason=reason)
        for name, value in fields.items():
            if name not in PRICE_FIELDS:
                setattr(locked, name, value)
        for name, value in prices.items():
            setattr(locked, name, value)
        locked.override_reason = (reason or "").strip()
        locked.full_clean()
        locked.save()
        changes = diff(before, _snapshot(locked, tracked))
        if changes:
            events.agreement_updated_event(agreement=locked, by=by, changes=changes)
    return locked


def agreement_discard(*, agreement: Agreement, by=None) -> None:
    """Delete a draft that will never be sent (e.g. an abandoned tier change, which would
    otherwise keep its predecessor from being replaced again). Only drafts."""
    with transaction.atomic():
        deleted, _ = Agreement.objects.filter(pk=agreement.pk, status=S.DRAFT).delete()
        if not deleted:
            raise ValidationError({"status": "only a draft can be discarded"}, code="not_draft")
        events.agreement_transitioned_event(agreement=agreement, old=S.DRAFT, new="discarded",
                                            by=by)


# Agreements: the lifecycle --------------------------------------------------------------------


class FeasibilityError(ValidationError):
    """Raised by agreement_send when the tier promises what cannot be delivered and the
    sender has not acknowledged it. `warnings` holds the FeasibilityWarning list."""

    def __init__(self, warnings):
        listed = "; ".join(f"{n}) {w.message}" for n, w in enumerate(warnings, 1))
        super().__init__(
            f"This agreement promises what cannot be delivered: {listed}. "
            "Acknowledge the warnings to send it anyway.",
            code="feasibility",
        )
        self.warnings = warnings


def agreement_send(*, agreement: Agreement, by=None, acknowledge: bool = False,
                   note: str = "") -> Agreement:
    """Check feasibility and send a draft for signature (draft → sent).

    With warnings and no `acknowledge`, raises FeasibilityError (a ValidationError with code
    "feasibility" listing them) and stores nothing. Otherwise stores the warnings and, when
    there are any, who acknowledged them, when, and `note`. Updates `agreement` in place.
    """
    with transaction.atomic():
        locked = (Agreement.objects.select_for_update()
                  .select_related("client__segment", "plan_version__plan").get(pk=agreement.pk))
        if locked.status != agreement.status or locked.status != S.DRAFT:
            # Let the transition map word the error (or detect the stale read).
            agreement_transition(agreement=agreement, to=S.SENT, by=by)
        warnings = agreement_feasibility_check(locked)
        if warnings and not acknowledge:
            raise FeasibilityError(warnings)
        locked.feasibility_warnings = [w.as_json() for w in warnings]
        if warnings:
            locked.feasibility_acknowledged_by = by if getattr(by, "pk", None) else None
            locked.feasibility_acknowledged_at = clock.now()
            locked.feasibility_note = note
        else:
            locked.feasibility_acknowledged_by = None
            locked.feasibility_acknowledged_at = None
            locked.feasibility_note = ""
        locked.save(update_fields=["feasibility_warnings", "feasibility_acknowledged_by",
                                   "feasibility_acknowledged_at", "feasibility_note",
                                   "updated_at"])
        if warnings:
            events.agreement_feasibility_acknowledged_event(agreement=locked, by=by)
        agreement_transition(agreement=locked, to=S.SENT, by=by, reason=note)
    # The caller's instance reflects what was stored, like agreement_transition's does.
    for name in ("status", "sent_at", "updated_at", "feasibility_warnings",
                 "feasibility_acknowledged_by", "feasibility_acknowledged_at",
                 "feasibility_note"):
        setattr(agreement, name, getattr(locked, name))
    return agreement


def agreement_recall(*, agreement: Agreement, by=None, reason: str = "") -> Agreement:
    """Take a sent agreement back to draft (sent → draft) so it can be changed."""
    return agreement_transition(agreement=agreement, to=S.DRAFT, by=by, reason=reason)


def client_today(client: Client) -> dt.date:
    """Today's date where the client is (agreements start on the client's calendar)."""
    return clock.now().astimezone(ZoneInfo(client.timezone)).date()


def _activate(agreement: Agreement, *, by=None) -> Agreement:
    """signed → active, and end the agreement it replaces the day before this one starts."""
    agreement_transition(agreement=agreement, to=S.ACTIVE, by=by)
    predecessor = agreement.replaces
    if predecessor is not None:
        predecessor.refresh_from_db()
        if predecessor.status in (S.ACTIVE, S.SUSPENDED):
            agreement_transition(
                agreement=predecessor, to=S.ENDED, by=by,
                reason=f"changed tier to {agreement.plan_version.plan.name}",
                end_date=agreement.start_date - dt.timedelta(days=1),
            )
    return agreement


def agreement_sign(*, agreement: Agreement, signed_at: dt.datetime, by=None) -> Agreement:
    """Record the signature (sent → signed) and, when the agreement's start date has come
    in the client's time zone, activate it at once (ending the agreement it replaces)."""
    with transaction.atomic():
        agreement_transition(agreement=agreement, to=S.SIGNED, by=by, at=signed_at)
        if agreement.start_date <= client_today(agreement.client):
            _activate(agreement, by=by)
    return agreement


def agreement_activate(*, agreement: Agreement, by=None) -> Agreement:
    """Activate a signed agreement by hand; its start date must have come (error on
    `start_date` otherwise)."""
    if agreement.status == S.SIGNED and agreement.start_date > client_today(agreement.client):
        raise ValidationError(
            {"start_date": f"the agreement starts on {agreement.start_date.isoformat()}; "
                           "it activates by itself then"}, code="future")
    with transaction.atomic():
        return _activate(agreement, by=by)


def agreement_activate_due(*, today: dt.date | None = None) -> int:
    """Activate every signed agreement whose start date has come (in its client's time zone
    unless `today` is given). Returns how many this call activated.

    Idempotent and safe with several workers: each activation is a conditional update, so an
    agreement another worker activated first is skipped, and running twice activates once.
    """
    # The latest date anywhere on Earth bounds the query; each client's own date decides.
    horizon = today or (clock.now() + dt.timedelta(hours=14)).date()
    due = (Agreement.objects.filter(status=S.SIGNED, start_date__lte=horizon)
           .select_related("client", "plan_version__plan", "replaces").order_by("start_date", "pk"))
    activated = 0
    for agreement in due:
        if agreement.start_date > (today or client_today(agreement.client)):
            continue
        try:
            with transaction.atomic():
                _activate(agreement)
        except AgreementChanged:
            continue  # another worker (or a person) got there first
        activated += 1
    return activated


def agreement_change_tier(*, agreement: Agreement, plan_version: PlanVersion,
                          effective_date: dt.date, by=None, users_count: int | None = None,
                          devices_count: int | None = None, base_fee=None,
                          price_per_user=None, price_per_device=None,
                          override_reason: str = "") -> Agreement:
    """Draft the next agreement of an active one on another tier version, from
    `effective_date`. Same client, counts (unless given) and billing cycle; prices from the
    new version. The current agreement keeps running until the new one is signed and
    active; then it ends the day before (see agreement_activate_due)."""
    if agreement.status != S.ACTIVE:
        raise ValidationError({"status": "only an active agreement can change tier"},
                              code="not_active")
    if effective_date <= agreement.start_date:
        raise ValidationError(
            {"effective_date": "the new tier must start after the current agreement started "
                               f"({agreement.start_date.isoformat()})"}, code="invalid")
    existing = Agreement.objects.filter(replaces=agreement).first()
    if existing is not None:
        raise ValidationError(
            {"plan_version": f"a tier change is already under way (agreement #{existing.pk}, "
                             f"{existing.get_status_display().lower()})"}, code="exists")
    with transaction.atomic():
        successor = agreement_draft(
            client=agreement.client, plan_version=plan_version, start_date=effective_date,
            by=by, auto_renew=agreement.auto_renew, term_months=agreement.term_months,
            billing_cycle=agreement.billing_cycle,
            users_count=agreement.users_count if users_count is None else users_count,
            devices_count=agreement.devices_count if devices_count is None else devices_count,
            base_fee=base_fee, price_per_user=price_per_user, price_per_device=price_per_device,
            override_reason=override_reason, replaces=agreement,
        )
        events.agreement_tier_changed_event(agreement=agreement, successor=successor, by=by)
    return successor


def agreement_end(*, agreement: Agreement, end_date: dt.date, reason: str, by=None) -> Agreement:
    """End a signed, active or suspended agreement now, with `end_date` as its last covered
    day (billing prorates to it). A reason is required (error on `reason`)."""
    if not (reason or "").strip():
        raise ValidationError({"reason": "say why the agreement ends"}, code="required")
    return agreement_transition(agreement=agreement, to=S.ENDED, by=by, reason=reason.strip(),
                                end_date=end_date)


def agreement_suspend(*, agreement: Agreement, by=None, reason: str = "") -> Agreement:
    """Suspend an active agreement (e.g. unpaid invoices): no new work is covered until it
    resumes."""
    return agreement_transition(agreement=agreement, to=S.SUSPENDED, by=by,
                                reason=(reason or "").strip())


def agreement_resume(*, agreement: Agreement, by=None, reason: str = "") -> Agreement:
    """Resume a suspended agreement (suspended → active)."""
    return agreement_transition(agreement=agreement, to=S.ACTIVE, by=by, reason=reason)
