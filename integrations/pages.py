"""The store's own customer pages (kiosk, QR order) order through the integration API like any integrator.

They use one integrator, ``store-pages``, limited to the kiosk and qr
channels, whose key derives from SECRET_KEY (stable per install, never
committed) and is handed to those pages. A QR order page is public by nature
(any phone at a table may order), so the key grants nothing a customer
could not already do there; it cannot order as a delivery platform, read
another integrator's orders, or touch the register.

Because anyone can use it, its orders are limited: at most
POS_PAGES_ORDERS_PER_CLIENT new orders per client address and
POS_PAGES_ORDERS_PER_KEY per store within POS_PAGES_ORDER_WINDOW_S (HTTP 429
saying which), and 100 lines per order like every integrator's. A page
behind a reverse proxy sees the proxy's address for every phone: raise the
per-client limit there.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.utils.translation import gettext as _

from integrations.models import Integrator, key_digest
from security.throttle import rate_check, rate_record

PAGES_NAME = "store-pages"
PAGES_CHANNELS = "kiosk,qr"


def pages_key(store: str | None = None) -> str:
    """The pages' key of ``store`` (this node's by default; HQ serves every store's pages)."""
    store = store or settings.POS_STORE
    return "pk_pages_" + hmac.new(settings.SECRET_KEY.encode(), f"posweb pages {store}".encode(), hashlib.sha256).hexdigest()[:40]


def pages_integrator_ensure(store: str | None = None) -> Integrator:
    """The store pages' integrator, made on first use (idempotent)."""
    key = pages_key(store)
    integrator = Integrator.objects.filter(key_hash=key_digest(key)).first()
    if integrator is None:
        integrator = Integrator(name=PAGES_NAME, store=store or settings.POS_STORE, channels=PAGES_CHANNELS)
        integrator.key_set(key)
        integrator.save()
    return integrator


def is_pages_integrator(integrator: Integrator) -> bool:
    return hmac.compare_digest(integrator.key_hash, key_digest(pages_key(integrator.store)))


def pages_order_admit(*, client: str, store: str | None = None) -> None:
    """Raise security.throttle.Throttled when this client, or the pages as a whole, ordered too much lately."""
    window = settings.POS_PAGES_ORDER_WINDOW_S
    minutes = max(1, window // 60)
    rate_check(
        scope="pages-client", key=client, limit=settings.POS_PAGES_ORDERS_PER_CLIENT, window_s=window,
        detail=_("Too many orders from this device in the last %(minutes)d minutes; please ask the staff, "
                 "or try again later.") % {"minutes": minutes},
    )
    rate_check(
        scope="pages-key", key=store or settings.POS_STORE, limit=settings.POS_PAGES_ORDERS_PER_KEY, window_s=window,
        detail=_("This store's order pages took too many orders in the last %(minutes)d minutes; please order "
                 "at the counter, or try again later.") % {"minutes": minutes},
    )


def pages_order_placed(*, client: str, store: str | None = None) -> None:
    """Count a new order against the client and the pages."""
    window = settings.POS_PAGES_ORDER_WINDOW_S
    rate_record(scope="pages-client", key=client, window_s=window)
    rate_record(scope="pages-key", key=store or settings.POS_STORE, window_s=window)
