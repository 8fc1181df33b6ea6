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
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, TypeVar

from channels.db import DatabaseSyncToAsync

from kitchen import selectors

T = TypeVar("T")

# One thread, so its reads never pile up into many connections; it holds no
# lock a writer needs.
_reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kitchen-feed-read")

# Entries kept per store: minutes of a busy kitchen. A screen further behind
# (a resume from long ago) is served from the database.
KEEP = 2000

# Loop iterations a read waits for the other sockets of the same doorbell,
# which the channel layer wakes one after another.
JOIN_ROUNDS = 3


async def db_read(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a read-only ``func`` on the feed reader thread (connections handled as
    ``database_sync_to_async`` does)."""
    if _shared_cache_sqlite():
        # An in-memory SQLite database (the tests') is one shared cache with
        # table locks instead of WAL: a read beside a write fails at once
        # ("table is locked") rather than waiting, so reads stay on the sync thread.
        return await DatabaseSyncToAsync(func)(*args, **kwargs)
    return await DatabaseSyncToAsync(func, thread_sensitive=False, executor=_reader)(*args, **kwargs)


def _shared_cache_sqlite() -> bool:
    from django.db import connection

    return connection.vendor == "sqlite" and connection.is_in_memory_db()


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
        self._lock = asyncio.Lock()
        self._asked = 0
        self._answered = 0

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
        self._asked += 1
        mine = self._asked
        async with self._lock:
            if self._answered >= mine:
                return  # a read that started after we asked has finished
            for _ in range(JOIN_ROUNDS):  # the other screens of this doorbell ask too
                await asyncio.sleep(0)
            covering = self._asked
            while True:
                rows = await db_read(selectors.feed_rows_after, store=self.store, after=self.high)
                self._add(rows)
                if len(rows) < selectors.FEED_BATCH:
                    break
            self._answered = covering

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


# --- Reads shared by sockets rung by the same doorbell ------------------------

class _Shared:
    __slots__ = ("asked", "answered", "lock", "result")

    def __init__(self) -> None:
        self.asked = self.answered = 0
        self.lock = asyncio.Lock()
        self.result: Any = None


_shared: dict[tuple[int, Any], _Shared] = {}


async def read_shared(key: Any, func: Callable[..., T], *args: Any) -> T:
    """``func(*args)`` on the reader thread, shared by callers with the same
    ``key``: a caller gets the result of a read that started after it asked (so
    it sees whatever was committed before its doorbell); callers arriving during
    a read share the next one."""
    slot = (id(asyncio.get_running_loop()), key)
    state = _shared.get(slot)
    if state is None:
        state = _shared[slot] = _Shared()
    state.asked += 1
    mine = state.asked
    try:
        async with state.lock:
            if state.answered < mine:
                for _ in range(JOIN_ROUNDS):
                    await asyncio.sleep(0)
                covering = state.asked
                state.result = await db_read(func, *args)
                state.answered = covering
            return state.result
    finally:
        if state.answered >= state.asked and not state.lock.locked() and _shared.get(slot) is state:
            del _shared[slot]


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
    from kitchen import services

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
# First acks waiting to be recorded, per event loop, and whether a recorder runs.
_ack_queue: dict[int, list[tuple[str, str, asyncio.Future]]] = {}
_ack_recorders: set[int] = set()


async def _ack_recorded(ticket_id: str, screen: str) -> Any:
    """Record a first ack together with the others waiting (group commit):
    the three tickets of an order, acked by its screens at once, cost one
    transaction, not three queued one behind the other for the write lock."""
    loop = asyncio.get_running_loop()
    key = id(loop)
    done = loop.create_future()
    _ack_queue.setdefault(key, []).append((ticket_id, screen, done))
    if key not in _ack_recorders:
        _ack_recorders.add(key)
        loop.create_task(_ack_recorder(key))
    return await done


async def _ack_recorder(key: int) -> None:
    from kitchen import services

    try:
        # The acks of one screen's burst arrive a message at a time: a moment
        # lets the rest of the burst join the first.
        await asyncio.sleep(ACK_GATHER_S)
        while _ack_queue.get(key):
            batch = _ack_queue.pop(key)
            try:
                results = await DatabaseSyncToAsync(services.tickets_ack)(acks=[(t, s) for t, s, _ in batch])
            except Exception as exc:  # noqa: BLE001 - handed to every ack of the batch
                results = {t: exc for t, _, _ in batch}
            for ticket_id, _, done in batch:
                if done.done():
                    continue  # the socket that asked has gone
                result = results[ticket_id]
                if isinstance(result, BaseException):
                    done.set_exception(result)
                else:
                    done.set_result(result)
    finally:
        _ack_recorders.discard(key)
