"""One allowed-transitions map, enforced in one function; which statuses pause the clock."""

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from tierdesk.desk.models import TicketStatus
from tierdesk.desk.statuses import (
    TRANSITIONS,
    allowed_transitions,
    check_transition,
    pausing_statuses,
)

STATUSES = TicketStatus.values


def test_every_status_has_an_entry_in_the_map():
    assert set(TRANSITIONS) == set(STATUSES)


def test_closed_is_final_and_resolved_may_be_reopened():
    assert allowed_transitions("closed") == []
    assert allowed_transitions("resolved") == ["open", "closed"]


def test_nothing_moves_back_to_new():
    assert all("new" not in targets for targets in TRANSITIONS.values())


@given(st.sampled_from(STATUSES), st.sampled_from(STATUSES))
def test_check_transition_agrees_with_the_map(old, new):
    if new in TRANSITIONS[old]:
        check_transition(old, new)
    else:
        with pytest.raises(ValidationError) as exc:
            check_transition(old, new)
        assert "to" in exc.value.message_dict


def test_an_unknown_status_is_an_error_on_to():
    with pytest.raises(ValidationError) as exc:
        check_transition("open", "sleeping")
    assert "not a ticket status" in exc.value.message_dict["to"][0]


def test_waiting_on_client_always_pauses_and_vendor_only_when_configured():
    assert pausing_statuses() == {"waiting_client"}
    with override_settings(TIERDESK_VENDOR_WAIT_PAUSES=True):
        assert pausing_statuses() == {"waiting_client", "waiting_vendor"}


def test_the_queue_filter_matches_the_condition_of_the_queue_index():
    # SQLite uses a partial index only when the query's condition is the index's own.
    from tierdesk.desk.models import Ticket
    from tierdesk.desk.statuses import OPEN_STATUS_LIST, OPEN_STATUSES

    [index] = [i for i in Ticket._meta.indexes if i.name == "ticket_queue_order"]
    assert dict(index.condition.children)["status__in"] == OPEN_STATUS_LIST
    assert set(OPEN_STATUS_LIST) == OPEN_STATUSES
