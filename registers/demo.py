"""The demo register device: its token, so a fresh clone can sell without pairing."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

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
