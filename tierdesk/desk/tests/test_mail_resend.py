"""Mail whose task was lost (the embedded queue in a power loss) or failed (the SMTP server
down) is queued again from its stored entry by the ten-minute sweep — once sent, never
again; too old or refused too often, given up."""
# ruff: noqa: F811  (pytest fixtures are imported by name and then requested as arguments)

import datetime as dt
from unittest import mock

import pytest
from django.core import mail

from tierdesk.core import clock
from tierdesk.desk.models import EntryKind, TicketEntry
from tierdesk.desk.notify import RESEND_ATTEMPTS, entries_resend_unsent
from tierdesk.desk.services import ticket_open
from tierdesk.desk.tests.desk_fixtures import acme_on_gold, gold, ny  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def unsent(acme_on_gold):
    """A ticket opened 30 minutes ago whose acknowledgement task never ran (it was queued on
    a commit that this test never performs)."""
    ticket = ticket_open(client=acme_on_gold.client, channel="email", subject="Printer",
                         requester="amy@acme.example",
                         opened_at=clock.now() - dt.timedelta(minutes=30))
    entry = ticket.entries.get(kind=EntryKind.SYSTEM)
    assert entry.data["mail"]["to"] and "sent_at" not in entry.data
    mail.outbox.clear()
    return entry


def test_the_sweep_sends_a_lost_acknowledgement_once(unsent):
    assert entries_resend_unsent() == 1
    assert [m.subject for m in mail.outbox] == [unsent.data["mail"]["subject"]]
    unsent.refresh_from_db()
    assert unsent.data["sent_at"] and unsent.data["resends"] == 1
    assert entries_resend_unsent() == 0
    assert len(mail.outbox) == 1


def test_young_old_and_sent_entries_are_left_alone(unsent):
    now = clock.now()
    assert entries_resend_unsent(now=unsent.created_at + dt.timedelta(minutes=5)) == 0
    assert entries_resend_unsent(now=now + dt.timedelta(days=3)) == 0
    TicketEntry.objects.filter(pk=unsent.pk).update(
        data={**unsent.data, "sent_at": now.isoformat()})
    assert entries_resend_unsent() == 0
    assert mail.outbox == []


def test_a_send_that_keeps_failing_is_given_up_after_the_last_attempt(unsent):
    with mock.patch("tierdesk.desk.notify.EmailMessage.send",
                    side_effect=ConnectionRefusedError("SMTP down")):
        for _ in range(RESEND_ATTEMPTS + 2):
            try:
                entries_resend_unsent()
            except ConnectionRefusedError:
                pass  # the immediate task raises here; a worker logs it
    unsent.refresh_from_db()
    assert unsent.data["resends"] == RESEND_ATTEMPTS and "sent_at" not in unsent.data
    assert entries_resend_unsent() == 0


def test_the_sweep_is_scheduled_every_ten_minutes():
    from tierdesk.schedules import tasks

    validate = tasks.mail_resend_periodic.s().validate_datetime  # the task huey schedules
    assert validate(dt.datetime(2026, 11, 26, 10, 20))
    assert not validate(dt.datetime(2026, 11, 26, 10, 25))
