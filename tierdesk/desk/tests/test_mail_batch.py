"""Outgoing ticket mail is queued in batches (desk/notify.py): one task per batch and web
process, at most TIERDESK_MAIL_BATCH_MS after the batch's first message; with no delay, one
task per message at once. The batch's task sends each message once and a failing one does
not hold back the others."""
# ruff: noqa: F811  (pytest fixtures are imported by name and then requested as arguments)

import threading
from unittest import mock

import pytest
from django.core import mail

from tierdesk.desk import notify
from tierdesk.desk.models import EntryKind
from tierdesk.desk.services import ticket_open
from tierdesk.desk.tests.desk_fixtures import acme_on_gold, gold  # noqa: F401


@pytest.fixture
def queued():
    """What the batches hand to the queue, in order; an event set at each hand-over."""
    calls, handed = [], threading.Event()

    def send(ids):
        calls.append(list(ids))
        handed.set()

    with mock.patch.object(notify._MailBatch, "send", staticmethod(send)):
        yield calls, handed


def test_messages_within_the_delay_go_to_the_queue_as_one_task(queued, settings):
    calls, handed = queued
    settings.TIERDESK_MAIL_BATCH_MS = 200
    batch = notify._MailBatch()
    for entry_id in (11, 12, 13):
        batch.add(entry_id)
    assert calls == []  # nothing before the delay
    assert handed.wait(5)
    assert calls == [[11, 12, 13]]
    handed.clear()
    batch.add(14)  # a message after the hand-over starts the next batch
    assert handed.wait(5)
    assert calls == [[11, 12, 13], [14]]


def test_without_a_delay_each_message_is_queued_at_once(queued, settings):
    calls, _ = queued
    settings.TIERDESK_MAIL_BATCH_MS = 0
    batch = notify._MailBatch()
    batch.add(21)
    batch.add(22)
    assert calls == [[21], [22]]


@pytest.mark.django_db
def test_an_opening_joins_the_batch_only_when_it_commits(
        queued, settings, acme_on_gold, django_capture_on_commit_callbacks):
    calls, handed = queued
    settings.TIERDESK_MAIL_BATCH_MS = 50
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ticket = ticket_open(client=acme_on_gold.client, channel="email", subject="Printer",
                             requester="amy@acme.example")
    assert calls == [] and len(callbacks) == 1  # rolled back: nothing would be sent
    callbacks[0]()  # the commit
    assert handed.wait(5)
    assert calls == [[ticket.entries.get(kind=EntryKind.SYSTEM).pk]]


@pytest.mark.django_db
def test_the_batch_task_sends_each_message_once_and_skips_a_failing_one(acme_on_gold):
    entries = []
    for n in range(3):
        ticket = ticket_open(client=acme_on_gold.client, channel="email",
                             subject=f"Printer {n}", requester=f"amy{n}@acme.example")
        entries.append(ticket.entries.get(kind=EntryKind.SYSTEM))
    mail.outbox.clear()
    ids = [e.pk for e in entries]
    real_send = notify.EmailMessage.send

    def send(message, *args, **kwargs):
        if message.to == ["amy1@acme.example"]:
            raise ConnectionRefusedError("SMTP refused")
        return real_send(message, *args, **kwargs)

    with mock.patch.object(notify.EmailMessage, "send", send):
        assert notify.entries_send(ids) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["amy0@acme.example", "amy2@acme.example"]
    for entry in entries:
        entry.refresh_from_db()
    assert [bool(e.data.get("sent_at")) for e in entries] == [True, False, True]
    # Sent ones are not sent again; the failed one goes when the server takes it.
    assert notify.entries_send(ids) == 1
    assert len(mail.outbox) == 3


def test_a_process_ending_within_the_delay_queues_its_batch_on_the_way_out():
    # The MTA's pipe command opens a ticket and exits at once: its acknowledgement must be
    # queued then, not ten minutes later by the resend sweep.
    import os
    import subprocess
    import sys

    code = (
        "import django; django.setup()\n"
        "from tierdesk.desk import notify\n"
        "notify._MailBatch.send = staticmethod(lambda ids: print('queued', ids, flush=True))\n"
        "notify._batch.add(7); notify._batch.add(8)\n"
        "print('exiting', flush=True)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tierdesk.settings_test",
           "TIERDESK_MAIL_BATCH_MS": "60000"}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-2:] == ["exiting", "queued [7, 8]"]
