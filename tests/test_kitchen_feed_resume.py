"""The kitchen feed's delivery guarantees: a lost doorbell, a resume racing new tickets,
acks confirmed, and (Zulip's verify_action) applying the feed to an old snapshot equals a fresh one."""

from __future__ import annotations

from unittest import mock

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from kitchen import services as kitchen_services
from kitchen.models import Ticket
from posweb.asgi import application
from tests.personas import kitchen_socket_protocols
from tests.test_kitchen_feed import connect, layer, place, seeded, tickets_from  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.django_db(transaction=True)]


async def until(socket, kind):
    """The next message of ``kind``, collecting what came before it."""
    before = []
    for _ in range(50):
        message = await socket.receive_json_from(timeout=5)
        if message["type"] == kind:
            return message, before
        before.append(message)
    raise AssertionError(f"no {kind} message")


async def test_a_lost_doorbell_is_covered_by_the_next_ping(seeded, layer):
    socket, hello = await connect()
    with mock.patch("kitchen.feed.feed_ring"):  # the channel was full: no ring reached anyone
        order = await database_sync_to_async(place)()
    assert await socket.receive_nothing(timeout=0.3)
    await socket.send_json_to({"type": "ping"})
    pong, before = await until(socket, "pong")
    assert {m["ticket"]["order"] for m in before} == {str(order.id)} and len(before) == 2
    assert pong["seq"] == before[-1]["seq"]
    await socket.disconnect()


async def test_a_resume_is_answered_before_what_was_missed(seeded, layer):
    socket, hello = await connect()
    await socket.send_json_to({"type": "snapshot"})
    snapshot, _ = await until(socket, "snapshot")
    await socket.disconnect()

    missed = await database_sync_to_async(place)()
    socket, hello = await connect()
    await socket.send_json_to({"type": "resume", "after": snapshot["seq"], "epoch": hello["epoch"]})
    resumed, _ = await until(socket, "resumed")
    assert resumed["seq"] == snapshot["seq"]
    after = await tickets_from(socket, 2)
    assert {m["ticket"]["order"] for m in after} == {str(missed.id)}
    assert after[0]["prev"] == snapshot["seq"]
    await socket.disconnect()


async def test_a_resume_with_a_bad_cursor_gets_a_reset_and_snapshot(seeded, layer):
    socket, hello = await connect()
    await socket.send_json_to({"type": "resume", "after": hello["seq"] + 100, "epoch": hello["epoch"]})
    reset, _ = await until(socket, "reset")
    snapshot, _ = await until(socket, "snapshot")
    assert snapshot["seq"] == hello["seq"]
    await socket.disconnect()


async def test_an_ack_is_confirmed_and_recorded_once(seeded, layer):
    socket, _ = await connect("/ws/kitchen/?station=grill&screen=grill-1")
    order = await database_sync_to_async(place)()
    [message] = await tickets_from(socket, 1)
    ticket_id = message["ticket"]["id"]
    await socket.send_json_to({"type": "ack", "ticket": ticket_id, "confirm": True})
    first, _ = await until(socket, "acked")
    await socket.send_json_to({"type": "ack", "ticket": ticket_id, "confirm": True})  # re-sent after a reconnect
    second, _ = await until(socket, "acked")
    assert first["at"] == second["at"]
    ticket = await database_sync_to_async(Ticket.objects.select_related("order").get)(pk=ticket_id)
    assert ticket.acked_at is not None and ticket.order.kitchen_received_at == ticket.acked_at
    assert ticket.order.status == "in_kitchen" and ticket.order_id == order.id
    await socket.disconnect()


def _apply(state: dict, message: dict) -> None:
    ticket = message["ticket"]
    if ticket["status"] == "open":
        state[ticket["id"]] = ticket
    else:
        state.pop(ticket["id"], None)


def _comparable(tickets) -> dict:
    return {t["id"]: (t["status"], t["number"], t["items"]) for t in tickets}


