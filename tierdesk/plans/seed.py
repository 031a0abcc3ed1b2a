"""The three built-in tiers: Silver, Gold and Platinum.

`tiers_load_defaults()` creates each tier (matched by slug) with version 1 holding its whole
entitlement set, unless the tier already exists — a rerun changes nothing an MSP has edited.
It needs the default catalog (`catalog.seed.catalog_load_defaults`) loaded first. It writes
the models directly rather than through plans/services.py so that installing the defaults
depends on nothing but the models.

Why the tiers look the way they do
==================================

The tiers follow the design process in DESIGN.md: each higher tier offers at least as much on
every dimension (channels, hours, response speed, help-desk allowance, coverage of every
service, what is included rather than billed), and costs more.

*Silver* is remote monitoring for price-sensitive clients. Clients ask by e-mail, the portal
or the automated phone attendant only, during business hours (Mon–Fri 08:00–18:00 New York,
US public holidays closed). Critical and high tickets get a first response within 8 business
hours; normal and low the same business day (by 15:00, else next day). Two 15-minute remote
help-desk sessions a month are included, then $35 a session. Every tactical service is
*monitored* only — the MSP watches and reports, the client pays for the fix — except help desk,
which is *supported* but only within the session allowance. All work is billable.

*Gold* is the tier most small businesses should buy, and its values are chosen so that it is
clearly worth the step up from Silver without giving away Platinum's expensive promises:

- Same intake channels as Silver (e-mail, portal, phone attendant). A live-answered phone line
  costs staff time around the clock; it is the defining Platinum perk, so Gold does not get it.
- Extended hours, Mon–Fri 07:00–19:00: covers the early and late hours in which small offices
  actually have trouble (before opening, month-end closing) at the cost of two staggered shifts,
  not a night rota.
- First response in 4 business hours for P1 and 8 for P2, same business day for P3/P4 with a
  later cutoff (16:00) than Silver; on-site arrival within one business day for P1. These are
  promises a small team with a remote-management agent can keep for clients within a couple of
  hours' drive; they are measured on Gold's longer business day, so they also run out sooner
  in wall-clock time than Silver's.
- Ten 15-minute help-desk sessions a month (then $30 each): enough for a 10–20 person office's
  routine questions, so the allowance rarely runs out, while heavy users still pay.
- The six services whose neglect causes most outages and breaches — patching, antivirus,
  backups, spam filtering, spyware removal and security — are *maintained* (the MSP does the
  routine work, not only watches); event logs, network, UPS and policies stay monitored; help
  desk is supported within the allowance. Scheduled maintenance and a yearly network audit are
  included, and so is break-fix on covered services, because maintained systems break rarely and
  including the fix is what makes Gold predictable to budget for.
- Still billed: on-site visits (trip fee $50), after-hours work (×1.5), hardware, software and
  projects — the costs that scale with the client, not with the agreement.
- $249 a month + $35 a user + $10 a device: roughly 2.5× Silver, which is what maintenance plus
  included break-fix costs the MSP in technician time for a typical office.

*Platinum* is "all you can eat" for clients who cannot afford downtime: every channel including
a 24x7 hotline answered live, 24x7 coverage, 2-hour (wall-clock) first response and 4-hour
on-site arrival for P1/P2, unlimited help desk, every tactical service fully supported,
scheduled maintenance, quarterly network audits and monitoring included; only hardware,
software and projects are billed.
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Max

from tierdesk.catalog.models import Service, ServiceKind
from tierdesk.core.msp import msp_identity
from tierdesk.plans.models import (
    AuditFrequency,
    BillingRule,
    Channel,
    CoveredService,
    Plan,
    PlanVersion,
    ResponseTarget,
    WorkType,
)

TZ = "America/New_York"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


def _weekday_hours(open_at: str, close_at: str) -> dict:
    return {
        "tz": TZ,
        "hours": {d: [[open_at, close_at]] for d in WEEKDAYS} | {"sat": [], "sun": []},
        "holidays": [],
        "holiday_country": "US",
    }


ALWAYS = {"tz": TZ, "hours": {d: [["00:00", "24:00"]] for d in (*WEEKDAYS, "sat", "sun")},
          "holidays": []}

#: The six services Gold maintains rather than only monitors.
GOLD_MAINTAINED = {
    "patch-management", "virus-definitions", "backup-dr", "spam-filtering",
    "spyware-removal", "security-monitoring",
}

HELP_DESK = "help-desk"

def _with_msp_contacts(text: str) -> str:
    """Fill the MSP's own e-mail and numbers (settings) into a tier's instructions, so the
    document never prints contact details that contradict its own letterhead."""
    msp = msp_identity()
    return text.format(email=msp.email or "our support address",
                       phone=msp.phone or "our main number",
                       hotline=msp.hotline or "our hotline")


# Targets: (priority, kind, first response, same-day cutoff, on-site, resolution) in minutes.
TIERS = [
    {
        "slug": "silver", "name": "Silver", "rank": 1,
        "summary": (
            "Remote monitoring of your network during business hours. Ask for help by "
            "e-mail, the portal or our phone attendant; two 15-minute help-desk sessions a "
            "month are included. Fixes, maintenance and visits are billed as used."
        ),
        "channels": [Channel.EMAIL, Channel.PORTAL, Channel.PHONE_ATTENDANT],
        "channel_instructions": (
            "Silver support is reached by e-mail at {email}, through the client portal, or "
            "by leaving a message with our phone attendant at {phone}. "
            "The live hotline is part of Platinum."
        ),
        "hours": _weekday_hours("08:00", "18:00"),
        "hours_label": "Mon–Fri 8:00–18:00 (New York), US holidays closed",
        "helpdesk_sessions": 2, "overage_session_price": "35.00",
        "scheduled_maintenance": False, "network_audits": AuditFrequency.NONE,
        "hourly_rate": "150.00", "after_hours_multiplier": "2.00",
        "onsite_trip_fee": "75.00", "hardware_markup_percent": "20.00",
        "travel_billing": "trip_fee", "approval_threshold": "250.00",
        "base_fee": "99.00", "price_per_user": "15.00", "price_per_device": "5.00",
        "levels": lambda slug: "supported" if slug == HELP_DESK else "monitored",
        "billable": set(WorkType.values),
        "targets": [
            ("p1", "business", 480, None, 1200, 1440),
            ("p2", "business", 480, None, None, 2400),
            ("p3", "same_day", None, dt.time(15, 0), None, 4800),
            ("p4", "same_day", None, dt.time(15, 0), None, 9600),
        ],
    },
    {
        "slug": "gold", "name": "Gold", "rank": 2,
        "summary": (
            "Monitoring plus hands-on maintenance of patching, antivirus, backups, spam, "
            "spyware and security, with break-fix on covered services included. Extended "
            "hours, 4-hour response to critical issues, ten help-desk sessions a month and a "
            "yearly network audit."
        ),
        "channels": [Channel.EMAIL, Channel.PORTAL, Channel.PHONE_ATTENDANT],
        "channel_instructions": (
            "Gold support is reached by e-mail at {email}, through the client portal, or "
            "through our phone attendant at {phone} (press 2 for Gold). "
            "The live 24x7 hotline is part of Platinum."
        ),
        "hours": _weekday_hours("07:00", "19:00"),
        "hours_label": "Mon–Fri 7:00–19:00 (New York), US holidays closed",
        "helpdesk_sessions": 10, "overage_session_price": "30.00",
        "scheduled_maintenance": True, "network_audits": AuditFrequency.YEARLY,
        "hourly_rate": "135.00", "after_hours_multiplier": "1.50",
        "onsite_trip_fee": "50.00", "hardware_markup_percent": "15.00",
        "travel_billing": "trip_fee", "approval_threshold": "500.00",
        "base_fee": "249.00", "price_per_user": "35.00", "price_per_device": "10.00",
        "levels": lambda slug: (
            "supported" if slug == HELP_DESK
            else "maintained" if slug in GOLD_MAINTAINED else "monitored"
        ),
        "billable": {WorkType.ONSITE, WorkType.AFTER_HOURS, WorkType.HARDWARE,
                     WorkType.SOFTWARE, WorkType.PROJECT},
        "targets": [
            ("p1", "business", 240, None, 720, 600),
            ("p2", "business", 480, None, 1440, 1200),
            ("p3", "same_day", None, dt.time(16, 0), None, 2400),
            ("p4", "same_day", None, dt.time(16, 0), None, 4800),
        ],
    },
    {
        "slug": "platinum", "name": "Platinum", "rank": 3,
        "summary": (
            "Everything included, around the clock: a live 24x7 hotline, 2-hour response and "
            "4-hour on-site arrival for critical issues, unlimited help desk, every service "
            "fully supported, scheduled maintenance and quarterly network audits. Only "
            "hardware, software and projects are billed."
        ),
        "channels": [Channel.EMAIL, Channel.PORTAL, Channel.PHONE_ATTENDANT, Channel.HOTLINE],
        "channel_instructions": (
            "Platinum clients call the 24x7 hotline at {hotline} (answered live), or use "
            "e-mail at {email}, the client portal or the phone attendant at {phone}."
        ),
        "hours": ALWAYS,
        "hours_label": "24x7",
        "helpdesk_sessions": None, "overage_session_price": "0.00",
        "scheduled_maintenance": True, "network_audits": AuditFrequency.QUARTERLY,
        "hourly_rate": "125.00", "after_hours_multiplier": "1.00",
        "onsite_trip_fee": "0.00", "hardware_markup_percent": "10.00",
        "travel_billing": "included", "approval_threshold": None,
        "base_fee": "499.00", "price_per_user": "65.00", "price_per_device": "15.00",
        "levels": lambda slug: "supported",
        "billable": {WorkType.HARDWARE, WorkType.SOFTWARE, WorkType.PROJECT},
        "targets": [
            ("p1", "wall", 120, None, 240, 480),
            ("p2", "wall", 120, None, 480, 960),
            ("p3", "wall", 240, None, None, 2400),
            ("p4", "wall", 480, None, None, 4800),
        ],
    },
]

EXCLUSIONS = (
    "Not covered by any tier: hardware and software purchases, licences and subscriptions; "
    "projects such as office moves, new servers or migrations; training; work on devices or "
    "software not listed in the agreement; damage from misuse, accidents, fire or flood; "
    "third-party services (internet providers, line-of-business vendors) beyond contacting "
    "them on the client's behalf."
)

BILLING_NOTES = {
    True: "billed at the tier's rate: {tier} does not include {work}",
    False: "included in {tier}",
}


def _rank_for(wanted: int) -> int:
    # Ranks are unique; an MSP that already uses the seed's rank for its own tier gets the
    # built-in one placed after its tiers instead of a crash.
    if not Plan.objects.filter(rank=wanted).exists():
        return wanted
    return (Plan.objects.aggregate(m=Max("rank"))["m"] or 0) + 1


@transaction.atomic
def tiers_load_defaults() -> dict:
    """Create Silver, Gold and Platinum (version 1 each) unless a tier with the slug exists.

    Raises LookupError naming the missing service when the default catalog is not loaded.
    Returns {"plans": n, "versions": n} created.
    """
    services = {s.slug: s for s in Service.objects.filter(kind=ServiceKind.TACTICAL)}
    for slug in sorted((*GOLD_MAINTAINED, HELP_DESK)):
        if slug not in services:
            raise LookupError(
                f"catalog: tactical service {slug!r} is missing; run "
                "catalog_load_defaults() (manage.py tierdesk_setup) first"
            )
    created = {"plans": 0, "versions": 0}
    for tier in TIERS:
        plan = Plan.objects.filter(slug=tier["slug"]).first()
        if plan is None:
            if Plan.objects.filter(name=tier["name"]).exists():
                continue  # the MSP has its own tier of that name; leave it alone
            plan = Plan.objects.create(
                slug=tier["slug"], name=tier["name"], rank=_rank_for(tier["rank"])
            )
            created["plans"] += 1
        if plan.versions.exists():
            continue
        _create_version(plan, tier, services)
        created["versions"] += 1
    return created


def _create_version(plan: Plan, tier: dict, services: dict[str, Service]) -> PlanVersion:
    version = PlanVersion(
        plan=plan, number=1, change_note="Built-in default tier",
        summary=tier["summary"], channels=[str(c) for c in tier["channels"]],
        channel_instructions=_with_msp_contacts(tier["channel_instructions"]),
        hours=tier["hours"],
        hours_label=tier["hours_label"], helpdesk_sessions=tier["helpdesk_sessions"],
        helpdesk_session_minutes=15,
        overage_session_price=Decimal(tier["overage_session_price"]),
        scheduled_maintenance=tier["scheduled_maintenance"],
        network_audits=tier["network_audits"],
        hourly_rate=Decimal(tier["hourly_rate"]),
        after_hours_multiplier=Decimal(tier["after_hours_multiplier"]),
        onsite_trip_fee=Decimal(tier["onsite_trip_fee"]),
        hardware_markup_percent=Decimal(tier["hardware_markup_percent"]),
        travel_billing=tier["travel_billing"],
        approval_threshold=(Decimal(tier["approval_threshold"])
                            if tier["approval_threshold"] is not None else None),
        base_fee=Decimal(tier["base_fee"]), price_per_user=Decimal(tier["price_per_user"]),
        price_per_device=Decimal(tier["price_per_device"]), exclusions=EXCLUSIONS,
    )
    version.full_clean()
    version.save()
    CoveredService.objects.bulk_create(
        CoveredService(version=version, service=service, level=tier["levels"](slug))
        for slug, service in sorted(services.items())
    )
    for priority, kind, first, cutoff, onsite, resolution in tier["targets"]:
        target = ResponseTarget(
            version=version, priority=priority, kind=kind, first_response_minutes=first,
            same_day_cutoff=cutoff, onsite_minutes=onsite, resolution_minutes=resolution,
        )
        target.full_clean()
        target.save()
    labels = dict(WorkType.choices)
    BillingRule.objects.bulk_create(
        BillingRule(
            version=version, work_type=work_type, billable=work_type in tier["billable"],
            note=BILLING_NOTES[work_type in tier["billable"]].format(
                tier=plan.name, work=labels[work_type].lower()
            ),
        )
        for work_type in WorkType.values
    )
    return version
