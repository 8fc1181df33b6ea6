"""Projectors that fold order changes into Order, OrderLine and Payment rows.

They run for local and replicated changes alike and must give the same rows
whatever order the changes arrive in.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, cast

from django.db.models import OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from registers.adjustments import order_reprice
from registers.day_close import closes_for, rows_reassign, sale_days
from registers.events import (
    DayClosed,
    DrawerCounted,
    DrawerMoved,
    DrawerOpened,
    DrawerPaidIn,
    DrawerPaidOut,
    OrderAdjusted,
    OrderDiscounted,
    OrderPaid,
    OrderPlaced,
    OrderPriceOverridden,
    OrderRefunded,
    OrderRenumbered,
    OrderVoided,
    PaymentMade,
    PaymentSettled,
    ShiftEnded,
    ShiftStarted,
)
from registers.models import (
    DrawerEvent,
    Order,
    OrderAdjustment,
    OrderLine,
    OrderRenumber,
    OrderVoid,
    Payment,
    Refund,
    Shift,
    ZReport,
)
from registers.payment_acts import payment_claims, sibling_payment_id
from registers.placing import orders_found_new, orders_new, orders_placed_here, placing_closes
from registers.progress import orders_voided_status
from registers.renumber import clashes_watch, renumber_apply
from stores.business_day import Frontier, effective_day
from stores.services import ticket_numbers_seen
from sync.bulk import row_new, rows_insert, rows_update
from sync.merge import claims_by_act
from sync.models import Change
from sync.projection import Recorded, projector, projector_many, recorded
from sync.services import life_origin
from sync.sql import values_in


def _placement_key(hlc: int, origin: str) -> tuple[int, str]:
    return (hlc, origin)


@projector_many(OrderPlaced)
def order_placed(changes: list[Recorded[OrderPlaced]]) -> None:
    ids = [change.event.id for change in changes]
    unknown = set(ids) - orders_new(ids)
    existing = {order_id for (order_id,) in values_in(Order, ("id",), "id", unknown)}
    fresh: list[Recorded[OrderPlaced]] = []
    later: list[Recorded[OrderPlaced]] = []
    for order_id, change in zip(ids, changes, strict=True):
        # An id already on record, or twice in this batch, takes the careful
        # path one change at a time; new orders are written in bulk.
        (later if order_id in existing else fresh).append(change)
        existing.add(order_id)
    keys = _write_orders(fresh)
    orders_found_new(change.event.id for change in fresh)
    # An order this node is placing took a number the service found free
    # under this transaction's write lock (registers.services._numbers_free,
    # next_numbers): it clashes with no live order, and the watch (two
    # queries, about an eighth of a placement) is for orders from elsewhere.
    placed_here = orders_placed_here(ids)
    keys = [key for key, change in zip(keys, fresh, strict=True) if change.event.id not in placed_here]
    for change in later:
        _order_placed_again(change)
    if later:
        keys += Order.objects.order_by().filter(pk__in=[c.event.id for c in later]).values_list("store", "business_date", "number")
    clashes_watch(keys)


def _order_placed_again(change: Recorded[OrderPlaced]) -> None:
    order_id = change.event.id
    existing = Order.objects.get(pk=order_id)
    # The same client order reached two nodes while they were cut off from
    # each other. Both keep the earliest placement so every node shows the
    # same ticket number; the sale itself is counted once.
    if _placement_key(change.hlc, change.origin) < _placement_key(existing.placed_hlc, existing.origin):
        existing.lines.all().delete()
        _write_order(change, order_id)
    # Its day is not the shown placement's alone: a Z that counted either one counted the sale.
    day = sale_days(store=change.store, order_ids=[order_id]).get(order_id)
    if day is not None:
        Order.objects.filter(pk=order_id).exclude(business_date=day).update(business_date=day)


def _closes(store: str, since: dt.date) -> dict[dt.date, Frontier | None]:
    closes = placing_closes(store, since)
    return closes_for(store, since=since) if closes is None else closes


def _order_fields(change: Recorded[OrderPlaced], closes: dict[dt.date, Frontier | None]) -> dict[str, Any]:
    data = change.event
    return {
        "store": change.store,
        "number": data.number,
        # A sale the day's Z close did not count belongs to the next business day.
        "business_date": effective_day(data.business_date, change.origin, change.seq, closes),
        "booked_date": data.business_date,
        "placed_seq": change.seq,
        "register": data.register_name,
        "dining": data.dining,
        "total": data.total,
        "taxes": [tax.model_dump() for tax in data.taxes],
        "request_hash": data.request_hash,
        "origin": change.origin,
        "placed_hlc": change.hlc,
        "placed_at": data.placed_at,
        "note": data.note or "",
        "issuer": data.issuer.model_dump() if data.issuer else None,
        "check_id": data.check,
    }


def _order_lines(order_id: uuid.UUID, change: Recorded[OrderPlaced]) -> list[OrderLine]:
    return [
        row_new(OrderLine, {
            "order_id": order_id,
            "position": line.position,
            "sku": line.sku,
            "name_ja": line.name_ja,
            "name_en": line.name_en,
            "qty": line.qty,
            "unit_price": line.unit_price,
            "modifiers": [modifier.model_dump() for modifier in line.modifiers],
            "amount": line.amount,
            "tax_class": line.tax_class,
            "tax_rate": line.tax_rate,
            "station": line.station,
            "note": line.note or "",
            "components": [c.model_dump() for c in line.components] if line.components else None,
            "course": line.course,
            "held": bool(line.held),
        })
        for line in change.event.lines
    ]


def _write_orders(changes: list[Recorded[OrderPlaced]]) -> list[tuple[str, dt.date, int]]:
    """Write new orders in bulk; returns each one's (store, business date, number)."""
    if not changes:
        return []
    stores = {change.store for change in changes}
    closes = {s: _closes(s, min(c.event.business_date for c in changes if c.store == s)) for s in stores}
    orders = [row_new(Order, {"id": change.event.id, **_order_fields(change, closes[change.store])}) for change in changes]
    rows_insert(Order, orders)
    rows_insert(OrderLine, [line for order, change in zip(orders, changes, strict=True) for line in _order_lines(order.id, change)],
                ids_unread=True)
    _numbers_learned(changes)
    return [(order.store, order.business_date, order.number) for order in orders]


