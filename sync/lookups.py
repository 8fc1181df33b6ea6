"""``field__in=[…]`` with a long list, as SQLite reads it fastest: one JSON
parameter (``IN (SELECT value FROM json_each(%s))``) instead of a placeholder
per value.

A catch-up reads and updates its batch's orders, tickets and payments by id:
a dozen lookups of a few hundred ids each per thousand changes. Django
prepares each value of an ``__in`` list through four layers of calls (the
lookup, the field, expression checks, then SQLite's placeholder rewrite and
binding), which py-spy put at about a tenth of a catch-up's apply. The
values are still each prepared by their field, as Django does, so the same
ids match the same rows; only the way they travel changes.

Registered for every field (``In``) and every relation (``RelatedIn``) by
``sync.apps``. Elsewhere (PostgreSQL, HQ), with a short list, with an
expression among the values, or with a value the JSON form could change (a
float, a decimal, bytes), it is Django's own lookup unchanged.
"""

from __future__ import annotations

import json
from typing import Any

from django.db.models import ForeignObject
from django.db.models.fields import Field
from django.db.models.fields.related_lookups import RelatedIn
from django.db.models.lookups import In

# Below this many values the placeholders cost less than a JSON document.
JSON_FROM = 16


class _JsonList:
    """The mixin: a long list of plain values becomes one JSON parameter on SQLite."""

    def batch_process_rhs(self, compiler: Any, connection: Any, rhs: Any = None) -> Any:
        values = self.rhs if rhs is None else rhs  # type: ignore[attr-defined]
        if (
            connection.vendor == "sqlite"
            and len(values) >= JSON_FROM
            and not self.bilateral_transforms  # type: ignore[attr-defined]
            and not any(hasattr(v, "resolve_expression") for v in values)
        ):
            prepare = self.lhs.output_field.get_db_prep_value  # type: ignore[attr-defined]
            params = [prepare(v, connection, prepared=True) for v in values]
            # Text and integers come back from json_each as the very values
            # SQLite would bind; anything else (bool, float, bytes) keeps
            # its placeholders, and so does text with a NUL, which json_each
            # cuts there (tests/test_in_lookup.py).
            if all((type(p) is str and "\x00" not in p) or type(p) is int for p in params):
                return ["SELECT value FROM json_each(%s)"], [json.dumps(params)]
        return super().batch_process_rhs(compiler, connection, rhs)  # type: ignore[misc]


class JsonIn(_JsonList, In):
    pass


class JsonRelatedIn(_JsonList, RelatedIn):
    pass


def register() -> None:
    Field.register_lookup(JsonIn)
    ForeignObject.register_lookup(JsonRelatedIn)
