"""Writes: what HQ learns from store nodes' sync calls, and push subscriptions."""

from __future__ import annotations

import threading
import time
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from hq.models import NodeContact, PushSubscription
from sync.replication import vector


class SubscriptionInvalid(ValueError):
    """A push subscription without an http(s) endpoint or its keys."""


def _backlog(their_vector: dict[str, int]) -> int:
    """Changes the node holds that HQ lacks, counting only store origins
    (HQ's own ``hq:`` origins are master data it sent, never a backlog)."""
    ours = vector()
    return sum(max(0, seq - ours.get(origin, 0)) for origin, seq in their_vector.items() if not origin.startswith("hq:"))


PRINTER_STATES = ("none", "ok", "error")


def _kitchen(raw: Any) -> dict[str, dict[str, Any]] | None:
    """A node's kitchen report, kept only when well formed (None otherwise)."""
    if not isinstance(raw, dict):
        return None
    screens, printers = raw.get("screens"), raw.get("printers", {})
    if not isinstance(screens, dict) or not isinstance(printers, dict) or len(screens) > 200:
        return None
    if not all(isinstance(k, str) and len(k) <= 32 and isinstance(v, int) and not isinstance(v, bool) and v >= 0
               for k, v in screens.items()):
        return None
    return {
        "screens": dict(screens),
        "printers": {k: v for k, v in printers.items() if isinstance(k, str) and k in screens and v in PRINTER_STATES},
    }


def contact_heard(*, store: str, node: str, their_vector: dict[str, int] | None, kitchen: Any = None) -> NodeContact:
    """Record a signed call from a store node (HQ only; called by sync's endpoints).
    ``kitchen`` is the node's live screens and printers per station (sent with
    the HQ link's pulls); a call without it leaves the last report."""
    now = timezone.now()
    with transaction.atomic():
        contact, _ = NodeContact.objects.select_for_update().get_or_create(
            store=store, node=node, defaults={"last_contact": now}
        )
        contact.last_contact = now
        if their_vector is not None:
            backlog = _backlog(their_vector)
            if backlog and not contact.backlog:
                contact.backlog_since = now
            elif not backlog:
                contact.backlog_since = None
            contact.backlog = backlog
        kitchen = _kitchen(kitchen)
        if kitchen is not None:
            contact.kitchen = kitchen
        contact.save()
    return contact


def contact_from_call(sender: object, *, store: str, node: str, body: dict[str, Any], **kwargs: Any) -> None:
    """Receiver of ``sync.hooks.peer_called``: note which store node called and
    what it holds. Only the HQ link's pulls say what the node holds of its own
    store (``held``) and which kitchen screens and printers it has (``kitchen``)."""
    vector = body.get("held")
    ok = isinstance(vector, dict) and all(isinstance(v, int) for v in vector.values())
    if not ok and _kitchen(body.get("kitchen")) is None and _contact_touch(store=store, node=node):
        return
    contact_heard(store=store, node=node, their_vector=vector if ok else None, kitchen=body.get("kitchen"))


# A push moves a node's last contact at most this often per process. Every
# store node's HQ link also pulls each second (sync/peers.py), and a pull
# always records, so the time stays current; readers allow seconds at least
# (POS_RELAY_LINK_LIVE_S, minimum 2) and alerts wait minutes. Measured: the
# touch was 4 of the ~30 statements of a one-sale upload at HQ.
TOUCH_EVERY_S = 5.0

# (store, node) -> when this process last wrote its contact time (monotonic).
# One entry per store node of the chain: bounded by the chain's size.
_touched: dict[tuple[str, str], float] = {}
_touched_lock = threading.Lock()


def _contact_touch(*, store: str, node: str) -> bool:
    """A call that only says "still here" (a push): one UPDATE of the time,
    where contact_heard's locked read and write took four round trips per
    upload, and none when this process wrote it less than TOUCH_EVERY_S ago.
    Its commit does not wait for the disk (PostgreSQL): a time lost in a
    crash is rewritten by the store's next call, and alerts wait minutes.
    False when the node has no row yet (contact_heard makes it)."""
    key, now = (store, node), time.monotonic()
    with _touched_lock:
        if now - _touched.get(key, now - TOUCH_EVERY_S) < TOUCH_EVERY_S:
            return True
    own = not connection.in_atomic_block
    with transaction.atomic():
        if own and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        found = NodeContact.objects.filter(store=store, node=node).update(last_contact=timezone.now()) > 0
    if found:
        with _touched_lock:
            _touched[key] = now
    return found


def touches_forget() -> None:
    """Forget which nodes' contact this process wrote lately (tests: each starts afresh)."""
    with _touched_lock:
        _touched.clear()


def subscription_save(*, subscription: dict[str, Any], store: str, language: str) -> PushSubscription:
    """Create or refresh a browser's subscription (the same endpoint twice is one row)."""
    endpoint = subscription.get("endpoint")
    keys = subscription.get("keys") or {}
    if not isinstance(endpoint, str) or not endpoint.startswith(("https://", "http://")):
        raise SubscriptionInvalid("subscription.endpoint must be an http(s) URL")
    if not isinstance(keys, dict) or not keys.get("p256dh") or not keys.get("auth"):
        raise SubscriptionInvalid("subscription.keys must have p256dh and auth")
    sub, _ = PushSubscription.objects.update_or_create(
        endpoint=endpoint,
        defaults={"p256dh": str(keys["p256dh"])[:200], "auth": str(keys["auth"])[:100], "store": store,
                  "language": language if language in ("ja", "en") else "ja", "last_error": ""},
    )
    return sub


def subscription_delete(*, endpoint: str) -> int:
    return PushSubscription.objects.filter(endpoint=endpoint).delete()[0]
