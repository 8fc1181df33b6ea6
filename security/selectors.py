from __future__ import annotations

from django.conf import settings

from stores.models import Device, token_digest


def device_by_token(token: str) -> Device | None:
    """The live device with this bearer token, as stores.auth.DeviceBearer decides it:
    not revoked, and at a store node one of this store's."""
    if not token:
        return None
    device = Device.objects.filter(token_hash=token_digest(token), revoked_at__isnull=True).first()
    if device is None or (settings.POS_ROLE == "store" and device.store != settings.POS_STORE):
        return None
    return device
