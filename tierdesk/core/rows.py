"""Hand-written SQL for the few hot paths where writing a query costs more than running it:
model instances from SELECTs, and INSERTs of new instances.

Opening a ticket through the API reads a token with its user, a contact with its client and
site, and the client's current agreement: small indexed SELECTs that the database answers
in tens of microseconds, but that Django's query compiler needed up to a millisecond of CPU
each to write on this project's machine (bench/bench_api_tickets.py). `Columns` writes a
model's column list once and turns a row back into what the ORM would have returned: the
same from-database converters (SQLite's datetimes and JSON, for instance) and, for whole
rows, `Model.from_db`, so the instance is "from the database" and saving it updates.

Use it only where a benchmark shows the compiler is the cost, keep the SQL next to the
reader it serves, and test that reader against the ORM's answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import Model


class Columns:
    """The columns of `model` (all concrete fields, or the attnames in `names`) under the
    table alias `alias`: `sql()` for the SELECT list, `instance()` / `values()` for a row."""

    def __init__(self, model: type[Model], alias: str, names: Sequence[str] | None = None):
        self.model = model
        self.alias = alias
        if names is None:
            self.fields = tuple(model._meta.concrete_fields)
        else:
            by_attname = {f.attname: f for f in model._meta.concrete_fields}
            self.fields = tuple(by_attname[name] for name in names)
        self.whole = self.fields == tuple(model._meta.concrete_fields)
        self.attnames = [f.attname for f in self.fields]
        self.pk_index = next((i for i, f in enumerate(self.fields) if f.primary_key), None)
        self._sql: dict[str, str] = {}
        self._converters: dict[str, list] = {}

    def __len__(self) -> int:
        return len(self.fields)

    def sql(self, connection=None) -> str:
        """`alias."col", alias."col2", ...` for a SELECT list."""
        connection = connection or connections[DEFAULT_DB_ALIAS]
        vendor = connection.vendor
        if vendor not in self._sql:
            quote = connection.ops.quote_name
            self._sql[vendor] = ", ".join(f"{quote(self.alias)}.{quote(f.column)}"
                                          for f in self.fields)
        return self._sql[vendor]

    def _converters_for(self, connection) -> list:
        # As SQLCompiler.get_converters: the backend's converters, then the field's. They
        # depend on the backend and the settings only, so one list serves every thread.
        vendor = connection.vendor
        if vendor not in self._converters:
            converters = []
            for i, field in enumerate(self.fields):
                column = field.get_col(self.alias)
                found = (connection.ops.get_db_converters(column)
                         + column.get_db_converters(connection))
                if found:
                    converters.append((i, column, found))
            self._converters[vendor] = converters
        return self._converters[vendor]

    def values(self, row: Sequence, start: int = 0, connection=None) -> list:
        """The converted values of these columns, read from `row` at `start`."""
        connection = connection or connections[DEFAULT_DB_ALIAS]
        values = list(row[start:start + len(self.fields)])
        for i, column, converters in self._converters_for(connection):
            value = values[i]
            for converter in converters:
                value = converter(value, column, connection)
            values[i] = value
        return values

    def instance(self, row: Sequence, start: int = 0, connection=None):
        """The model instance in `row` at `start`; None when its primary key is NULL (a
        LEFT JOIN that found nothing). Needs all concrete fields (names=None)."""
        if not self.whole:
            raise TypeError("instance() needs every concrete field of the model")
        connection = connection or connections[DEFAULT_DB_ALIAS]
        if row[start + self.pk_index] is None:
            return None
        return self.model.from_db(connection.alias, self.attnames,
                                  self.values(row, start, connection))


def fetch_one(sql: str, params: Sequence, connection=None):
    """The first row of `sql`, or None."""
    connection = connection or connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


_INSERT_SQL: dict[tuple, str] = {}

# Field types whose get_db_prep_save returns a value of the matching Python type unchanged
# (CharField.to_python(str) is the str, int(int) the int, bool(bool) the bool, and NULL is
# NULL) and whose pre_save is the attribute: their values skip Django's per-field
# preparation, which was a third of an INSERT's CPU for a 40-column ticket. Subclasses
# (EmailField, JSONField, ...), auto_now dates and any other value type (a TextChoices
# member, a datetime, a Decimal) still take pre_save and get_db_prep_save.
_PLAIN_TYPES = {
    models.CharField: (str,), models.TextField: (str,), models.BooleanField: (bool,),
    **dict.fromkeys((models.IntegerField, models.BigIntegerField, models.SmallIntegerField,
                     models.PositiveIntegerField, models.PositiveSmallIntegerField,
                     models.PositiveBigIntegerField, models.AutoField,
                     models.BigAutoField), (int,)),
    **dict.fromkeys((models.DateTimeField, models.DateField, models.DecimalField), ()),
}
_NONE = type(None)


def _plain_types(field) -> tuple[type, ...]:
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return ()
    types = _PLAIN_TYPES.get(type(target))
    if types is None:
        return ()
    return (*types, _NONE) if field.null else types


def _insert_fields(meta) -> list:
    # What SQLInsertCompiler sends for new rows: every concrete column but the generated
    # primary key, which comes back through RETURNING.
    return [f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field]


_PLAN: dict[type, list] = {}


def _plan(model) -> list:
    """(field, attname, the value types that need no preparation, whether it is a
    DateTimeField) of each inserted column."""
    plan = _PLAN.get(model)
    if plan is None:
        plan = _PLAN[model] = [(f, f.attname, _plain_types(f), type(f) is models.DateTimeField)
                               for f in _insert_fields(model._meta)]
    return plan


def _datetime_adapter(connection):
    """What get_db_prep_save makes of an aware datetime in a DateTimeField, without its
    six calls per value (a ticket row has eight): SQLite stores the naive time in the
    connection's zone as text, psycopg takes the datetime itself. None: ask Django."""
    if connection.vendor == "sqlite" and connection.timezone is not None:
        zone = connection.timezone
        return lambda value: str(value.astimezone(zone).replace(tzinfo=None))
    if connection.vendor == "postgresql":
        return lambda value: value
    return None


