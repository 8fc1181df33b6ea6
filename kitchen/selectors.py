"""Reads for kitchen screens: the feed after a cursor and the open-ticket snapshot."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Max
from django.utils import timezone

from kitchen.models import FeedEntry, KitchenScreen, PrinterState, Ticket
from menu.models import Station
from registers import status
from registers.course_names import course_name
from registers.models import Order

FEED_BATCH = 200


def ticket_as_dict(ticket: Ticket) -> dict[str, Any]:
    data = {
        "id": str(ticket.id),
        "order": str(ticket.order_id),
        "number": ticket.number,
        "station": ticket.station,
        "dining": ticket.dining,
        "items": ticket.items,
        "note": ticket.note,
        "status": ticket.status,
        "placed_at": ticket.placed_at.isoformat(),
        "acked_at": ticket.acked_at.isoformat() if ticket.acked_at else None,
        "bumped_at": ticket.bumped_at.isoformat() if ticket.bumped_at else None,
        "printed_at": ticket.printed_at.isoformat() if ticket.printed_at else None,
    }
    if ticket.course is not None:
        # Only a held course's ticket has these: every other ticket keeps its old shape.
        name_ja, name_en = course_name(ticket.course)
        data["course"] = {"number": ticket.course, "name_ja": name_ja, "name_en": name_en}
        data["fired_at"] = ticket.fired_at.isoformat() if ticket.fired_at else None
    return data


def feed_head(*, store: str) -> int:
    """The newest feed sequence number of this node for ``store`` (0 when empty)."""
    return FeedEntry.objects.filter(store=store).aggregate(head=Max("id"))["head"] or 0


def feed_after(*, store: str, after: int, station: str = "", limit: int = FEED_BATCH) -> list[dict[str, Any]]:
    entries = FeedEntry.objects.filter(store=store, id__gt=after).select_related("ticket").order_by("id")
    if station:
        entries = entries.filter(station=station)
    return [
        {"type": "ticket", "seq": entry.id, "event": entry.event, "ticket": ticket_as_dict(entry.ticket)}
        for entry in entries[:limit]
    ]


def feed_rows_after(*, store: str, after: int, limit: int = FEED_BATCH) -> list[tuple[int, str, str, dict[str, Any]]]:
    """Every station's feed entries after ``after`` as (seq, station, event, ticket), in feed order."""
    entries = FeedEntry.objects.filter(store=store, id__gt=after).select_related("ticket").order_by("id")[:limit]
    return [(entry.id, entry.station, entry.event, ticket_as_dict(entry.ticket)) for entry in entries]


def tickets_open_ids(*, store: str, station: str = "") -> list[str]:
    """The open tickets' ids, oldest first: a snapshot then reads them a chunk at a time."""
    tickets = Ticket.objects.filter(store=store, status="open").order_by("placed_at", "id")
    if station:
        tickets = tickets.filter(station=station)
    return [str(ticket_id) for ticket_id in tickets.values_list("id", flat=True)]


def tickets_by_id(*, ids: list[str]) -> list[dict[str, Any]]:
    """Those of these tickets still open, as screens see them, in the order given
    (one bumped since its id was read is skipped: its bump follows in the feed)."""
    found = {str(ticket.id): ticket for ticket in Ticket.objects.filter(id__in=ids, status="open")}
    return [ticket_as_dict(found[ticket_id]) for ticket_id in ids if ticket_id in found]


def kitchen_status(*, store: str) -> dict[str, Any]:
    """Printers as this node last found them, and open tickets no screen has acknowledged yet."""
    states = {p.station: p for p in PrinterState.objects.all()}
    printers = []
    for station in Station.objects.exclude(printer_host=""):
        state = states.get(station.code)
        printers.append(
            {
                "station": station.code,
                "address": f"{station.printer_host}:{station.printer_port}",
                "state": "unknown" if state is None or state.last_attempt_at is None else ("ok" if state.ok else "error"),
                "detail": state.detail if state else "",
                "failures": state.failures if state else 0,
                "last_attempt_at": state.last_attempt_at if state else None,
                "last_ok_at": state.last_ok_at if state else None,
            }
        )
    unacked = Ticket.objects.filter(store=store, status="open", acked_at__isnull=True).count()
    printed = Ticket.objects.filter(store=store, status="open", printed_at__isnull=False).count()
    return {
        "store": store,
        "printers": printers,
        "open_unacknowledged": unacked,
        "open_printed": printed,
        "stations": list(stations_reachable().values()),
    }


def orders_ready(*, store: str, limit: int = 50) -> list[dict[str, Any]]:
    """Orders whose kitchen is done and that are waiting to be handed over, oldest first."""
    orders = Order.objects.filter(store=store, status=status.READY).order_by("ready_at", "number")[:limit]
    return [
        {"id": str(o.id), "number": o.number, "dining": o.dining, "ready_at": o.ready_at.isoformat() if o.ready_at else None}
        for o in orders
    ]


# A screen pings every 5 s (static/pos/feed.js); three missed pings and it is
# gone, which also covers a daphne process that died without saying goodbye.
SCREEN_TTL_SECONDS = 15


def stations_reachable(*, now=None) -> dict[str, dict[str, Any]]:
    """Per station: how many live screens show it, whether its printer can take tickets, and so
    whether the kitchen can get a new ticket for it at all.

    An expediter screen (no station) shows every station's tickets and
    acknowledges them, so it counts for every station. A printer counts unless
    this node's last attempt to reach it failed (an untried printer is
    presumed working: the print fallback reports it the moment it is not).
    """
    now = now or timezone.now()
    live = KitchenScreen.objects.filter(last_seen__gte=now - dt.timedelta(seconds=SCREEN_TTL_SECONDS))
    counts: dict[str, int] = {}
    for code in live.values_list("station", flat=True):
        counts[code] = counts.get(code, 0) + 1
    failing = set(PrinterState.objects.filter(ok=False).values_list("station", flat=True))
    result = {}
    for station in Station.objects.all():
        screens = counts.get(station.code, 0) + counts.get("", 0)
        printer = "none" if not station.printer_host else ("error" if station.code in failing else "ok")
        result[station.code] = {
            "station": station.code,
            "name_ja": station.name_ja,
            "name_en": station.name_en,
            "screens": screens,
            "printer": printer,
            "reachable": screens > 0 or printer == "ok",
        }
    return result


def kitchen_presence(*, now=None) -> dict[str, dict[str, Any]]:
    """What a store node tells HQ about its kitchen on each pull (hq app: store
    health): live screens per station (an expediter counts for every station,
    screens not seen for SCREEN_TTL_SECONDS are gone) and each printer's state
    ("none", "ok" or "error")."""
    stations = stations_reachable(now=now)
    return {
        "screens": {code: s["screens"] for code, s in stations.items()},
        "printers": {code: s["printer"] for code, s in stations.items()},
    }
