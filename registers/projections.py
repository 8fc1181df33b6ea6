"""Projectors that fold order changes into Order, OrderLine and Payment rows.

They run for local and replicated changes alike and must give the same rows
whatever order the changes arrive in.
"""

from __future__ import annotations

import datetime as dt
import uuid

from registers.models import Order, OrderLine, Payment
from sync.models import Change
from sync.projection import projector

STATUS_RANK = {"placed": 0, "in_kitchen": 1, "ready": 2, "served": 3}


def _placement_key(hlc: int, origin: str) -> tuple[int, str]:
    return (hlc, origin)


@projector("order.placed")
def order_placed(change: Change) -> None:
    data = change.payload
    order_id = uuid.UUID(data["id"])
    existing = Order.objects.filter(pk=order_id).first()
    if existing is not None:
        # The same client order reached two nodes while they were cut off from
        # each other. Both keep the earliest placement so every node shows the
        # same ticket number; the sale itself is counted once.
        if _placement_key(change.hlc, change.origin) >= _placement_key(existing.placed_hlc, existing.origin):
            return
        existing.lines.all().delete()
        _write_order(change, order_id, defaults_from=existing)
        return
    _write_order(change, order_id)


def _write_order(change: Change, order_id: uuid.UUID, defaults_from: Order | None = None) -> None:
    data = change.payload
    fields = {
        "store": change.store,
        "number": data["number"],
        "business_date": dt.date.fromisoformat(data["business_date"]),
        "register": data["register"],
        "dining": data["dining"],
        "total": data["total"],
        "taxes": data["taxes"],
        "request_hash": data["request_hash"],
        "origin": change.origin,
        "placed_hlc": change.hlc,
        "placed_at": dt.datetime.fromisoformat(data["placed_at"]),
    }
    if defaults_from is None:
        order = Order.objects.create(id=order_id, **fields)
    else:
        Order.objects.filter(pk=order_id).update(**fields)
        order = Order.objects.get(pk=order_id)
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            position=line["position"],
            sku=line["sku"],
            name_ja=line["name_ja"],
            name_en=line["name_en"],
            qty=line["qty"],
            unit_price=line["unit_price"],
            modifiers=line["modifiers"],
            amount=line["amount"],
            tax_class=line["tax_class"],
            tax_rate=line["tax_rate"],
            station=line["station"],
        )
        for line in data["lines"]
    )


@projector("order.paid")
def order_paid(change: Change) -> None:
    data = change.payload
    order_id = uuid.UUID(data["order"])
    at = dt.datetime.fromisoformat(data["at"])
    known = set(Payment.objects.filter(order_id=order_id).values_list("id", flat=True))
    fresh = [p for p in data["payments"] if uuid.UUID(p["id"]) not in known]
    Payment.objects.bulk_create(
        Payment(
            id=uuid.UUID(p["id"]),
            order_id=order_id,
            position=p["position"],
            method=p["method"],
            amount=p["amount"],
            tendered=p["tendered"],
            change=p["change"],
            reference=p.get("reference", ""),
            recorded_at=at,
        )
        for p in fresh
    )
    order_payments_refresh(order_id)


def order_payments_refresh(order_id: uuid.UUID) -> None:
    payments = list(Payment.objects.filter(order_id=order_id))
    Order.objects.filter(pk=order_id).update(
        paid=sum(p.amount for p in payments), change_given=sum(p.change for p in payments)
    )
