"""Reads of clients and agreements: lists, the agreement chain, dashboard figures.

The client list filters and sorts by the current agreement through correlated subqueries on
the (client, status) index, and reads it for the shown page in one more query, so a page of
50 costs a fixed number of queries whatever the number of clients.
"""

from decimal import Decimal

from django.db.models import Count, F, OuterRef, QuerySet, Subquery

from tierdesk.clients.filtersets import AgreementFilterSet, ClientFilterSet
from tierdesk.clients.models import Agreement, AgreementStatus, Client, Contact, Site
from tierdesk.core.models import AuditEvent
from tierdesk.core.money import round_money
from tierdesk.core.rows import Columns, fetch_one

S = AgreementStatus
#: Statuses in which an agreement is the client's current one.
CURRENT = (S.ACTIVE, S.SUSPENDED)
#: Statuses still on the way to becoming current.
PENDING = (S.DRAFT, S.SENT, S.SIGNED)


def _current_agreements():
    return (Agreement.objects.filter(client=OuterRef("pk"), status__in=CURRENT)
            .order_by("-start_date", "-id"))


def client_list(filters=None) -> QuerySet[Client]:
    """Clients, filterable and sortable by their current agreement (`current_tier`,
    `current_plan_id`, `current_status` are aliases: usable in filters and ordering, not
    selected). Call `clients_attach_current` on the page you show to read them.
    `filters` is a dict/QueryDict of ClientFilterSet parameters."""
    current = _current_agreements()
    # alias(), not annotate(): a correlated subquery in the SELECT list runs for every row
    # PostgreSQL walks past with OFFSET, which made page 100 of 10,000 clients take 140 ms.
    clients = Client.objects.select_related("segment").alias(
        current_tier=Subquery(current.values("plan_version__plan__name")[:1]),
        current_plan_id=Subquery(current.values("plan_version__plan_id")[:1]),
        current_status=Subquery(current.values("status")[:1]),
    )
    if filters:
        clients = ClientFilterSet(filters, queryset=clients).qs
    return clients


def clients_attach_current(clients) -> list[Client]:
    """Set `current_agreement_id`, `current_tier`, `current_plan_id` and `current_status`
    (None when there is none) on each client of a page, in one query."""
    clients = list(clients)
    rows = (Agreement.objects.filter(client__in=clients, status__in=CURRENT)
            .order_by("client_id", "-start_date", "-id")
            .values_list("client_id", "id", "plan_version__plan__name",
                         "plan_version__plan_id", "status"))
    current = {}
    for client_id, *row in rows:
        current.setdefault(client_id, row)
    for client in clients:
        (client.current_agreement_id, client.current_tier, client.current_plan_id,
         client.current_status) = current.get(client.pk, (None, None, None, None))
    return clients


def client_get(pk) -> Client:
    """One client with its sites and contacts (raises Client.DoesNotExist; views fetch
    through access.py)."""
    return (Client.objects.select_related("segment")
            .prefetch_related("sites", "contacts__user").get(pk=pk))


def agreement_list(filters=None) -> QuerySet[Agreement]:
    agreements = Agreement.objects.select_related("client", "plan_version__plan")
    if filters:
        agreements = AgreementFilterSet(filters, queryset=agreements).qs
    return agreements


def agreement_history(client: Client) -> list[Agreement]:
    """Every agreement of `client`, oldest first; a tier change shows as an agreement whose
    `replaces` is the one before it (and which ended the day before it started)."""
    return list(
        Agreement.objects.filter(client=client)
        .select_related("plan_version__plan", "replaces__plan_version__plan")
        .order_by("start_date", "id")
    )


def agreement_chain(agreement: Agreement) -> list[Agreement]:
    """The tier-change chain through `agreement`, oldest first."""
    chain = [agreement]
    seen = {agreement.pk}
    previous = agreement.replaces
    while previous is not None and previous.pk not in seen:
        chain.insert(0, previous)
        seen.add(previous.pk)
        previous = previous.replaces
    successor = Agreement.objects.filter(replaces=agreement).first()
    while successor is not None and successor.pk not in seen:
        chain.append(successor)
        seen.add(successor.pk)
        successor = Agreement.objects.filter(replaces=successor).first()
    return chain


