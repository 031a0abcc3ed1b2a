import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tierdesk.clients.factories import AgreementFactory
from tierdesk.clients.lifecycle import ALLOWED, AgreementChanged, agreement_transition
from tierdesk.clients.models import Agreement
from tierdesk.core.models import AuditEvent

ALLOWED_MOVES = [
    ("draft", "sent", "sent_at"),
    ("sent", "draft", None),
    ("sent", "signed", "signed_at"),
    ("signed", "active", "activated_at"),
    ("active", "suspended", None),
    ("suspended", "active", None),
    ("active", "ended", "ended_at"),
    ("suspended", "ended", "ended_at"),
    ("signed", "ended", "ended_at"),
]


def test_the_map_is_exactly_the_documented_one():
    moves = {(old, new) for old, targets in ALLOWED.items() for new in targets}
    assert moves == {(old, new) for old, new, _ in ALLOWED_MOVES}


@pytest.mark.parametrize(("old", "new", "stamp"), ALLOWED_MOVES)
def test_every_allowed_move_changes_status_stamps_and_is_audited(acme, silver, personas,
                                                                 old, new, stamp):
    agreement = AgreementFactory(client=acme, plan_version=silver, status=old)
    agreement_transition(agreement=agreement, to=new, by=personas.owner, reason="because")
    stored = Agreement.objects.get(pk=agreement.pk)
    assert stored.status == new
    if stamp:
        assert getattr(stored, stamp) is not None
    event = AuditEvent.objects.get(action=f"agreement.{new}", object_id=str(agreement.pk))
    assert event.changes == {"status": [old, new]}
    assert event.actor == personas.owner


@pytest.mark.parametrize(("old", "new"), [
    ("draft", "active"), ("draft", "signed"), ("sent", "active"), ("ended", "active"),
    ("active", "draft"), ("suspended", "signed"), ("ended", "draft"),
])
def test_forbidden_moves_raise_on_status_and_change_nothing(acme, silver, old, new):
    agreement = AgreementFactory(client=acme, plan_version=silver, status=old)
    with pytest.raises(ValidationError) as exc:
        agreement_transition(agreement=agreement, to=new)
    assert "status" in exc.value.message_dict
    assert Agreement.objects.get(pk=agreement.pk).status == old
    assert not AuditEvent.objects.filter(object_type="clients.agreement").exists()


def test_a_stale_copy_cannot_move_an_agreement_someone_else_moved(acme, silver):
    agreement = AgreementFactory(client=acme, plan_version=silver, status="active")
    stale = Agreement.objects.get(pk=agreement.pk)
    agreement_transition(agreement=agreement, to="suspended")
    with pytest.raises(AgreementChanged) as exc:
        agreement_transition(agreement=stale, to="ended", reason="x")
    assert "changed meanwhile" in exc.value.message_dict["status"][0]
    stored = Agreement.objects.get(pk=agreement.pk)
    assert stored.status == "suspended"
    assert stored.ended_at is None
    assert AuditEvent.objects.filter(object_type="clients.agreement").count() == 1


def test_resume_does_not_restart_the_activation_date(acme, silver):
    agreement = AgreementFactory(client=acme, plan_version=silver, status="signed")
    agreement_transition(agreement=agreement, to="active")
    first = agreement.activated_at
    agreement_transition(agreement=agreement, to="suspended")
    agreement_transition(agreement=agreement, to="active")
    assert Agreement.objects.get(pk=agreement.pk).activated_at == first


def test_recall_clears_sent_at(acme, silver):
    agreement = AgreementFactory(client=acme, plan_version=silver, status="draft")
    agreement_transition(agreement=agreement, to="sent")
    agreement_transition(agreement=agreement, to="draft")
    assert Agreement.objects.get(pk=agreement.pk).sent_at is None


def test_ending_before_the_start_is_an_error_on_end_date(active):
    with pytest.raises(ValidationError) as exc:
        agreement_transition(agreement=active, to="ended",
                             end_date=active.start_date - dt.timedelta(days=1))
    assert "end_date" in exc.value.message_dict
    assert Agreement.objects.get(pk=active.pk).status == "active"
