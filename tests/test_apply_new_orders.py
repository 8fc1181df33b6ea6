"""A batch that brings new orders with their payments (a store's upload at
HQ, a sibling's catch-up) folds them without looking for payments or
tickets of those orders: none can exist yet (registers.placing
orders_found_new). Orders already on record, and a payment claimed twice,
still go the careful way, and the result is the same as folding each change
on its own."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection, transaction

from kitchen.models import Ticket
from registers.models import Order, Payment
from sync.replication import changes_apply
from tests.replication_fixtures import RemoteOrigin, paid, placed

pytestmark = pytest.mark.django_db


def _reads_of(tables: tuple[str, ...], wires: list[dict]) -> list[str]:
    """The SELECTs reading any of ``tables`` while ``wires`` are applied."""
    seen: list[str] = []

    def watch(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("SELECT") and any(f'FROM "{t}"' in sql for t in tables):
            seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        result = changes_apply(wires=wires, peer_store="S001")
    assert result.applied == len(wires), result
    return seen


def test_new_sales_with_their_payments_are_folded_without_looking_for_either(demo):
    store = RemoteOrigin("S001:node2.0000aaaa")
    ids = [uuid.uuid4() for _ in range(12)]
    wires = [w for i, order_id in enumerate(ids)
             for w in (store.change("order.placed", placed(order_id, number=301 + i, price=100 + i)),
                       store.change("order.paid", paid(order_id, amount=100 + i)))]

    assert _reads_of(("registers_payment", "kitchen_ticket"), wires) == []

    orders = {o.id: o for o in Order.objects.filter(pk__in=ids)}
    assert [(orders[i].total, orders[i].paid) for i in ids] == [(100 + n, 100 + n) for n in range(12)]
    assert Payment.objects.filter(order_id__in=ids).count() == 12
    assert Ticket.objects.filter(order_id__in=ids).count() == 12


def _state(ids: list[uuid.UUID]) -> tuple:
    orders = sorted(Order.objects.filter(pk__in=ids).values_list("id", "number", "paid", "change_given", "status"))
    payments = sorted(Payment.objects.filter(order_id__in=ids).values_list("id", "order_id", "amount", "position"))
    tickets = sorted(Ticket.objects.filter(order_id__in=ids).values_list("id", "order_id", "status", "number"))
    return orders, payments, tickets


def test_orders_on_record_and_payments_claimed_twice_end_as_when_folded_one_by_one(demo):
    first, other = RemoteOrigin("S001:node2.0000aaaa"), RemoteOrigin("S001:node3.0000bbbb")
    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    batches = [
        # A sale not paid yet, then its payment beside two new paid sales.
        [first.change("order.placed", placed(a, number=401, price=300))],
        [first.change("order.paid", paid(a, amount=300)),
         first.change("order.placed", placed(b, number=402, price=200)),
         first.change("order.paid", paid(b, amount=200)),
         first.change("order.placed", placed(c, number=403, price=150))],
        # Another node took B's payment too, under the same payment id (two
        # cashiers on cut-off nodes), and C's only one: B's is on record, C's
        # new, in one batch.
        [other.change("order.paid", paid(b, amount=200)), other.change("order.paid", paid(c, amount=150))],
    ]

    def folded(batched: bool) -> tuple:
        with transaction.atomic():
            for batch in batches:
                for part in ([batch] if batched else [[w] for w in batch]):
                    changes_apply(wires=part, peer_store="S001")
            state = _state([a, b, c])
            transaction.set_rollback(True)
        return state

    together, alone = folded(True), folded(False)
    assert together == alone
    orders = {row[0]: row for row in together[0]}
    # B's money was taken twice, and is kept twice (registers.projections._payments_rebuild).
    assert (orders[a][2], orders[b][2], orders[c][2]) == (300, 400, 150)
    assert len([p for p in together[1] if p[1] == b]) == 2
