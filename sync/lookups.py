"""``field__in=[…]`` with a long list in one parameter instead of a
placeholder per value: a JSON array on SQLite (``IN (SELECT value FROM
json_each(%s))``), a uuid[] array of ids on PostgreSQL (``IN (SELECT
unnest(%s::uuid[]))``).

A catch-up reads and updates its batch's orders, tickets and payments by id:
a dozen lookups of a few hundred ids each per thousand changes. Django
prepares each value of an ``__in`` list through four layers of calls (the
lookup, the field, expression checks, then SQLite's placeholder rewrite and
binding), which py-spy put at about a tenth of a catch-up's apply. The
values are still each prepared by their field, as Django does, so the same
ids match the same rows; only the way they travel changes.

HQ's ingest does the same lookups, and psycopg quotes each placeholder's
value in Python (client-side binding) where an array of ids is one value.

Registered for every field (``In``) and every relation (``RelatedIn``) by
``sync.apps``. With a short list, with an expression among the values, with
a value the JSON form could change (a float, a decimal, bytes, text with a
NUL) or, on PostgreSQL, with anything but ids, it is Django's own lookup
unchanged.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.db.models import ForeignObject
from django.db.models.fields import Field
from django.db.models.fields.related_lookups import RelatedIn
from django.db.models.lookups import In

# From this many values on, one parameter costs less than a placeholder
# each (Django's lookup, then the driver): measured per query of 16, 40 and
# 200 ids, SQLite gains 5 % at 40 and 13 % at 200; psycopg's array has a
# cost of its own, so PostgreSQL loses 5-10 % at 16 and 40 and gains 20 % at
# 200. HQ's uploads of a few hundred changes read lists of over a hundred;
# a group commit of 16 orders keeps Django's lookup.
ONE_PARAMETER_FROM = {"sqlite": 32, "postgresql": 100}


class _OneParameter:
    """The mixin: a long list of plain values becomes one parameter."""

    def batch_process_rhs(self, compiler: Any, connection: Any, rhs: Any = None) -> Any:
        values = self.rhs if rhs is None else rhs  # type: ignore[attr-defined]
        if (
            len(values) >= ONE_PARAMETER_FROM.get(connection.vendor, 2**62)
            and not self.bilateral_transforms  # type: ignore[attr-defined]
            and not any(hasattr(v, "resolve_expression") for v in values)
        ):
            prepare = self.lhs.output_field.get_db_prep_value  # type: ignore[attr-defined]
            carried = one_parameter([prepare(v, connection, prepared=True) for v in values], connection.vendor)
            if carried is not None:
                subquery, param = carried
                return [subquery], [param]
        return super().batch_process_rhs(compiler, connection, rhs)  # type: ignore[misc]


def one_parameter(prepared: list[Any], vendor: str, *, text: bool = False) -> tuple[str, Any] | None:
    """(a subquery of the values, its one parameter) for values already
    prepared by their field, or None when they cannot travel so.

    On PostgreSQL a uuid column's values are UUIDs by now (its native type):
    one array, typed, so the index on the column serves it; text too with
    ``text`` (as text[], not varchar(n)[], whose cast would cut a longer
    value into one that matches). On SQLite text and integers come back
    from json_each as the very values it would bind; anything else (bool,
    float, bytes) cannot, nor can text with a NUL, which json_each cuts
    there (tests/test_in_lookup.py)."""
    if vendor == "postgresql":
        if all(type(p) is uuid.UUID for p in prepared):
            # The array's text ('{hex,hex,…}'), one string to bind: psycopg
            # dumps a list element by element in Python, 2.6 µs an id against
            # 0.3 µs for its hex (measured for 240 ids a statement, as HQ's
            # uploads read them). PostgreSQL reads a UUID from 32 hex digits.
            return "SELECT unnest(%s::uuid[])", "{" + ",".join([p.hex for p in prepared]) + "}"
        if text and all(type(p) is str for p in prepared):
            return "SELECT unnest(%s::text[])", prepared
        return None
    if vendor == "sqlite" and all((type(p) is str and "\x00" not in p) or type(p) is int for p in prepared):
        return "SELECT value FROM json_each(%s)", json.dumps(prepared)
    return None


class OneParameterIn(_OneParameter, In):
    pass


class OneParameterRelatedIn(_OneParameter, RelatedIn):
    pass


def register() -> None:
    Field.register_lookup(OneParameterIn)
    ForeignObject.register_lookup(OneParameterRelatedIn)
