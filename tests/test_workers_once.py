"""Background work is done once with several processes on one PostgreSQL
database: a ``once`` worker's tick is skipped while another process is in it
(runtime/workers.py). Runs in bin/test's PostgreSQL pass; on SQLite (one
serving process per node) there is nothing to share."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from runtime.workers import Worker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

KEY = "SELECT pg_{}(hashtextextended('posweb.worker:alerts-test', 0))"


def one_tick(worker: Worker) -> None:
    """Let ``worker`` run a tick or two, then stop it."""
    stop = threading.Event()

    def runner() -> None:
        worker.wake_event.clear()
        worker.interval = 0.05
        stopper = threading.Timer(0.02, stop.set)
        stopper.start()
        worker.run(stop)

    thread = threading.Thread(target=runner)
    thread.start()
    thread.join(10)
    assert not thread.is_alive()


def test_a_once_worker_skips_its_tick_while_another_process_is_in_it():
    if connection.vendor != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's: bin/test runs this file on PostgreSQL")
    import psycopg

    params = connection.get_connection_params()
    other = psycopg.connect(**{k: v for k, v in params.items() if k in ("host", "port", "user", "password", "dbname")},
                            autocommit=True)
    ticks: list[int] = []
    worker = Worker("alerts-test", 3600, lambda: ticks.append(1), once=True)
    try:
        other.execute(KEY.format("advisory_lock"))  # another HQ worker is sending this round's alerts
        one_tick(worker)
        assert ticks == []
        other.execute(KEY.format("advisory_unlock"))
        one_tick(worker)
        assert ticks and set(ticks) == {1}
        # And the lock is free again after the tick: another process can take it.
        assert other.execute(KEY.format("try_advisory_lock")).fetchone()[0] is True
    finally:
        other.close()


def test_an_ordinary_worker_ticks_regardless():
    ticks: list[int] = []
    one_tick(Worker("plain-test", 3600, lambda: ticks.append(1)))
    assert ticks


def test_a_process_that_leaves_the_once_workers_elsewhere_says_so_until_one_runs(settings):
    """POS_WORKERS_ONCE=0 (HQ's serving workers): without a ``run_workers``
    process connected, nobody sends alerts or sums rollups, and health says so."""
    if connection.vendor != "postgresql":
        pytest.skip("a run_workers process is seen in pg_stat_activity: bin/test runs this file on PostgreSQL")
    import psycopg

    from runtime import health
    from runtime.health_checks import WORKERS_APPLICATION_NAME, workers_elsewhere_check

    health.reasons_reset()
    settings.POS_WORKERS_ONCE = False
    workers_elsewhere_check()
    assert health.reason_get(health.WORKERS_MISSING) is not None
    params = connection.get_connection_params()
    background = psycopg.connect(**{k: v for k, v in params.items() if k in ("host", "port", "user", "password", "dbname")},
                                 application_name=WORKERS_APPLICATION_NAME, autocommit=True)
    try:
        workers_elsewhere_check()
        assert health.reason_get(health.WORKERS_MISSING) is None
    finally:
        background.close()
    # It went away: said again. Its backend leaves pg_stat_activity a moment after the close.
    deadline = time.monotonic() + 10
    while True:
        workers_elsewhere_check()
        if health.reason_get(health.WORKERS_MISSING) is not None or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert health.reason_get(health.WORKERS_MISSING) is not None
    settings.POS_WORKERS_ONCE = True  # every process runs them: nothing is missing
    workers_elsewhere_check()
    assert health.reason_get(health.WORKERS_MISSING) is None
