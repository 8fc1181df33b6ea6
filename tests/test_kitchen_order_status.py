"""Registers see an order's kitchen status live over /ws/orders/: received, ready, recalled."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from kitchen import services as kitchen_services
from kitchen.models import Ticket
from posweb.asgi import application
from tests.personas import kitchen_socket_protocols
from tests.test_kitchen_feed import layer, place, seeded  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.django_db(transaction=True)]


async def orders_socket():
    socket = WebsocketCommunicator(application, "/ws/orders/", subprotocols=kitchen_socket_protocols())
    connected, _ = await socket.connect()
    assert connected
    assert (await socket.receive_json_from(timeout=5))["type"] == "hello"
    return socket


async def next_status(socket, order_id):
    for _ in range(20):
        message = await socket.receive_json_from(timeout=5)
        if message["type"] == "order" and message["order"]["id"] == str(order_id):
            return message["order"]
    raise AssertionError("no order update")


async def test_a_register_sees_the_order_move_through_the_kitchen_live(seeded, layer):
    register = await orders_socket()
    order = await database_sync_to_async(place)()
    placed = await next_status(register, order.id)
    assert placed["status"] == "placed" and placed["number"] == order.number

    tickets = await database_sync_to_async(lambda: list(Ticket.objects.filter(order=order)))()
    await database_sync_to_async(kitchen_services.ticket_ack)(ticket_id=tickets[0].id)
    received = await next_status(register, order.id)
    assert received["status"] == "in_kitchen" and received["kitchen_received_at"]

    for ticket in tickets:
        await database_sync_to_async(kitchen_services.ticket_bump)(ticket_id=ticket.id)
    ready = await next_status(register, order.id)
    assert ready["status"] == "ready" and ready["ready_at"]

    await database_sync_to_async(kitchen_services.ticket_recall)(ticket_id=tickets[0].id)
    recalled = await next_status(register, order.id)
    assert recalled["status"] == "in_kitchen" and recalled["ready_at"] is None
    await register.disconnect()


async def test_the_orders_socket_answers_ping_and_refuses_nonsense(seeded, layer):
    register = await orders_socket()
    await register.send_json_to({"type": "ping"})
    assert (await register.receive_json_from(timeout=5))["type"] == "pong"
    await register.send_json_to({"type": "bump"})
    assert (await register.receive_json_from(timeout=5))["type"] == "error"
    await register.disconnect()


async def test_the_expediter_marks_a_ready_order_served_and_it_stays_served(seeded, layer):
    from registers.models import Order

    register = await orders_socket()
    expo = WebsocketCommunicator(application, "/ws/kitchen/", subprotocols=kitchen_socket_protocols())
    assert (await expo.connect())[0]
    await expo.receive_json_from(timeout=5)  # hello
    order = await database_sync_to_async(place)()
    await expo.send_json_to({"type": "served", "order": str(order.id)})
    error = await expo.receive_json_from(timeout=5)
    while error["type"] != "error":
        error = await expo.receive_json_from(timeout=5)
    assert "not ready" in error["detail"]

    tickets = await database_sync_to_async(lambda: list(Ticket.objects.filter(order=order)))()
    for ticket in tickets:
        await database_sync_to_async(kitchen_services.ticket_bump)(ticket_id=ticket.id)
    await expo.send_json_to({"type": "served", "order": str(order.id)})
    status = await next_status(register, order.id)
    while status["status"] != "served":
        status = await next_status(register, order.id)
    assert status["ready_at"]
    # A recall after the hand-over does not move the order back down the lattice.
    await database_sync_to_async(kitchen_services.ticket_recall)(ticket_id=tickets[0].id)
    fresh = await database_sync_to_async(Order.objects.get)(pk=order.id)
    assert fresh.status == "served"
    await expo.disconnect()
    await register.disconnect()
