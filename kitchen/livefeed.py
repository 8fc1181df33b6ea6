"""One read of the kitchen feed per process and doorbell, fanned out to every screen socket.

A doorbell wakes every screen of the store at once. Had each screen read the
feed itself, ten screens meant ten queries and ten hops onto the node's one
sync thread per order, queued behind the order writes that rang the bell; at
20 orders/s that queue grew to seconds. Instead each process keeps the recent
feed entries (all stations, ticket already serialized) in memory: a ring makes
one read of what is new, shared by every screen that rang in the meantime, and
each screen sends its slice from memory on the event loop.

The guarantees stay the database's: a refresh always starts after the call
that asked for it, so it sees everything committed before the ring; entries
are read in id order, which is commit order (kitchen.feed); a cursor older
than what the cache holds is served from the database as before. The reads
run on their own thread, off the sync thread that takes orders: a read never
waits for a write queue (SQLite WAL and PostgreSQL let readers run beside the
writer).
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from typing import Any

from channels.db import DatabaseSyncToAsync

from kitchen import selectors, services
from runtime.batching import AsyncBatcher
from runtime.reads import SharedRead, db_read

# Entries kept per store: minutes of a busy kitchen. A screen further behind
# (a resume from long ago) is served from the database.
KEEP = 2000


class Entry:
    __slots__ = ("seq", "station", "head")

    def __init__(self, seq: int, station: str, event: str, ticket: dict[str, Any]) -> None:
        self.seq, self.station = seq, station
        # Everything but "prev", which differs per connection: serialized once for all screens.
        self.head = f'{{"type": "ticket", "seq": {seq}, "event": {json.dumps(event)}, "ticket": {json.dumps(ticket)}, "prev": '

    def text(self, prev: int) -> str:
        return f"{self.head}{prev}}}"


class FeedCache:
    """The feed entries of one store after ``low`` up to ``high``, all of them."""

    def __init__(self, store: str, head: int) -> None:
        self.store = store
        self.low = self.high = head
        self.entries: deque[Entry] = deque()
        self._read: SharedRead[None] = SharedRead()

    def covers(self, cursor: int) -> bool:
        return self.low <= cursor <= self.high

    def after(self, cursor: int, station: str) -> list[Entry]:
        """Entries after ``cursor`` (which ``covers``), for ``station`` (blank: all)."""
        # From the newest back: a screen that follows live wants the last few
        # of up to KEEP entries, on every ring.
        newer = []
        for entry in reversed(self.entries):
            if entry.seq <= cursor:
                break
            if not station or entry.station == station:
                newer.append(entry)
        newer.reverse()
        return newer

    async def refresh(self) -> None:
        """Read what is new, with a read that starts after this call. Screens rung
        by the same doorbell share one read."""
        await self._read(self._read_new)

    async def _read_new(self) -> None:
        while True:
            rows = await db_read(selectors.feed_rows_after, store=self.store, after=self.high)
            self._add(rows)
            if len(rows) < selectors.FEED_BATCH:
                return

    def _add(self, rows: list[tuple[int, str, str, dict[str, Any]]]) -> None:
        for seq, station, event, ticket in rows:
            self.entries.append(Entry(seq, station, event, ticket))
            self.high = seq
        while len(self.entries) > KEEP:
            self.low = self.entries.popleft().seq


_caches: dict[tuple[int, str, str], FeedCache] = {}


def cache_for(*, store: str, epoch: str, head: int) -> FeedCache:
    """This process's cache of ``store``'s feed, starting at ``head`` (a feed head
    just read from the database) when there is none yet. Keyed by epoch, so a
    database with another origin (restored, or a test's fresh one) never gets
    entries read from the last one; and by event loop, as its lock belongs to one."""
    key = (id(asyncio.get_running_loop()), store, epoch)
    cache = _caches.get(key)
    if cache is None:
        if len(_caches) > 16:  # loops of finished tests, epochs no longer served
            _caches.clear()
        cache = _caches[key] = FeedCache(store, head)
    return cache


# --- Acknowledgements: the first one per ticket is a write, the rest are free --

_acked: dict[str, Any] = {}
_acking: dict[tuple[int, str], asyncio.Future] = {}
ACKED_KEEP = 5000


async def ticket_ack(*, ticket_id: str, screen: str) -> Any:
    """``services.ticket_ack`` for sockets: every screen showing a ticket acks it,
    but only the first ack changes anything, so this process answers the others
    from memory instead of queueing each for the sync thread (and, on SQLite, the
    write lock its transaction takes). Acks arriving while the first is being
    recorded wait for it. An ack recorded is never undone; the time answered is
    the one this process recorded or read (a sibling's earlier ack that
    replicates in later moves the database's time, not this answer)."""
    at = _acked.get(ticket_id)
    if at is not None:
        return at
    loop = asyncio.get_running_loop()
    slot = (id(loop), ticket_id)
    first = _acking.get(slot)
    if first is not None:
        at = await asyncio.shield(first)
        if at is not None:
            return at
        # The first ack failed (say, no such ticket): this one asks for itself.
        return await DatabaseSyncToAsync(services.ticket_ack)(ticket_id=ticket_id, screen=screen)
    first = _acking[slot] = loop.create_future()
    at = None
    try:
        at = await _ack_recorded(ticket_id, screen)
    finally:
        del _acking[slot]
        first.set_result(at)
    if len(_acked) >= ACKED_KEEP:
        _acked.clear()  # old tickets are long acked; a later ack reads the database once more
    _acked[ticket_id] = at
    return at


ACK_GATHER_S = 0.002


async def _tickets_ack(acks: list[tuple[str, str]]) -> list[Any]:
    results = await DatabaseSyncToAsync(services.tickets_ack)(acks=acks)
    return [results[ticket_id] for ticket_id, _ in acks]


# Group commit of first acks: the three tickets of an order, acked by its
# screens at once, cost one transaction, not three queued one behind the
# other for the write lock.
_ack_batches: AsyncBatcher[tuple[str, str], Any] = AsyncBatcher(_tickets_ack, gather_s=ACK_GATHER_S)


async def _ack_recorded(ticket_id: str, screen: str) -> Any:
    return await _ack_batches.submit((ticket_id, screen))
