"""Discounts, price overrides and paying an open order later.

Discounts and overrides need a manager's PIN and are allowed only before any
money is taken: once paid, money goes back through a refund
(registers/voids.py). The order's lines, total and taxes are re-derived from
the sale's order.placed change plus every adjustment, so nodes that learn of
them in any order end with the same prices.
"""

from __future__ import annotations

import uuid
from typing import cast

from django.db import transaction
from django.utils import timezone

from registers import pricing, tender
from registers.events import OrderDiscounted, OrderPaid, OrderPlaced, OrderPriceOverridden
from registers.models import Order, OrderAdjustment, OrderLine, ZReport
from registers.offline_card import offline_card_check
from registers.services import order_paid_event
from registers.staff import manager_approve
from registers.voids import MoneyConflict, MoneyRejected, OrderMissing, _reason
from stores.services import store_get_current
from sync.events import MAX_YEN
from sync.models import Change
from sync.projection import recorded
from sync.services import change_record


def order_adjust(
    *, order_id: uuid.UUID, kind: str, manager_pin: str | None, reason: str,
    amount: int | None = None, percent: int | None = None, position: int | None = None, unit_price: int | None = None,
) -> Order:
    """Discount the bill (``amount`` yen or ``percent``) or override line ``position``'s ``unit_price``."""
    who = manager_approve(pin=manager_pin, action="a discount" if kind == "discount" else "a price override")
    reason = _reason(reason)
    with transaction.atomic():
        order = _open_order(order_id)
        if kind == "discount":
            value, was = _discount_yen(order, amount, percent), order.total
        else:
            value, was = _override_price(order, position, unit_price)
        event_class = OrderDiscounted if kind == "discount" else OrderPriceOverridden
        change_record(
            event_class(order=order_id, position=position if kind != "discount" else None, value=value,
                        was=was, staff=who.as_ref(), reason=reason, at=timezone.now()),
            store=order.store,
        )
    order.refresh_from_db()
    return order


def _open_order(order_id: uuid.UUID) -> Order:
    order = Order.objects.select_for_update().filter(pk=order_id).first()
    if order is None:
        raise OrderMissing(f"no order {order_id}")
    if order.voided_at is not None:
        raise MoneyConflict(f"order No. {order.number} is voided")
    if order.paid:
        raise MoneyConflict(f"order No. {order.number} is already paid; refund instead of changing its price")
    closed = ZReport.objects.filter(store=order.store, business_date=order.business_date).first()
    if closed is not None:
        raise MoneyConflict(f"business day {order.business_date} is closed (Z No. {closed.number})")
    return order


def _discount_yen(order: Order, amount: int | None, percent: int | None) -> int:
    if percent is not None and amount is None:
        if not 1 <= percent <= 100:
            raise MoneyRejected(f"percent must be from 1 to 100, not {percent}")
        return order.total * percent // 100  # fractions of a yen stay with the store
    if amount is not None and percent is None:
        if not 1 <= amount <= order.total:
            raise MoneyRejected(f"a discount must be from 1 to {order.total} yen (the bill), not {amount}")
        return amount
    raise MoneyRejected("give either amount (yen) or percent for a discount")


def _override_price(order: Order, position: int | None, unit_price: int | None) -> tuple[int, int]:
    """The new unit price, and the line's unit price before it (for the reports)."""
    if position is None or unit_price is None:
        raise MoneyRejected("a price override needs position and unit_price")
    line = order.lines.filter(position=position).first()
    if line is None:
        raise MoneyRejected(f"order No. {order.number} has no line {position}")
    if not 0 <= unit_price <= 1_000_000:
        raise MoneyRejected(f"unit_price must be from 0 to 1000000 yen, not {unit_price}")
    total = order.total + line.qty * (unit_price - line.unit_price)
    if total > MAX_YEN:
        raise MoneyRejected(f"the order's total would be {total:,} yen, past the limit of {MAX_YEN:,} yen for one order")
    return unit_price, line.unit_price


def order_reprice(order_id: str) -> None:
    """Projection helper: lines, total and taxes from the sale as placed plus its adjustments."""
    adjustments = list(OrderAdjustment.objects.filter(order_id=order_id).order_by("hlc", "origin"))
    if not adjustments:
        return
    order = Order.objects.filter(pk=order_id).first()
    # The placement the order shows (the earliest, when a partition placed it
    # twice). Looked up only for an adjusted order: it scans order.placed changes.
    placed = (
        Change.objects.filter(kind=OrderPlaced.kind, payload__id=str(order_id)).order_by("hlc", "origin").first()
        if order is not None
        else None
    )
    if order is None or placed is None:
        return  # the sale has not arrived yet; it is re-priced when it does
    # The latest override of a line (by HLC) wins; an override always names its line.
    overrides = {a.position: a.value for a in adjustments if a.kind == "override" and a.position is not None}
    discount = sum(a.value for a in adjustments if a.kind == "discount")
    sale = cast(OrderPlaced, recorded(placed).event)
    base = [pricing.Line(line.position, line.qty, line.unit_price, line.tax_rate, line.rate_parts()) for line in sale.lines]
    lines, total, taxes = pricing.reprice(base, overrides, discount)
    for line in lines:
        OrderLine.objects.filter(order_id=order_id, position=line.position).update(
            unit_price=line.unit_price, amount=line.unit_price * line.qty
        )
    Order.objects.filter(pk=order_id).update(total=total, taxes=taxes)


def order_pay(*, order_id: uuid.UUID, batch_id: uuid.UUID, payments: list[tender.Tender]) -> tuple[Order, bool]:
    """Pay what an open order still owes (eat-in paid at the end, or after a discount).

    Idempotent on ``batch_id``: the same payment sent again changes nothing.
    """
    if Change.objects.filter(kind=OrderPaid.kind, payload__batch=str(batch_id)).exists():
        return Order.objects.get(pk=order_id), False
    if not payments:
        raise MoneyRejected("payments: give at least one payment")
    store = store_get_current()
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(pk=order_id).first()
        if order is None:
            raise OrderMissing(f"no order {order_id}")
        if order.voided_at is not None:
            raise MoneyConflict(f"order No. {order.number} is voided")
        closed = ZReport.objects.filter(store=order.store, business_date=order.business_date).first()
        if closed is not None:
            raise MoneyConflict(
                f"business day {order.business_date} is closed (Z No. {closed.number}); "
                f"order No. {order.number} can no longer take payments"
            )
        due = order.total - order.paid
        if due <= 0:
            raise MoneyConflict(f"order No. {order.number} is already paid")
        offline_card_check(store=store, payments=payments)
        try:
            settled = tender.settle(due, payments)
        except tender.TenderError as exc:
            raise MoneyRejected(str(exc)) from None
        event = order_paid_event(order_id=order_id, store=store, settled=settled, at=timezone.now(),
                                 start=order.payments.count(), batch=batch_id)
        change_record(event, store=order.store)
    order.refresh_from_db()
    return order, True
