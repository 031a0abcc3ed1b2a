"""manage.py tierdesk_demo: reproducible, realistic, rerunnable demo data."""

import time
from io import StringIO

from django.core.management import call_command

from tierdesk.clients.models import Agreement, Client, Contact
from tierdesk.clients.pricing import tier_price
from tierdesk.core.models import AuditEvent, Role, User
from tierdesk.demo.generate import DEMO_PASSWORD


def _demo(*args) -> str:
    out = StringIO()
    call_command("tierdesk_demo", *args, stdout=out)
    return out.getvalue()


def _names() -> list[str]:
    return sorted(Client.objects.values_list("name", flat=True))


def test_the_same_seed_gives_the_same_clients(db):
    _demo("--clients", "15", "--seed", "42")
    first = _names()
    _demo("--clients", "15", "--seed", "42", "--reset")
    assert _names() == first
    assert len(first) == 15


def test_a_different_seed_gives_different_clients(db):
    _demo("--clients", "15", "--seed", "42")
    first = set(_names())
    _demo("--clients", "15", "--seed", "43", "--reset")
    assert set(_names()) != first


def test_a_rerun_with_the_same_seed_adds_nothing_and_says_how_to_reset(db):
    _demo("--clients", "8", "--seed", "5")
    counts = (Client.objects.count(), Agreement.objects.count(), Contact.objects.count())
    output = _demo("--clients", "8", "--seed", "5")
    assert (Client.objects.count(), Agreement.objects.count(),
            Contact.objects.count()) == counts
    assert "Skipped 8" in output and "--reset" in output


def test_reset_deletes_only_demo_clients(acme):
    _demo("--clients", "5", "--seed", "1")
    _demo("--clients", "0", "--reset")
    assert _names() == ["Acme Dental"]
    assert AuditEvent.objects.filter(action="demo.reset").count() == 1


def test_generated_data_is_realistic(db):
    output = _demo("--clients", "120", "--seed", "3")
    assert " s (seed 3)" in output  # says how long it took
    clients = list(Client.objects.select_related("segment")
                   .prefetch_related("sites", "contacts", "agreements"))
    assert len({c.segment.slug for c in clients}) == 6
    assert {c.timezone.split("/")[0] for c in clients} >= {"America", "Europe", "Australia"}
    assert any(c.timezone == "Europe/London" for c in clients)
    for client in clients:
        assert 1 <= len(client.sites.all()) <= 3
        assert all(5 <= s.drive_minutes <= 180 and s.address for s in client.sites.all())
        contacts = list(client.contacts.all())
        assert 1 <= len(contacts) <= 4
        assert sum(c.can_sign for c in contacts) == 1
        assert sum(c.is_billing for c in contacts) == 1
        assert client.devices_count >= client.users_count
    sites = [s for c in clients for s in c.sites.all()]
    assert 0.6 < sum(s.has_rmm_agent for s in sites) / len(sites) < 1
    statuses = [a.status for c in clients for a in c.agreements.all()]
    assert statuses.count("active") > len(clients) / 2
    assert {"draft", "sent", "ended"} <= set(statuses)
    assert {v.plan.slug for v in {a.plan_version for c in clients
                                  for a in c.agreements.all()}} == {"silver", "gold",
                                                                    "platinum"}


def test_agreements_are_priced_from_the_tier_and_the_segment_factor(db):
    _demo("--clients", "30", "--seed", "9")
    for agreement in Agreement.objects.select_related("client__segment", "plan_version"):
        price = tier_price(plan_version=agreement.plan_version,
                           segment=agreement.client.segment)
        assert (agreement.base_fee, agreement.price_per_user, agreement.price_per_device) == (
            price.base_fee, price.price_per_user, price.price_per_device)
        assert agreement.users_count == agreement.client.users_count


def test_a_tier_change_ends_one_agreement_and_the_next_replaces_it(db):
    _demo("--clients", "80", "--seed", "11")
    successors = Agreement.objects.exclude(replaces=None).select_related("replaces")
    assert successors.exists()
    for successor in successors:
        old = successor.replaces
        assert old.status == "ended" and old.client_id == successor.client_id
        assert old.plan_version_id != successor.plan_version_id
        assert old.end_date < successor.start_date
        assert successor.status == "active"


def test_staff_flag_creates_demo_accounts_with_the_printed_password(db):
    output = _demo("--clients", "3", "--seed", "42", "--staff")
    assert DEMO_PASSWORD in output
    roles = {u.username: u.role for u in User.objects.filter(username__startswith="demo-")}
    assert sorted(roles.values()) == sorted(
        [Role.DISPATCHER, Role.TECHNICIAN, Role.TECHNICIAN, Role.BILLING, Role.CONTACT])
    portal = User.objects.get(username="demo-portal")
    assert portal.check_password(DEMO_PASSWORD)
    assert not portal.must_change_password
    assert portal.contact.client.notes.startswith("[demo data]")
    assert "already existed" in _demo("--clients", "3", "--seed", "42", "--staff")


def test_one_audit_event_summarises_a_run(db):
    _demo("--clients", "12", "--seed", "2")
    event = AuditEvent.objects.get(action="demo.generated")
    assert event.changes["clients"] == [None, 12]
    assert "12 clients" in event.message


def test_a_thousand_clients_are_generated_in_bulk_quickly(db):
    started = time.monotonic()
    _demo("--clients", "1000", "--seed", "8")
    assert Client.objects.count() == 1000
    # 10,000 clients take about 20 s on SQLite; a thousand must not take a minute.
    assert time.monotonic() - started < 30
