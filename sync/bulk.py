"""Inserting many rows at once, as fast as the database takes them.

On PostgreSQL (HQ) ``rows_insert`` streams the rows with COPY, however few.
Profiling HQ's ingest (README, HQ figures) showed ``bulk_create`` spending
about half of an applied change's time outside the database: Django 5.2
sends a bulk insert as ``INSERT … SELECT * FROM UNNEST(%s::type[], …)``, and
psycopg's client-side binding quotes each of those arrays element by element
in Python. COPY takes the same values through psycopg's C dumpers and skips
parsing a statement as long as the batch. A multi-row VALUES insert cost
more even for one row (CPU and wall time, measured for 1 to 7 rows):
psycopg splits its text in Python on each execute (it caches none over 4 KB),
about a fifth of HQ's CPU at lunch, when each store's upload is a few
changes. Elsewhere (SQLite at stores) it is a plain multi-row INSERT of
values the fields prepare, as ``bulk_create`` would send.

Defaults and ``auto_now_add`` stamps are Django's own (the field's pre_save,
once per statement), and JSON is the text the field would send; a
value the column's type cannot take, or a duplicate key, raises Django's
DataError or IntegrityError as ``bulk_create`` would, and aborts the
transaction the same way.
What COPY does not give back is the ids the database makes: rows whose
primary key is an AutoField left unset go through ``bulk_create``, unless the
caller says it never reads those ids (``ids_unread``).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any, TypeVar

from django.conf import settings
from django.db import connections, models, router
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init

M = TypeVar("M", bound=models.Model)

class _Blueprint:
    """What ``Model(**values)`` does for a model, worked out once: each
    concrete field's default, and which defaults must be made per row."""

    def __init__(self, model: type[models.Model]) -> None:
        fields = model._meta.concrete_fields
        self.names = frozenset(f.attname for f in fields)
        self.static: dict[str, Any] = {}
        self.made: list[tuple[str, Callable[[], Any]]] = []
        for f in fields:
            if f.has_default() and callable(f.default) or f.db_default is not models.NOT_PROVIDED:
                self.made.append((f.attname, f.get_default))
            else:
                # A constant default, or none: the field's own answer (None, or
                # "" for a text column that is not null), the same object each time, as Django gives it.
                self.static[f.attname] = f.get_default()
        # A receiver of pre_init/post_init would expect to see the row made: Django's way then.
        self.plain = not (pre_init.has_listeners(model) or post_init.has_listeners(model))


_blueprints: dict[type[models.Model], _Blueprint] = {}


def row_new(model: type[M], values: dict[str, Any]) -> M:
    """``model(**values)`` for a new row that a projection writes in bulk:
    the same field values, without Model.__init__'s walk over every field
    and keyword (a ticket took 26 µs, most of routing an order at HQ).
    ``values`` are by column attribute name (``order_id``, not ``order``);
    any other name is a TypeError, as Django's own constructor raises."""
    blueprint = _blueprints.get(model)
    if blueprint is None:
        blueprint = _blueprints[model] = _Blueprint(model)
    if not blueprint.plain:
        return model(**values)
    if not blueprint.names.issuperset(values):
        raise TypeError(f"{model.__name__} has no field(s) {sorted(set(values) - blueprint.names)}")
    obj = model.__new__(model)
    state = obj.__dict__
    state.update(blueprint.static)
    for name, make in blueprint.made:
        if name not in values:
            state[name] = make()
    state.update(values)
    obj._state = ModelState()
    return obj


def rows_insert(model: type[M], objs: Sequence[M], *, ids_unread: bool = False) -> None:
    """Insert ``objs`` (all new rows of ``model``) in one statement. With
    ``ids_unread`` the database's own ids are not set on ``objs``."""
    if not objs:
        return
    alias, connection, meta, pk = _table(model)
    unset = sum(getattr(obj, pk.attname) is None for obj in objs)
    db_ids = unset == len(objs) and ids_unread and isinstance(pk, models.AutoField | models.BigAutoField)
    if unset and not db_ids:
        model._default_manager.using(alias).bulk_create(objs)  # it sets the ids the database makes
        return
    fields = [f for f in meta.concrete_fields if not (db_ids and f is pk)]
    if connection.vendor == "postgresql":
        _copy_insert(connection, meta, fields, objs)
    else:
        _values_insert(connection, meta, fields, objs)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = alias


def _table(model: type[models.Model]) -> tuple[str, Any, Any, models.Field]:
    """(alias, connection, meta, primary key) where ``model``'s rows are written."""
    alias = router.db_for_write(model)
    pk = model._meta.pk
    assert pk is not None
    return alias, connections[alias], model._meta, pk