class Insert:
    """An INSERT of `objs` — new instances of one model without a primary key — in one
    statement, its parameters prepared now and run by `execute()`: what
    `bulk_create(objs)` does, with the same value preparation (each field's pre_save, so
    auto_now/auto_now_add are set, then get_db_prep_save) and, like it, no signals.

    Preparing first lets a writer keep its transaction — SQLite's write lock — to the
    statements themselves. `fill(attname, value)` sets a column not known when prepared
    (a parent's primary key, inserted since) on every instance and row."""

    def __init__(self, objs: Sequence[Model], connection=None):
        # The thread's connection itself: the `django.db.connection` proxy looks it up
        # again on every attribute, and get_db_prep_save reads it once per column.
        self.connection = connection = connection or connections[DEFAULT_DB_ALIAS]
        self.objs = objs
        model = type(objs[0]) if objs else None
        if model is None:
            return
        meta = model._meta
        if meta.parents or meta.auto_field is None:
            raise TypeError(f"insert() takes models with their own auto primary key, not {model}")
        plan = _plan(model)
        self.fields = fields = [entry[0] for entry in plan]
        key = (model, connection.vendor, len(objs))
        sql = _INSERT_SQL.get(key)
        if sql is None:
            quote = connection.ops.quote_name
            row = "(" + ", ".join(["%s"] * len(fields)) + ")"
            sql = (f"INSERT INTO {quote(meta.db_table)} "
                   f"({', '.join(quote(f.column) for f in fields)}) "
                   f"VALUES {', '.join([row] * len(objs))} RETURNING {quote(meta.pk.column)}")
            _INSERT_SQL[key] = sql
        self.sql = sql
        self.params = params = []
        adapt = _datetime_adapter(connection)
        for obj in objs:
            if type(obj) is not model or obj.pk is not None:
                raise TypeError("insert() takes new instances of one model")
            for field, attname, types, is_datetime in plan:
                value = getattr(obj, attname)
                if type(value) not in types:
                    value = field.pre_save(obj, True)
                    if (is_datetime and adapt is not None and type(value) is dt.datetime
                            and value.tzinfo is not None):
                        value = adapt(value)
                    else:
                        value = field.get_db_prep_save(value, connection)
                params.append(value)

    def fill(self, attname: str, value) -> None:
        """Set `attname` to `value` on every instance and in every row's parameters, as
        given: a value the database takes unprepared (an integer key)."""
        (index,) = [i for i, f in enumerate(self.fields) if f.attname == attname]
        width = len(self.fields)
        for n, obj in enumerate(self.objs):
            setattr(obj, attname, value)
            self.params[n * width + index] = value

    def execute(self) -> None:
        """Run the INSERT in the caller's transaction and set the primary keys (in row
        order, through RETURNING: SQLite >= 3.35 and PostgreSQL)."""
        if not self.objs:
            return
        connection = self.connection
        with connection.cursor() as cursor:
            cursor.execute(self.sql, self.params)
            ids = cursor.fetchall()
        attname = self.objs[0]._meta.pk.attname
        for obj, (pk,) in zip(self.objs, ids, strict=True):
            setattr(obj, attname, pk)
            obj._state.adding = False
            obj._state.db = connection.alias


def insert(objs: Sequence[Model], connection=None) -> None:
    """INSERT `objs` now (see `Insert`) and set their primary keys."""
    Insert(objs, connection).execute()
