"""Order Web Push to the customer's phone, for those who opted in on the QR order page: once when
the kitchen has the order, and when it is ready.

The phone's service worker subscribes with this node's VAPID public key and
the page hands the subscription to the node; when the order becomes ready
(or is handed over before anyone looked), the ``channel-push`` worker sends
one encrypted message (RFC 8291, aes128gcm, via pywebpush) to the phone's
push service, outside any transaction. A push service that fails is retried
with back-off; one that says the subscription is gone (404/410) ends it.

VAPID keys are the node's one pair, kept by runtime/notify/webpush.py (made
once under POS_DATA_DIR if not configured, so a demo store keeps its
subscriptions across restarts); ``POS_VAPID_SUBJECT`` names the contact.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import os
from functools import lru_cache

from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.utils import timezone
from py_vapid import Vapid02

from integrations.models import PushSubscription
from registers.models import Order
from registers.status import IN_KITCHEN
from runtime.notify import webpush

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
RETRY_MAX = dt.timedelta(seconds=120)
TTL_SECONDS = 1800  # a "your order is ready" older than half an hour is no use
NOTIFY_STATUSES = ("ready", "served")

TEXT = {
    "ja": ("ご注文の準備ができました", "番号 {number} をカウンターでお受け取りください"),
    "en": ("Your order is ready", "Please collect number {number} at the counter"),
}
# Sent once when a kitchen screen acknowledged the order (for an order HQ relayed,
# the first sign on the phone that the store itself has it).
TEXT_KITCHEN = {
    "ja": ("キッチンに届きました", "番号 {number} を調理しています"),
    "en": ("The kitchen has your order", "Number {number} is being prepared"),
}


@lru_cache(maxsize=1)
def vapid() -> Vapid02:
    """This node's VAPID key, the one runtime/notify/webpush.py keeps for every push it sends."""
    keys = webpush.vapid_keys() or webpush.vapid_keys_generate()
    private = keys.private_key
    if os.path.exists(private):
        return Vapid02.from_file(private)
    if private.startswith("-----BEGIN"):
        return Vapid02.from_pem(private.encode())
    return Vapid02.from_raw(private.encode())


def vapid_public_key() -> str:
    """The application server key a browser subscribes with (base64url, uncompressed point)."""
    raw = vapid().public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def vapid_subject() -> str:
    return (settings.POS_VAPID_SUBJECT or "").strip() or f"mailto:pos-{settings.POS_STORE.lower()}@example.invalid"


def subscription_add(*, order_id, endpoint: str, p256dh: str, auth: str, lang: str = "ja") -> PushSubscription:
    """Remember a phone to tell when ``order_id`` is ready (subscribing twice is one subscription)."""
    _check_key(p256dh, 65, "keys.p256dh")
    _check_key(auth, 16, "keys.auth")
    subscription, _ = PushSubscription.objects.update_or_create(
        order_id=order_id,
        endpoint=endpoint,
        defaults={"p256dh": p256dh, "auth": auth, "lang": "en" if lang.startswith("en") else "ja"},
    )
    return subscription


def _check_key(value: str, size: int, name: str) -> None:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except ValueError:
        raise ValueError(f"{name} is not base64url") from None
    if len(raw) != size:
        raise ValueError(f"{name} must be {size} bytes, not {len(raw)}")


def message_for(order: Order, lang: str, texts: dict[str, tuple[str, str]] = TEXT) -> dict:
    title, body = texts.get(lang, texts["ja"])
    return {"title": title, "body": body.format(number=order.number), "number": order.number, "order": str(order.id), "tag": f"order-{order.id}"}


def push_tick(*, now: dt.datetime | None = None, send=None) -> int:
    """Send every due order-ready message once; returns how many the push services took."""
    now = now or timezone.now()
    send = send or webpush_send
    due = PushSubscription.objects.filter(sent_at__isnull=True, failed_at__isnull=True).order_by("created_at")[:100]
    orders = {o.id: o for o in Order.objects.filter(pk__in=[s.order_id for s in due], status__in=NOTIFY_STATUSES)}
    sent = 0
    for subscription in due:
        order = orders.get(subscription.order_id)
        if order is None or (subscription.next_attempt_at and subscription.next_attempt_at > now):
            continue
        code, error = send(subscription, message_for(order, subscription.lang))
        subscription.attempts += 1
        subscription.last_error = error[:300]
        if code is not None and 200 <= code < 300:
            subscription.sent_at = timezone.now()
            sent += 1
        elif code in (404, 410) or subscription.attempts >= MAX_ATTEMPTS:
            subscription.failed_at = now  # gone, or given up: never retried
        else:
            subscription.next_attempt_at = now + min(RETRY_MAX, dt.timedelta(seconds=2 ** subscription.attempts))
        subscription.save()
    return sent + _kitchen_tick(now, send)


def _kitchen_tick(now: dt.datetime, send) -> int:
    """Tell each waiting phone once that the kitchen has its order (one attempt: "ready" follows anyway)."""
    due = PushSubscription.objects.filter(kitchen_sent_at__isnull=True, sent_at__isnull=True, failed_at__isnull=True)
    orders = {o.id: o for o in Order.objects.filter(pk__in=due.values("order_id"), status=IN_KITCHEN)}
    sent = 0
    for subscription in due.filter(order_id__in=list(orders))[:100]:
        code, error = send(subscription, message_for(orders[subscription.order_id], subscription.lang, TEXT_KITCHEN))
        ok = code is not None and 200 <= code < 300
        sent += ok
        PushSubscription.objects.filter(pk=subscription.pk).update(
            kitchen_sent_at=now, last_error="" if ok else error[:300], failed_at=now if code in (404, 410) else None
        )
    return sent


def webpush_send(subscription: PushSubscription, message: dict) -> tuple[int | None, str]:
    # Imported here: pywebpush loads cryptography and requests, needed only when a push goes out.
    from pywebpush import WebPushException, webpush

    try:
        response = webpush(
            subscription_info={"endpoint": subscription.endpoint, "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}},
            data=json.dumps(message, ensure_ascii=False),
            vapid_private_key=vapid(),
            vapid_claims={"sub": vapid_subject()},
            ttl=TTL_SECONDS,
            timeout=10,
        )
        return response.status_code, ""
    except WebPushException as exc:
        code = exc.response.status_code if exc.response is not None else None
        return code, str(exc)
    except Exception as exc:  # noqa: BLE001  (requests' errors: no answer, refused, TLS)
        return None, str(exc) or exc.__class__.__name__
