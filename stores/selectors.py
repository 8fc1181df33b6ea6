"""Reads about stores."""

from __future__ import annotations

from stores.models import Store


def store_sync_key(store: str) -> str | None:
    """The key the nodes of ``store`` sign sync calls with, as HQ knows it (sync.hooks)."""
    return Store.objects.filter(code=store).exclude(sync_key="").values_list("sync_key", flat=True).first()