def clients_per_tier() -> list[dict]:
    """[{"tier": name, "clients": n}] of clients with a current agreement, by tier rank."""
    return list(
        Agreement.objects.filter(status__in=CURRENT)
        .values(tier=F("plan_version__plan__name"), rank=F("plan_version__plan__rank"))
        .annotate(clients=Count("client", distinct=True))
        .order_by("rank")
    )


def agreements_by_status() -> dict[str, int]:
    """{status: count} for every status (zero included), in lifecycle order."""
    counts = dict(Agreement.objects.values_list("status").annotate(n=Count("id"))
                  .values_list("status", "n"))
    return {status: counts.get(status, 0) for status in S.values}


def monthly_recurring_revenue() -> Decimal:
    """Sum of the monthly fees of active agreements, exact. Summed in Python because SQLite
    does decimal arithmetic in floating point."""
    total = Decimal("0")
    rows = Agreement.objects.filter(status=S.ACTIVE).values_list(
        "base_fee", "price_per_user", "users_count", "price_per_device", "devices_count")
    for base, per_user, users, per_device, devices in rows.iterator():
        total += base + per_user * users + per_device * devices
    return round_money(total)


def agreements_awaiting_signature() -> QuerySet[Agreement]:
    return (Agreement.objects.filter(status=S.SENT)
            .select_related("client", "plan_version__plan").order_by("sent_at"))


def recent_client_events(limit: int = 15) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type__startswith="clients.")
                .select_related("actor")[:limit])


def dashboard() -> dict:
    """Everything the staff dashboard shows."""
    return {
        "clients_per_tier": clients_per_tier(),
        "agreements_by_status": agreements_by_status(),
        "mrr": monthly_recurring_revenue(),
        "awaiting_signature": list(agreements_awaiting_signature()[:20]),
        "recent_events": recent_client_events(),
        "client_count": Client.objects.filter(is_active=True).count(),
    }


# Who a ticket is opened for ----------------------------------------------------------------
# Opening a ticket through the API reads the contact, its client and the site named in the
# request on every call: one hand-written SELECT (core/rows.py says why) instead of two ORM
# queries that each cost more to write than to run.

_CONTACT = Columns(Contact, "c")
_CLIENT = Columns(Client, "cl")
_SITE = Columns(Site, "s")
#: Integer keys are 64-bit on SQLite and PostgreSQL; a larger id (the API accepts any JSON
#: integer) exists nowhere, and a driver would refuse to send it.
_MAX_ID = 2**63 - 1


def _fits(value: int | None) -> bool:
    return value is None or -_MAX_ID <= value <= _MAX_ID


def _parties(where: str, params: list, site_id: int | None):
    if not all(_fits(p) for p in params):
        return None, None
    if not _fits(site_id):
        site_id = None  # no such site: the caller's lookup names the field
    row = fetch_one(
        f"SELECT {_CONTACT.sql()}, {_CLIENT.sql()}, {_SITE.sql()} "
        f"FROM {Contact._meta.db_table} c "
        f"INNER JOIN {Client._meta.db_table} cl ON cl.id = c.client_id "
        f"LEFT OUTER JOIN {Site._meta.db_table} s ON s.id = %s AND s.client_id = c.client_id "
        f"WHERE {where}",
        [site_id, *params],
    )
    if row is None:
        return None, None
    contact = _CONTACT.instance(row)
    contact.client = _CLIENT.instance(row, len(_CONTACT))
    site = _SITE.instance(row, len(_CONTACT) + len(_CLIENT))
    if site is not None:
        site.client = contact.client
    return contact, site


def contact_with_site(*, client_id: int, contact_id: int, site_id: int | None
                      ) -> tuple[Contact | None, Site | None]:
    """Contact `contact_id` of client `client_id`, with its `client`, and that client's site
    `site_id` (None when not given or not that client's); (None, None) when the client has
    no such contact. One query."""
    return _parties("c.id = %s AND c.client_id = %s", [contact_id, client_id], site_id)


def user_contact_with_site(*, user_id: int, site_id: int | None
                           ) -> tuple[Contact | None, Site | None]:
    """The contact linked to user `user_id`, with its `client`, and that client's site
    `site_id` (None when not given or not that client's); (None, None) when the user is
    nobody's contact. One query. Callers check the user's role (clients/access.py)."""
    return _parties("c.user_id = %s", [user_id], site_id)
