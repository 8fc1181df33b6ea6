"""Served is the top of the order lattice and does not depend on the order changes arrive in."""

from __future__ import annotations

import uuid

import pytest

from kitchen import services as kitchen_services
from kitchen.models import OrderServed, Ticket
from registers import services, tender
from registers.models import Order
from sync.models import Change
from sync.projection import project

pytestmark = [pytest.mark.django_db]


def ready_order():
    order, _ = services.order_place(
        order_id=uuid.uuid4(),
        register="register-1",
        dining="eat_in",
        lines=[services.LineRequest("GYUDON", 1, ["size_nami"])],
        payments=[tender.Tender("cash", 1000)],
        request_hash=uuid.uuid4().hex,
    )
    for ticket in Ticket.objects.filter(order=order):
        kitchen_services.ticket_bump(ticket_id=ticket.id)
    return Order.objects.get(pk=order.pk)


def test_a_served_change_that_arrives_before_its_order_still_serves_it(demo):
    order = ready_order()
    kitchen_services.order_serve(order_id=order.id)
    served = Change.objects.get(kind="order.served")
    # Replay on a "sibling" that learns of the hand-over first, then of the order.
    placed = Change.objects.get(kind="order.placed", payload__id=str(order.id))
    Order.objects.filter(pk=order.pk).delete()
    OrderServed.objects.all().delete()
    project(served)
    project(placed)
    for change in Change.objects.filter(kind="ticket.bumped"):
        project(change)
    assert Order.objects.get(pk=order.pk).status == "served"


def test_serving_twice_records_once_and_an_unready_order_is_refused(demo):
    order = ready_order()
    assert kitchen_services.order_serve(order_id=order.id) is True
    assert kitchen_services.order_serve(order_id=order.id) is False
    assert Change.objects.filter(kind="order.served").count() == 1
    with pytest.raises(kitchen_services.TicketNotFound):
        kitchen_services.order_serve(order_id=uuid.uuid4())


def test_ready_orders_are_listed_for_the_expediter_until_served(demo, register_client):
    order = ready_order()
    assert [o["id"] for o in register_client.get("/api/kitchen/ready").json()["items"]] == [str(order.id)]
    kitchen_services.order_serve(order_id=order.id)
    assert register_client.get("/api/kitchen/ready").json()["items"] == []
