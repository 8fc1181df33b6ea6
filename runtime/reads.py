"""Reads for the event loop: off the request threads, and shared by the
callers one doorbell woke.

A doorbell wakes many sockets at once (every screen of a store, every
register). Had each read the database itself, ten sockets meant ten queries
and ten hops onto the node's one sync thread, queued behind the writes that
rang the bell. ``SharedRead`` makes the callers that ask together share one
read, and ``db_read`` runs reads on their own thread: a read never waits for a
write queue (SQLite WAL and PostgreSQL let readers run beside the writer).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, Generic, TypeVar

from channels.db import DatabaseSyncToAsync
from django.db import connection

from runtime.lanes import Lane

T = TypeVar("T")

# One thread, so its reads never pile up into many connections; it holds no
# lock a writer needs. A lane keeps that thread's connection between reads:
# ``database_sync_to_async`` reopened SQLite for each (about 1 ms of parsing
# the schema per doorbell, on every order's way to the screens).
_reader = Lane("kitchen-feed-read")

# Loop iterations a read waits for the other callers of the same doorbell,
# which the channel layer wakes one after another.
JOIN_ROUNDS = 3


async def db_read(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a read-only ``func`` on the reader thread, which keeps one healthy
    connection (runtime/lanes.py)."""
    if _shared_cache_sqlite():
        # An in-memory SQLite database (the tests') is one shared cache with
        # table locks instead of WAL: a read beside a write fails at once
        # ("table is locked") rather than waiting, so reads stay on the sync thread.
        return await DatabaseSyncToAsync(func)(*args, **kwargs)
    return await _reader.run(func, *args, **kwargs)


def _shared_cache_sqlite() -> bool:
    # is_in_memory_db() exists on SQLite's connection only, hence the vendor test first.
    return connection.vendor == "sqlite" and connection.is_in_memory_db()  # type: ignore[attr-defined]


class SharedRead(Generic[T]):
    """One read shared by the callers that ask while it is pending.

    A caller gets the result of a read that started after it asked (so it
    sees whatever was committed before its doorbell); callers arriving during
    a read share the next one. Belongs to the event loop it was made on.
    """

    def __init__(self) -> None:
        self.asked = self.answered = 0
        self.lock = asyncio.Lock()
        self.result: T | None = None

    async def __call__(self, read: Callable[[], Awaitable[T]]) -> T:
        self.asked += 1
        mine = self.asked
        async with self.lock:
            if self.answered < mine:
                for _ in range(JOIN_ROUNDS):  # the other callers of this doorbell ask too
                    await asyncio.sleep(0)
                covering = self.asked
                self.result = await read()
                self.answered = covering
            return self.result  # type: ignore[return-value]  # set by the read that answered us

    @property
    def idle(self) -> bool:
        return self.answered >= self.asked and not self.lock.locked()


_shared: dict[tuple[int, Hashable], SharedRead[Any]] = {}


async def read_shared(key: Hashable, func: Callable[..., T], *args: Any) -> T:
    """``func(*args)`` on the reader thread, shared (see SharedRead) by the
    callers on this event loop that ask with the same ``key``."""
    slot = (id(asyncio.get_running_loop()), key)
    state = _shared.get(slot)
    if state is None:
        state = _shared[slot] = SharedRead()
    try:
        return await state(lambda: db_read(func, *args))
    finally:
        if state.idle and _shared.get(slot) is state:
            del _shared[slot]
