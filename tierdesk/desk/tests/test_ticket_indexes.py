"""Every index on the tickets and the audit trail is written by every ticket opening: the
ones a composite index already serves are not kept (desk migration 0004, core 0002)."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def _indexes(table: str) -> list[list[str]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return [c["columns"] for c in constraints.values()
            if (c["index"] or c["unique"]) and not c["primary_key"]]


@pytest.mark.parametrize("table, column, composite", [
    ("desk_ticket", "client_id", ["client_id", "status"]),
    ("desk_ticket", "assignee_id", ["assignee_id", "status"]),
    ("desk_ticket", "plan_version_id", None),  # read only by PROTECT when a version goes
    ("core_auditevent", "object_type", ["object_type", "object_id"]),
    ("core_auditevent", "object_id", ["object_type", "object_id"]),
])
def test_no_single_column_index_where_a_composite_serves(table, column, composite):
    indexes = _indexes(table)
    assert [column] not in indexes
    if composite is not None:
        assert composite in indexes


def test_the_lookups_still_have_their_indexes():
    # The mail threading and the queue read by these; dropping them would be a slow page.
    tickets, entries = _indexes("desk_ticket"), _indexes("desk_ticketentry")
    assert ["reference"] in tickets and ["sla_check_at"] in tickets
    assert ["message_id"] in entries and ["ticket_id"] in entries