def _values_insert(connection: Any, meta: Any, fields: list[models.Field], objs: Sequence[models.Model]) -> None:
    """One ``INSERT … VALUES (…), (…)`` per as many rows as the database takes
    parameters, each value prepared by its field as ``bulk_create`` does
    (``get_db_prep_save``), without the compiler's expression machinery
    around it: about a quarter of a SQLite store's order placement went there."""
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    table = connection.ops.quote_name(meta.db_table)
    # SQLite's own placeholder: its Django cursor rewrites every "%s" of a
    # statement to "?" with a regex on each execute (about 1 µs a row here).
    # Not while queries are logged (DEBUG, or a test counting them): Django
    # renders the logged statement with "%", which a "?" breaks.
    mark = "?" if connection.vendor == "sqlite" and not connection.queries_logged else "%s"
    row = "(" + ", ".join([mark] * len(fields)) + ")"
    per = max(1, connection.ops.bulk_batch_size(fields, objs))
    prepare = [_prepared(f, connection) for f in fields]
    with connection.cursor() as cursor:
        for start in range(0, len(objs), per):
            chunk = objs[start:start + per]
            params = [prep(obj) for obj in chunk for prep in prepare]
            cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {', '.join([row] * len(chunk))}", params)


def _prepared(field: models.Field, connection: Any) -> Callable[[models.Model], Any]:
    """How one column's value is prepared: ``get_db_prep_save``, or on SQLite
    for a value of the exact type a stock field holds, what that method would
    return, without its layers of calls (about a quarter of a catch-up's apply time
    went to them; tests/test_bulk_insert.py checks the two agree)."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return _stamp(field, lambda value: field.get_db_prep_save(value, connection=connection))
    attname = field.attname
    if connection.vendor == "sqlite" and (text := _json_text(field, connection)) is not None:
        return text
    exact = _EXACT[connection.vendor](field, connection) if connection.vendor in _EXACT else None
    if exact is None:
        return lambda obj: field.get_db_prep_save(getattr(obj, attname), connection=connection)
    kind, convert = exact

    def prepared(obj: models.Model) -> Any:
        value = getattr(obj, attname)
        if type(value) is kind:
            done = convert(value)
            if done is not _SLOW:
                return done
        elif value is None:
            return None  # NULL, as each of these fields stores it (a row's unset times and keys: most of its columns)
        return field.get_db_prep_save(value, connection=connection)
    return prepared


_SLOW = object()  # a converter's "this one goes through the field"


def _same(value: Any) -> Any:
    return value


# Stock fields whose value of that exact type is stored as it is (bool is not int: exact types only).
_STORED_AS_IS: dict[type, type] = {
    models.AutoField: int, models.BigAutoField: int, models.SmallAutoField: int,
    models.IntegerField: int, models.BigIntegerField: int, models.SmallIntegerField: int,
    models.PositiveIntegerField: int, models.PositiveBigIntegerField: int, models.PositiveSmallIntegerField: int,
    models.CharField: str, models.TextField: str, models.BooleanField: bool,
}


def _sqlite_exact(field: models.Field, connection: Any) -> tuple[type, Callable[[Any], Any]] | None:
    """(the value's exact type, what SQLite's backend makes of it) for a stock
    field, or None: subclasses and custom fields go through the field."""
    kind = type(field)
    if kind in (models.ForeignKey, models.OneToOneField):
        target = field.target_field  # type: ignore[attr-defined]
        # A blank string key is stored as NULL by the field: only int and UUID keys here.
        return _sqlite_exact(target, connection) if type(target) is not models.CharField else None
    if kind in _STORED_AS_IS:
        return _STORED_AS_IS[kind], _same
    if kind is models.UUIDField:
        return uuid.UUID, attrgetter("hex")  # SQLite has no UUID type: the field stores the hex
    if kind is models.DateField:
        return dt.date, dt.date.isoformat  # str(date), as adapt_datefield_value
    if kind is models.DateTimeField and settings.USE_TZ:
        zone = connection.timezone

        def naive_text(value: dt.datetime) -> Any:
            # An aware time in the connection's zone, as adapt_datetimefield_value
            # (str: no fraction when it is zero); a naive one goes through the field's warning.
            return _SLOW if value.utcoffset() is None else str(value.astimezone(zone).replace(tzinfo=None))
        return dt.datetime, naive_text
    return None


def _postgres_exact(field: models.Field, connection: Any) -> tuple[type, Callable[[Any], Any]] | None:
    """As ``_sqlite_exact``, for PostgreSQL (HQ), where ``rows_update`` sends
    its values with the statement: psycopg takes
    text, booleans, UUIDs, dates and aware times as they are, and an integer
    in the psycopg type Django gives it (Int4 for an IntegerField, …)."""
    kind = type(field)
    if kind in (models.ForeignKey, models.OneToOneField):
        target = field.target_field  # type: ignore[attr-defined]
        return _postgres_exact(target, connection) if type(target) is not models.CharField else None
    if kind in (models.AutoField, models.BigAutoField, models.SmallAutoField):
        return int, _same  # an auto key is validated, not adapted
    if _STORED_AS_IS.get(kind) is int:
        wrap = getattr(connection.ops, "integerfield_type_map", {}).get(field.get_internal_type())
        return (int, wrap) if wrap is not None else None
    if kind in _STORED_AS_IS:
        return _STORED_AS_IS[kind], _same
    if kind is models.UUIDField:
        return uuid.UUID, _same
    if kind is models.DateField:
        return dt.date, _same
    if kind is models.DateTimeField and settings.USE_TZ:
        # A naive time goes through the field, which warns and makes it aware.
        return dt.datetime, lambda value: _SLOW if value.utcoffset() is None else value
    return None


_EXACT = {"sqlite": _sqlite_exact, "postgresql": _postgres_exact}


def _copy_insert(connection: Any, meta: Any, fields: list[models.Field], objs: Sequence[models.Model]) -> None:
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    sql = f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN"
    getters = [_getter(f, connection) for f in fields]
    rows = [tuple(get(obj) for get in getters) for obj in objs]
    with connection.cursor() as cursor, connection.wrap_database_errors:
        with cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)


def _getter(field: models.Field, connection: Any) -> Callable[[models.Model], Any]:
    """How one column's value is read off a row. Field preparation was most of
    bulk_create's Python time; COPY sends text that PostgreSQL parses by the
    column's type, so a plain value needs none: only JSON (its text) and
    ``auto_now`` stamps are made here."""
    if field.get_internal_type() == "JSONField":
        # COPY's text of a jsonb column is the JSON itself, as psycopg's Jsonb would dump it.
        text = _json_text(field, connection)
        return text if text is not None else lambda obj: field.get_db_prep_save(getattr(obj, field.attname), connection=connection)
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return _stamp(field, lambda value: value)
    return attrgetter(field.attname)


def _json_text(field: models.Field, connection: Any) -> Callable[[models.Model], Any] | None:
    """A stock JSONField's dict or list as the text the field would give the
    database (``json.dumps``, as adapt_json_value and psycopg's Jsonb do),
    without its layers of calls; None for a field with an encoder of its own."""
    if type(field) is not models.JSONField or field.encoder is not None:
        return None
    attname = field.attname

    def json_text(obj: models.Model) -> Any:
        value = getattr(obj, attname)
        if type(value) is dict or type(value) is list:
            return json.dumps(value)
        return field.get_db_prep_save(value, connection=connection)
    return json_text


def _stamp(field: models.Field, prepare: Callable[[Any], Any]) -> Callable[[models.Model], Any]:
    """An ``auto_now``/``auto_now_add`` column: stamped by the field's own
    pre_save on the first row and given to the others, one stamp per
    statement. A stamp per row read the clock and settings (USE_TZ) each
    time: about 2 % of HQ's ingest (py-spy)."""
    stamp: list[Any] = []

    def stamped(obj: models.Model) -> Any:
        if not stamp:
            value = field.pre_save(obj, True)
            stamp.append((value, prepare(value)))
        else:
            setattr(obj, field.attname, stamp[0][0])
        return stamp[0][1]
    return stamped


def rows_update(model: type[M], objs: Sequence[M], fields: Sequence[str]) -> None:
    """Write ``fields`` of ``objs`` (rows of ``model`` already stored) by
    primary key, a row given twice taking its last values. Django's
    ``bulk_update`` builds a CASE expression per row and field instead:
    most of a catch-up's time folding ticket bumps went there. SQLite takes
    one UPDATE per row (``executemany``: one statement prepared once); on
    PostgreSQL each of those is parsed and planned on its own (8 ms for an
    upload's 120 orders at HQ), so the rows go as one array per column in
    a single statement."""
    if not objs:
        return
    _, connection, meta, pk = _table(model)
    columns = [field for field in meta.concrete_fields if field.name in fields or field.attname in fields]
    assert len(columns) == len(fields), f"not columns of {meta.label}: {fields}"
    qn = connection.ops.quote_name
    prepare = [_prepared(f, connection) for f in columns]
    key = _prepared(pk, connection)
    table = qn(meta.db_table)
    if connection.vendor == "postgresql":
        last = {key(obj): obj for obj in objs}
        arrays = ", ".join(f"%s::{_array_type(f, connection)}" for f in [*columns, pk])
        names = ", ".join(f"c{i}" for i in range(len(columns)))
        sets = ", ".join(f"{qn(str(f.column))} = v.c{i}" for i, f in enumerate(columns))
        sql = f"UPDATE {table} SET {sets} FROM unnest({arrays}) AS v({names}, k) WHERE {table}.{qn(str(pk.column))} = v.k"
        with connection.cursor() as cursor:
            cursor.execute(sql, [[prep(obj) for obj in last.values()] for prep in prepare] + [list(last)])
        return
    sets = ", ".join(f"{qn(str(f.column))} = %s" for f in columns)
    sql = f"UPDATE {table} SET {sets} WHERE {qn(str(pk.column))} = %s"
    params = [[prep(obj) for prep in prepare] + [key(obj)] for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _array_type(field: models.Field, connection: Any) -> str:
    """The PostgreSQL array type a column's values travel in: the column's
    own, but text for a bounded one (a cast to varchar(n) would cut a value
    that is too long where assigning it to the column refuses it)."""
    db_type = field.rel_db_type(connection) if field.is_relation else field.db_type(connection)
    assert db_type is not None
    return ("text" if db_type.startswith("varchar") else db_type) + "[]"