def _numbers_learned(changes: list[Recorded[OrderPlaced]]) -> None:
    """Orders from elsewhere (a sibling, or this node's own sales that come back
    after a restore) may carry numbers of this node's lane: never call those again."""
    mine = life_origin()
    by_day: dict[tuple[str, dt.date], list[int]] = {}
    for change in changes:
        if change.origin != mine:
            by_day.setdefault((change.store, change.event.business_date), []).append(change.event.number)
    for (store, day), called in by_day.items():
        ticket_numbers_seen(store=store, day=day, called=called)


def _write_order(change: Recorded[OrderPlaced], order_id: uuid.UUID) -> None:
    closes = _closes(change.store, change.event.business_date)
    Order.objects.filter(pk=order_id).update(**_order_fields(change, closes))
    OrderLine.objects.bulk_create(_order_lines(order_id, change))
    renumber_apply([order_id])  # a number this order was given on merge outlives its placement's


@projector_many(OrderPaid)
def order_paid(changes: list[Recorded[OrderPaid]]) -> None:
    order_ids = {change.event.order for change in changes}
    unknown = order_ids - orders_new(order_ids)
    on_record = {payment_id for (payment_id,) in values_in(Payment, ("id",), "order", unknown)}
    seen: set[uuid.UUID] = set()
    clashed: set[uuid.UUID] = set()
    for change in changes:
        for p in change.event.payments:
            if p.id in on_record or p.id in seen:
                clashed.add(change.event.order)
            seen.add(p.id)
    # A payment id claimed twice (a retry on another node, or two cashiers
    # paying one order on two cut-off nodes) is settled from the whole change
    # log, so every node ends with the same rows whichever claim came first.
    fresh = [(c.event.order, c.event.at, p) for c in changes if c.event.order not in clashed for p in c.event.payments]
    _payments_write(fresh)
    if clashed:
        _payments_rebuild(clashed)
    if not on_record and not clashed:
        # Sales paid as they were placed (a register's sale, a store's upload
        # at HQ): no payment of theirs was on record, so their totals are the
        # payments just written, sent by id in one statement (rows_update):
        # at HQ summing them again in the database took an upload's
        # longest statement.
        totals = dict.fromkeys(order_ids, (0, 0))
        for order_id, _, p in fresh:
            amount, given = totals[order_id]
            totals[order_id] = (amount + p.amount, given + p.change)
        rows_update(Order, [row_new(Order, {"id": order_id, "paid": amount, "change_given": given})
                            for order_id, (amount, given) in totals.items()], ["paid", "change_given"])
        return
    orders_payments_refresh(order_ids)


