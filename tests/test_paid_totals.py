"""An order's paid and change given are the sums of its payments, however its
payments arrive: several sales paid in one upload (HQ at lunch), one sale paid
in two goes within an upload, or a later payment of a sale already partly paid."""

from __future__ import annotations

import uuid

import pytest

from registers.models import Order
from sync.replication import changes_apply
from tests.replication_fixtures import RemoteOrigin, placed

pytestmark = pytest.mark.django_db

AT = "2026-11-23T12:00:01+00:00"


def _paid(order_id: uuid.UUID, *payments: tuple[int, int, int], start: int = 0, batch: uuid.UUID | None = None) -> dict:
    """An order.paid of (amount, tendered, change) payments from position ``start``."""
    body: dict = {"order": str(order_id), "at": AT, "payments": [
        {"id": str(uuid.uuid5(order_id, f"payment:{start + i}")), "position": start + i, "method": "cash",
         "amount": amount, "tendered": tendered, "change": change, "reference": ""}
        for i, (amount, tendered, change) in enumerate(payments)
    ]}
    if batch is not None:
        body["batch"] = str(batch)
    return body


def _totals(*order_ids: uuid.UUID) -> list[tuple[int, int]]:
    rows = Order.objects.in_bulk(list(order_ids))
    return [(rows[i].paid, rows[i].change_given) for i in order_ids]


def test_several_sales_paid_in_one_upload_each_sum_their_own_payments(demo):
    store = RemoteOrigin("node2.0badcafe")
    a, b, c = (uuid.UUID(int=0xA1 + i) for i in range(3))
    changes_apply(wires=[
        store.change("order.placed", placed(a, number=101, price=800)),
        store.change("order.placed", placed(b, number=102, price=500)),
        store.change("order.placed", placed(c, number=103, price=1200)),
        store.change("order.paid", _paid(a, (800, 1000, 200))),
        store.change("order.paid", _paid(b, (300, 300, 0))),
        store.change("order.paid", _paid(b, (200, 500, 300), start=1, batch=uuid.UUID(int=0xB2))),
        store.change("order.paid", _paid(c, (700, 700, 0), (500, 1000, 500))),
    ], peer_store="S001")

    assert _totals(a, b, c) == [(800, 200), (500, 300), (1200, 500)]


def test_a_later_payment_adds_to_those_on_record(demo):
    store = RemoteOrigin("node2.0badcafe")
    a, b = uuid.UUID(int=0xC1), uuid.UUID(int=0xC2)
    changes_apply(wires=[
        store.change("order.placed", placed(a, number=101, price=900)),
        store.change("order.placed", placed(b, number=102, price=400)),
        store.change("order.paid", _paid(a, (400, 400, 0))),
    ], peer_store="S001")
    changes_apply(wires=[
        store.change("order.paid", _paid(a, (500, 1000, 500), start=1, batch=uuid.UUID(int=0xD1))),
        store.change("order.paid", _paid(b, (400, 500, 100))),
    ], peer_store="S001")

    assert _totals(a, b) == [(900, 500), (400, 100)]
