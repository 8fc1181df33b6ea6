"""Statements written in SQL of their own, and the names they use.

A handful of statements run in every write or request: the chain head of
each recording transaction (sync.services), a sale's ticket numbers
(stores.services), the caller's device (stores.selectors), and the
projectors' "which of these orders have X" reads (``values_in``). Building
each through the ORM cost several times what the database took to answer
it, so they are written out; their table and column names still come from
the models, quoted for the connection, so a renamed field or table cannot
leave them behind.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection, connections, models

from sync.lookups import one_parameter

M = TypeVar("M", bound=models.Model)


def quoted(model: type[models.Model], field: str | None = None) -> str:
    """``model``'s table (no ``field``) or the column of its field ``field``, quoted."""
    meta = model._meta
    if field is None:
        return connection.ops.quote_name(meta.db_table)
    [column] = [f.column or f.name for f in meta.concrete_fields if f.name == field]
    return connection.ops.quote_name(column)


class _Shape:
    """One ``values_in`` statement, worked out once per model, columns and key."""

    def __init__(self, model: type[models.Model], columns: tuple[str, ...], key: str) -> None:
        meta = model._meta
        self.key = _column(model, key)
        stored = self.key.target_field if isinstance(self.key, models.ForeignKey) else self.key
        if stored.get_internal_type() not in _KEYS:
            raise TypeError(f"{model.__name__}.{key}: values_in looks up ids and text only")
        targets = [_column(model, name) for name in columns]
        table = connection.ops.quote_name(meta.db_table)
        selected = ", ".join(connection.ops.quote_name(str(f.column)) for f in targets)
        column = connection.ops.quote_name(str(self.key.column))
        self.sql = f"SELECT {selected} FROM {table} WHERE {column} IN "
        # What Django's compiler does to each value it reads (SQLite's text
        # UUIDs and times, booleans as 0/1, JSON), through the same converters.
        self.expressions = [f.get_col(meta.db_table) for f in targets]
        self.converters = [
            [*connection.ops.get_db_converters(col), *col.get_db_converters(connection)] for col in self.expressions
        ]


def _column(model: type[models.Model], name: str) -> models.Field:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.column:
        raise TypeError(f"{model.__name__}.{name} is not a column")
    return field


# Key types whose values travel as they are: a uuid[] or text[] array, or JSON text on SQLite.
_KEYS = {"UUIDField", "CharField", "TextField"}

_shapes: dict[tuple[str, type[models.Model], tuple[str, ...], str], _Shape] = {}


def values_in(model: type[models.Model], columns: tuple[str, ...], key: str, values: Iterable[Any]) -> list[tuple[Any, ...]]:
    """``model.objects.filter(<key>__in=values).values_list(*columns)``, rows in no order.

    Every projector of a sale asks one of these of a batch of orders (is it
    on record, its voids, its payments, its tickets): a few dozen per upload
    at HQ, each built by the ORM in about 0.5 ms against 40 µs to send it.
    Here the statement is built once; each value is prepared by its key
    field as the ORM would, and each value read converted as the ORM would.
    Only a key whose values are ids or text (_KEYS)."""
    # The connection itself, not the proxy: each attribute read through
    # ``django.db.connection`` looks the connection up again (an asgiref
    # Local), and a key field reads the connection's features once per value.
    db = connections[DEFAULT_DB_ALIAS]
    shape = _shapes.get((db.vendor, model, columns, key))
    if shape is None:
        shape = _shapes[(db.vendor, model, columns, key)] = _Shape(model, columns, key)
    prepare = shape.key.get_db_prep_value
    values = list(values)
    prepared = [prepare(value, db, prepared=False) for value in values]
    if not prepared:
        return []
    carried = one_parameter(prepared, db.vendor, text=True)
    if carried is None:
        # Values that cannot travel in one parameter (text with a NUL on SQLite): the ORM's own lookup.
        return list(model._default_manager.filter(**{f"{key}__in": values}).values_list(*columns))
    subquery, param = carried
    with db.cursor() as cursor:
        cursor.execute(f"{shape.sql}({subquery})", [param])
        rows = cursor.fetchall()
    if not any(shape.converters):
        return rows
    converted = []
    for row in rows:
        values_read = list(row)
        for i, converters in enumerate(shape.converters):
            for convert in converters:
                values_read[i] = convert(values_read[i], shape.expressions[i], db)
        converted.append(tuple(values_read))
    return converted


def rows_in(model: type[M], key: str, values: Iterable[Any]) -> list[M]:
    """``list(model.objects.filter(<key>__in=values))``, rows in no order:
    each made by ``Model.from_db`` from ``values_in``'s row of every column,
    as the ORM loads a row (nothing deferred, converters applied). Reading
    back an order a register just placed (its lines, payments, refunds and
    void) through querysets and prefetch_related took 1.24 ms of CPU, about
    a seventh of the order POST; with this, 0.41 ms."""
    names = _attnames.get(model)
    if names is None:
        names = _attnames[model] = tuple(f.attname for f in model._meta.concrete_fields)
    return [model.from_db(connection.alias, names, row) for row in values_in(model, names, key, values)]


_attnames: dict[type[models.Model], tuple[str, ...]] = {}
