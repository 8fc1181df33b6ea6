"""Voids and refunds: manager-approved changes to a sale, recorded with who and why.

A void cancels a sale of a day that is still open: the order stops counting as
a sale and its tickets leave the kitchen screens. Once the day has a Z report
its sales are final, so money goes back through a refund, which counts on the
business day it is given.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from registers import sets, tax
from registers.day_close import selling_day
from registers.events import OrderRefunded, OrderVoided, RefundedLine, TaxLine
from registers.models import PAYMENT_ORDER, Order, OrderAdjustment, OrderVoid, Refund, ZReport
from registers.receipts import issuer_of
from registers.staff import manager_approve
from stores.services import store_get_current
from sync.events import MAX_YEN
from sync.services import change_record


class MoneyRejected(ValueError):
    """The request cannot be done as sent; the message says why (HTTP 422)."""


class MoneyConflict(ValueError):
    """The request clashes with what is recorded (HTTP 409)."""


class OrderMissing(LookupError):
    """No such order (HTTP 404)."""


@dataclass(frozen=True)
class RefundLine:
    position: int
    qty: int


def order_void(*, order_id: uuid.UUID, manager_pin: str | None, reason: str) -> Order:
    """Void an order. Voiding it again returns it and records nothing."""
    who = manager_approve(pin=manager_pin, action="a void")
    reason = _reason(reason)
    with transaction.atomic():
        order = _order(order_id)
        if OrderVoid.objects.filter(order_id=order_id).exists():
            return order
        if ZReport.objects.filter(store=order.store, business_date=order.business_date).exists():
            raise MoneyConflict(
                f"business day {order.business_date} is closed (Z report); refund order No. {order.number} instead"
            )
        if Refund.objects.filter(order_id=order_id).exists():
            raise MoneyConflict(f"order No. {order.number} has refunds; it cannot also be voided")
        change_record(
            OrderVoided(order=order_id, staff=who.as_ref(), reason=reason, at=timezone.now()), store=order.store
        )
    order.refresh_from_db()
    return order


def order_refund(
    *,
    order_id: uuid.UUID,
    refund_id: uuid.UUID,
    manager_pin: str | None,
    reason: str,
    lines: list[RefundLine] | None,
    method: str | None,
    register: str,
) -> tuple[Refund, bool]:
    """Give money back for ``lines`` (all that is left when None). Idempotent on ``refund_id``."""
    who = manager_approve(pin=manager_pin, action="a refund")
    reason = _reason(reason)
    existing = Refund.objects.filter(pk=refund_id).first()
    if existing is not None:
        if existing.order_id != order_id:
            raise MoneyConflict(f"refund {refund_id} already exists for another order")
        return existing, False
    store = store_get_current()
    with transaction.atomic():
        order = _order(order_id)
        if order.voided_at is not None or OrderVoid.objects.filter(order_id=order_id).exists():
            raise MoneyConflict(f"order No. {order.number} is voided; there is nothing to refund")
        if order.paid < order.total:
            raise MoneyConflict(f"order No. {order.number} is not fully paid; void it instead")
        refunded = _refunded_qty(order_id)
        wanted = _refund_lines(order, lines, refunded)
        if OrderAdjustment.objects.filter(order_id=order_id, kind="discount").exists():
            # A bill discount is spread over the lines only per tax rate, not per
            # line, so a discounted sale is refunded whole, exactly as paid.
            if lines is not None:
                raise MoneyRejected(f"order No. {order.number} was discounted; refund it whole (leave out lines)")
            amount, taxes = order.total, order.taxes
        else:
            amount, taxes = _refund_money(order, wanted, refunded)
        if amount > MAX_YEN:
            raise MoneyRejected(f"a refund of {amount:,} yen passes the limit of {MAX_YEN:,} yen for one amount")
        at = timezone.now()
        refund = OrderRefunded(
            refund=refund_id,
            order=order_id,
            # Money given back counts on the day being sold into: never on a day already closed by Z.
            business_date=selling_day(store),
            register_name=register,
            method=method or _first_method(order),  # type: ignore[arg-type]  # the API's Literal
            amount=amount,
            taxes=[TaxLine.model_validate(rate) for rate in taxes],
            lines=[RefundedLine(position=p, qty=q) for p, q in sorted(wanted.items())],
            staff=who.as_ref(),
            reason=reason,
            at=at,
            issuer=issuer_of(store),
        )
        change_record(refund, store=order.store)
    return Refund.objects.get(pk=refund_id), True


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise MoneyRejected("say why (reason): it goes into the journal")
    return reason[:200]


def _order(order_id: uuid.UUID) -> Order:
    order = Order.objects.select_for_update().filter(pk=order_id).first()
    if order is None:
        raise OrderMissing(f"no order {order_id}")
    return order


def _refunded_qty(order_id: uuid.UUID) -> dict[int, int]:
    done: dict[int, int] = {}
    for refund in Refund.objects.filter(order_id=order_id):
        for line in refund.lines:
            done[line["position"]] = done.get(line["position"], 0) + line["qty"]
    return done


def _refund_lines(order: Order, lines: list[RefundLine] | None, refunded: dict[int, int]) -> dict[int, int]:
    sold = {line.position: line.qty for line in order.lines.all()}
    if lines is None:
        wanted = {p: q - refunded.get(p, 0) for p, q in sold.items() if q > refunded.get(p, 0)}
    else:
        wanted = {}
        for index, line in enumerate(lines):
            if line.position not in sold:
                raise MoneyRejected(f"lines[{index}]: order No. {order.number} has no line {line.position}")
            left = sold[line.position] - refunded.get(line.position, 0) - wanted.get(line.position, 0)
            if not 1 <= line.qty <= left:
                raise MoneyRejected(f"lines[{index}]: qty must be from 1 to {left} (what is left to refund), not {line.qty}")
            wanted[line.position] = wanted.get(line.position, 0) + line.qty
    if not wanted:
        raise MoneyConflict(f"order No. {order.number} is already fully refunded")
    return wanted


def _refund_money(order: Order, wanted: dict[int, int], refunded: dict[int, int]) -> tuple[int, list[dict]]:
    """Amount and tax given back, per rate.

    The sale's tax was rounded once per rate on its receipt, so the refund's tax
    is the difference between the tax on what was kept before and after this
    refund: every refund of a sale adds up to exactly the tax on its receipt.
    """
    lines = {line.position: line for line in order.lines.all()}

    def kept(extra: dict[int, int]) -> dict[int, int]:
        by_rate: dict[int, int] = {}
        for p, line in lines.items():
            qty = line.qty - refunded.get(p, 0) - extra.get(p, 0)
            for rate, amount in sets.line_rates(qty, line.unit_price, line.tax_rate, line.rate_parts()).items():
                by_rate[rate] = by_rate.get(rate, 0) + amount
        return by_rate

    before, after = kept({}), kept(wanted)
    taxes = []
    for rate in sorted(before, reverse=True):
        taxable = before[rate] - after[rate]
        if taxable:
            given = tax.tax_included_in(before[rate], rate) - tax.tax_included_in(after[rate], rate)
            taxes.append({"rate": rate, "taxable": taxable, "tax": given})
    return sum(t["taxable"] for t in taxes), taxes


def _first_method(order: Order) -> str:
    payment = order.payments.order_by(*PAYMENT_ORDER).first()
    return payment.method if payment else "cash"
