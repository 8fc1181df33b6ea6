"""Pairing (no token yet, so no auth; rate-limited) and revoking a device (manager PIN)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field, StrictStr

from registers.staff import NotAllowed, TooManyPins, manager_approve
from security import pairing
from security.throttle import Throttled
from stores.auth import DeviceRequest, device_auth, selling_auth
from stores.models import Device

router = Router(tags=["devices"])


class PairIn(Schema):
    code: StrictStr = Field(..., min_length=4, max_length=32, description="The code a manager issued in admin.")


class PairOut(Schema):
    token: str = Field(description="This device's bearer token: keep it, it is shown once.")
    device: str
    kind: str
    store: str


class RevokeIn(Schema):
    device: StrictStr = Field(..., min_length=1, max_length=64, description="The device's name.")
    manager_pin: StrictStr = Field(..., min_length=1, max_length=16)


class DeviceOut(Schema):
    device: str
    kind: str
    store: str
    revoked: bool


class ErrorOut(Schema):
    detail: str


@router.post("/devices/pair", response={201: PairOut, 403: ErrorOut, 429: ErrorOut}, summary="Trade a pairing code for a device token")
def device_pair(request: HttpRequest, body: PairIn):
    try:
        device, token = pairing.device_pair(code=body.code)
    except Throttled as exc:
        raise HttpError(429, str(exc)) from None
    except pairing.PairingRefused as exc:
        raise HttpError(403, str(exc)) from None
    return Status(201, {"token": token, "device": device.name, "kind": device.kind, "store": device.store})


@router.get("/devices/me", response=DeviceOut, auth=device_auth, summary="The device this token belongs to")
def device_me(request: DeviceRequest):
    return _out(request.auth)


@router.post(
    "/devices/revoke", response={200: DeviceOut, 403: ErrorOut, 404: ErrorOut, 429: ErrorOut}, auth=selling_auth,
    summary="Revoke a lost or retired device on every node (manager PIN; at HQ, in admin)",
)
def device_revoke(request: HttpRequest, body: RevokeIn):
    try:
        who = manager_approve(pin=body.manager_pin, action="revoking a device")
    except TooManyPins as exc:
        raise HttpError(429, str(exc)) from None
    except NotAllowed as exc:
        raise HttpError(403, str(exc)) from None
    device = Device.objects.filter(store=settings.POS_STORE, name=body.device).first()
    if device is None:
        raise HttpError(404, f"no device {body.device!r} in store {settings.POS_STORE}")
    return Status(200, _out(pairing.device_revoke(device=device, by=who.name)))


def _out(device: Device) -> dict:
    return {"device": device.name, "kind": device.kind, "store": device.store, "revoked": device.revoked_at is not None}
