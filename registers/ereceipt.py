"""Electronic receipts: a signed link that opens one sale's receipt on the customer's phone.

The link carries the store, the order and an expiry, signed with HMAC-SHA256
under a key derived from the store's sync key, which every node of the store
and its HQ know (and no other store): a node or HQ can open a link another
node printed, a guessed or altered link opens nothing, and one link opens
only its own receipt, until it expires.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import uuid

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from stores.selectors import store_sync_key

VALID_DAYS = 400  # a receipt is kept for a year's books, and a little more
_TOKEN = re.compile(r"^(?P<store>[A-Za-z0-9_-]{1,16})\.(?P<order>[0-9a-f]{32})\.(?P<expires>[0-9]{1,12})\.(?P<mac>[A-Za-z0-9_-]{43})$")


def _key(store: str) -> bytes | None:
    secret = settings.POS_SYNC_KEY if settings.POS_ROLE != "hq" else store_sync_key(store)
    if not secret:
        return None
    # A key of its own: a receipt link never doubles as a sync signature.
    return hmac.new(secret.encode(), b"posweb e-receipt v1", hashlib.sha256).digest()


def _mac(key: bytes, message: str) -> str:
    return base64.urlsafe_b64encode(hmac.new(key, message.encode(), hashlib.sha256).digest()).rstrip(b"=").decode()


def ereceipt_token(*, store: str, order_id: uuid.UUID | str, now: dt.datetime | None = None) -> str | None:
    """The signed token of ``order_id``'s receipt, or None when the store has no key here."""
    key = _key(store)
    if key is None:
        return None
    expires = int(((now or timezone.now()) + dt.timedelta(days=VALID_DAYS)).timestamp())
    message = f"{store}.{uuid.UUID(str(order_id)).hex}.{expires}"
    return f"{message}.{_mac(key, message)}"


def ereceipt_path(*, store: str, order_id: uuid.UUID | str) -> str | None:
    token = ereceipt_token(store=store, order_id=order_id)
    return reverse("e-receipt", kwargs={"token": token}) if token else None


def ereceipt_open(token: str, *, now: dt.datetime | None = None) -> tuple[str, uuid.UUID] | None:
    """The (store, order id) a token opens, or None: malformed, altered, another store's key, or expired."""
    match = _TOKEN.match(token)
    if match is None:
        return None
    key = _key(match["store"])
    message = f"{match['store']}.{match['order']}.{match['expires']}"
    if key is None or not hmac.compare_digest(_mac(key, message), match["mac"]):
        return None
    if int(match["expires"]) < (now or timezone.now()).timestamp():
        return None
    return match["store"], uuid.UUID(match["order"])
