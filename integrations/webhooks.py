"""Signed webhooks to integrators on every status change of their orders, retried with back-off.

A delivery is queued in the same transaction as the change that caused it
(so a status change that commits is always announced, and one rolled back
never is) and sent by the ``channel-webhooks`` worker after commit, never
inside a request or a sale. Every attempt is recorded on the delivery row
(attempts, last HTTP status or error, delivered or given up), which admin
shows. A receiver must answer 2xx; anything else, or no answer, is retried
after 1, 2, 4 … 300 s, up to MAX_ATTEMPTS. One order's deliveries go out in
order: a later status waits while an earlier one is still being retried.
Deliveries are at least once; ``delivery`` in the body is the id to de-duplicate on.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import urllib.error
import urllib.request
import uuid
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from integrations import signing
from integrations.models import Integrator, WebhookDelivery
from integrations.selectors import channel_order_by_id
from registers.models import Order
from runtime.workers import wake

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 15
RETRY_MAX = dt.timedelta(seconds=300)
CLAIM_TTL = dt.timedelta(seconds=60)
TIMEOUT_SECONDS = 5
BATCH = 100


def delivery_enqueue(*, integrator: Integrator, order: Order, status: str) -> WebhookDelivery | None:
    """Queue the announcement of ``order`` reaching ``status`` (call inside the change's transaction)."""
    return delivery_enqueue_for(integrator=integrator, order_id=order.id, status=status)


def delivery_enqueue_for(*, integrator: Integrator, order_id: uuid.UUID, status: str) -> WebhookDelivery | None:
    """As delivery_enqueue, by order id: an order HQ relayed has no order row at HQ until the store placed it."""
    if not integrator.webhook_url:
        return None
    snapshot = channel_order_by_id(order_id=order_id) or {}
    snapshot["status"] = status
    delivery = WebhookDelivery(integrator=integrator, order_id=order_id, status=status, payload={})
    delivery.payload = {
        "delivery": str(delivery.id),
        "event": "order.status",
        "status": status,
        "at": timezone.now().isoformat(),
        "order": snapshot,
    }
    delivery.save(force_insert=True)
    # Send it now rather than at the worker's next tick (no-op where workers do not run).
    transaction.on_commit(lambda: wake("channel-webhooks"))
    return delivery


def deliveries_tick(*, now: dt.datetime | None = None, send=None) -> int:
    """Send every due delivery once; returns how many were delivered. Never raises for a receiver."""
    now = now or timezone.now()
    send = send or http_post
    pending = (
        WebhookDelivery.objects.filter(delivered_at__isnull=True, failed_at__isnull=True)
        .select_related("integrator")
        .order_by("created_at")[:BATCH]
    )
    blocked: set = set()
    delivered = 0
    for delivery in pending:
        if delivery.order_id in blocked:
            continue
        if delivery.next_attempt_at > now or not _claim(delivery, now=now):
            blocked.add(delivery.order_id)
            continue
        if _attempt(delivery, now=now, send=send):
            delivered += 1
        else:
            blocked.add(delivery.order_id)
    return delivered


def _claim(delivery: WebhookDelivery, *, now: dt.datetime) -> bool:
    """Take the delivery so a second daphne process of this node does not send it at the same time."""
    fresh = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_TTL)
    return bool(WebhookDelivery.objects.filter(fresh, pk=delivery.pk, delivered_at__isnull=True).update(claimed_at=now))


def _attempt(delivery: WebhookDelivery, *, now: dt.datetime, send) -> bool:
    integrator = delivery.integrator
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "posweb-webhooks/1",
        "X-Posweb-Delivery": str(delivery.id),
        "X-Posweb-Event": "order.status",
        "X-Posweb-Signature": signing.sign(secret=integrator.webhook_secret, body=body, timestamp=int(now.timestamp())),
    }
    code, error = send(integrator.webhook_url, body, headers)
    delivery.attempts += 1
    delivery.last_status_code = code
    delivery.last_error = error[:300]
    delivery.claimed_at = None
    ok = code is not None and 200 <= code < 300
    if ok:
        delivery.delivered_at = timezone.now()
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.failed_at = now
        log.warning("webhook %s to %s: gave up after %s attempts (%s)", delivery.id, integrator, delivery.attempts, error)
    else:
        delivery.next_attempt_at = now + min(RETRY_MAX, dt.timedelta(seconds=2 ** (delivery.attempts - 1)))
    delivery.save()
    return ok


def http_post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    """POST and return (HTTP status or None, error text). Redirects are not followed."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code}"
    except (OSError, ValueError) as exc:
        return None, str(exc) or exc.__class__.__name__


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A signed body must reach the URL the integrator registered, not wherever it redirects.
    def redirect_request(self, *args: Any, **kwargs: Any):
        return None
