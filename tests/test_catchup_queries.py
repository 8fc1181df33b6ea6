"""A catch-up costs the same queries whatever its number of orders.

A sibling back from an outage applies hours of sales in batches of 500
changes; each projector folds its changes of a batch together, so the
queries per batch stay fixed. A projector that reads per order (or a row
loaded with some columns whose other column is read later, one query per
row) would make a lunch's backlog take minutes instead of seconds, and
nothing else would fail. This pins the count.
"""

from __future__ import annotations

import uuid

import pytest
from django.db import connection

from kitchen.models import Ticket
from registers.models import Order
from sync.replication import changes_apply
from tests.replication_fixtures import RemoteOrigin, paid, placed, ticket_event

pytestmark = pytest.mark.django_db


def _handed_over(origin: RemoteOrigin, orders: int, first_number: int) -> list[dict]:
    """Each order as a store records it: placed, paid, cooked (its ticket bumped), handed over."""
    wires = []
    for i in range(orders):
        order_id = uuid.uuid4()
        wires.append(origin.change("order.placed", placed(order_id, number=first_number + i)))
        wires.append(origin.change("order.paid", paid(order_id)))
        wires.append(origin.change("ticket.bumped", ticket_event(order_id)))
        wires.append(origin.change("order.served", {"order": str(order_id), "at": "2026-11-23T12:02:00+00:00"}))
    return wires


def _queries_to_apply(wires: list[dict]) -> int:
    """The reads and updates applying ``wires`` costs. Inserts are left out:
    a long batch's rows take one INSERT per as many as the database's
    parameter limit allows, which is bulk writing, not a query per order."""
    count = [0]

    def counted(execute, sql, params, many, context):
        if not sql.lstrip().upper().startswith("INSERT"):
            count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counted):
        result = changes_apply(wires=wires, peer_store="S001")
    assert result.applied == len(wires)
    return count[0]


def test_a_batch_of_forty_orders_costs_the_queries_of_a_batch_of_ten(demo):
    # The day's first sales from elsewhere also set the day up (ticket lanes seen): not counted.
    _queries_to_apply(_handed_over(RemoteOrigin("S001:node4.0000cccc"), 1, first_number=901))
    ten = _queries_to_apply(_handed_over(RemoteOrigin("S001:node2.0000aaaa"), 10, first_number=101))
    forty = _queries_to_apply(_handed_over(RemoteOrigin("S001:node3.0000bbbb"), 40, first_number=201))

    assert forty == ten
    # And the orders came out as the kitchen left them: every one served, no ticket still open.
    assert Order.objects.filter(status="served").count() == 51
    assert not Ticket.objects.exclude(status="bumped").exists()
