"""Alerts: conditions checked by a worker (or raised by an event), each pushed
once when it starts, to the managers of that store and to HQ subscribers.

At HQ: a store silent beyond POS_STORE_SILENT_AFTER seconds, a store's upstream
backlog older than POS_BACKLOG_ALERT_AFTER. At a store node: its own backlog
to HQ, and a station whose tickets no kitchen screen has acknowledged for
POS_KITCHEN_SCREEN_ALERT_AFTER seconds (acks replicate, so a screen on a
sibling node counts). Anywhere: an item sold out (raised by the sold-out event),
money that two cut-off nodes both took or gave back (registers/conflicts.py),
and each reason this node's /api/health gives for "degraded" (also logged at
WARNING, as a store node's own alerts reach its managers, not HQ).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Min, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hq.models import Alert, NodeContact, PushSubscription
from hq.selectors import KITCHEN_UNREACHABLE, STORE_UNREACHABLE, store_relay_gate
from kitchen.models import Ticket
from menu.models import Station
from registers import conflicts
from registers.models import Order
from runtime import health
from runtime.notify.base import DeliveryFailed, Notification, TargetGone, Transport
from runtime.notify.webpush import WebPush
from runtime.workers import run_in_background
from sync.selectors import hq_as_dict

log = logging.getLogger(__name__)

# Money conflicts of orders this many days back are alerted (older ones were already).
CONFLICT_DAYS = 2

# An alert is news for a while, then noise: the push service may drop it after this.
ALERT_TTL = 15 * 60


def _transport() -> Transport:
    return WebPush()


def sold_out_alert(sender: object, *, store: str, sku: str, name: str, **kwargs: Any) -> None:
    """Receiver of ``registers.signals.item_sold_out``: push the alert on a
    thread of its own, as the mark is recorded and the alert is best effort."""
    key = f"sold_out:{store}:{sku}:{timezone.now():%Y%m%d%H%M%S}"
    run_in_background(
        lambda: alert_raise(key=key, kind="sold_out", store=store, detail={"item": name}, url="/register/manager/"),
        name="sold-out-alert",
    )


def _texts(kind: str, store: str, detail: dict) -> tuple[str, str]:
    """(title, body): what happened, then the first step to take, in the active language."""
    if kind == "health":
        # What happened, then the first step to take (runtime/health.py).
        what, action = detail["reason"].texts()
        return _("Store %(store)s: %(what)s") % {"store": store, "what": what}, action
    if kind == "store_offline":
        return _("Store %(store)s is offline") % {"store": store}, _step(_(
            "No contact from store %(store)s for %(minutes)s min."
        ) % {"store": store, "minutes": detail.get("minutes", "?")}, _(
            "Call the store: check its internet connection and that its nodes are on. It keeps selling meanwhile."))
    if kind == "backlog":
        return _("Store %(store)s: sync is behind") % {"store": store}, _step(_(
            "%(count)s changes have been waiting for %(minutes)s min to reach HQ."
        ) % {"store": store, "count": detail.get("count", "?"), "minutes": detail.get("minutes", "?")}, _(
            "Check the store's internet connection, then the HQ link in the node's health (/api/health)."))
    if kind == "money_conflict":
        # The rule's own detail stays in English (the same on every node); the
        # manager reads what it is in their language and which nodes to ask.
        return _("Store %(store)s: order No. %(number)s: %(what)s") % {
            "store": store, "number": detail.get("number", "?"), "what": conflicts.LABELS.get(detail.get("kind", ""), "?"),
        }, _("Recorded on %(nodes)s while they were cut off from each other. Check the order and settle the money.") % {
            "nodes": ", ".join(detail.get("nodes", [])) or "?",
        }
    if kind == "relay_link":
        return _("Store %(store)s: online orders paused") % {"store": store}, _step(_(
            "HQ cannot reach store %(store)s, so mobile, delivery and QR orders are refused."
        ) % {"store": store}, _(
            "Check the store's internet connection and that a store node is on; orders resume by themselves "
            "once it is back."))
    if kind == "relay_kitchen":
        return _("Store %(store)s: online orders paused") % {"store": store}, _step(_(
            "No kitchen screen or printer takes tickets for %(stations)s, so mobile, delivery and QR orders are refused."
        ) % {"stations": ", ".join(detail.get("stations", [])) or "?"}, _(
            "Turn on that station's kitchen screen and open its kitchen page, or fix its printer; orders resume "
            "by themselves."))
    if kind == "sold_out":
        return _("Sold out: %(item)s") % {"item": detail.get("item", "")}, _step(_(
            "Store %(store)s marked %(item)s as sold out."
        ) % {"store": store, "item": detail.get("item", "")}, _(
            "Offer another item; once restocked, mark it available again on the manager page."))
    return _("Store %(store)s: no kitchen screen") % {"store": store}, _step(_(
        "No kitchen screen is connected for station %(station)s."
    ) % {"store": store, "station": detail.get("station", "")}, _(
        "Check that the station's screen is on and on the store Wi-Fi and reload its kitchen page; "
        "use printed tickets meanwhile."))


def _step(what: str, step: str) -> str:
    return f"{what} {step}"


def alert_raise(*, key: str, kind: str, store: str, detail: dict | None = None, url: str = "/") -> Alert | None:
    """Raise ``key`` unless it is already raised; push it to subscribers. Returns the new alert or None."""
    detail = detail or {}
    now = timezone.now()
    # Kept in the store's language, as its managers read it.
    with translation.override(settings.LANGUAGE_CODE):
        message = " — ".join(_texts(kind, store, detail))
    with transaction.atomic():
        alert = Alert.objects.select_for_update().filter(key=key).first()
        if alert is None:
            # Another process (HQ's workers, a sold-out signal) may raise the
            # same key at the same moment: the key is unique, so one of the
            # two creates it and pushes; the other finds it raised.
            try:
                with transaction.atomic():
                    Alert.objects.create(key=key, kind=kind, store=store, message=message[:300], raised_at=now)
            except IntegrityError:
                return None
            alert = Alert.objects.select_for_update().get(key=key)
        elif alert.cleared_at is None:
            return None
        else:
            alert.message, alert.raised_at, alert.cleared_at = message[:300], now, None
            alert.save()
    alert.sent = _push(alert, detail, url)
    alert.save(update_fields=["sent"])
    return alert


def alert_clear(*, key: str) -> bool:
    return bool(Alert.objects.filter(key=key, cleared_at__isnull=True).update(cleared_at=timezone.now()))


def _push(alert: Alert, detail: dict, url: str) -> int:
    """Send to every subscription for the store or for all stores; drop those the browser gave up."""
    transport, sent = _transport(), 0
    for sub in PushSubscription.objects.filter(Q(store="") | Q(store=alert.store)):
        with translation.override(sub.language):
            title, body = _texts(alert.kind, alert.store, detail)
        note = Notification(title=title, body=body, url=url, tag=alert.key, ttl=ALERT_TTL,
                            data={"kind": alert.kind, "store": alert.store, "key": alert.key})
        try:
            transport.send(sub.as_target(), note)
        except TargetGone:
            sub.delete()
            continue
        except DeliveryFailed as exc:
            log.warning("push to %s failed: %s", sub.endpoint[:60], exc)
            PushSubscription.objects.filter(pk=sub.pk).update(last_error=str(exc)[:300])
            continue
        PushSubscription.objects.filter(pk=sub.pk).update(last_sent_at=timezone.now(), last_error="")
        sent += 1
    return sent


def alerts_check() -> None:
    """The worker: raise and clear the alerts this node can see."""
    if settings.POS_ROLE == "hq":
        _check_stores_silent()
        _check_hq_backlogs()
        _check_relay_gates()
    else:
        _check_own_backlog()
        _check_kitchen_screens()
    _check_money_conflicts()
    _check_health()


def _minutes(delta: dt.timedelta) -> int:
    return max(1, int(delta.total_seconds() // 60))


def _check_stores_silent() -> None:
    now = timezone.now()
    limit = dt.timedelta(seconds=settings.POS_STORE_SILENT_AFTER)
    for row in NodeContact.objects.values("store").annotate(last=Max("last_contact")):
        key = f"offline:{row['store']}"
        if now - row["last"] > limit:
            alert_raise(key=key, kind="store_offline", store=row["store"],
                        detail={"minutes": _minutes(now - row["last"])}, url="/hq/")
        else:
            alert_clear(key=key)


def _check_hq_backlogs() -> None:
    now = timezone.now()
    limit = dt.timedelta(seconds=settings.POS_BACKLOG_ALERT_AFTER)
    rows = NodeContact.objects.values("store").annotate(since=Min("backlog_since"), count=Max("backlog"))
    for row in rows:
        key = f"backlog:{row['store']}"
        if row["since"] is not None and now - row["since"] > limit:
            alert_raise(key=key, kind="backlog", store=row["store"],
                        detail={"count": row["count"], "minutes": _minutes(now - row["since"])}, url="/hq/")
        else:
            alert_clear(key=key)


RELAY_KINDS = {STORE_UNREACHABLE: "relay_link", KITCHEN_UNREACHABLE: "relay_kitchen"}


def _check_relay_gates() -> None:
    """A store HQ cannot relay channel orders to (hq.selectors.store_relay_gate):
    one alert per cause, cleared when the store takes orders again."""
    offline = set(Alert.objects.filter(kind="store_offline", cleared_at__isnull=True).values_list("store", flat=True))
    for store in NodeContact.objects.values_list("store", flat=True).distinct():
        gate = store_relay_gate(store)
        for code, kind in RELAY_KINDS.items():
            key = f"{kind}:{store}"
            # A store already alerted offline is one outage, one push: that
            # alert's first step (its link and power) is the relay's too.
            if gate is not None and gate[0] == code and not (kind == "relay_link" and store in offline):
                alert_raise(key=key, kind=kind, store=store, detail={"stations": gate[2]}, url="/hq/")
            else:
                alert_clear(key=key)


def _check_own_backlog() -> None:
    link = hq_as_dict()
    key = f"backlog:{settings.POS_STORE}"
    age = link.get("backlog_age_s")
    if age is not None and age > settings.POS_BACKLOG_ALERT_AFTER:
        alert_raise(key=key, kind="backlog", store=settings.POS_STORE,
                    detail={"count": link.get("upstream_backlog"), "minutes": _minutes(dt.timedelta(seconds=age))},
                    url="/register/manager/")
    else:
        alert_clear(key=key)


def _check_kitchen_screens() -> None:
    store = settings.POS_STORE
    cutoff = timezone.now() - dt.timedelta(seconds=settings.POS_KITCHEN_SCREEN_ALERT_AFTER)
    waiting = set(
        Ticket.objects.filter(store=store, status="open", acked_at__isnull=True, received_at__lt=cutoff)
        .values_list("station", flat=True)
    )
    for station in Station.objects.values_list("code", flat=True):
        key = f"kitchen:{store}:{station}"
        if station in waiting:
            alert_raise(key=key, kind="kitchen_screen", store=store, detail={"station": station}, url="/kitchen/")
        else:
            alert_clear(key=key)


def _check_money_conflicts() -> None:
    """One alert per order and kind of money conflict (registers/conflicts.py) of
    the last days, pushed once; never cleared, as the ledger keeps both acts."""
    store = None if settings.POS_ROLE == "hq" else settings.POS_STORE
    since = timezone.localdate() - dt.timedelta(days=CONFLICT_DAYS)
    ids = conflicts.orders_with_conflicts(store=store, since=since)
    orders = list(Order.objects.filter(pk__in=ids).prefetch_related("lines", "payments"))
    conflicts.ledger_attach(orders)
    for order in orders:
        for conflict in conflicts.order_conflicts(order):
            key = f"conflict:{order.id}:{conflict['kind']}"
            if Alert.objects.filter(key=key).exists():
                continue
            alert_raise(key=key, kind="money_conflict", store=order.store, url="/register/manager/",
                        detail={"number": order.number, "kind": conflict["kind"], "nodes": conflict["nodes"]})


def _check_health() -> None:
    """One alert per reason this node's health gives (runtime/health.py), raised
    when it starts and logged in the store's language; cleared when it goes."""
    store = settings.POS_STORE
    keys = set()
    for reason in health.reasons():
        key = f"health:{store}:{reason.key}"[:120]
        keys.add(key)
        if alert_raise(key=key, kind="health", store=store, detail={"reason": reason}, url="/register/manager/"):
            with translation.override(settings.LANGUAGE_CODE):
                log.warning("health degraded: %s", " — ".join(_texts("health", store, {"reason": reason})))
    for key in Alert.objects.filter(kind="health", cleared_at__isnull=True).exclude(key__in=keys).values_list("key", flat=True):
        alert_clear(key=key)
