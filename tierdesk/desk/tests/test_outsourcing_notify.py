"""Telling the partner: the e-mail goes through the desk's mail path (stored on the
timeline, sent once on commit); the webhook body is stored first, POSTed signed by a task,
once, with failed attempts kept for the retry."""
# ruff: noqa: F811  (pytest fixtures are imported by name and then requested as arguments)

import datetime as dt
import hashlib
import hmac
import json

import pytest
from django.core import mail

from tierdesk.desk import outsourcing
from tierdesk.desk.intake.signatures import rmm_verify
from tierdesk.desk.models import PartnerWebhook, WebhookStatus
from tierdesk.desk.notify import entry_send
from tierdesk.desk.tests.desk_fixtures import acme_on_gold, gold, ny  # noqa: F401
from tierdesk.desk.tests.outsourcing_fixtures import (  # noqa: F401
    gold_routed,
    open_helpdesk,
    partner,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def posted(monkeypatch):
    """Capture webhook POSTs instead of sending them; `posted.fail` makes them fail."""
    calls = []

    def fake_post(*, url, body, headers):
        calls.append({"url": url, "body": body, "headers": headers})
        if fake_post.fail:
            raise outsourcing.WebhookError("HTTP 503")
        return 202

    fake_post.fail = False
    fake_post.calls = calls
    monkeypatch.setattr(outsourcing, "post_webhook", fake_post)
    return fake_post


def test_the_partner_is_emailed_once_on_commit(gold_routed, acme_on_gold, posted,
                                               django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ticket = open_helpdesk(acme_on_gold)
    to_partner = [m for m in mail.outbox if m.to == ["desk@helpco.example"]]
    assert len(to_partner) == 1
    assert to_partner[0].subject == f"Outsourced: [{ticket.reference}] Outlook keeps crashing"
    assert "Since this morning Outlook closes on start." in to_partner[0].body
    entry = ticket.entries.get(data__notice="outsourced")
    assert entry.data["sent_at"]
    # A retried task finds it sent.
    assert entry_send(entry.pk) is False
    assert len([m for m in mail.outbox if m.to == ["desk@helpco.example"]]) == 1


def test_nothing_is_sent_before_the_opening_commits(gold_routed, acme_on_gold, posted):
    mail.outbox.clear()
    ticket = open_helpdesk(acme_on_gold)  # the test's transaction never commits
    assert [m for m in mail.outbox if m.to == ["desk@helpco.example"]] == []
    assert posted.calls == []
    hook = PartnerWebhook.objects.get(outsourced__ticket=ticket)
    assert hook.status == WebhookStatus.PENDING
    assert json.loads(hook.body)["ticket"]["reference"] == ticket.reference


def test_the_webhook_is_sent_once_with_a_verifiable_signature(
        gold_routed, acme_on_gold, partner, posted, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = open_helpdesk(acme_on_gold)
    assert len(posted.calls) == 1
    call = posted.calls[0]
    assert call["url"] == "https://hooks.helpco.example/tierdesk"
    headers = call["headers"]
    # The partner checks it with its secret, as the RMM intake checks alerts...
    rmm_verify(secret=partner.webhook_secret, timestamp=headers["X-Tierdesk-Timestamp"],
               signature=headers["X-Tierdesk-Signature"], body=call["body"],
               now=dt.datetime.now(dt.UTC))
    # ...which is plain HMAC-SHA256 over "<timestamp>.<body>".
    expected = hmac.new(partner.webhook_secret.encode(),
                        headers["X-Tierdesk-Timestamp"].encode() + b"." + call["body"],
                        hashlib.sha256).hexdigest()
    assert headers["X-Tierdesk-Signature"] == f"sha256={expected}"
    payload = json.loads(call["body"])
    assert payload["event"] == "ticket.outsourced"
    assert payload["partner_targets"]["first_response_due_at"] == "2026-03-02T16:00:00+00:00"
    hook = PartnerWebhook.objects.get(outsourced__ticket=ticket)
    assert (hook.status, hook.attempts, hook.response_status) == (WebhookStatus.SENT, 1, 202)
    assert outsourcing.partner_webhook_send(webhook_id=hook.pk) is False
    assert len(posted.calls) == 1


def test_a_tampered_body_fails_verification(gold_routed, acme_on_gold, partner, posted,
                                            django_capture_on_commit_callbacks):
    from tierdesk.desk.intake.signatures import SignatureError

    with django_capture_on_commit_callbacks(execute=True):
        open_helpdesk(acme_on_gold)
    call = posted.calls[0]
    with pytest.raises(SignatureError):
        rmm_verify(secret=partner.webhook_secret,
                   timestamp=call["headers"]["X-Tierdesk-Timestamp"],
                   signature=call["headers"]["X-Tierdesk-Signature"],
                   body=call["body"].replace(b"Outlook", b"Outl00k"),
                   now=dt.datetime.now(dt.UTC))


def test_a_failed_post_is_kept_for_the_retry_and_given_up_at_the_limit(
        gold_routed, acme_on_gold, posted):
    hook = PartnerWebhook.objects.get(outsourced__ticket=open_helpdesk(acme_on_gold))
    posted.fail = True
    with pytest.raises(outsourcing.WebhookError):
        outsourcing.partner_webhook_send(webhook_id=hook.pk)
    hook.refresh_from_db()
    assert (hook.status, hook.attempts, hook.last_error) == (WebhookStatus.PENDING, 1,
                                                             "HTTP 503")
    for _ in range(outsourcing.MAX_WEBHOOK_ATTEMPTS - 2):
        with pytest.raises(outsourcing.WebhookError):
            outsourcing.partner_webhook_send(webhook_id=hook.pk)
    assert outsourcing.partner_webhook_send(webhook_id=hook.pk) is False  # the last attempt
    hook.refresh_from_db()
    assert (hook.status, hook.attempts) == (WebhookStatus.FAILED, outsourcing.MAX_WEBHOOK_ATTEMPTS)
    assert len(posted.calls) == outsourcing.MAX_WEBHOOK_ATTEMPTS


def test_a_webhook_being_sent_is_not_claimed_twice_until_the_claim_is_stale(
        gold_routed, acme_on_gold, posted):
    hook = PartnerWebhook.objects.get(outsourced__ticket=open_helpdesk(acme_on_gold))
    now = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)
    PartnerWebhook.objects.filter(pk=hook.pk).update(status=WebhookStatus.SENDING,
                                                     claimed_at=now)
    assert outsourcing.partner_webhook_send(webhook_id=hook.pk, now=now) is False
    assert posted.calls == []
    later = now + outsourcing.CLAIM_TIMEOUT + dt.timedelta(seconds=1)
    assert outsourcing.partner_webhook_send(webhook_id=hook.pk, now=later) is True
    assert len(posted.calls) == 1


def test_a_partner_reached_by_email_only_gets_no_webhook(gold, acme_on_gold, personas,
                                                          posted,
                                                          django_capture_on_commit_callbacks):
    from tierdesk.desk.tests.outsourcing_fixtures import make_partner

    mailer = make_partner(personas.owner, name="MailOnly", webhook_url="")
    outsourcing.helpdesk_route_set(plan=gold.plan, partner=mailer, by=personas.owner)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = open_helpdesk(acme_on_gold)
    assert ticket.outsourcing.notified_by == "email"
    assert not PartnerWebhook.objects.exists()
    assert posted.calls == []
