"""Acknowledged means on disk: every database connection of a node fsyncs its commits.

SQLite's ``synchronous`` is a setting of each connection, not of the file, so
it is read back on the connections a node really opens: the request thread's,
a fresh one on a worker thread, and one on a database file (the test database
is in memory, where WAL does not apply). Health shows the same reading.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.db.utils import ConnectionHandler

from runtime.storage import storage_as_dict
from runtime.workers import run_in_background

pytestmark = pytest.mark.django_db(transaction=True)

sqlite_only = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3", reason="SQLite connection settings"
)


def durable(storage: dict[str, str]) -> bool:
    """The engine's own word that a commit waits for the disk."""
    if storage["engine"] == "sqlite":
        return storage["synchronous"] in {"full", "extra"}
    return storage["engine"] == "postgresql" and storage["synchronous_commit"] != "off"


def test_the_request_threads_connection_fsyncs_each_commit():
    storage = storage_as_dict()
    assert durable(storage), storage
    if connection.vendor == "sqlite":
        assert storage["synchronous"] == "full"


def test_a_fresh_connection_on_a_worker_thread_fsyncs_each_commit():
    seen: dict[str, str] = {}
    # A new thread has no connection yet: Django opens one for it, as it does
    # for each worker (replication, checkpoints) of a node.
    run_in_background(lambda: seen.update(storage_as_dict()), name="storage-read").join(10)
    assert seen and durable(seen), seen
    if connection.vendor == "sqlite":
        assert seen["synchronous"] == "full"


def _file_storage(name: str) -> dict[str, str]:
    """The settings of a new connection to the SQLite file ``name``, opened as the node opens one."""
    conn = ConnectionHandler({"default": {**settings.DATABASES["default"], "NAME": name}})["default"]
    try:
        return storage_as_dict(conn)
    finally:
        conn.close()


@sqlite_only
def test_every_connection_to_a_node_database_file_is_wal_with_synchronous_full(tmp_path: Path):
    name = str(tmp_path / "node.sqlite3")
    expected = {"engine": "sqlite", "journal_mode": "wal", "synchronous": "full"}
    assert _file_storage(name) == expected
    results: list[dict[str, str]] = []
    threads = [threading.Thread(target=lambda: results.append(_file_storage(name))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert results == [expected, expected]


def test_health_reads_the_storage_settings_back(client):
    storage = client.get("/api/health").json()["storage"]
    assert storage == storage_as_dict()
    assert durable(storage), storage
