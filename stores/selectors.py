"""Reads about stores."""

from __future__ import annotations

from django.conf import settings

from stores.models import Device, Store


def store_sync_key(store: str) -> str | None:
    """The key the nodes of ``store`` sign sync calls with, as HQ knows it (sync.hooks)."""
    return Store.objects.filter(code=store).exclude(sync_key="").values_list("sync_key", flat=True).first()


def devices_live(token_hashes: list[str]) -> set[str]:
    """Of these token digests, the ones whose device may still connect (as
    security.selectors.device_by_token decides it): open sockets ask, to close
    those of a device revoked since their handshake."""
    devices = Device.objects.filter(token_hash__in=token_hashes, revoked_at__isnull=True)
    if settings.POS_ROLE == "store":
        devices = devices.filter(store=settings.POS_STORE)
    return set(devices.values_list("token_hash", flat=True))
