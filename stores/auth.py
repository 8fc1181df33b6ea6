"""Bearer-token authentication of devices (registers, kitchen screens, integrators)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer

from stores.models import Device, token_digest


class DeviceRequest(HttpRequest):
    """The request of an endpoint behind ``device_auth``: its views annotate ``request`` with this type,
    as the bearer sets ``device`` (and django-ninja ``auth``) before the view runs."""

    device: Device
    auth: Device


class DeviceBearer(HttpBearer):
    openapi_description = "A device token (Authorization: Bearer TOKEN)."

    def authenticate(self, request, token: str) -> Device | None:
        if not token:
            return None
        device = Device.objects.filter(token_hash=token_digest(token), revoked_at__isnull=True).first()
        if device is None or device.store != settings.POS_STORE and settings.POS_ROLE == "store":
            return None
        request.device = device
        return device


device_auth = DeviceBearer()
