"""Writes about stores: this node's own store row."""

from __future__ import annotations

from django.conf import settings

from stores.models import Store


def store_get_current() -> Store:
    """This node's store row, created with defaults on first use so a bare node still works."""
    store, _ = Store.objects.get_or_create(code=settings.POS_STORE, defaults={"name": settings.POS_STORE})
    return store
