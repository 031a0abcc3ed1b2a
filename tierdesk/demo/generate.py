"""Realistic, reproducible demo data: clients, sites, contacts and agreements.

Everything random comes from one `random.Random(seed)` and one Faker seeded with the same
seed, and every client's data is drawn in a fixed order whether or not the client is then
written, so the same seed always gives the same clients (a rerun skips the ones that exist).
Rows are written with `bulk_create` in batches, not through the clients services: generating
10,000 clients one service call at a time would take minutes, and the data is synthetic, so
the lifecycle checks those services enforce add nothing. One audit event summarises a run.

Demo clients are marked by `DEMO_MARKER` at the start of their notes; `demo_reset` deletes
exactly those.
"""

import datetime as dt
import random
import time
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.text import slugify
from faker import Faker

from tierdesk.catalog.models import Segment
from tierdesk.clients.models import Agreement, Client, Contact, Site
from tierdesk.clients.pricing import tier_price
from tierdesk.core.clock import now
from tierdesk.core.models import Role, User
from tierdesk.core.services import user_create
from tierdesk.demo import events
from tierdesk.demo.maintenance import demo_maintenance_delete
from tierdesk.demo.tickets import demo_tickets_delete
from tierdesk.plans.models import PlanVersion

DEMO_MARKER = "[demo data]"
BATCH = 500
DEMO_PASSWORD = "tierdesk-demo-2024"
DEMO_STAFF = [
    ("demo-dispatcher", Role.DISPATCHER, "Dana", "Dispatch"),
    ("demo-tech1", Role.TECHNICIAN, "Theo", "Fixwell"),
    ("demo-tech2", Role.TECHNICIAN, "Tara", "Patchley"),
    ("demo-billing", Role.BILLING, "Bill", "Ledger"),
]
DEMO_PORTAL_USERNAME = "demo-portal"

# (region weight, Faker locale, time zone): a New York MSP with mostly local clients and
# some abroad — enough to exercise time zones in SLA clocks and maintenance schedules.
PLACES = [
    (30, "en_US", "America/New_York"), (8, "en_US", "America/Chicago"),
    (5, "en_US", "America/Denver"), (7, "en_US", "America/Los_Angeles"),
    (15, "en_GB", "Europe/London"), (5, "de_DE", "Europe/Berlin"),
    (5, "fr_FR", "Europe/Paris"), (5, "nl_NL", "Europe/Amsterdam"),
    (6, "en_AU", "Australia/Sydney"), (4, "en_AU", "Australia/Melbourne"),
]
LOCALES = sorted({locale for _, locale, _ in PLACES})

# segment slug: (weight, users range, tier weights silver/gold/platinum, name patterns)
SEGMENT_PROFILES = {
    "small-business": (40, (5, 50), (35, 45, 20), ["{company}"]),
    "home": (15, (1, 5), (80, 20, 0), ["{last} household", "{last} home office"]),
    "medical": (15, (4, 40), (10, 50, 40),
                ["{last} Family Dental", "{last} Medical Group", "{city} Physiotherapy",
                 "{last} Pediatrics", "{city} Eye Clinic"]),
    "finance": (10, (8, 120), (0, 30, 70),
                ["{last} Wealth Management", "{city} Credit Union", "{last} & Partners CPA",
                 "{last} Capital Advisors"]),
    "non-profit": (10, (3, 40), (50, 40, 10),
                   ["{city} Community Foundation", "Friends of {city} Library",
                    "{city} Food Bank", "{last} Arts Trust"]),
    "mixed-mac-pc": (10, (5, 60), (25, 50, 25),
                     ["{last} Design Studio", "{city} Creative", "{last} Architects",
                      "{last} Media"]),
}
TIER_SLUGS = ("silver", "gold", "platinum")
SITE_NAMES = ["Main office", "Branch office", "Warehouse", "Second clinic", "Downtown office"]
TITLES = ["Office manager", "Owner", "Managing director", "Practice manager", "Bookkeeper",
          "Operations lead", "Finance director", "Receptionist"]
