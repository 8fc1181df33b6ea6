"""Background workers that run inside a node's daphne process.

The contract runs a node as plain ``daphne posweb.asgi:application``, so loops
such as replication or the kitchen printer fallback live here: each is a
daemon thread that calls its function every ``interval`` seconds, or at once
when woken. Apps register workers in ``AppConfig.ready()``; ``posweb/asgi.py``
starts them unless ``POS_WORKERS=0`` (the test overlay sets that, and tests
drive the functions directly), and leaves those done by one process at a time
to ``manage.py run_workers`` with ``POS_WORKERS_ONCE=0``.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from django.db import connections

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[[], object])


@dataclass
class Worker:
    name: str
    interval: float
    func: Callable[[], object]  # what it returns is ignored
    # Done by one process at a time where several serve the same database
    # (HQ's daphne workers on PostgreSQL): a tick that finds another process
    # in it is skipped. The work it does is in the database, so whichever
    # process ticks next goes on from there.
    once: bool = False
    wake_event: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.wake_event.clear()
            try:
                if self.once:
                    with exclusive(f"worker:{self.name}") as mine:
                        if mine:
                            self.func()
                else:
                    self.func()
            except Exception:  # noqa: BLE001
                # A worker must outlive one bad tick (a peer down, a printer
                # off); the next tick retries.
                log.exception("worker %s failed", self.name)
            finally:
                close_broken_connections()
            self.wake_event.wait(self.interval)


@contextlib.contextmanager
def exclusive(name: str) -> Iterator[bool]:
    """Whether this process holds ``name`` for the block: a PostgreSQL
    session advisory lock, tried without waiting, on this thread's
    connection (released at the end, or when the connection closes, so a
    process that dies holds nothing). Always True on SQLite, whose node has
    one serving process."""
    conn = connections["default"]
    if conn.vendor != "postgresql":
        yield True
        return
    with conn.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtextextended(%s, 0))", [f"posweb.{name}"])
        mine = bool(cursor.fetchone()[0])
    try:
        yield mine
    finally:
        if mine and conn.connection is not None:
            with conn.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", [f"posweb.{name}"])


def close_broken_connections() -> None:
    """Close this thread's database connections that are broken or left in
    a transaction; keep the healthy ones for the next tick.

    Not close_old_connections(): with CONN_MAX_AGE=0 it reopens the database
    on every tick, and the sync push ticks on every commit. Reopening SQLite
    costs its PRAGMAs, and closing the last connection to a WAL database
    checkpoints it: measured, a sibling push took 12-17 ms instead of 5 ms.
    A worker thread lives as long as the process, so one connection each is
    bounded, and a connection kept open here also spares the request
    threads' connections that last-close checkpoint."""
    for conn in connections.all(initialized_only=True):
        if conn.connection is None:
            continue
        if conn.in_atomic_block or conn.get_autocommit() != conn.settings_dict["AUTOCOMMIT"]:
            conn.close()
        elif conn.errors_occurred:
            if conn.is_usable():
                conn.errors_occurred = False
            else:
                conn.close()


_workers: dict[str, Worker] = {}
_stop = threading.Event()


def worker(name: str, *, interval: float, once: bool = False) -> Callable[[F], F]:
    """Register ``func`` as the worker ``name`` (registering a name again
    replaces it). ``once``: with several processes on one PostgreSQL
    database, one of them at a time runs it (Worker.once)."""

    def register(func: F) -> F:
        _workers[name] = Worker(name, interval, func, once)
        return func

    return register


def wake(name: str) -> None:
    """Run worker ``name`` now instead of at its next interval (no-op if unknown or not started)."""
    w = _workers.get(name)
    if w is not None:
        w.wake_event.set()


def start_all(only: set[str] | None = None, *, once: bool = True, local: bool = True) -> list[str]:
    """Start every registered worker (or only those named: benchmarks run the
    housekeeping a node would, without its network loops): those done by one
    process at a time unless ``once`` is False, the others (every process's
    own: health checks, a store's replication) unless ``local`` is False.
    Returns the names started."""
    _stop.clear()
    started = []
    for w in _workers.values():
        if only is not None and w.name not in only:
            continue
        if not (once if w.once else local):
            continue
        started.append(w.name)
        if w.thread is None or not w.thread.is_alive():
            w.thread = threading.Thread(target=w.run, args=(_stop,), name=f"posweb-{w.name}", daemon=True)
            w.thread.start()
            log.info("started worker %s (every %ss)", w.name, w.interval)
    return started


def stop_all(timeout: float = 5) -> None:
    _stop.set()
    for w in _workers.values():
        w.wake_event.set()
    for w in _workers.values():
        if w.thread is not None:
            w.thread.join(timeout)
            w.thread = None


def run_in_background(func: Callable[[], object], *, name: str) -> threading.Thread:
    """Run ``func`` once on a daemon thread of its own, so a request that has
    committed answers without waiting for slow best-effort work (an alert to
    managers' phones). Failures are logged; the thread's own database
    connections are closed when it ends."""

    def run() -> None:
        try:
            func()
        except Exception:  # noqa: BLE001 - best effort: the caller has already answered
            log.warning("background task %s failed", name, exc_info=True)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread
