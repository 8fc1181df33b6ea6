"""Reads for HQ's dashboard: every store's nodes, contact and backlog, and sales by hour."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypedDict

from django.conf import settings
from django.utils import timezone

from hq.models import Alert, NodeContact
from menu.models import MenuItem, SoldOut, Station
from stores.models import Store


class NodeHealth(TypedDict):
    """One node of a store as the dashboard shows it; ``kitchen_screens`` and ``printers`` are what
    the node last reported (NodeContact.kitchen), None until it reports them."""

    node: str
    last_contact: str
    silent_s: int
    backlog: int
    backlog_age_s: int | None
    kitchen_screens: dict[str, int] | None
    printers: dict[str, str] | None


def stores_health(*, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """One entry per store HQ knows, silent ones flagged (POS_STORE_SILENT_AFTER)."""
    now = now or timezone.now()
    silent_after = settings.POS_STORE_SILENT_AFTER
    contacts: dict[str, list[NodeContact]] = {}
    for c in NodeContact.objects.all():
        contacts.setdefault(c.store, []).append(c)
    open_alerts: dict[str, list[str]] = {}
    relay_alerts: dict[tuple[str, str], Alert] = {}
    for a in Alert.objects.filter(cleared_at__isnull=True):
        open_alerts.setdefault(a.store, []).append(a.kind)
        relay_alerts[(a.store, a.kind)] = a
    result = []
    for store in Store.objects.all():
        nodes: list[NodeHealth] = [
            {
                "node": c.node,
                "last_contact": c.last_contact.isoformat(),
                "silent_s": int((now - c.last_contact).total_seconds()),
                "backlog": c.backlog,
                "backlog_age_s": int((now - c.backlog_since).total_seconds()) if c.backlog_since else None,
                "kitchen_screens": (c.kitchen or {}).get("screens"),
                "printers": (c.kitchen or {}).get("printers"),
            }
            for c in contacts.get(store.code, [])
        ]
        # Stations some node reported, with no live screen on any of the store's nodes.
        screens: dict[str, int] = {}
        for n in nodes:
            for station, count in (n["kitchen_screens"] or {}).items():
                screens[station] = screens.get(station, 0) + count
        last = max((c.last_contact for c in contacts.get(store.code, [])), default=None)
        silent_s = int((now - last).total_seconds()) if last else None
        result.append({
            "store": store.code,
            "name": store.name,
            "nodes": nodes,
            "last_contact": last.isoformat() if last else None,
            "silent_s": silent_s,
            "silent": silent_s is None or silent_s > silent_after,
            "backlog": sum(n["backlog"] for n in nodes),
            "backlog_age_s": max((n["backlog_age_s"] or 0 for n in nodes), default=None) if nodes else None,
            "alerts": sorted(open_alerts.get(store.code, [])),
            "kitchen_screens": screens if screens else None,
            "stations_without_screen": sorted(code for code, count in screens.items() if not count),
            "online_orders": _online_orders(store.code, last, relay_alerts, now),
        })
    return result


def sold_out_now() -> list[dict[str, Any]]:
    """Items the stores have marked sold out (HQ sees them by replication)."""
    return [
        {"store": s.store, "sku": s.sku, "staff": s.staff, "at": s.at}
        for s in SoldOut.objects.filter(sold_out=True).order_by("store", "sku")
    ]


STORE_UNREACHABLE = "store_unreachable"
KITCHEN_UNREACHABLE = "kitchen_unreachable"
# The channels whose orders reach a store through HQ (the kiosk stands in the store).
RELAYED_CHANNELS = ["qr", "mobile", "delivery"]


def _online_orders(store: str, last: dt.datetime | None, alerts: dict[tuple[str, str], Alert],
                   now: dt.datetime) -> dict[str, Any] | None:
    """Whether HQ refuses the store's online orders now, why, since when and the alert's first step."""
    gate = store_relay_gate(store, now=now)
    if gate is None:
        return None
    kind = "relay_link" if gate[0] == STORE_UNREACHABLE else "relay_kitchen"
    alert = alerts.get((store, kind))
    if alert is not None:
        since: dt.datetime | None = alert.raised_at
    elif gate[0] == STORE_UNREACHABLE:
        since = last + dt.timedelta(seconds=settings.POS_RELAY_LINK_LIVE_S) if last else None
    else:
        since = now
    return {"code": gate[0], "reason": gate[1], "channels": RELAYED_CHANNELS, "since": since,
            "message": alert.message if alert is not None else ""}


def store_relay_gate(store: str, *, now: dt.datetime | None = None) -> tuple[str, str, list[str]] | None:
    """Why HQ cannot relay a channel order to ``store`` now, or None when it can
    (registered as sync.hooks.store_gate_provider).

    The relay link is live while some node of the store pulled from HQ within
    POS_RELAY_LINK_LIVE_S; the kitchen can take an order while, for every
    station an orderable item is cooked at, one of those live nodes reports a
    live screen or a working printer (its last pull's kitchen presence).
    """
    now = now or timezone.now()
    since = now - dt.timedelta(seconds=settings.POS_RELAY_LINK_LIVE_S)
    live = list(NodeContact.objects.filter(store=store, last_contact__gte=since))
    if not live:
        return STORE_UNREACHABLE, f"HQ has no live link to store {store}: none of its nodes called HQ lately", []
    reported = [c.kitchen for c in live if c.kitchen]
    if not reported:
        return None  # nodes of a release that does not report its kitchen: the store itself decides
    needed = set(MenuItem.objects.filter(available=True, station__isnull=False).values_list("station__code", flat=True))
    down = sorted(
        code for code in needed
        if not any(k["screens"].get(code, 0) > 0 or k.get("printers", {}).get(code) == "ok" for k in reported)
        and any(code in k["screens"] for k in reported)
    )
    if not down:
        return None
    names = dict(Station.objects.filter(code__in=down).values_list("code", "name_en"))
    listed = ", ".join(f"{names.get(code, code)} ({code})" for code in down)
    return KITCHEN_UNREACHABLE, f"no kitchen screen or printer at store {store} is reachable for {listed}", down
