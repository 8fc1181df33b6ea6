"""The checks behind health's reasons that need only the database and the channel layer.

- ``integrity_check``: SQLite's ``PRAGMA quick_check``, once per process at
  start (a worker), on a connection of its own; PostgreSQL is skipped (its
  own checksums and tools cover it).
- ``write_failed`` / ``write_succeeded``: callers whose write failed on the
  storage (disk full, I/O error, read-only) say so; a later successful write
  ends it.
- ``channel_layer_check``: with Redis as the channel layer, a message sent to
  a private channel and received back within CHANNEL_PING_TIMEOUT_S, every
  CHANNEL_CHECK_S by a worker.
- ``workers_elsewhere_check``: a process that leaves the workers done by one
  process at a time to ``manage.py run_workers`` (POS_WORKERS_ONCE=0, on
  PostgreSQL) sees such a process connected (WORKERS_APPLICATION_NAME), every
  WORKERS_CHECK_S by a worker.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import uuid

from channels import DEFAULT_CHANNEL_LAYER
from channels.layers import BaseChannelLayer, channel_layers
from django.conf import settings
from django.db import connection

from runtime import health

CHANNEL_CHECK_S = 5.0
CHANNEL_PING_TIMEOUT_S = 2.0
WORKERS_CHECK_S = 30.0
# What `manage.py run_workers` names its PostgreSQL connections (pg_stat_activity).
WORKERS_APPLICATION_NAME = "posweb run_workers"

# What SQLite (and the OS through it) says when the storage, not the data,
# is at fault. Matched on the message: Django wraps them all in OperationalError.
STORAGE_ERRORS = ("database or disk is full", "disk i/o error", "readonly database", "read-only",
                  "no space left", "disk image is malformed")


def sqlite_quick_check(path: str) -> list[str]:
    """SQLite's own verdict on the file at ``path``: empty when it is sound."""
    conn = sqlite3.connect(path, timeout=30)
    try:
        rows = [str(row[0]) for row in conn.execute("PRAGMA quick_check")]
    except sqlite3.DatabaseError as exc:
        # A badly damaged file fails before quick_check can say anything.
        return [str(exc)]
    finally:
        conn.close()
    return [] if rows == ["ok"] else rows


_integrity_done = threading.Event()


def integrity_check() -> None:
    """The start-up worker: check the database file once per process."""
    path = database_file()
    if _integrity_done.is_set() or path is None:
        return
    _integrity_done.set()
    integrity_record(sqlite_quick_check(path))


def database_file() -> str | None:
    """The node's SQLite file; None for PostgreSQL or an in-memory database (tests)."""
    name = str(connection.settings_dict["NAME"])
    if connection.vendor != "sqlite" or name == ":memory:" or "mode=memory" in name:
        return None
    return name


def integrity_record(problems: list[str]) -> None:
    if problems:
        more = f" (+{len(problems) - 1})" if len(problems) > 1 else ""
        health.reason_set(health.INTEGRITY, error=problems[0][:200] + more)
    else:
        health.reason_clear(health.INTEGRITY)


def is_storage_error(exc: BaseException) -> bool:
    text = str(exc).lower()
    return any(marker in text for marker in STORAGE_ERRORS)


def write_failed(what: str, exc: BaseException) -> None:
    """A write of ``what`` (an order, replicated changes) failed: counted if the storage is why."""
    if not is_storage_error(exc):
        return
    old = health.reason_get(health.WRITES)
    count = (old.params["count"] if old else 0) + 1
    health.reason_set(health.WRITES, count=count, what=what, error=str(exc)[:200])


def write_succeeded() -> None:
    """A write committed: the storage takes writes again."""
    if health.reason_get(health.WRITES) is not None:
        health.reason_clear(health.WRITES)


async def channel_layer_ping(layer: BaseChannelLayer, timeout: float = CHANNEL_PING_TIMEOUT_S) -> None:
    """Send a message to a private channel and receive it back; raises if that fails or takes too long."""
    async def round_trip() -> None:
        channel = await layer.new_channel()
        token = uuid.uuid4().hex
        await layer.send(channel, {"type": "health.ping", "token": token})
        message = await layer.receive(channel)
        if message.get("token") != token:
            raise RuntimeError("the channel layer returned another message")

    await asyncio.wait_for(round_trip(), timeout)


# The worker's own event loop and layer instance. The process's shared layer
# is receiving on the server's loop, and channels_redis refuses a receive from
# a second loop on the same instance; a new loop per ping would also open (and
# leak) new connections each time, as channels_redis keeps them per loop.
_loop: asyncio.AbstractEventLoop | None = None
_layer: BaseChannelLayer | None = None


def channel_layer_check(layer: BaseChannelLayer | None = None) -> None:
    """The worker: ping the channel layer when it is Redis (an in-memory one cannot be down)."""
    global _loop, _layer
    if layer is None:
        if not settings.REDIS_URL:
            return
        _layer = layer = _layer or channel_layers.make_backend(DEFAULT_CHANNEL_LAYER)
    _loop = _loop or asyncio.new_event_loop()
    try:
        _loop.run_until_complete(channel_layer_ping(layer, CHANNEL_PING_TIMEOUT_S))
    except Exception as exc:  # noqa: BLE001 - any failure means screens are cut off
        health.reason_set(health.CHANNEL_LAYER, error=(str(exc) or type(exc).__name__)[:200])
    else:
        health.reason_clear(health.CHANNEL_LAYER)


def workers_elsewhere_check() -> None:
    """The worker: with POS_WORKERS_ONCE=0 on PostgreSQL, whether a
    ``run_workers`` process is connected to this database; without one, no
    alert, rollup, webhook or Web Push is done, and only health can say so."""
    if settings.POS_WORKERS_ONCE or connection.vendor != "postgresql":
        health.reason_clear(health.WORKERS_MISSING)
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database() "
                       "AND application_name = %s)", [WORKERS_APPLICATION_NAME])
        connected = cursor.fetchone()[0]
    if connected:
        health.reason_clear(health.WORKERS_MISSING)
    else:
        health.reason_set(health.WORKERS_MISSING)
