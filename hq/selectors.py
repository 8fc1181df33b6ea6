"""Reads for HQ's dashboard: every store's nodes, contact and backlog, and sales by hour."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypedDict

from django.conf import settings
from django.utils import timezone

from hq.models import Alert, NodeContact
from menu.models import SoldOut
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
    for a in Alert.objects.filter(cleared_at__isnull=True):
        open_alerts.setdefault(a.store, []).append(a.kind)
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
        })
    return result


def sold_out_now() -> list[dict[str, Any]]:
    """Items the stores have marked sold out (HQ sees them by replication)."""
    return [
        {"store": s.store, "sku": s.sku, "staff": s.staff, "at": s.at}
        for s in SoldOut.objects.filter(sold_out=True).order_by("store", "sku")
    ]
