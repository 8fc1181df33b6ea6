"""The node's HTTP handler (runtime/http.py): requests keep their thread's
database connection, a dropped one is replaced before a request fails on it,
and the request cycle still behaves as Django's (signals, errors, doorbells)."""

from __future__ import annotations

import json
import threading

import pytest
from channels.db import database_sync_to_async
from channels.testing import HttpCommunicator
from django.core import signals
from django.db import connection
from django.db.backends.signals import connection_created

from runtime.http import KeptThreadHandler
from stores.demo import demo_token

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def handler(demo):
    """A handler of its own, whose threads' connections are closed after the test
    (a kept PostgreSQL connection would stop the test database being dropped)."""
    opened = []

    def note(sender, connection, **kwargs):
        if threading.current_thread().name.startswith("posweb-http"):
            opened.append(connection)

    connection_created.connect(note)
    app = KeptThreadHandler()
    app.opened = opened
    yield app
    connection_created.disconnect(note)
    app.lane._executor.shutdown(wait=True)
    for conn in opened:
        conn.inc_thread_sharing()
        try:
            conn.close()
        finally:
            conn.dec_thread_sharing()


async def get(app, path: str, *, token: bool = True) -> tuple[int, bytes]:
    headers = [(b"authorization", f"Bearer {demo_token()}".encode())] if token else []
    communicator = HttpCommunicator(app, "GET", path, headers=headers)
    response = await communicator.get_response(timeout=10)
    await communicator.wait(timeout=10)  # the request closed too (request_finished)
    return response["status"], response["body"]


async def test_requests_in_turn_share_one_kept_database_connection(handler):
    for _ in range(10):
        status, body = await get(handler, "/api/menu")
        assert status == 200 and json.loads(body)["items"]
    # Django's own ASGI handler gave each request a thread, so a connection, of
    # its own: ten. A pool thread may start before another is counted idle
    # again, so a busy machine can see a second or third.
    assert 1 <= len(handler.opened) <= 3


async def test_a_request_after_the_database_dropped_the_connection_is_answered(handler):
    if connection.vendor != "postgresql":
        pytest.skip("only a database server drops connections; the PostgreSQL run (CI) takes this")
    assert (await get(handler, "/api/menu"))[0] == 200
    pids = [conn.connection.info.backend_pid for conn in handler.opened]
    assert await database_sync_to_async(terminate)(pids) == len(pids) >= 1
    for _ in range(3):
        status, body = await get(handler, "/api/menu")
        assert status == 200, body[:300]
    assert len(handler.opened) > len(pids)  # reconnected, not failed


def terminate(pids: list[int]) -> int:
    """End these PostgreSQL sessions, as a restart or failover of the server would."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = ANY(%s)", [pids])
        return sum(1 for (ended,) in cursor.fetchall() if ended)


async def test_refusals_and_the_request_signals_are_as_under_django(handler):
    seen = []

    def started(sender, **kwargs):
        seen.append("started")

    def finished(sender, **kwargs):
        seen.append("finished")

    signals.request_started.connect(started)
    signals.request_finished.connect(finished)
    try:
        status, body = await get(handler, "/api/menu", token=False)
    finally:
        signals.request_started.disconnect(started)
        signals.request_finished.disconnect(finished)
    assert status == 401 and b"detail" in body
    assert seen == ["started", "finished"]
