"""Sales, X and Z reports for one store's business day.

A report is a pure function of the day's projections (orders, payments, voids,
refunds, drawer movements), which are themselves a function of the change set:
the same changes give the same report at the store and at HQ, in whatever
order they arrived. Nothing here writes except ``day_close``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from registers.check_selectors import table_figures
from registers.conflicts import conflicts_for_day
from registers.day_close import counted, frontier_now, orders_as_counted, selling_day
from registers.events import DayClosed
from registers.models import (
    PAYMENT_ORDER,
    REFUND_ORDER,
    DrawerEvent,
    Order,
    OrderAdjustment,
    OrderVoid,
    Payment,
    Refund,
    ZReport,
)
from registers.offline_card import offline_card_alerts
from registers.staff import manager_approve
from registers.voids import MoneyConflict, MoneyRejected
from stores.business_day import Frontier, business_date
from stores.models import Store
from stores.services import store_lock
from sync.services import change_record

METHODS = ("cash", "card", "qr")


def today(store: Store) -> dt.date:
    return business_date(timezone.now(), time_zone=store.time_zone, cutover=store.day_cutover)


def day_report(*, store: str, day: dt.date, frontier: Frontier | None = None) -> dict[str, Any]:
    """The day's figures. Every amount is integer yen, tax included.

    A closed day counts only what its Z counted (the Z's ``frontier``, or the
    one given when the Z is being taken), so its report equals its Z forever,
    on every node and at HQ, whatever arrives later.
    """
    if frontier is None:
        frontier = ZReport.objects.filter(store=store, business_date=day).values_list("frontier", flat=True).first()
    # Subqueries rather than lists of ids: a busy day must not hit SQLite's limit on query parameters.
    day_orders = Order.objects.filter(store=store, business_date=day)
    orders = list(day_orders.order_by("number", "id"))
    voided = {v.order_id: v for v in OrderVoid.objects.filter(order_id__in=day_orders.values("id"))}
    # Not select_related("order"): the orders are read above, and decoding
    # each one again per payment was a fifth of a report (HQ's rollups
    # worker sums every busy store's day with it).
    payments = list(Payment.objects.filter(order__in=day_orders).order_by("order_id", *PAYMENT_ORDER))
    # The three reads are separate statements: a sale recorded between them
    # (HQ ingesting, a sibling pushing) has its payment read but not its
    # order. Report the orders read, and only their money.
    read = {o.id: o for o in orders}
    payments = [p for p in payments if p.order_id in read]
    for p in payments:
        if p.offline:  # _offline names their orders' numbers
            p.order = read[p.order_id]
    voided = {order_id: v for order_id, v in voided.items() if order_id in read}
    got = None if frontier is None else counted(store=store, order_ids=[o.id for o in orders], frontier=frontier)
    if got is not None:
        voided = {order_id: v for order_id, v in voided.items() if order_id in got.voids}
        payments = [p for p in payments if p.id in got.payments]
        orders_as_counted(orders, got.adjustments)
    sold = [o for o in orders if o.id not in voided]
    payments = [p for p in payments if p.order_id not in voided]
    paid = {o.id: 0 for o in sold}
    for p in payments:
        paid[p.order_id] += p.amount
    refunds = list(Refund.objects.filter(store=store, business_date=day).order_by(*REFUND_ORDER))
    drawer = list(DrawerEvent.objects.filter(store=store, business_date=day).order_by("hlc", "id"))
    taxes = _sum_taxes(tax for o in sold for tax in o.taxes)
    refund_taxes = _sum_taxes(tax for r in refunds for tax in r.taxes)
    refunded = sum(r.amount for r in refunds)
    total = sum(o.total for o in sold)
    return {
        "store": store,
        "business_date": day.isoformat(),
        "orders": len(sold),
        "total": total,
        "taxes": taxes,
        "tenders": _tenders(payments),
        "offline_card": _offline(payments, None if got is None else got.settlements),
        "voids": {
            "count": len(voided),
            "amount": sum(o.total for o in orders if o.id in voided),
            "items": [
                {"order": str(o.id), "number": o.number, "total": o.total,
                 "staff": voided[o.id].staff, "reason": voided[o.id].reason}
                for o in orders if o.id in voided
            ],
        },
        "refunds": {
            "count": len(refunds),
            "amount": refunded,
            "taxes": refund_taxes,
            "by_method": {m: sum(r.amount for r in refunds if r.method == m) for m in METHODS},
            "items": [
                {"refund": str(r.id), "order": str(r.order_id), "amount": r.amount, "method": r.method,
                 "staff": r.staff, "reason": r.reason}
                for r in refunds
            ],
        },
        "discounts": _adjustments(day_orders, sold, None if got is None else got.adjustments),
        "net": {"total": total - refunded, "taxes": _net_taxes(taxes, refund_taxes)},
        "unpaid": {
            "count": sum(1 for o in sold if paid[o.id] < o.total),
            "amount": sum(o.total - paid[o.id] for o in sold if paid[o.id] < o.total),
        },
        "drawer": _drawers(sold, payments, refunds, drawer),
        "tables": table_figures(store=store, day=day, sold=sold),
    }


def _adjustments(day_orders, sold: list[Order], counted_ids: set[uuid.UUID] | None) -> dict[str, Any]:
    numbers = {o.id: o.number for o in sold}
    rows = [
        a for a in OrderAdjustment.objects.filter(order_id__in=day_orders.values("id")).order_by("hlc", "origin")
        if a.order_id in numbers and (counted_ids is None or a.id in counted_ids)
    ]
    discounts = [a for a in rows if a.kind == "discount"]
    return {
        "count": len(discounts),
        "amount": sum(a.value for a in discounts),
        "overrides": len(rows) - len(discounts),
        "items": [
            {"number": numbers[a.order_id], "kind": a.kind, "position": a.position, "value": a.value,
             "staff": a.staff, "reason": a.reason}
            for a in rows
        ],
    }


def _sum_taxes(entries) -> list[dict[str, int]]:
    by_rate: dict[int, dict[str, int]] = {}
    for entry in entries:
        row = by_rate.setdefault(entry["rate"], {"rate": entry["rate"], "taxable": 0, "tax": 0})
        row["taxable"] += entry["taxable"]
        row["tax"] += entry["tax"]
    return [by_rate[rate] for rate in sorted(by_rate, reverse=True)]


def _net_taxes(sales: list[dict], refunds: list[dict]) -> list[dict[str, int]]:
    negated = [{"rate": r["rate"], "taxable": -r["taxable"], "tax": -r["tax"]} for r in refunds]
    return _sum_taxes([*sales, *negated])


def _tenders(payments: list[Payment]) -> dict[str, dict[str, int]]:
    # ``amount`` is what was applied to bills: for cash, handed over minus change.
    return {
        m: {
            "count": sum(1 for p in payments if p.method == m),
            "amount": sum(p.amount for p in payments if p.method == m),
        }
        for m in METHODS
    }


def _offline(payments: list[Payment], settlements: set[uuid.UUID] | None) -> dict[str, Any]:
    def settled(p: Payment) -> bool:
        return p.settled_at is not None and (settlements is None or p.id in settlements)

    offline = [p for p in payments if p.offline]
    unsettled = [p for p in offline if not settled(p)]
    return {
        "count": len(offline),
        "amount": sum(p.amount for p in offline),
        "unsettled_count": len(unsettled),
        "unsettled_amount": sum(p.amount for p in unsettled),
        "items": [
            {"payment": str(p.id), "number": p.order.number, "amount": p.amount,
             "settle_by": p.settle_by.isoformat() if p.settle_by else None, "settled": settled(p)}
            for p in offline
        ],
    }


def _drawers(sold, payments, refunds, drawer) -> list[dict[str, Any]]:
    register_of = {o.id: o.register for o in sold}
    names = sorted({*register_of.values(), *(r.register for r in refunds if r.method == "cash"), *(d.register for d in drawer)})
    rows = []
    for name in names:
        events = [d for d in drawer if d.register == name]
        opening = [d.amount for d in events if d.kind == "open"]
        counts = [d.amount for d in events if d.kind == "count"]
        cash_sales = sum(p.amount for p in payments if p.method == "cash" and register_of[p.order_id] == name)
        cash_refunds = sum(r.amount for r in refunds if r.method == "cash" and r.register == name)
        paid_in = sum(d.amount for d in events if d.kind == "paid_in")
        paid_out = sum(d.amount for d in events if d.kind == "paid_out")
        float_ = opening[-1] if opening else 0  # a re-opened drawer: the latest float counts
        expected = float_ + cash_sales - cash_refunds + paid_in - paid_out
        counted = counts[-1] if counts else None
        rows.append({
            "register": name, "float": float_, "cash_sales": cash_sales, "cash_refunds": cash_refunds,
            "paid_in": paid_in, "paid_out": paid_out, "expected": expected, "counted": counted,
            "over_short": None if counted is None else counted - expected,
        })
    return rows


def x_report(*, store: Store, day: dt.date | None = None) -> dict[str, Any]:
    """Mid-shift figures: reads only, records nothing (by default, of the day now being sold into)."""
    day = day or selling_day(store)
    report = day_report(store=store.code, day=day)
    closed = ZReport.objects.filter(store=store.code, business_date=day).first()
    return {
        **report,
        "kind": "X",
        "generated_at": timezone.now().isoformat(),
        "closed_by_z": closed.number if closed else None,
        "alerts": offline_card_alerts(store=store.code),
        # Money two cut-off nodes both took or gave back (registers/conflicts.py):
        # kept in the figures above, listed for the manager to settle.
        "conflicts": conflicts_for_day(store=store.code, day=day),
    }


def day_close(
    *, store: Store, day: dt.date | None, manager_pin: str | None, queued: int, force: bool,
    counted_cash: int | None = None,
) -> ZReport:
    """Close the business day with a numbered, immutable Z report (a change, so it replicates).

    ``queued`` is how many sales the register's outbox still holds: only the
    tablet knows what it has not sent, so it says so, and closing with sales
    still queued is refused unless the manager insists (``force``).
    ``counted_cash``, the cash the manager counted in the drawers, is kept in
    the report beside what the drawers should hold (``cash_count``).
    """
    who = manager_approve(pin=manager_pin, action="closing the day (Z)")
    day = day or today(store)
    if day > today(store):
        raise MoneyRejected(f"business day {day} has not started yet")
    if queued < 0:
        raise MoneyRejected("queued must be 0 or more")
    if queued and not force:
        raise MoneyConflict(
            f"{queued} offline sale(s) are still queued on a tablet; send them first, or close with force=true"
        )
    with transaction.atomic():
        # Lock the store row: two managers pressing Z on one node get one Z.
        store_lock(code=store.code)
        if ZReport.objects.filter(store=store.code, business_date=day).exists():
            number = ZReport.objects.get(store=store.code, business_date=day).number
            raise MoneyConflict(f"business day {day} is already closed (Z No. {number}); a second Z is not allowed")
        number = (ZReport.objects.filter(store=store.code).aggregate(top=Max("number"))["top"] or 0) + 1
        change_id = uuid.uuid4()
        # The frontier and the report are read in one transaction: the Z counts exactly what it covers.
        frontier = frontier_now()
        report = {**day_report(store=store.code, day=day, frontier=frontier), "kind": "Z", "number": number,
                  "queued_at_close": queued}
        if counted_cash is not None:
            report["cash_count"] = cash_count(report["drawer"], counted_cash)
        change_record(
            DayClosed(business_date=day, number=number, report=report, frontier=frontier, staff=who.as_ref(),
                      at=timezone.now()),
            store=store.code,
            change_id=change_id,
        )
    return ZReport.objects.get(pk=change_id)


def cash_count(drawers: list[dict[str, Any]], counted: int) -> dict[str, int]:
    """The cash counted at close against what every drawer of the day should hold."""
    expected = sum(row["expected"] for row in drawers)
    return {"counted": counted, "expected": expected, "over_short": counted - expected}


def z_as_dict(z: ZReport) -> dict[str, Any]:
    """The Z as closed, with the day's conflicts as they stand now: a partition that
    heals after the close may still show money done twice that day. They are
    read, not stored, so the day.closed payload keeps the shape old nodes read."""
    return {"number": z.number, "business_date": z.business_date.isoformat(), "staff": z.staff,
            "closed_at": z.closed_at.isoformat(), "report": z.report,
            "conflicts": conflicts_for_day(store=z.store, day=z.business_date)}
