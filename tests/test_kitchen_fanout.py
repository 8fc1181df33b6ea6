"""Fan-out of one doorbell to many sockets costs the database once, not once per socket
(found by bench/fanout.py and counted by bench/feed_queries.py: ten screens each
read the feed and twenty registers each read the order on the node's one sync
thread, queued behind the order writes)."""

from __future__ import annotations

import asyncio
import json
from unittest import mock

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from kitchen import livefeed, selectors
from kitchen import services as kitchen_services
from posweb.asgi import application
from sync.models import Change
from tests.personas import kitchen_socket_protocols
from tests.test_kitchen_feed import connect, layer, place, seeded, tickets_from  # noqa: F401  (fixtures)
from tests.test_kitchen_ring_once import place as place_sync

pytestmark = [pytest.mark.django_db(transaction=True)]


def counting(func):
    calls = []

    def wrapper(*args, **kwargs):
        calls.append(kwargs)
        return func(*args, **kwargs)

    return wrapper, calls


async def test_screens_rung_by_one_doorbell_share_one_feed_read(seeded, layer):
    head = await database_sync_to_async(selectors.feed_head)(store="S001")
    cache = livefeed.FeedCache("S001", head)
    await database_sync_to_async(place)()
    read, calls = counting(selectors.feed_rows_after)
    with mock.patch.object(selectors, "feed_rows_after", read):
        await asyncio.gather(*(cache.refresh() for _ in range(10)))
    assert len(calls) == 1
    assert [e.station for e in cache.after(head, "")] == ["grill", "drinks"]
    assert [e.station for e in cache.after(head, "drinks")] == ["drinks"]


async def test_each_refresh_reads_what_was_committed_before_it(seeded, layer):
    head = await database_sync_to_async(selectors.feed_head)(store="S001")
    cache = livefeed.FeedCache("S001", head)
    await cache.refresh()
    assert cache.after(head, "") == []
    await database_sync_to_async(place)()
    await cache.refresh()  # asked after the commit: never answered by the read before it
    assert len(cache.after(head, "")) == 2


async def test_every_screen_gets_every_ticket_with_its_own_prev_chain(seeded, layer):
    everything = [await connect() for _ in range(3)]
    drinks = await connect("/ws/kitchen/?station=drinks")
    orders = [await database_sync_to_async(place)() for _ in range(3)]
    for socket, hello in everything:
        got = await tickets_from(socket, 6)
        assert [m["prev"] for m in got] == [hello["seq"]] + [m["seq"] for m in got[:-1]]
        assert {m["ticket"]["order"] for m in got} == {str(o.id) for o in orders}
    socket, hello = drinks
    got = await tickets_from(socket, 3)
    assert [m["prev"] for m in got] == [hello["seq"]] + [m["seq"] for m in got[:-1]]
    assert {m["ticket"]["station"] for m in got} == {"drinks"}
    for socket, _ in everything + [drinks]:
        assert await socket.receive_nothing(timeout=0.2)
        await socket.disconnect()


async def test_acks_from_every_screen_record_one_change_and_the_rest_are_answered_from_memory(seeded, layer):
    screens = [await connect(f"/ws/kitchen/?station=grill&screen=grill-{i}") for i in range(4)]
    await database_sync_to_async(place)()
    ticket_id = None
    for socket, _ in screens:
        [message] = await tickets_from(socket, 1)
        ticket_id = message["ticket"]["id"]
    ack, calls = counting(kitchen_services.tickets_ack)
    with mock.patch.object(kitchen_services, "tickets_ack", ack):
        for socket, _ in screens:
            await socket.send_json_to({"type": "ack", "ticket": ticket_id, "confirm": True})
        answers = [(await _until(socket, "acked"))["at"] for socket, _ in screens]
        await screens[0][0].send_json_to({"type": "ack", "ticket": ticket_id, "confirm": True})  # after a reconnect
        answers.append((await _until(screens[0][0], "acked"))["at"])
    assert len(set(answers)) == 1
    assert len(calls) == 1
    assert await database_sync_to_async(Change.objects.filter(kind="ticket.acked").count)() == 1
    for socket, _ in screens:
        await socket.disconnect()


async def test_an_ack_for_no_ticket_is_still_an_error(seeded, layer):
    socket, _ = await connect()
    await socket.send_json_to({"type": "ack", "ticket": "00000000-0000-0000-0000-000000000001", "confirm": True})
    error = await _until(socket, "error")
    assert "no ticket" in error["detail"]
    await socket.disconnect()


async def test_registers_rung_by_one_order_share_one_read_of_it(seeded, layer):
    from registers import consumers

    registers = []
    for _ in range(8):
        ws = WebsocketCommunicator(application, "/ws/orders/", subprotocols=await database_sync_to_async(kitchen_socket_protocols)())
        assert (await ws.connect())[0]
        await ws.receive_json_from(timeout=5)
        registers.append(ws)
    read, calls = counting(consumers.order_status_read)
    with mock.patch.object(consumers, "order_status_read", read):
        order = await database_sync_to_async(place)()
        for ws in registers:
            message = await ws.receive_json_from(timeout=5)
            assert message["type"] == "order" and message["order"]["id"] == str(order.id)
            assert await ws.receive_nothing(timeout=0.2)  # one ring per order, however many projectors touched it
    # One read, or two when some registers were woken while the first was under
    # way (a read that started before a register asked cannot answer it).
    assert len(calls) <= 2
    for ws in registers:
        await ws.disconnect()


