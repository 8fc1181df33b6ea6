from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from stores.models import Device, token_digest
from stores.selectors import device_live


def device_by_token(token: str) -> Device | None:
    """The live device with this bearer token, as stores.auth.DeviceBearer decides it
    (stores.selectors.device_live): not revoked, and at a store node one of this store's."""
    return device_live(token_digest(token)) if token else None


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
