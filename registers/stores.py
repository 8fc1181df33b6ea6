"""This node's store: the row everything a node records belongs to.

Below services, voids and the store menu, which all need it (importing it
from services made them a cycle).
"""

from __future__ import annotations

from django.conf import settings

from registers.models import Store


def store_get_current() -> Store:
    """This node's store row, created with defaults on first use so a bare node still works."""
    store, _ = Store.objects.get_or_create(code=settings.POS_STORE, defaults={"name": settings.POS_STORE})
    return store
