"""sync.sql.values_in reads what the ORM's ``filter(key__in=…).values_list(…)``
reads, value for value (ids, times, booleans, JSON, numbers), on SQLite and
on PostgreSQL (bin/test runs this file on both)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from kitchen.models import OrderServed, Ticket
from registers.models import Order, Payment
from sync.sql import values_in

pytestmark = pytest.mark.django_db


def _sale(number: int) -> Order:
    at = dt.datetime(2026, 11, 23, 12, number % 60, 7, 123456, tzinfo=dt.UTC)
    order = Order.objects.create(id=uuid.uuid4(), store="S001", number=number, business_date=at.date(), total=250 * number,
                                 taxes=[{"rate": 10, "taxable": 250, "tax": 22}], placed_at=at, note=f"メモ {number}")
    Payment.objects.create(id=uuid.uuid4(), order=order, position=0, method="cash", amount=250 * number, tendered=250 * number, recorded_at=at,
                           offline=number % 2 == 0)
    Ticket.objects.create(id=uuid.uuid4(), order=order, store="S001", station="fryer", number=number, dining="eat_in",
                          items=[{"sku": "FRIES", "qty": number}], placed_at=at)
    return order


@pytest.mark.parametrize("how_many", [1, 5, 120])
def test_values_in_reads_what_the_orm_reads(how_many):
    orders = [_sale(n) for n in range(1, how_many + 1)]
    ids = [o.id for o in orders] + [uuid.uuid4()]  # one on record nowhere
    OrderServed.objects.create(order_id=orders[0].id, store="S001", served_at=orders[0].placed_at)
    cases = [
        (Order, ("id", "store", "number", "placed_at", "note", "voided_at", "taxes", "business_date"), "id", ids),
        (Payment, ("id", "order", "offline", "amount", "recorded_at"), "order", ids),
        (Ticket, ("id", "order_id", "items", "course"), "order_id", ids),
        (OrderServed, ("order_id", "served_at"), "order_id", ids),
        (Order, ("id",), "store", ["S001", "S999"]),
        # Longer than the column: matches nothing, as with the ORM.
        (Order, ("id",), "store", ["S001" + "x" * 20]),
    ]
    for model, columns, key, values in cases:
        orm = sorted(model.objects.filter(**{f"{key}__in": values}).values_list(*columns), key=repr)
        mine = sorted(values_in(model, columns, key, values), key=repr)
        assert mine == orm, (model, columns)
        assert [tuple(map(type, row)) for row in mine] == [tuple(map(type, row)) for row in orm], (model, columns)
    assert values_in(Order, ("id",), "id", []) == []


def test_values_in_refuses_what_is_no_column_and_keys_it_cannot_carry():
    with pytest.raises(TypeError, match="not a column"):
        values_in(Order, ("payments",), "id", [uuid.uuid4()])
    with pytest.raises(TypeError, match="ids and text only"):
        values_in(Order, ("id",), "number", [1, 10**12])
