"""The demo register device: its token, so a fresh clone can sell without pairing."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

from stores.models import Device, token_digest

DEMO_DEVICE = "register-1"
DEMO_KITCHEN = "kitchen-1"


def demo_token() -> str:
    """POS_DEMO_TOKEN when set; otherwise derived from SECRET_KEY, so it is stable per install and never committed."""
    if settings.POS_DEMO_TOKEN:
        return settings.POS_DEMO_TOKEN
    return hmac.new(settings.SECRET_KEY.encode(), b"posweb demo register", hashlib.sha256).hexdigest()[:32]


def demo_kitchen_token() -> str:
    """The demo kitchen screen's token: derived like the register's, never committed."""
    seed = settings.POS_DEMO_TOKEN or settings.SECRET_KEY
    return hmac.new(seed.encode(), b"posweb demo kitchen", hashlib.sha256).hexdigest()[:32]


def demo_screen_token() -> str | None:
    """The demo kitchen device's token for a store screen page (kitchen, kiosk,
    status board), in demo mode only and while that device is not revoked; a
    real store pairs each screen at /pair/."""
    if not settings.POS_DEMO:
        return None
    token = demo_kitchen_token()
    if Device.objects.filter(token_hash=token_digest(token), revoked_at__isnull=True).exists():
        return token
    return None
