"""A revoked device's open sockets: closed when the revocation is applied, and
nothing they send afterwards (an ack, a bump) has any effect, even when no
ring told this process (the revocation applied by another process while the
channel layer was down)."""

from __future__ import annotations

import asyncio
import json
import threading

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from django.utils import timezone

from kitchen.models import Ticket
from runtime import sockets
from security.pairing import device_revoke
from stores.demo import demo_kitchen_token
from stores.models import Device, token_digest
from stores.services import device_revoke_row
from tests.test_kitchen_feed import connect, place, seeded, tickets_from  # noqa: F401 - seeded is a fixture

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def memory_layer():
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()
    sockets._revoked.clear()


def kitchen_device() -> Device:
    return Device.objects.get(token_hash=token_digest(demo_kitchen_token()))


async def closed_with(socket) -> tuple[list[dict], int | None]:
    """What the server sent before closing, and its close code."""
    said = []
    for _ in range(50):
        output = await socket.receive_output(timeout=5)
        if output["type"] == "websocket.close":
            return said, output.get("code")
        if output["type"] == "websocket.send":
            said.append(json.loads(output["text"]))
    return said, None


async def test_revoking_a_device_closes_its_kitchen_and_order_sockets_at_once(seeded):
    kitchen, _ = await connect()
    orders, _ = await connect("/ws/orders/")
    await database_sync_to_async(device_revoke)(device=await database_sync_to_async(kitchen_device)(), by="manager")
    for socket in (kitchen, orders):
        said, code = await closed_with(socket)
        assert code == sockets.CLOSE_REVOKED
        assert said[-1]["code"] == "device_revoked" and "revoked" in said[-1]["detail"]


async def test_a_ring_reaches_the_sockets_while_the_sync_thread_is_held(seeded):
    """The process's one thread-sensitive thread is busy (a slow bump or ack
    being written there): a ring still reaches every socket at once.
    Channels' own dispatch hopped to that thread before every message of
    every socket, so a ring to ten kitchen screens waited for it ten times."""
    sockets_open = [await connect() for _ in range(3)] + [await connect("/ws/orders/")]
    release = threading.Event()
    held = asyncio.ensure_future(sync_to_async(release.wait)(timeout=30))  # thread-sensitive: that thread
    try:
        await asyncio.sleep(0.2)
        await sockets.ring(sockets.device_group(token_digest(demo_kitchen_token())), {"type": "socket.close"})
        for socket, _ in sockets_open:
            said, code = await closed_with(socket)  # each within closed_with's 5 s
            assert code == sockets.CLOSE_REVOKED
        assert not held.done()  # the thread was held all along
    finally:
        release.set()
        await held


async def test_a_bump_after_a_revocation_no_ring_announced_is_refused_and_closes_the_socket(seeded):
    kitchen, _ = await connect()
    await kitchen.send_json_to({"type": "snapshot"})
    while (await kitchen.receive_json_from(timeout=5))["type"] != "snapshot":
        pass
    order = await database_sync_to_async(place)()
    (ticket, *_) = await tickets_from(kitchen, 1)
    # Revoked in the database only, as another process applies it while Redis is down.
    await database_sync_to_async(device_revoke_row)(token_hash=token_digest(demo_kitchen_token()), at=timezone.now())
    await asyncio.sleep(sockets.DEVICE_CHECK_S + 0.2)
    await kitchen.send_json_to({"type": "bump", "ticket": ticket["ticket"]["id"]})
    await kitchen.send_json_to({"type": "ack", "ticket": ticket["ticket"]["id"], "confirm": True})
    said, code = await closed_with(kitchen)
    assert code == sockets.CLOSE_REVOKED
    assert not [m for m in said if m["type"] == "acked"]
    refreshed = await database_sync_to_async(lambda: list(Ticket.objects.filter(order_id=order.id)))()
    assert all(t.status == "open" and t.bumped_at is None and t.acked_at is None for t in refreshed)