async def test_applying_the_feed_to_an_old_snapshot_equals_a_fresh_snapshot(seeded, layer):
    old, hello = await connect()
    await old.send_json_to({"type": "snapshot"})
    snapshot, _ = await until(old, "snapshot")
    state = {t["id"]: t for t in snapshot["tickets"]}

    orders = [await database_sync_to_async(place)() for _ in range(3)]
    grill = await database_sync_to_async(lambda: [Ticket.objects.get(order=o, station="grill").id for o in orders])()
    await database_sync_to_async(kitchen_services.ticket_bump)(ticket_id=grill[0])
    await database_sync_to_async(kitchen_services.ticket_bump)(ticket_id=grill[1])
    await database_sync_to_async(kitchen_services.ticket_recall)(ticket_id=grill[1])
    for message in await tickets_from(old, 6 + 3):
        _apply(state, message)

    fresh, _ = await connect()
    await fresh.send_json_to({"type": "snapshot"})
    now, _ = await until(fresh, "snapshot")
    assert _comparable(state.values()) == _comparable(now["tickets"])
    assert str(grill[0]) not in state and str(grill[1]) in state
    await old.disconnect()
    await fresh.disconnect()


async def test_a_station_screen_resumes_across_other_stations_entries(seeded, layer):
    socket, hello = await connect("/ws/kitchen/?station=drinks")
    await socket.send_json_to({"type": "snapshot"})
    snapshot, _ = await until(socket, "snapshot")
    await socket.disconnect()
    orders = [await database_sync_to_async(place)() for _ in range(2)]
    socket, hello = await connect("/ws/kitchen/?station=drinks")
    await socket.send_json_to({"type": "resume", "after": snapshot["seq"], "epoch": hello["epoch"]})
    got = await tickets_from(socket, 2)
    # prev chains this connection's own messages, so skipped grill entries are not a gap.
    assert got[0]["prev"] == snapshot["seq"] and got[1]["prev"] == got[0]["seq"]
    assert {m["ticket"]["order"] for m in got} == {str(o.id) for o in orders}
    await socket.disconnect()


async def test_an_unknown_station_is_refused_with_a_reason(seeded, layer):
    socket = WebsocketCommunicator(application, "/ws/kitchen/?station=oven", subprotocols=kitchen_socket_protocols())
    connected, _ = await socket.connect()
    assert connected
    message = await socket.receive_json_from(timeout=5)
    assert message["type"] == "error" and "oven" in message["detail"]
    assert (await socket.receive_output(timeout=5))["code"] == 4404


def test_the_kitchen_page_for_an_unknown_station_is_a_404_naming_the_stations(seeded, client):
    response = client.get("/kitchen/?station=oven")
    assert response.status_code == 404
    assert "oven" in response.content.decode() and "grill" in response.content.decode()
    assert client.get("/kitchen/?station=grill").status_code == 200


async def test_a_printed_ticket_is_marked_on_every_screen(seeded, layer):
    socket, _ = await connect("/ws/kitchen/?station=grill")
    order = await database_sync_to_async(place)()
    [new] = await tickets_from(socket, 1)
    await database_sync_to_async(kitchen_services.ticket_printed)(ticket_id=new["ticket"]["id"], printer="127.0.0.1:9100")
    [printed] = await tickets_from(socket, 1)
    assert printed["event"] == "printed" and printed["ticket"]["printed_at"]
    assert printed["ticket"]["status"] == "open" and printed["ticket"]["order"] == str(order.id)
    await socket.disconnect()


async def test_a_plain_ack_changes_nothing_in_the_message_flow(seeded, layer):
    socket, _ = await connect("/ws/kitchen/?station=grill")
    await database_sync_to_async(place)()
    [message] = await tickets_from(socket, 1)
    await socket.send_json_to({"type": "ack", "ticket": message["ticket"]["id"]})
    await socket.send_json_to({"type": "ping"})
    assert (await socket.receive_json_from(timeout=5))["type"] == "pong"
    await socket.disconnect()
