"""Doorbells: tell sockets "look again" after a commit, once per transaction.

The database is the source of truth and the channel layer only a bell, rung
after commit so nobody hears of something that may still roll back
(``transaction.on_commit``). Two helpers:

- ``ring_after_commit(key, item, flush)``: every item given under ``key``
  during one transaction reaches ``flush`` in one call after it commits,
  each item once. An order with tickets for three stations wakes each screen
  once, not three times; a batch of forty orders is one hop to the channel
  layer, not forty. A rolled-back transaction (or savepoint) drops its ring.
- ``send_soon(make)``: hand the ring's coroutine to the event loop without
  making the committing thread wait for it.

Dedupe uses public API only: a per-thread (so per-connection) pending batch
registered once with ``transaction.on_commit`` and held here by a weak
reference. Django holds the only strong reference; when it runs the batch
(commit) or discards it (rollback of the transaction or of the savepoint it
was registered in), the reference dies and the next ring starts a new batch.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import threading
import weakref
from collections.abc import Callable, Coroutine, Hashable
from concurrent.futures import Future
from typing import Any

from asgiref.sync import SyncToAsync, async_to_sync
from django.db import transaction

log = logging.getLogger(__name__)


class _Pending:
    """The items rung under one key in the current transaction."""

    def __init__(self, flush: Callable[[list[Any]], None]) -> None:
        self.flush = flush
        self.items: dict[Hashable, None] = {}
        self.fired = False

    def __call__(self) -> None:
        self.fired = True
        self.flush(list(self.items))


class _Local(threading.local):
    def __init__(self) -> None:
        self.pending: dict[tuple[str | None, Hashable], weakref.ref[_Pending]] = {}


_local = _Local()


def ring_after_commit(key: Hashable, item: Hashable, flush: Callable[[list[Any]], None], *,
                      using: str | None = None) -> None:
    """Call ``flush(items)`` once after the current transaction commits, with
    every distinct ``item`` rung under ``key`` in it (at once, outside a transaction)."""
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        flush([item])
        return
    slot = (using, key)
    ref = _local.pending.get(slot)
    pending = ref() if ref is not None else None
    if pending is None or pending.fired:
        pending = _Pending(flush)
        _local.pending[slot] = weakref.ref(pending)
        transaction.on_commit(pending, using=using)
    pending.items.setdefault(item)


def send_soon(make: Callable[[], Coroutine[Any, Any, Any]], *, what: str) -> None:
    """Ring a doorbell after commit without making the committing thread wait;
    ``make`` is an ``async def`` function.

    Called on a thread that serves requests or socket writes of the node:
    waiting there for the event loop to deliver the ring (and, with Redis, for
    its round trips) held up the next order behind it. ``make()`` is handed to
    the event loop that called into this thread and not awaited. Outside such
    a thread (commands, workers, sync tests) it is sent in place. A full or
    unreachable channel layer never fails a write that is already committed:
    sockets catch up on their next ring, ping or resume.
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
        log.warning("%s failed", what, exc_info=True)


def _calling_loop() -> asyncio.AbstractEventLoop | None:
    """The running event loop whose sync_to_async call this thread is serving, if any."""
    if getattr(SyncToAsync.threadlocal, "main_event_loop_pid", None) != os.getpid():
        return None
    loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    return loop if loop is not None and loop.is_running() and not loop.is_closed() else None


def _log_failure(what: str, sent: Future[Any]) -> None:
    if not sent.cancelled() and sent.exception() is not None:
        log.warning("%s failed", what, exc_info=sent.exception())
