"""A void that reaches a node before its sale: when the sale arrives, the kitchen
never shows its tickets as open (they are routed voided), as if the void had
come second."""

from __future__ import annotations

import uuid

import pytest

from kitchen.models import FeedEntry, Ticket
from registers.models import Order
from sync.replication import changes_apply
from tests.replication_fixtures import RemoteOrigin, placed

pytestmark = pytest.mark.django_db

ORDER = uuid.UUID(int=0x5EED)
STAFF = {"id": 2, "name": "店長", "role": "manager"}


def _void() -> dict:
    return {"order": str(ORDER), "staff": STAFF, "reason": "誤打", "at": "2026-11-23T12:06:00+00:00"}


def test_a_sale_whose_void_came_first_has_only_voided_tickets(demo):
    voider, seller = RemoteOrigin("node2.0badcafe"), RemoteOrigin("node3.0badf00d")
    changes_apply(wires=[voider.change("order.voided", _void())], peer_store="S001")
    changes_apply(wires=[seller.change("order.placed", placed(ORDER, number=101))], peer_store="S001")

    order = Order.objects.get(pk=ORDER)
    assert order.voided_at is not None
    assert order.status == "voided"
    tickets = list(Ticket.objects.filter(order=order))
    assert tickets, "the sale is routed to its station"
    assert {ticket.status for ticket in tickets} == {"voided"}
    # The screens learn of the ticket and of its void, in that order.
    events = list(FeedEntry.objects.filter(ticket__in=tickets).order_by("id").values_list("event", flat=True))
    assert events == ["new", "voided"]


def test_a_sale_without_a_void_keeps_open_tickets(demo):
    seller = RemoteOrigin("node3.0badf00d")
    changes_apply(wires=[seller.change("order.placed", placed(ORDER, number=101))], peer_store="S001")

    assert {ticket.status for ticket in Ticket.objects.filter(order_id=ORDER)} == {"open"}
    assert Order.objects.get(pk=ORDER).status == "placed"
