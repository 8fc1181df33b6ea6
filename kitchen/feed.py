"""The kitchen feed: entries in this node's database, and the doorbell that wakes screens.

The database is the source of truth; the channel layer only rings a bell after
commit. A screen that misses a ring (full channel, dropped socket) loses
nothing: its next ring or its resume reads everything after its cursor.
"""

from __future__ import annotations

from django.db import connection

from kitchen.models import FeedEntry, Ticket
from runtime.doorbells import ring_after_commit
from runtime.sockets import ring_soon
from sync.bulk import row_new, rows_insert


def group_name(store: str) -> str:
    return f"kitchen.{store}"


def feed_append(ticket: Ticket, event: str) -> FeedEntry:
    _feed_lock({ticket.store})
    entry = FeedEntry(store=ticket.store, station=ticket.station, ticket=ticket, event=event)
    entry.save(force_insert=True)
    _ring_once_after_commit(ticket.store)
    return entry


def feed_append_many(tickets: list[Ticket], event: str) -> None:
    """One feed entry per ticket, in one insert, and one ring per store after commit."""
    feed_append_each([(ticket, event) for ticket in tickets])


def feed_append_each(entries: list[tuple[Ticket, str]]) -> None:
    """One feed entry per (ticket, event), in this order (screens replay them
    so), in one insert, and one ring per store after commit."""
    if not entries:
        return
    stores = {ticket.store for ticket, _ in entries}
    _feed_lock(stores)
    rows_insert(FeedEntry, [row_new(FeedEntry, {"store": t.store, "station": t.station, "ticket_id": t.id, "event": event})
                            for t, event in entries], ids_unread=True)
    for store in stores:
        _ring_once_after_commit(store)


def _feed_lock(stores: set[str]) -> None:
    """PostgreSQL hands out ids at insert, not at commit: two writers could
    commit 11 before 10 and a screen reading after 11 would never see 10. One
    feed writer at a time per store keeps ids in commit order where it
    matters: a screen reads its own store's entries only (kitchen.selectors),
    so HQ's applies of different stores need not wait for each other here.
    (SQLite already serialises all writers.)"""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for store in sorted(stores):  # in one order, so two writers cannot deadlock
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"posweb.feed:{store}"])


def _ring_once_after_commit(store: str) -> None:
    """One ring per transaction and store: an order with tickets for three
    stations wakes each screen once, and its one flush reads all three. (Three
    rings made every screen run three flushes per order, all in the node's one
    sync thread, which at 20 orders/s and 10 screens queued up for seconds.)
    A rolled-back transaction drops its queued ring with it."""
    ring_after_commit("kitchen.feed", store, _ring_stores)


def _ring_stores(stores: list[str]) -> None:
    for store in stores:
        feed_ring(store)


def feed_ring(store: str) -> None:
    # This process's screens directly, other processes' through the channel
    # layer: a Redis outage does not cut this node's screens off.
    ring_soon(group_name(store), {"type": "feed.ring"}, what=f"kitchen doorbell for {store}")