def _payments_rebuild(order_ids: set[uuid.UUID]) -> None:
    rows: list[tuple[uuid.UUID, dt.datetime, PaymentMade]] = []
    for payment_id, acts in claims_by_act((pid, act, version, value) for pid, act, version, value in payment_claims(order_ids)).items():
        for index, (act, (order_id, at, p)) in enumerate(acts):
            # Money really taken twice is kept: the drawer or the card really moved.
            rows.append((order_id, at, p if index == 0 else p.model_copy(update={"id": sibling_payment_id(payment_id, act)})))
    Payment.objects.filter(order_id__in=order_ids).delete()
    _payments_write(rows)


def _payments_write(rows: list[tuple[uuid.UUID, dt.datetime, PaymentMade]]) -> None:
    settled = _settled_at([str(p.id) for _, _, p in rows if p.offline])
    rows_insert(Payment, [
        row_new(Payment, {
            "id": p.id,
            "order_id": order_id,
            "position": p.position,
            "method": p.method,
            "amount": p.amount,
            "tendered": p.tendered,
            "change": p.change,
            "reference": p.reference,
            "recorded_at": at,
            "offline": p.offline,
            "settle_by": p.settle_by,
            "settled_at": settled.get(str(p.id)),
        })
        for order_id, at, p in rows
    ])


def orders_payments_refresh(order_ids: set[uuid.UUID]) -> None:
    """Paid and change given of each order, summed afresh from its payments, in one statement."""
    def total(field: str) -> Coalesce:
        summed = Payment.objects.filter(order_id=OuterRef("pk")).order_by().values("order_id").annotate(s=Sum(field)).values("s")
        return Coalesce(Subquery(summed), 0)

    Order.objects.filter(pk__in=order_ids).update(paid=total("amount"), change_given=total("change"))


# --- Money and closing the day ---------------------------------------------
# Each projector below is order-independent: a void, refund or settlement may
# arrive before the sale it refers to, so it is kept in its own row (or found
# in the change log) and joined when the sale arrives.


def _settled_at(payment_ids: list[str]) -> dict[str, dt.datetime]:
    """Settlements that arrived before their payments, by payment id (the earliest by HLC).

    Asked only for offline card payments: nothing else is ever settled
    (payment_settled below), so a sale paid in cash or by card online, the
    register's usual case, reads no change log for it."""
    if not payment_ids:
        return {}
    found: dict[str, dt.datetime] = {}
    settlements = Change.objects.filter(kind=PaymentSettled.kind, payload__payment__in=payment_ids)
    for change in settlements.order_by("-hlc", "-origin"):
        event = cast(PaymentSettled, recorded(change).event)
        found[str(event.payment)] = event.at
    return found


@projector(PaymentSettled)
def payment_settled(change: Recorded[PaymentSettled]) -> None:
    # Only a payment taken offline awaits the card network (offline_card.payment_settle
    # refuses the rest). A peer's settlement of any other payment changes nothing,
    # whether it arrives before that payment (_settled_at) or after it.
    Payment.objects.filter(pk=change.event.payment, offline=True, settled_at__isnull=True).update(
        settled_at=change.event.at)


@projector(OrderRenumbered)
def order_renumbered(change: Recorded[OrderRenumbered]) -> None:
    data = change.event
    OrderRenumber.objects.get_or_create(order_id=data.order, was=data.was, number=data.number)
    renumber_apply([data.order])
    order = Order.objects.get(pk=data.order)
    if change.origin != life_origin():
        # A number of this node's lane that a sibling used: never call it again.
        ticket_numbers_seen(store=order.store, day=order.business_date, called=[data.number])
    clashes_watch([(order.store, order.business_date, order.number)])


@projector(OrderVoided)
def order_voided(change: Recorded[OrderVoided]) -> None:
    data = change.event
    existing = OrderVoid.objects.filter(order_id=data.order).first()
    if existing is not None and _placement_key(existing.hlc, existing.origin) <= change.version:
        return  # voided twice (two nodes, one partition): the first void is the one on record
    OrderVoid.objects.update_or_create(
        order_id=data.order,
        defaults={
            "store": change.store,
            "staff": data.staff.name,
            "reason": data.reason,
            "at": data.at,
            "hlc": change.hlc,
            "origin": change.origin,
        },
    )
    Order.objects.filter(pk=data.order).update(voided_at=data.at)
    orders_voided_status([data.order])


