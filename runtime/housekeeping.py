"""Keeping a node's periodic housekeeping off the order path.

Two pauses showed as the slowest orders under load (bench/durable_writes.py):
Python's full garbage collections walking every object Django loaded at start,
and SQLite checkpointing its write-ahead log inside whichever commit crossed
the threshold. The node freezes its start-up objects once it is up, and a
worker checkpoints the log every second on its own connection; the per-commit
threshold (settings: wal_autocheckpoint, 8000 pages, about 32 MiB) stays as a
safety net for processes that run no workers.
"""

from __future__ import annotations

import gc

from django.db import connection


def startup_settle() -> None:
    """Move everything loaded so far out of the collector's reach: full
    collections then walk only what requests create, not all of Django."""
    gc.collect()
    gc.freeze()


def wal_checkpoint() -> None:
    """Copy the write-ahead log into the database without waiting for anyone
    (PASSIVE): writers go on meanwhile, and the log stays small.

    Durability does not depend on it: with synchronous=FULL every commit is
    already fsynced in the log. A checkpoint fsyncs the log before copying and
    the database file before the log is reused, so it never leaves a commit
    only in memory (its connection has FULL too, like every node connection)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
