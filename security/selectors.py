from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

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


def device_is_revoked(token: str) -> bool:
    """Whether ``token`` is one a manager revoked (here: any of this store's devices).

    Lets the API tell a revoked tablet so, distinct from an unknown token: the
    page wipes what it keeps only on this answer, never on a plain 401 (a
    sibling that has not yet heard of a new pairing also says 401). Telling a
    token's holder that it was revoked gives away nothing they lack."""
    if not token:
        return False
    devices = Device.objects.filter(token_hash=token_digest(token), revoked_at__isnull=False)
    if settings.POS_ROLE == "store":
        devices = devices.filter(store=settings.POS_STORE)
    return devices.exists()


DEVICE_REVOKED = "device_revoked"


def bearer_token(request: HttpRequest) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""