# Agreement status mix: mostly running, some in the pipeline, a few changed tier or left.
STATUS_MIX = [("active", 70), ("draft", 6), ("sent", 7), ("signed", 3), ("suspended", 2),
              ("tier_change", 7), ("churned", 5)]


@dataclass
class ClientSpec:
    name: str
    segment: str
    timezone: str
    users: int
    devices: int
    email: str
    phone: str
    sites: list[tuple[str, str, int, bool]] = field(default_factory=list)
    contacts: list[tuple[str, str, str, str, bool, bool]] = field(default_factory=list)
    # (tier slug, status, start date, end date or None, billing cycle, auto renew)
    agreements: list[tuple] = field(default_factory=list)
    is_active: bool = True


def _months_later(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, 28))


def _specs(count: int, seed: int, today: dt.date) -> list[ClientSpec]:
    """Draw `count` clients. Deterministic in (count, seed, today); names are unique."""
    rng = random.Random(seed)
    fake = Faker(LOCALES)
    fake.seed_instance(seed)
    segments = list(SEGMENT_PROFILES)
    segment_weights = [SEGMENT_PROFILES[s][0] for s in segments]
    places = [(locale, tz) for _, locale, tz in PLACES]
    place_weights = [w for w, _, _ in PLACES]
    statuses = [s for s, _ in STATUS_MIX]
    status_weights = [w for _, w in STATUS_MIX]
    used: set[str] = set()
    specs = []
    for _ in range(count):
        segment = rng.choices(segments, weights=segment_weights)[0]
        _, (low, high), tier_weights, patterns = SEGMENT_PROFILES[segment]
        locale, tz = rng.choices(places, weights=place_weights)[0]
        f = fake[locale]
        city = f.city()
        name = rng.choice(patterns).format(company=f.company(), last=f.last_name(), city=city)
        if name in used:
            name = f"{name} ({city})"
        n = 2
        base = name
        while name in used:
            name, n = f"{base} #{n}", n + 1
        used.add(name)
        users = rng.randint(low, high)
        devices = users + rng.randint(0, max(2, users // 2)) + (0 if segment == "home" else 1)
        domain = (slugify(name)[:40].strip("-") or "client") + ".example"
        spec = ClientSpec(name=name, segment=segment, timezone=tz, users=users,
                          devices=devices, email=f"accounts@{domain}", phone=f.phone_number())

        site_count = 1 if segment == "home" else rng.choices([1, 2, 3], weights=[70, 22, 8])[0]
        for index in range(site_count):
            site_name = "Home" if segment == "home" else SITE_NAMES[index]
            band = rng.choices([(5, 45), (45, 90), (90, 180)], weights=[70, 22, 8])[0]
            spec.sites.append((site_name, f.address(), rng.randint(*band), rng.random() < 0.88))

        contact_count = rng.randint(1, 2) if segment == "home" else rng.randint(1, 4)
        billing_index = rng.randrange(contact_count)
        for index in range(contact_count):
            first, last = f.first_name(), f.last_name()
            email = f"{slugify(first)}.{slugify(last)}@{domain}".replace("-", "")
            spec.contacts.append((f"{first} {last}", email, f.phone_number(),
                                  rng.choice(TITLES), index == 0, index == billing_index))

        tier = rng.choices(TIER_SLUGS, weights=tier_weights)[0]
        status = rng.choices(statuses, weights=status_weights)[0]
        cycle = rng.choices(["monthly", "quarterly", "annual"], weights=[75, 15, 10])[0]
        auto_renew = rng.random() < 0.85
        started = today - dt.timedelta(days=rng.randint(30, 1100))
        if status in ("draft", "sent", "signed"):
            spec.agreements.append(
                (tier, status, today + dt.timedelta(days=rng.randint(3, 45)), None, cycle,
                 auto_renew))
        elif status == "tier_change":
            lower = TIER_SLUGS[max(0, TIER_SLUGS.index(tier) - 1)]
            old_tier = lower if lower != tier else "gold"  # Silver clients came from Gold
            changed = started + dt.timedelta(days=rng.randint(90, 700))
            changed = min(changed, today - dt.timedelta(days=1))
            spec.agreements.append((old_tier, "ended", started,
                                    changed - dt.timedelta(days=1), cycle, auto_renew))
            spec.agreements.append((tier, "active", changed, None, cycle, auto_renew))
        elif status == "churned":
            ended = min(started + dt.timedelta(days=rng.randint(20, 365)),
                        today - dt.timedelta(days=1))
            spec.agreements.append((tier, "ended", started, ended, cycle, False))
            spec.is_active = False
        else:
            end = None if auto_renew else _months_later(started, 12 * (
                (today - started).days // 365 + 1))
            spec.agreements.append((tier, status, started, end, cycle, auto_renew))
        specs.append(spec)
    return specs


def _at(day: dt.date, hour: int = 15) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def _agreement(spec: ClientSpec, client: Client, row: tuple, versions: dict,
               segments: dict) -> Agreement:
    tier, status, start, end, cycle, auto_renew = row
    version = versions[tier]
    price = tier_price(plan_version=version, segment=segments[spec.segment])
    agreement = Agreement(
        client=client, plan_version=version, status=status, start_date=start, end_date=end,
        auto_renew=auto_renew, term_months=12, billing_cycle=cycle, users_count=spec.users,
        devices_count=spec.devices, base_fee=price.base_fee,
        price_per_user=price.price_per_user, price_per_device=price.price_per_device,
    )
    if status != "draft":
        agreement.sent_at = _at(start - dt.timedelta(days=10), 14)
    if status in ("signed", "active", "suspended", "ended"):
        agreement.signed_at = _at(start - dt.timedelta(days=5), 16)
    if status in ("active", "suspended", "ended"):
        agreement.activated_at = _at(start, 5)
    if status == "ended":
        agreement.ended_at = _at(end + dt.timedelta(days=1), 5)
        agreement.end_reason = "Client left" if not spec.is_active else "Tier change"
    return agreement


def _existing_names(names: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(names), 900):  # stay under SQLite's bound-parameter limit
        found |= set(Client.objects.filter(name__in=names[i:i + 900])
                     .values_list("name", flat=True))
    return found


def demo_generate(*, clients: int, seed: int, today: dt.date | None = None) -> dict:
    """Create `clients` demo clients (minus those whose names already exist) with sites,
    contacts and agreements on the seeded tiers. Returns the counts created, "skipped",
    "seconds", "first_client" and "created" (the new clients' names, in drawn order).
    Needs the default catalog and tiers (tierdesk_setup)."""
    started = time.monotonic()
    today = today or now().date()
    versions = {}
    for slug in TIER_SLUGS:
        version = PlanVersion.objects.filter(plan__slug=slug).order_by("-number").first()
        if version is None:
            raise LookupError(f"tier {slug!r} is missing; run manage.py tierdesk_setup first")
        versions[slug] = version
    segments = {s.slug: s for s in Segment.objects.filter(slug__in=SEGMENT_PROFILES)}
    if missing := sorted(set(SEGMENT_PROFILES) - set(segments)):
        raise LookupError(f"segments {missing} are missing; run manage.py tierdesk_setup first")

    specs = _specs(clients, seed, today)
    first_client = specs[0].name if specs else None
    existing = _existing_names([s.name for s in specs])
    specs = [s for s in specs if s.name not in existing]
    counts = {"clients": 0, "sites": 0, "contacts": 0, "agreements": 0}
    with transaction.atomic():
        for i in range(0, len(specs), BATCH):
            _write_batch(specs[i:i + BATCH], versions, segments, counts)
        seconds = time.monotonic() - started
        if counts["clients"]:
            events.demo_generated_event(seed=seed, counts=counts, seconds=seconds)
    return counts | {"skipped": len(existing), "seconds": seconds, "first_client": first_client,
                     "created": [s.name for s in specs]}


def _write_batch(specs: list[ClientSpec], versions: dict, segments: dict, counts: dict) -> None:
    rows = Client.objects.bulk_create([
        Client(name=s.name, segment=segments[s.segment], timezone=s.timezone,
               users_count=s.users, devices_count=s.devices, billing_email=s.email,
               phone=s.phone, is_active=s.is_active,
               notes=f"{DEMO_MARKER} Generated by manage.py tierdesk_demo.")
        for s in specs
    ])
    sites, contacts, firsts, successors = [], [], [], []
    for spec, client in zip(specs, rows, strict=True):
        sites += [Site(client=client, name=n, address=a, drive_minutes=d, has_rmm_agent=r)
                  for n, a, d, r in spec.sites]
        contacts += [Contact(client=client, name=n, email=e, phone=p, title=t, can_sign=sign,
                             is_billing=billing)
                     for n, e, p, t, sign, billing in spec.contacts]
        firsts.append(_agreement(spec, client, spec.agreements[0], versions, segments))
        if len(spec.agreements) > 1:
            successors.append((len(firsts) - 1, _agreement(
                spec, client, spec.agreements[1], versions, segments)))
    Site.objects.bulk_create(sites, batch_size=BATCH)
    Contact.objects.bulk_create(contacts, batch_size=BATCH)
    Agreement.objects.bulk_create(firsts, batch_size=BATCH)
    for index, successor in successors:
        successor.replaces = firsts[index]  # needs the ended agreement's id: written first
    Agreement.objects.bulk_create([s for _, s in successors], batch_size=BATCH)
    counts["clients"] += len(rows)
    counts["sites"] += len(sites)
    counts["contacts"] += len(contacts)
    counts["agreements"] += len(firsts) + len(successors)


def demo_clients_in_order(names: list[str]) -> list[Client]:
    """The clients named `names`, in that order (the order their data was drawn in)."""
    by_name = {}
    for i in range(0, len(names), 900):  # stay under SQLite's bound-parameter limit
        by_name |= {c.name: c for c in Client.objects.filter(name__in=names[i:i + 900])}
    return [by_name[n] for n in names if n in by_name]


def demo_reset() -> dict:
    """Delete every demo client with its tickets (timeline, pauses, notices, attachments;
    raw inbound messages are kept, unlinked), sites, contacts (and their portal logins) and
    agreements. Raises ProtectedError (from the database layer) if other records — invoices,
    say — still refer to them; nothing is deleted then."""
    demo = Client.objects.filter(notes__startswith=DEMO_MARKER)
    with transaction.atomic():
        tickets = demo_tickets_delete(demo)
        demo_maintenance_delete(demo)
        agreements = Agreement.objects.filter(client__in=demo)
        # Tier-change chains protect the replaced agreement; unlink them before deleting.
        agreements.exclude(replaces=None).update(replaces=None)
        counts = {"tickets": tickets["tickets"], "agreements": agreements.count(),
                  "portal logins": User.objects.filter(contact__client__in=demo).count(),
                  "clients": demo.count()}
        agreements.delete()
        User.objects.filter(contact__client__in=demo, role=Role.CONTACT).delete()
        demo.delete()
        if counts["clients"]:
            events.demo_reset_event(counts=counts)
    return counts


def demo_staff_create(*, first_client_name: str | None) -> list[tuple[str, str, bool]]:
    """Create the demo staff and a portal login for the first contact of the first demo
    client, all with DEMO_PASSWORD. Existing accounts are left as they are. Returns
    (username, role, created) per account."""
    result = []
    for username, role, first, last in DEMO_STAFF:
        exists = User.objects.filter(username=username).exists()
        if not exists:
            user_create(username=username, role=role, first_name=first, last_name=last,
                        email=f"{username}@msp.example", password=DEMO_PASSWORD)
        result.append((username, role, not exists))
    contact = (Contact.objects.filter(client__name=first_client_name).order_by("pk").first()
               if first_client_name else None)
    if User.objects.filter(username=DEMO_PORTAL_USERNAME).exists():
        result.append((DEMO_PORTAL_USERNAME, Role.CONTACT, False))
    elif contact is not None and contact.user_id is None:
        first, _, last = contact.name.partition(" ")
        user, _ = user_create(username=DEMO_PORTAL_USERNAME, role=Role.CONTACT,
                              first_name=first, last_name=last, email=contact.email,
                              password=DEMO_PASSWORD)
        Contact.objects.filter(pk=contact.pk).update(user=user)
        result.append((DEMO_PORTAL_USERNAME, Role.CONTACT, True))
    return result

