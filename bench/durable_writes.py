"""Durable orders per second with 16 concurrent writers, on SQLite WAL or PostgreSQL.

Each writer is a thread with its own database connection calling the real
``registers.services.order_place`` (change log, hash chain, projections,
tickets, kitchen feed) in a loop for a fixed time. An order counts once its
transaction has committed. "Commit time" is the whole order_place call, the
wait for the write lock included. Lock errors are ``database is locked`` or
serialization failures that reached the caller.

SQLite runs as a store node does (WAL, synchronous=FULL: each commit fsynced,
BEGIN IMMEDIATE); ``--synchronous normal`` measures the same without the
fsync per commit, not durable, only to show what FULL costs. PostgreSQL runs
as HQ does (synchronous_commit on), in a throw-away database. order_place commits the
orders that arrive together in one transaction (group commit, see
registers/services.py), so the writers' orders share commits; each is still
answered only after its own order is durable.

    .venv/bin/python -m bench.durable_writes [--seconds 10] [--writers 16] [--synchronous normal]
                                             [--postgres postgres://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def setup(postgres: str, synchronous: str = "") -> str | None:
    """Environment for Django; returns the throw-away PostgreSQL database's name.
    ``synchronous`` replaces the node's SQLite setting (FULL) for comparison."""
    os.environ["POS_DATA_DIR"] = tempfile.mkdtemp(prefix="posweb-bench-")
    os.environ["POS_NODE"] = "bench"
    os.environ["POS_WORKERS"] = "0"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["DJANGO_SETTINGS_MODULE"] = "posweb.settings"
    name = None
    if postgres:
        import psycopg

        name = f"posweb_bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(postgres.replace("postgres://", "postgresql://"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = postgres.rsplit("/", 1)[0] + "/" + name
    import django

    django.setup()
    if synchronous:
        _sqlite_synchronous(synchronous)
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)
    call_command("seed_demo", verbosity=0)
    # As a node's daphne process runs (posweb/asgi.py): start-up objects frozen,
    # the write-ahead log checkpointed by its worker rather than by commits.
    from runtime import workers
    from runtime.housekeeping import startup_settle

    workers.start_all(only={"wal-checkpoint"})
    startup_settle()
    return name


def _sqlite_synchronous(level: str) -> None:
    """Every connection opened from now on runs the node's PRAGMAs with ``level`` instead of FULL."""
    from django.conf import settings

    options = settings.DATABASES["default"].get("OPTIONS", {})
    if "synchronous=FULL" not in options.get("init_command", ""):
        raise SystemExit("--synchronous applies to SQLite, whose node settings say synchronous=FULL")
    options["init_command"] = options["init_command"].replace("synchronous=FULL", f"synchronous={level.upper()}")


def drop(postgres: str, name: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(postgres.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(seconds: float, writers: int) -> dict:
    from django.db import OperationalError, connection

    from registers import services, tender
    from runtime.storage import storage_as_dict

    from bench.common import percentile

    lines = [services.LineRequest("GYUDON", 1, ["size_nami"]), services.LineRequest("BEER", 1)]
    commits: list[float] = []
    storage: dict[str, str] = {}
    lock_errors: list[str] = []
    other_errors: list[str] = []
    start = threading.Barrier(writers + 1)
    stop_at = [0.0]

    def writer(i: int) -> None:
        if i == 0:
            storage.update(storage_as_dict())  # as a writer's own connection has it
        start.wait()
        try:
            while time.perf_counter() < stop_at[0]:
                t = time.perf_counter()
                try:
                    services.order_place(order_id=uuid.uuid4(), register=f"register-{i + 1}", dining="eat_in", lines=lines,
                                         payments=[tender.Tender("cash", 2000)], request_hash=uuid.uuid4().hex)
                except OperationalError as exc:
                    (lock_errors if "lock" in str(exc) or "serializ" in str(exc) else other_errors).append(str(exc))
                    continue
                except Exception as exc:  # noqa: BLE001 - counted and shown, never hidden
                    other_errors.append(repr(exc))
                    continue
                commits.append((time.perf_counter() - t) * 1000)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    stop_at[0] = time.perf_counter() + seconds
    began = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join(seconds + 120)
    elapsed = time.perf_counter() - began
    return {"vendor": connection.vendor, "storage": storage, "writers": writers, "orders": len(commits), "per_s": len(commits) / elapsed,
            "p50": percentile(commits, 50) if commits else 0, "p99": percentile(commits, 99) if commits else 0,
            "lock_errors": len(lock_errors), "other_errors": len(other_errors),
            "first_error": (lock_errors + other_errors)[:1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--synchronous", choices=["full", "normal"], default="",
                        help="SQLite: measure with this setting instead of the node's (full); normal is not durable")
    parser.add_argument("--postgres", default="", help="a PostgreSQL server URL; a throw-away database is made on it")
    args = parser.parse_args()
    if args.synchronous and args.postgres:
        parser.error("--synchronous is a SQLite setting")
    name = setup(args.postgres, args.synchronous)
    try:
        result = run(args.seconds, args.writers)
    finally:
        if name:
            drop(args.postgres, name)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
