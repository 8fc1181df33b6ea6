"""The kitchen feed over WebSocket: fan-out after commit, resume, acks and bumps,
through the in-memory channel layer and a real Redis one."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.core.management import call_command

from posweb.asgi import application
from tests.personas import kitchen_socket_protocols
from registers import services, tender
from registers.models import Order

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded(transactional_db):
    import io

    call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture(params=["memory", "redis"])
def layer(request, settings):
    if request.param == "redis":
        url = request.getfixturevalue("redis_url")
        settings.CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": [url], "prefix": f"posweb-test-{uuid.uuid4().hex[:8]}"},
            }
        }
    channel_layers.backends.clear()
    yield request.param
    channel_layers.backends.clear()


def place(sku="GYUDON", mods=("size_nami",), qty=1):
    order, _ = services.order_place(
        order_id=uuid.uuid4(),
        register="register-1",
        dining="eat_in",
        lines=[services.LineRequest(sku, qty, list(mods)), services.LineRequest("COLA", 1, ["drink_m"])],
        payments=[tender.Tender("cash", 5000)],
        request_hash=uuid.uuid4().hex,
    )
    return order


async def connect(path="/ws/kitchen/"):
    socket = WebsocketCommunicator(application, path, subprotocols=kitchen_socket_protocols())
    connected, _ = await socket.connect()
    assert connected
    hello = await socket.receive_json_from(timeout=5)
    assert hello["type"] == "hello"
    return socket, hello


async def tickets_from(socket, count):
    got = []
    while len(got) < count:
        message = await socket.receive_json_from(timeout=5)
        if message["type"] == "ticket":
            got.append(message)
    return got


async def test_a_placed_order_reaches_every_connected_screen(seeded, layer):
    screens = [await connect() for _ in range(3)]
    order = await database_sync_to_async(place)()
    for socket, _ in screens:
        messages = await tickets_from(socket, 2)  # grill and drinks
        assert {m["ticket"]["station"] for m in messages} == {"grill", "drinks"}
        assert all(m["ticket"]["number"] == order.number and m["event"] == "new" for m in messages)
        assert messages[0]["seq"] < messages[1]["seq"]
        await socket.disconnect()


async def test_a_station_screen_sees_only_its_tickets(seeded, layer):
    socket, _ = await connect("/ws/kitchen/?station=drinks")
    await database_sync_to_async(place)()
    [message] = await tickets_from(socket, 1)
    assert message["ticket"]["station"] == "drinks"
    assert message["ticket"]["items"][0]["modifiers"] == [{"name_ja": "M", "name_en": "Medium"}]
    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()


async def test_a_screen_that_reconnects_gets_what_it_missed_once(seeded, layer):
    socket, hello = await connect()
    await database_sync_to_async(place)()
    seen = await tickets_from(socket, 2)
    last = seen[-1]["seq"]
    await socket.disconnect()

    missed = [await database_sync_to_async(place)() for _ in range(3)]
    socket, hello = await connect()
    await socket.send_json_to({"type": "resume", "after": last, "epoch": hello["epoch"]})
    again = await tickets_from(socket, 6)
    assert {m["ticket"]["order"] for m in again} == {str(o.id) for o in missed}
    assert [m["seq"] for m in again] == sorted({m["seq"] for m in again})
    assert again[0]["prev"] == last
    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()


async def test_a_resume_from_another_epoch_gets_a_snapshot(seeded, layer):
    await database_sync_to_async(place)()
    socket, hello = await connect()
    await socket.send_json_to({"type": "resume", "after": 1, "epoch": "some-other-node.1234"})
    assert (await socket.receive_json_from(timeout=5))["type"] == "reset"
    snapshot = await socket.receive_json_from(timeout=5)
    assert snapshot["type"] == "snapshot" and len(snapshot["tickets"]) == 2
    await socket.disconnect()


async def test_ack_records_kitchen_receipt_and_bumps_make_the_order_ready(seeded, layer):
    socket, _ = await connect()
    order = await database_sync_to_async(place)()
    messages = await tickets_from(socket, 2)
    for m in messages:
        await socket.send_json_to({"type": "ack", "ticket": m["ticket"]["id"], "confirm": True})
    acked = [await socket.receive_json_from(timeout=5) for _ in messages]
    assert {a["ticket"] for a in acked} == {m["ticket"]["id"] for m in messages}
    assert all(a["type"] == "acked" and a["at"] for a in acked)
    fresh = await database_sync_to_async(Order.objects.get)(pk=order.id)
    assert fresh.kitchen_received_at is not None and fresh.status == "in_kitchen"

    for m in messages:
        await socket.send_json_to({"type": "bump", "ticket": m["ticket"]["id"]})
    bumped = await tickets_from(socket, 2)
    assert {m["event"] for m in bumped} == {"bumped"}
    fresh = await database_sync_to_async(Order.objects.get)(pk=order.id)
    assert fresh.status == "ready"

    await socket.send_json_to({"type": "recall"})
    [recalled] = await tickets_from(socket, 1)
    assert recalled["event"] == "recalled" and recalled["ticket"]["status"] == "open"
    fresh = await database_sync_to_async(Order.objects.get)(pk=order.id)
    assert fresh.status == "in_kitchen"
    await socket.disconnect()


async def test_nonsense_messages_get_an_error_not_a_crash(seeded, layer):
    socket, _ = await connect()
    for bad in ({"type": "launch"}, {"type": "bump", "ticket": "x"}, {"type": "bump", "ticket": str(uuid.uuid4())}, [1, 2]):
        await socket.send_json_to(bad)
        assert (await socket.receive_json_from(timeout=5))["type"] == "error"
    await socket.send_json_to({"type": "ping"})
    assert (await socket.receive_json_from(timeout=5))["type"] == "pong"
    await socket.disconnect()
