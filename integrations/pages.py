"""The store's own customer pages (kiosk, QR order) order through the integration API like any integrator.

They use one integrator, ``store-pages``, limited to the kiosk and qr
channels, whose key derives from SECRET_KEY (stable per install, never
committed) and is handed to those pages. A QR order page is public by nature
(any phone at a table may order), so the key grants nothing a customer
could not already do there; it cannot order as a delivery platform, read
another integrator's orders, or touch the register.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

from integrations.models import Integrator, key_digest

PAGES_NAME = "store-pages"
PAGES_CHANNELS = "kiosk,qr"


def pages_key() -> str:
    return "pk_pages_" + hmac.new(settings.SECRET_KEY.encode(), f"posweb pages {settings.POS_STORE}".encode(), hashlib.sha256).hexdigest()[:40]


def pages_integrator_ensure() -> Integrator:
    """The store pages' integrator, made on first use (idempotent)."""
    key = pages_key()
    integrator = Integrator.objects.filter(key_hash=key_digest(key)).first()
    if integrator is None:
        integrator = Integrator(name=PAGES_NAME, store=settings.POS_STORE, channels=PAGES_CHANNELS)
        integrator.key_set(key)
        integrator.save()
    return integrator
