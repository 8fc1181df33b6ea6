"""The kitchen feed: entries in this node's database, and the doorbell that wakes screens.

The database is the source of truth; the channel layer only rings a bell after
commit. A screen that misses a ring (full channel, dropped socket) loses
nothing: its next ring or its resume reads everything after its cursor.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
from concurrent.futures import Future
from collections.abc import Callable, Coroutine
from typing import Any

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer

from django.db import connection, transaction

from kitchen.models import FeedEntry, Ticket


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
    queued = connection.run_on_commit if connection.in_atomic_block else []
    if any(getattr(func, "kitchen_ring_store", None) == store for _, func, _ in queued):
        return
    ring = functools.partial(feed_ring, store)
    ring.kitchen_ring_store = store  # type: ignore[attr-defined]
    transaction.on_commit(ring)


def feed_ring(store: str) -> None:
    layer = get_channel_layer()
    if layer is None:
        return

    async def ring() -> None:
        await layer.group_send(group_name(store), {"type": "feed.ring"})

    send_soon(ring, what=f"kitchen doorbell for {store}")


def send_soon(make: Callable[[], Coroutine[Any, Any, Any]], *, what: str) -> None:
    """Ring a doorbell after commit without making the committing thread wait;
    ``make`` is an ``async def`` function.

    Called on a thread that serves requests or socket writes of the node:
    waiting there for the event loop to deliver the ring (and, with Redis, for
    its round trips) held up the next order behind it. ``make()`` is handed to
    the event loop that called into this thread and not awaited. Outside such
    a thread (commands, workers, sync tests) it is sent in place. A full or
    unreachable channel layer never fails a sale that is already committed:
    screens catch up on their next ring, ping or resume.
    """
    loop = _calling_loop()
    if loop is not None:
        try:
            sent = asyncio.run_coroutine_threadsafe(make(), loop)
        except RuntimeError:  # the loop closed under us: send in place
            pass
        else:
            sent.add_done_callback(functools.partial(_log_failure, what))
            return
    try:
        async_to_sync(make)()
    except Exception:  # noqa: BLE001
        logging.getLogger(__name__).warning("%s failed", what, exc_info=True)


def _calling_loop() -> asyncio.AbstractEventLoop | None:
    """The running event loop whose sync_to_async call this thread is serving, if any."""
    if getattr(SyncToAsync.threadlocal, "main_event_loop_pid", None) != os.getpid():
        return None
    loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    return loop if loop is not None and loop.is_running() and not loop.is_closed() else None


def _log_failure(what: str, sent: Future) -> None:
    if not sent.cancelled() and sent.exception() is not None:
        logging.getLogger(__name__).warning("%s failed", what, exc_info=sent.exception())
