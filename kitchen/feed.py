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


def group_name(store: str) -> str:
    return f"kitchen.{store}"


def feed_append(ticket: Ticket, event: str) -> FeedEntry:
    return feed_append_many([ticket], event)[0]


def feed_append_many(tickets: list[Ticket], event: str) -> list[FeedEntry]:
    """One feed entry per ticket, in one insert, and one ring per store after commit."""
    if not tickets:
        return []
    if connection.vendor == "postgresql":
        # PostgreSQL hands out ids at insert, not at commit: two writers could
        # commit 11 before 10 and a screen reading after 11 would never see 10.
        # One feed writer at a time keeps ids in commit order (SQLite already
        # serialises all writers).
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(4242001)")
    entries = [FeedEntry(store=t.store, station=t.station, ticket=t, event=event) for t in tickets]
    if len(entries) == 1:
        entries[0].save(force_insert=True)
    else:
        FeedEntry.objects.bulk_create(entries)
    for store in {t.store for t in tickets}:
        _ring_once_after_commit(store)
    return entries


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
