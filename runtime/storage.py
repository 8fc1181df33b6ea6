"""What this node's database promises about durability, read back from a live connection.

A node answers 201 only once the commit is on disk: SQLite runs in WAL mode
with ``synchronous=FULL`` (posweb/settings.py), PostgreSQL with
``synchronous_commit`` on (its default; nothing here turns it off). Health
shows the settings as the database reports them on the connection that
serves the request, not as the code meant them, so a node started with other
settings says so.
"""

from __future__ import annotations

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper

# PRAGMA synchronous answers with a number; these are SQLite's names for them.
SQLITE_SYNCHRONOUS = {0: "off", 1: "normal", 2: "full", 3: "extra"}


def storage_as_dict(conn: BaseDatabaseWrapper | None = None) -> dict[str, str]:
    """``engine`` and its durability settings, read on ``conn`` (this thread's
    default connection if not given)."""
    conn = conn or connection
    if conn.vendor == "sqlite":
        return {"engine": "sqlite", **_sqlite_settings(conn)}
    if conn.vendor == "postgresql":
        return {"engine": "postgresql", "synchronous_commit": _read_one(conn, "SHOW synchronous_commit")}
    return {"engine": conn.vendor}


def _sqlite_settings(conn: BaseDatabaseWrapper) -> dict[str, str]:
    level = int(_read_one(conn, "PRAGMA synchronous"))
    return {
        "journal_mode": _read_one(conn, "PRAGMA journal_mode").lower(),
        "synchronous": SQLITE_SYNCHRONOUS.get(level, str(level)),
    }


def _read_one(conn: BaseDatabaseWrapper, sql: str) -> str:
    with conn.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return str(row[0])
