"""Projectors that fold order changes into Order, OrderLine and Payment rows.

They run for local and replicated changes alike and must give the same rows
whatever order the changes arrive in.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db.models import OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from registers.adjustments import order_reprice
from registers.models import DrawerEvent, Order, OrderAdjustment, OrderLine, OrderVoid, Payment, Refund, Shift, ZReport
from sync.models import Change
from sync.projection import projector, projector_many

STATUS_RANK = {"placed": 0, "in_kitchen": 1, "ready": 2, "served": 3}


def _placement_key(hlc: int, origin: str) -> tuple[int, str]:
    return (hlc, origin)


@projector_many("order.placed")
def order_placed(changes: list[Change]) -> None:
    ids = [uuid.UUID(change.payload["id"]) for change in changes]
    existing = set(Order.objects.filter(pk__in=ids).values_list("pk", flat=True))
    fresh: list[Change] = []
    later: list[Change] = []
    for order_id, change in zip(ids, changes):
        # An id already on record, or twice in this batch, takes the careful
        # path one change at a time; new orders are written in bulk.
        (later if order_id in existing else fresh).append(change)
        existing.add(order_id)
    _write_orders(fresh)
    for change in later:
        _order_placed_again(change)


def _order_placed_again(change: Change) -> None:
    order_id = uuid.UUID(change.payload["id"])
    existing = Order.objects.get(pk=order_id)
    # The same client order reached two nodes while they were cut off from
    # each other. Both keep the earliest placement so every node shows the
    # same ticket number; the sale itself is counted once.
    if _placement_key(change.hlc, change.origin) >= _placement_key(existing.placed_hlc, existing.origin):
        return
    existing.lines.all().delete()
    _write_order(change, order_id)


def _order_fields(change: Change) -> dict:
    data = change.payload
    return {
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


def _order_lines(order_id: uuid.UUID, change: Change) -> list[OrderLine]:
    return [
        OrderLine(
            order_id=order_id,
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
        for line in change.payload["lines"]
    ]


def _write_orders(changes: list[Change]) -> None:
    if not changes:
        return
    orders = [Order(id=uuid.UUID(change.payload["id"]), **_order_fields(change)) for change in changes]
    Order.objects.bulk_create(orders)
    OrderLine.objects.bulk_create([line for order, change in zip(orders, changes) for line in _order_lines(order.id, change)])


def _write_order(change: Change, order_id: uuid.UUID) -> None:
    Order.objects.filter(pk=order_id).update(**_order_fields(change))
    OrderLine.objects.bulk_create(_order_lines(order_id, change))


@projector_many("order.paid")
def order_paid(changes: list[Change]) -> None:
    order_ids = {uuid.UUID(change.payload["order"]) for change in changes}
    on_record = dict(Payment.objects.filter(order__in=order_ids).values_list("id", "order_id"))
    known = set(on_record)
    fresh = []
    for change in changes:
        at = dt.datetime.fromisoformat(change.payload["at"])
        for p in change.payload["payments"]:
            payment_id = uuid.UUID(p["id"])
            if payment_id in known:
                continue
            known.add(payment_id)
            fresh.append((uuid.UUID(change.payload["order"]), at, p))
    settled = _settled_at([str(p["id"]) for _, _, p in fresh])
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
            offline=p.get("offline", False),
            settle_by=dt.datetime.fromisoformat(p["settle_by"]) if p.get("settle_by") else None,
            settled_at=settled.get(str(p["id"])),
        )
        for order_id, at, p in fresh
    )
    if len(order_ids) == 1 and not on_record:
        # One sale paid as it was placed (the register's usual case): its
        # totals are the payments just written, a plain UPDATE.
        [order_id] = order_ids
        Order.objects.filter(pk=order_id).update(
            paid=sum(p["amount"] for _, _, p in fresh), change_given=sum(p["change"] for _, _, p in fresh)
        )
        return
    orders_payments_refresh(order_ids)


def orders_payments_refresh(order_ids: set[uuid.UUID]) -> None:
    """Paid and change given of each order, summed afresh from its payments, in one statement."""
    def total(field: str):
        summed = Payment.objects.filter(order_id=OuterRef("pk")).order_by().values("order_id").annotate(s=Sum(field)).values("s")
        return Coalesce(Subquery(summed), 0)

    Order.objects.filter(pk__in=order_ids).update(paid=total("amount"), change_given=total("change"))


# --- Money and closing the day ---------------------------------------------
# Each projector below is order-independent: a void, refund or settlement may
# arrive before the sale it refers to, so it is kept in its own row (or found
# in the change log) and joined when the sale arrives.


def _settled_at(payment_ids: list[str]) -> dict[str, dt.datetime]:
    """Settlements that arrived before their payments, by payment id (the earliest by HLC)."""
    if not payment_ids:
        return {}
    found: dict[str, dt.datetime] = {}
    for change in Change.objects.filter(kind="payment.settled", payload__payment__in=payment_ids).order_by("-hlc", "-origin"):
        found[change.payload["payment"]] = dt.datetime.fromisoformat(change.payload["at"])
    return found


@projector("payment.settled")
def payment_settled(change: Change) -> None:
    Payment.objects.filter(pk=change.payload["payment"], settled_at__isnull=True).update(
        settled_at=dt.datetime.fromisoformat(change.payload["at"])
    )


@projector("order.voided")
def order_voided(change: Change) -> None:
    data = change.payload
    existing = OrderVoid.objects.filter(order_id=data["order"]).first()
    if existing is not None and _placement_key(existing.hlc, existing.origin) <= _placement_key(change.hlc, change.origin):
        return  # voided twice (two nodes, one partition): the first void is the one on record
    OrderVoid.objects.update_or_create(
        order_id=data["order"],
        defaults={
            "store": change.store,
            "staff": data["staff"]["name"],
            "reason": data["reason"],
            "at": dt.datetime.fromisoformat(data["at"]),
            "hlc": change.hlc,
            "origin": change.origin,
        },
    )
    Order.objects.filter(pk=data["order"]).update(voided_at=dt.datetime.fromisoformat(data["at"]))


@projector_many("order.placed")
def order_placed_void_join(changes: list[Change]) -> None:
    """A void that arrived before its sale applies as soon as the sale does."""
    for void in OrderVoid.objects.filter(order_id__in=[change.payload["id"] for change in changes]):
        Order.objects.filter(pk=void.order_id).update(voided_at=void.at)


@projector("order.refunded")
def order_refunded(change: Change) -> None:
    data = change.payload
    Refund.objects.get_or_create(
        id=data["refund"],
        defaults={
            "order_id": data["order"],
            "store": change.store,
            "business_date": dt.date.fromisoformat(data["business_date"]),
            "register": data.get("register", ""),
            "method": data["method"],
            "amount": data["amount"],
            "taxes": data["taxes"],
            "lines": data["lines"],
            "staff": data["staff"]["name"],
            "reason": data["reason"],
            "at": dt.datetime.fromisoformat(data["at"]),
        },
    )


@projector("drawer.open")
@projector("drawer.paid_in")
@projector("drawer.paid_out")
@projector("drawer.count")
def drawer_moved(change: Change) -> None:
    data = change.payload
    DrawerEvent.objects.get_or_create(
        id=data["id"],
        defaults={
            "store": change.store,
            "business_date": dt.date.fromisoformat(data["business_date"]),
            "register": data["register"],
            "kind": change.kind.split(".", 1)[1],
            "amount": data["amount"],
            "reason": data.get("reason", ""),
            "staff": data["staff"]["name"],
            "at": dt.datetime.fromisoformat(data["at"]),
            "hlc": change.hlc,
        },
    )


@projector("shift.started")
@projector("shift.ended")
def shift_moved(change: Change) -> None:
    data = change.payload
    staff = data["staff"]
    shift, _ = Shift.objects.get_or_create(
        id=data["shift"],
        defaults={"store": change.store, "staff_id": staff["id"], "staff_name": staff["name"], "role": staff["role"],
                  "register": data.get("register", "")},
    )
    at = dt.datetime.fromisoformat(data["at"])
    if change.kind == "shift.started":
        shift.started_at = at
        shift.register = data.get("register", shift.register)
    else:
        shift.ended_at = at
    shift.save()


@projector("day.closed")
def day_closed(change: Change) -> None:
    """One Z per store and day. Two nodes closing the same day while cut off
    from each other both keep the earlier close (by HLC), so every node agrees."""
    data = change.payload
    day = dt.date.fromisoformat(data["business_date"])
    existing = ZReport.objects.filter(store=change.store, business_date=day).first()
    if existing is not None:
        if _placement_key(existing.hlc, existing.origin) <= _placement_key(change.hlc, change.origin):
            return
        existing.delete()
    ZReport.objects.create(
        id=change.id,
        store=change.store,
        business_date=day,
        number=data["number"],
        report=data["report"],
        staff=data["staff"]["name"],
        closed_at=dt.datetime.fromisoformat(data["at"]),
        hlc=change.hlc,
        origin=change.origin,
    )


@projector("order.discounted")
@projector("order.price_overridden")
def order_adjusted(change: Change) -> None:
    data = change.payload
    OrderAdjustment.objects.get_or_create(
        id=change.id,
        defaults={
            "order_id": data["order"],
            "store": change.store,
            "kind": "discount" if change.kind == "order.discounted" else "override",
            "position": data.get("position"),
            "value": data["value"],
            "staff": data["staff"]["name"],
            "reason": data["reason"],
            "at": dt.datetime.fromisoformat(data["at"]),
            "hlc": change.hlc,
            "origin": change.origin,
        },
    )
    order_reprice(data["order"])


@projector_many("order.placed")
def order_placed_reprice(changes: list[Change]) -> None:
    """Adjustments that arrived before their sale apply once it does."""
    ids = [change.payload["id"] for change in changes]
    for order_id in set(OrderAdjustment.objects.filter(order_id__in=ids).values_list("order_id", flat=True)):
        order_reprice(str(order_id))
