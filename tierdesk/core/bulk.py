"""Plain-row inserts for the few jobs that write hundreds of thousands of rows at once.

Building a model instance per row for `bulk_create` costs more than the database's own
work at that size (maintenance generation writes ~440,000 work orders for 10,000
agreements), so these take tuples in column order: COPY on PostgreSQL (through a temporary
table and INSERT ... ON CONFLICT DO NOTHING when a row collides), executemany INSERT OR
IGNORE on SQLite. Both skip rows that collide with a unique constraint, which is what makes the
callers idempotent. Values must be ready for the column: aware datetimes, dates, Decimals,
JSON already dumped to a string.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import IntegrityError, connection, transaction
from psycopg.copy import QueuedLibpqWriter

#: Rows per COPY write: big enough to amortise a write, small enough to overlap the server.
CHUNK = 5000


class Fragment(tuple):
    """Consecutive column values that many rows share (a row may hold one in place of
    those columns): formatted once per insert instead of once per row."""


def insert_ignoring_conflicts(table: str, columns: Sequence[str], rows: list[tuple]) -> None:
    """Insert `rows` into `table`, silently skipping the ones a unique constraint refuses.
    Runs inside the caller's transaction."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        _copy_ignoring_conflicts(table, columns, rows)
        return
    names = ", ".join(columns)
    marks = ", ".join(["%s"] * len(columns))
    adapted: dict = {}  # rows repeat the same few dates and times
    with connection.wrap_database_errors, connection.cursor() as cursor:
        cursor.executemany(f"INSERT OR IGNORE INTO {table} ({names}) VALUES ({marks})",
                           [tuple(_sqlite_value(v, adapted) for v in flat(row))
                            for row in rows])


def flat(row: tuple) -> tuple:
    """The row's column values, its fragments expanded."""
    if not any(type(v) is Fragment for v in row):
        return row
    return tuple(x for v in row for x in (v if type(v) is Fragment else (v,)))


def _copy_lines(rows, memo: dict, ids=None) -> str:
    """Rows as lines of COPY's text format (with a leading id column when `ids`). `memo`
    is shared by one insert's calls: values by value, fragments by identity (the rows keep
    each fragment alive for as long)."""
    fragments: dict[int, str] = memo.setdefault(Fragment, {})

    def text(v):
        if type(v) is Fragment:
            found = fragments.get(id(v))
            if found is None:
                found = fragments[id(v)] = "\t".join([_copy_text(x, memo) for x in v])
            return found
        return _copy_text(v, memo)

    if ids is None:
        return "".join("\t".join([text(v) for v in row]) + "\n" for row in rows)
    return "".join("\t".join([str(pk), *(text(v) for v in row)]) + "\n"
                   for pk, row in zip(ids, rows, strict=True))


def insert_with_ids(table: str, columns: Sequence[str], rows: list[tuple]) -> list[int] | None:
    """PostgreSQL: insert `rows` with ids drawn from the table's own sequence first (COPY
    returns none); the ids in row order, so the caller need not read the rows back. None
    when that is not possible — on SQLite, or when another run inserted some of the rows
    meanwhile — after inserting what is missing as insert_ignoring_conflicts does."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        insert_ignoring_conflicts(table, columns, rows)
        return None
    memo: dict = {}
    try:
        with transaction.atomic(), connection.wrap_database_errors, \
                connection.cursor() as cursor:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))"
                           " FROM generate_series(1, %s)", [table, len(rows)])
            ids = sorted(pk for (pk,) in cursor.fetchall())
            _copy(cursor, f"COPY {table} (id, {', '.join(columns)}) FROM STDIN",
                  (_copy_lines(rows[at:at + CHUNK], memo, ids[at:at + CHUNK])
                   for at in range(0, len(rows), CHUNK)))
        return ids
    except IntegrityError:
        insert_ignoring_conflicts(table, columns, rows)
        return None


def _copy_ignoring_conflicts(table: str, columns: Sequence[str], rows: list[tuple]) -> None:
    """PostgreSQL: COPY straight into the table, which is all a run finds when no other
    run wrote the same rows meanwhile. If one did, COPY fails on the unique constraint:
    the savepoint is rolled back and the rows go through a temporary table and
    INSERT ... SELECT ... ON CONFLICT DO NOTHING instead."""
    names = ", ".join(columns)
    # COPY's text format, written here: psycopg's write_row adapts value by value
    # (~60 µs a row); the rows repeat the same long JSON and the same instants.
    memo: dict = {}
    pending = (_copy_lines(rows[at:at + CHUNK], memo) for at in range(0, len(rows), CHUNK))
    chunks: list[str] = []  # what was sent, kept for the fallback

    def kept():
        for chunk in pending:
            chunks.append(chunk)
            yield chunk

    try:
        with transaction.atomic(), connection.wrap_database_errors, \
                connection.cursor() as cursor:
            _copy(cursor, f"COPY {table} ({names}) FROM STDIN", kept())
        return
    except IntegrityError:
        chunks.extend(pending)  # whatever the failed COPY had not reached
    with connection.wrap_database_errors, connection.cursor() as cursor:
        # Only the named columns, without constraints: the id comes from the table.
        temp = f"_bulk_{table}_{len(columns)}"
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {temp} AS "
                       f"SELECT {names} FROM {table} WITH NO DATA")
        cursor.execute(f"TRUNCATE {temp}")
        _copy(cursor, f"COPY {temp} ({names}) FROM STDIN", chunks)
        cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {temp} "
                       f"ON CONFLICT DO NOTHING")
        cursor.execute(f"TRUNCATE {temp}")


def _copy(cursor, statement: str, chunks) -> None:
    """Run a COPY ... FROM STDIN of the text chunks. The writes are queued to a thread
    that sends them while this one formats the next chunk, so the server works on one
    chunk while Python builds the next (about a fifth off a 440,000-row insert)."""
    with cursor.cursor.copy(statement, writer=QueuedLibpqWriter(cursor.cursor)) as copy:
        for chunk in chunks:
            copy.write(chunk)


_ADAPTED_TYPES = (dt.datetime, dt.date, dt.time)


def _sqlite_value(value, adapted: dict):
    # What Django's SQLite backend stores: naive UTC "YYYY-MM-DD HH:MM:SS[.ffffff]".
    if type(value) not in _ADAPTED_TYPES:
        return value
    try:
        return adapted[value]
    except KeyError:
        if type(value) is dt.datetime:
            text = str(value.astimezone(dt.UTC).replace(tzinfo=None))
        else:
            text = value.isoformat()
        adapted[value] = text
        return text


def _copy_text(value, memo: dict) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    kind = type(value)
    if kind is bool:
        return "t" if value else "f"
    if kind is int:
        return str(value)
    try:
        return memo[value]
    except (KeyError, TypeError):
        pass
    if kind is str:
        text = (value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
                .replace("\r", "\\r"))
    elif kind in _ADAPTED_TYPES:
        text = value.isoformat()  # aware datetimes keep their offset
    else:
        text = str(value)
    memo[value] = text
    return text


def relax_commit() -> None:
    """On PostgreSQL, let the current transaction commit without waiting for its WAL flush
    (SET LOCAL: this transaction only). For jobs whose batches a rerun rebuilds exactly: a
    database crash may lose the last few committed batches, and the rerun writes them
    again. Everything else commits durably."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