@projector_many(OrderPlaced)
def order_placed_void_join(changes: list[Recorded[OrderPlaced]]) -> None:
    """A void that arrived before its sale applies as soon as the sale does."""
    voids = values_in(OrderVoid, ("order_id", "at"), "order_id", [change.event.id for change in changes])
    for order_id, at in voids:
        Order.objects.filter(pk=order_id).update(voided_at=at)
    if voids:
        orders_voided_status(order_id for order_id, _ in voids)


@projector(OrderRefunded)
def order_refunded(change: Recorded[OrderRefunded]) -> None:
    data = change.event
    Refund.objects.get_or_create(
        id=data.refund,
        defaults={
            "order_id": data.order,
            "store": change.store,
            "business_date": effective_day(data.business_date, change.origin, change.seq, _closes(change.store, data.business_date)),
            "booked_date": data.business_date,
            "origin": change.origin,
            "seq": change.seq,
            "register": data.register_name,
            "method": data.method,
            "amount": data.amount,
            "taxes": [tax.model_dump() for tax in data.taxes],
            "lines": [line.model_dump() for line in data.lines],
            "staff": data.staff.name,
            "reason": data.reason,
            "at": data.at,
            "issuer": data.issuer.model_dump() if data.issuer else None,
        },
    )


@projector(DrawerOpened)
@projector(DrawerPaidIn)
@projector(DrawerPaidOut)
@projector(DrawerCounted)
def drawer_moved(change: Recorded[DrawerMoved]) -> None:
    data = change.event
    DrawerEvent.objects.get_or_create(
        id=data.id,
        defaults={
            "store": change.store,
            "business_date": effective_day(data.business_date, change.origin, change.seq, _closes(change.store, data.business_date)),
            "booked_date": data.business_date,
            "origin": change.origin,
            "seq": change.seq,
            "register": data.register_name,
            "kind": change.kind.split(".", 1)[1],
            "amount": data.amount,
            "reason": data.reason,
            "staff": data.staff.name,
            "at": data.at,
            "hlc": change.hlc,
        },
    )


@projector(ShiftStarted)
@projector(ShiftEnded)
def shift_moved(change: Recorded[ShiftStarted | ShiftEnded]) -> None:
    data = change.event
    staff = data.staff
    register = data.register_name if isinstance(data, ShiftStarted) else ""
    shift, _ = Shift.objects.get_or_create(
        id=data.shift,
        defaults={"store": change.store, "staff_id": staff.id, "staff_name": staff.name, "role": staff.role,
                  "register": register},
    )
    if isinstance(data, ShiftStarted):
        shift.started_at = data.at
        shift.register = data.register_name
    else:
        shift.ended_at = data.at
    shift.save()


@projector(DayClosed)
def day_closed(change: Recorded[DayClosed]) -> None:
    """One Z per store and day. Two nodes closing the same day while cut off
    from each other both keep the earlier close (by HLC), so every node agrees.
    What the kept close did not count moves to the next business day."""
    data = change.event
    day = data.business_date
    existing = ZReport.objects.filter(store=change.store, business_date=day).first()
    if existing is not None:
        if _placement_key(existing.hlc, existing.origin) <= change.version:
            return
        existing.delete()
    ZReport.objects.create(
        id=change.id,
        store=change.store,
        business_date=day,
        number=data.number,
        report=data.report,
        frontier=data.frontier,
        staff=data.staff.name,
        closed_at=data.at,
        hlc=change.hlc,
        origin=change.origin,
    )
    rows_reassign(store=change.store, day=day)


@projector(OrderDiscounted)
@projector(OrderPriceOverridden)
def order_adjusted(change: Recorded[OrderAdjusted]) -> None:
    data = change.event
    OrderAdjustment.objects.get_or_create(
        id=change.id,
        defaults={
            "order_id": data.order,
            "store": change.store,
            "kind": "discount" if isinstance(data, OrderDiscounted) else "override",
            "position": data.position,
            "value": data.value,
            "staff": data.staff.name,
            "reason": data.reason,
            "at": data.at,
            "hlc": change.hlc,
            "origin": change.origin,
        },
    )
    order_reprice(str(data.order))


@projector_many(OrderPlaced)
def order_placed_reprice(changes: list[Recorded[OrderPlaced]]) -> None:
    """Adjustments that arrived before their sale apply once it does."""
    ids = [change.event.id for change in changes]
    for order_id in {order_id for (order_id,) in values_in(OrderAdjustment, ("order_id",), "order_id", ids)}:
        order_reprice(str(order_id))