async def test_the_orders_of_one_commit_reach_the_registers_in_one_ring(seeded, layer):
    """At HQ one upload commits a store's hundreds of orders: a ring (a
    channel-layer send) per order kept its event loop busy; one per store."""
    from django.db import transaction

    from registers import live
    from runtime import sockets

    ws = WebsocketCommunicator(application, "/ws/orders/", subprotocols=await database_sync_to_async(kitchen_socket_protocols)())
    assert (await ws.connect())[0]
    await ws.receive_json_from(timeout=5)
    sent = []
    real_ring = sockets.ring

    async def ring(group, message):
        sent.append((group, message["type"]))
        await real_ring(group, message)

    def place_three():
        with transaction.atomic():
            return [place() for _ in range(3)]

    with mock.patch.object(live.sockets, "ring", ring):
        orders = await database_sync_to_async(place_three)()
        got = [await ws.receive_json_from(timeout=5) for _ in orders]
        assert await ws.receive_nothing(timeout=0.2)
    assert [m["order"]["id"] for m in got] == [str(o.id) for o in orders] and {m["type"] for m in got} == {"order"}
    assert [ring for ring in sent if ring[0] == live.group_name("S001")] == [(live.group_name("S001"), "order.ring")]
    await ws.disconnect()


async def test_a_ring_of_one_order_from_the_release_before_still_reaches_the_registers(seeded, layer):
    from channels.layers import get_channel_layer

    from registers import live

    ws = WebsocketCommunicator(application, "/ws/orders/", subprotocols=await database_sync_to_async(kitchen_socket_protocols)())
    assert (await ws.connect())[0]
    await ws.receive_json_from(timeout=5)
    order = await database_sync_to_async(place)()
    await ws.receive_json_from(timeout=5)  # its own ring
    # As another HQ worker of the release before sends it, through the layer: "order" alone.
    await get_channel_layer().group_send(live.group_name("S001"), {"type": "order.ring", "order": str(order.id), "ring": "old-1"})
    message = await ws.receive_json_from(timeout=5)
    assert message["type"] == "order" and message["order"]["id"] == str(order.id)
    await ws.disconnect()


def test_an_order_rings_the_registers_once_after_commit(demo):
    with mock.patch("registers.live._ring_all") as ring:
        place_sync()
    ring.assert_called_once()
    [rings] = ring.call_args.args
    assert len(rings) == 1


async def _until(socket, kind):
    while True:
        message = await socket.receive_json_from(timeout=5)
        if message["type"] == kind:
            return message


def test_the_cache_serves_only_cursors_it_holds_everything_after():
    cache = livefeed.FeedCache("S001", 10)
    with mock.patch.object(livefeed, "KEEP", 3):
        cache._add([(seq, "grill" if seq % 2 else "drinks", "new", {"id": str(seq)}) for seq in range(11, 16)])
    assert (cache.low, cache.high) == (12, 15)
    assert not cache.covers(11)  # entry 12 is gone: this screen is served from the database
    assert [e.seq for e in cache.after(12, "")] == [13, 14, 15]
    assert [e.seq for e in cache.after(12, "grill")] == [13, 15]
    assert json.loads(cache.after(14, "")[0].text(14)) == {
        "type": "ticket", "seq": 15, "event": "new", "ticket": {"id": "15"}, "prev": 14}


async def test_a_screen_acking_an_orders_tickets_at_once_records_them_together(seeded, layer):
    socket, _ = await connect()  # every station: both of the order's tickets
    await database_sync_to_async(place)()
    tickets = [m["ticket"]["id"] for m in await tickets_from(socket, 2)]
    ack, calls = counting(kitchen_services.tickets_ack)
    with mock.patch.object(kitchen_services, "tickets_ack", ack):
        # As the socket handles a burst of acks: side by side, not one after the other.
        answers = await asyncio.gather(*(livefeed.ticket_ack(ticket_id=t, screen="expo") for t in tickets))
        await socket.send_json_to({"type": "ack", "ticket": tickets[0], "confirm": True})
        assert (await _until(socket, "acked"))["at"] == answers[0].isoformat()
    assert len(calls) == 1 and len(calls[0]["acks"]) == 2  # one transaction for both
    assert await database_sync_to_async(Change.objects.filter(kind="ticket.acked").count)() == 2
    await socket.disconnect()


async def test_a_pong_comes_after_the_acks_sent_before_the_ping_are_recorded(seeded, layer):
    from kitchen.models import Ticket

    socket, _ = await connect()
    await database_sync_to_async(place)()
    tickets = [m["ticket"]["id"] for m in await tickets_from(socket, 2)]
    for ticket_id in tickets:
        await socket.send_json_to({"type": "ack", "ticket": ticket_id})
    await socket.send_json_to({"type": "ping"})
    await _until(socket, "pong")
    acked = await database_sync_to_async(lambda: Ticket.objects.filter(acked_at__isnull=False).count())()
    assert acked == 2
    await socket.disconnect()
