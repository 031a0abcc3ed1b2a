"""core/rows.py: hand-written SELECTs give back what the ORM would, and `insert` stores what
`bulk_create` would — on whichever database the tests run (SQLite converts datetimes, JSON
and decimals on the way out; PostgreSQL adapts JSON on the way in)."""

import pytest
from django.db import transaction

from tierdesk.core.factories import UserFactory
from tierdesk.core.models import AuditEvent, Role, User
from tierdesk.core.rows import Columns, Insert, fetch_one, insert

pytestmark = pytest.mark.django_db

EVENT = Columns(AuditEvent, "e")
ACTOR = Columns(User, "u")


def _values(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def _read(event_id):
    return fetch_one(
        f"SELECT {EVENT.sql()}, {ACTOR.sql()} FROM core_auditevent e "
        f"LEFT OUTER JOIN core_user u ON u.id = e.actor_id WHERE e.id = %s", [event_id])


def test_a_hand_read_row_is_the_instance_the_orm_reads():
    actor = UserFactory(username="ada", role="dispatcher")
    stored = AuditEvent.objects.create(actor=actor, action="x.done", object_type="x.y",
                                       object_id="7", object_repr="Y 7",
                                       changes={"status": ["new", "open"], "n": [1, 2.5]})
    row = _read(stored.pk)

    event = EVENT.instance(row)
    user = ACTOR.instance(row, len(EVENT))

    assert _values(event) == _values(AuditEvent.objects.get(pk=stored.pk))
    assert _values(user) == _values(User.objects.get(pk=actor.pk))
    assert event.created_at.tzinfo is not None and isinstance(event.changes, dict)
    assert (event._state.adding, event._state.db) == (False, "default")


def test_a_left_join_that_found_nothing_is_none_and_values_reads_a_subset():
    stored = AuditEvent.objects.create(action="x.done", object_type="x.y", object_id="1")
    row = _read(stored.pk)

    assert ACTOR.instance(row, len(EVENT)) is None
    stamp = Columns(AuditEvent, "e", names=("id", "created_at"))
    picked = fetch_one(f"SELECT {stamp.sql()} FROM core_auditevent e WHERE e.id = %s",
                       [stored.pk])
    assert stamp.values(picked) == [stored.pk, AuditEvent.objects.get(pk=stored.pk).created_at]
    with pytest.raises(TypeError):
        stamp.instance(picked)


def test_insert_stores_what_bulk_create_would_and_sets_the_keys_in_order():
    actor = UserFactory(username="grace")
    events = [AuditEvent(actor=actor, action=f"x.{i}", object_type="x.y", object_id=str(i),
                         changes={"i": [None, i]}) for i in range(3)]

    insert(events)

    assert all(e.pk is not None and not e._state.adding for e in events)
    assert [e.pk for e in events] == sorted(e.pk for e in events)
    for event in events:
        stored = AuditEvent.objects.get(pk=event.pk)
        assert event.created_at is not None  # auto_now_add ran, as in save()
        assert _values(stored) == _values(event)


def test_plain_values_and_the_rest_are_stored_as_the_orm_stores_them():
    # Strings, ints, bools and NULLs skip get_db_prep_save; a TextChoices member, a bool
    # in an integer column, a datetime and JSON take it. Both must store what save() does.
    actor = UserFactory(username="edsger")
    kwargs = dict(actor=actor, action=Role.OWNER, object_type="x.y", object_id="1",
                  object_repr="", message="plain text", changes={"a": [True, None]})
    by_orm = AuditEvent.objects.create(**kwargs)
    by_rows = AuditEvent(**kwargs)

    insert([by_rows])

    orm, rows = (_values(AuditEvent.objects.get(pk=e.pk)) for e in (by_orm, by_rows))
    for key in ("id", "created_at"):
        del orm[key], rows[key]
    assert rows == orm
    assert type(AuditEvent.objects.get(pk=by_rows.pk).action) is str


def test_a_prepared_insert_takes_a_key_filled_in_later():
    actor = UserFactory(username="barbara")
    events = [AuditEvent(action="x.prepared", object_type="x.y", object_id=str(i))
              for i in range(2)]
    prepared = Insert(events)  # the actor is not known yet

    prepared.fill("actor_id", actor.pk)
    prepared.execute()

    assert all(e.actor_id == actor.pk for e in events)
    assert set(AuditEvent.objects.filter(action="x.prepared")
               .values_list("actor_id", flat=True)) == {actor.pk}


def test_insert_takes_only_new_instances_of_one_model():
    saved = AuditEvent.objects.create(action="x", object_type="x.y", object_id="1")
    with pytest.raises(TypeError):
        insert([saved])
    with pytest.raises(TypeError):
        insert([AuditEvent(action="x", object_type="x.y", object_id="1"),
                UserFactory.build(username="mixed")])


def test_insert_runs_inside_the_callers_transaction():
    with pytest.raises(RuntimeError), transaction.atomic():
        insert([AuditEvent(action="x.rolled_back", object_type="x.y", object_id="1")])
        raise RuntimeError
    assert not AuditEvent.objects.filter(action="x.rolled_back").exists()


def test_datetimes_are_prepared_as_get_db_prep_save_prepares_them():
    # Aware datetimes in DateTimeFields take a shortcut (the database's own adaptation);
    # its parameters must be Django's, in any zone, with and without microseconds.
    import datetime as dt
    from zoneinfo import ZoneInfo

    from django.db import connection

    from tierdesk.desk.models import Ticket

    for at in (dt.datetime(2026, 3, 8, 1, 59, 59, 999999, tzinfo=ZoneInfo("America/New_York")),
               dt.datetime(2026, 11, 1, 6, 0, tzinfo=dt.UTC),
               dt.datetime(2026, 7, 1, 12, 0, 0, 5, tzinfo=dt.timezone(dt.timedelta(hours=9)))):
        ticket = Ticket(reference="TD-TEST01", opened_at=at, first_response_due_at=at,
                        sla_targets={}, created_at=at, updated_at=at)
        prepared = Insert([ticket], connection)
        expected = [f.get_db_prep_save(f.pre_save(ticket, True), connection)
                    for f in prepared.fields]
        for field, got, want in zip(prepared.fields, prepared.params, expected, strict=True):
            if field.attname in ("created_at", "updated_at"):
                continue  # auto_now: each preparation takes the time again
            if field.get_internal_type() == "DateTimeField":
                assert got == want and type(got) is type(want), field.attname
        assert prepared.params[[f.attname for f in prepared.fields].index("opened_at")] in (
            at, str(at.astimezone(dt.UTC).replace(tzinfo=None)))
