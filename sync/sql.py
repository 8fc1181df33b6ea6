"""Names for the few statements written in SQL of their own.

A handful of statements run in every write or request: the chain head of
each recording transaction (sync.services), a sale's ticket numbers
(stores.services), the caller's device (stores.selectors). Building each
through the ORM cost several times what the database took to answer it, so
they are written out; their table and column names still come from the
models, quoted for the connection, so a renamed field or table cannot leave
them behind.
"""

from __future__ import annotations

from django.db import connection, models


def quoted(model: type[models.Model], field: str | None = None) -> str:
    """``model``'s table (no ``field``) or the column of its field ``field``, quoted."""
    meta = model._meta
    if field is None:
        return connection.ops.quote_name(meta.db_table)
    [column] = [f.column or f.name for f in meta.concrete_fields if f.name == field]
    return connection.ops.quote_name(column)
