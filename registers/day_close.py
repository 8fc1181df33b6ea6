"""The Z close ends the business day on every node, not only on the one that pressed Z.

A Z (day.closed) carries its frontier: the closing node's version vector of
its store's origins, i.e. exactly what the Z counted. From it every node and
HQ derive the same answers, whatever order the changes reached them in:

- a sale, refund or drawer movement the Z did not cover belongs to the next
  business day (翌営業日), on the node that closed and on a sibling that
  learns of the Z late (``rows_reassign``, stores/business_day.py); a sale
  placed on two nodes (a register's retry) that the Z counted through either
  placement stays in the closed day (``sale_days``);
- the closed day's report counts only what the Z covered, so it equals the Z
  forever (``counted``, used by registers/reports.py);
- a void, payment or price change of a closed day's sale that the Z did not
  count (a sibling recorded it without knowing of the close) is kept and
  flagged for a manager (``after_close_conflicts``).

The node that knows its day is closed sells into the next one (``selling_day``)
and refuses voids, payments and price changes of the closed day's sales.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from django.db.models import Max, Min
from django.utils import timezone

from registers import pricing
from registers.events import (
    OrderAdjusted,
    OrderDiscounted,
    OrderPaid,
    OrderPlaced,
    OrderPriceOverridden,
    OrderVoided,
    PaymentSettled,
)
from registers.models import REFUND_ORDER, DrawerEvent, Order, OrderAdjustment, Refund, ZReport
from registers.payment_acts import paid_changes_counted, payment_rows_covered
from stores.business_day import Frontier, business_date, covered, effective_day
from stores.models import Store
from sync.models import Change, NodeState
from sync.projection import recorded

# Order facts that change a sale's money after it was placed.
ORDER_OPS = (OrderVoided, OrderPaid, OrderDiscounted, OrderPriceOverridden)
# Keep each IN (...) well under SQLite's limit on query parameters.
CHUNK = 500


def closes_for(store: str, since: dt.date | None = None) -> dict[dt.date, Frontier | None]:
    """The store's closed days (from ``since`` on) and what each close counted."""
    zs = ZReport.objects.filter(store=store)
    if since is not None:
        zs = zs.filter(business_date__gte=since)
    return dict(zs.values_list("business_date", "frontier"))


def frontier_now() -> Frontier:
    """What this node holds, per origin: the frontier a Z taken now carries.

    Read from the change log itself (each origin's seqs have no gaps, so the
    highest is the version vector) and over every origin, not only the
    store's own: whatever wrote one of the day's sales here must be covered,
    or the sale would leave the day the Z counted.
    """
    rows = Change.objects.order_by().values("origin").annotate(top=Max("seq")).values_list("origin", "top")
    return {origin: top for origin, top in rows}


def selling_day(store: Store) -> dt.date:
    """The business day a sale made here now belongs to: today's, or after a Z
    close of it that this node knows of, the next open one."""
    return selling_day_closes(store, timezone.now())[0]


def selling_day_closes(store: Store, at: dt.datetime) -> tuple[dt.date, dict[dt.date, Frontier | None]]:
    """selling_day at ``at``, and the store's closes from that calendar day on
    (closes_for), which an order placed into that day is booked against."""
    day = business_date(at, time_zone=store.time_zone, cutover=store.day_cutover)
    closes = closes_for(store.code, since=day)
    # Bounded by the number of closes on or after today.
    while day in closes:
        day += dt.timedelta(days=1)
    return day, closes


def day_state(store: Store) -> dict[str, Any]:
    """What the register shows: the day it sells into and whether that is the day after a Z."""
    today = business_date(timezone.now(), time_zone=store.time_zone, cutover=store.day_cutover)
    day = selling_day(store)
    closed = ZReport.objects.filter(store=store.code, business_date__gte=today, business_date__lt=day).order_by("-business_date").first()
    return {
        "business_date": day.isoformat(),
        "calendar_date": today.isoformat(),
        "after_close": closed is not None,
        "closed": None if closed is None else {"number": closed.number, "business_date": closed.business_date.isoformat()},
    }


def rows_reassign(*, store: str, day: dt.date) -> None:
    """A close of ``day`` arrived (or replaced a concurrent one): move every row
    booked on or before it that now belongs to another day, and back."""
    for model, seq_field in ((Order, "placed_seq"), (Refund, "seq"), (DrawerEvent, "seq")):
        rows = model.objects.filter(store=store, booked_date__lte=day, business_date__gte=day)
        first = rows.aggregate(first=Min("booked_date"))["first"]
        if first is None:
            continue
        closes = closes_for(store, since=first)
        moves: dict[dt.date, list[Any]] = {}
        found = list(rows.values_list("pk", "booked_date", "business_date", "origin", seq_field))
        sales = sale_days(store=store, order_ids=[row[0] for row in found]) if model is Order else {}
        for pk, booked, current, origin, seq in found:
            target = sales.get(pk) or effective_day(booked, origin, seq, closes)
            if target != current:
                moves.setdefault(target, []).append(pk)
        for target, pks in moves.items():
            for start in range(0, len(pks), CHUNK):
                model.objects.filter(pk__in=pks[start:start + CHUNK]).update(business_date=target)


def sale_days(*, store: str, order_ids: list[uuid.UUID]) -> dict[uuid.UUID, dt.date]:
    """The business day each order belongs to: the earliest any of its placements belongs to.

    One sale may be placed on two nodes (a register sends it again elsewhere
    when a reply was lost), and the earliest placement (by hlc) becomes the
    order's. A Z that covered either placement counted the sale, so the sale
    stays in that day whichever placement arrived first or shows now.
    """
    keys = [str(order_id) for order_id in order_ids]
    placements: list[tuple[OrderPlaced, Change]] = []
    for start in range(0, len(keys), CHUNK):
        chunk = Change.objects.filter(kind=OrderPlaced.kind, store=store, payload__id__in=keys[start:start + CHUNK])
        placements += [(cast(OrderPlaced, recorded(c).event), c) for c in chunk.only("id", "origin", "seq", "kind", "payload", "store", "hlc")]
    if not placements:
        return {}
    closes = closes_for(store, since=min(event.business_date for event, _ in placements))
    days: dict[uuid.UUID, dt.date] = {}
    for event, change in placements:
        day = effective_day(event.business_date, change.origin, change.seq, closes)
        days[event.id] = min(days.get(event.id, day), day)
    return days


@dataclass
class Counted:
    """What a close counted of one day's sales, found in the change log."""

    voids: set[uuid.UUID] = field(default_factory=set)  # orders with a counted void
    payments: set[uuid.UUID] = field(default_factory=set)
    settlements: set[uuid.UUID] = field(default_factory=set)  # payments whose settlement was counted
    adjustments: set[uuid.UUID] = field(default_factory=set)  # change ids


def counted(*, store: str, order_ids: list[uuid.UUID], frontier: Frontier) -> Counted:
    """Of the changes touching ``order_ids``, those ``frontier`` covers."""
    result = Counted()
    kinds = [cls.kind for cls in ORDER_OPS]
    for start in range(0, len(order_ids), CHUNK):
        chunk = [str(i) for i in order_ids[start:start + CHUNK]]
        changes = Change.objects.filter(store=store, kind__in=kinds, payload__order__in=chunk)
        for change in changes.only("id", "origin", "seq", "kind", "payload", "store", "hlc"):
            if covered(frontier, change.origin, change.seq):
                _count(result, change)
        # Payments by the act the frontier saw, as the rows now stand (registers/payment_acts.py).
        result.payments |= payment_rows_covered(
            {uuid.UUID(i) for i in chunk}, lambda origin, seq: covered(frontier, origin, seq)
        )
    payment_ids = sorted(str(p) for p in result.payments)
    for start in range(0, len(payment_ids), CHUNK):
        settled = Change.objects.filter(kind=PaymentSettled.kind, payload__payment__in=payment_ids[start:start + CHUNK])
        for change in settled:
            if covered(frontier, change.origin, change.seq):
                result.settlements.add(cast(PaymentSettled, recorded(change).event).payment)
    return result


def _count(result: Counted, change: Change) -> None:
    event = recorded(change).event
    if isinstance(event, OrderVoided):
        result.voids.add(event.order)
    elif isinstance(event, OrderAdjusted):
        result.adjustments.add(change.id)


def orders_as_counted(orders: list[Order], counted_adjustments: set[uuid.UUID]) -> None:
    """Re-price in memory, for a closed day's report, each order with a price
    change its Z did not count: its total and taxes as the Z saw them."""
    by_order: dict[uuid.UUID, list[OrderAdjustment]] = {}
    ids = [o.id for o in orders]
    for start in range(0, len(ids), CHUNK):
        for a in OrderAdjustment.objects.filter(order_id__in=ids[start:start + CHUNK]).order_by("hlc", "origin"):
            by_order.setdefault(a.order_id, []).append(a)
    for order in orders:
        adjustments = by_order.get(order.id, [])
        if all(a.id in counted_adjustments for a in adjustments):
            continue
        placed = Change.objects.filter(kind=OrderPlaced.kind, payload__id=str(order.id)).order_by("hlc", "origin").first()
        if placed is None:
            continue
        kept = [a for a in adjustments if a.id in counted_adjustments]
        overrides = {a.position: a.value for a in kept if a.kind == "override" and a.position is not None}
        sale = cast(OrderPlaced, recorded(placed).event)
        base = [
            pricing.Line(line.position, line.qty, line.unit_price, line.tax_rate, line.rate_parts()) for line in sale.lines
        ]
        _, order.total, order.taxes = pricing.reprice(base, overrides, sum(a.value for a in kept if a.kind == "discount"))


_WHAT = {OrderVoided: "void", OrderPaid: "payment", OrderDiscounted: "discount", OrderPriceOverridden: "price override"}


def after_close_conflicts(order: Order) -> list[dict[str, Any]]:
    """Money moved on ``order`` that a Z close did not count, for a manager to settle.

    Items are ``{kind: "after_close", detail, at, nodes}``: a void, payment or
    price change of a closed day's sale recorded where the close was not yet
    known, and a refund booked into a day another node had closed (it counts
    on the next business day). Kept, never dropped: the money really moved.
    """
    items = _ops_after_close(order)
    items.extend(_refunds_moved(order))
    return sorted(items, key=lambda item: (item["at"], item["detail"]))


def _ops_after_close(order: Order) -> list[dict[str, Any]]:
    z = ZReport.objects.filter(store=order.store, business_date=order.business_date).first()
    if z is None or z.frontier is None:
        return []
    kinds = [cls.kind for cls in ORDER_OPS]
    frontier = z.frontier
    # A payment the Z counted through another node's record of the same act is no money moved after it.
    counted_paid = paid_changes_counted({order.id}, lambda origin, seq: covered(frontier, origin, seq))
    items = []
    for change in Change.objects.filter(store=order.store, kind__in=kinds, payload__order=str(order.id)).order_by("hlc", "origin"):
        if covered(frontier, change.origin, change.seq) or (change.origin, change.seq) in counted_paid:
            continue
        event = recorded(change).event
        what = _WHAT.get(type(event), change.kind)
        node = NodeState.origin_node(change.origin)
        items.append({
            "kind": "after_close",
            "detail": (f"{what} of order No. {order.number} recorded on {node} after Z No. {z.number} closed "
                       f"{z.business_date} on {NodeState.origin_node(z.origin)}; that Z does not count it"),
            "at": cast(Any, event).at,
            "nodes": sorted({node, NodeState.origin_node(z.origin)}),
        })
    return items


def _refunds_moved(order: Order) -> Iterable[dict[str, Any]]:
    refunds = getattr(order, "ledger_refunds", None)  # conflicts.ledger_attach
    if refunds is None:
        refunds = Refund.objects.filter(order_id=order.id).order_by(*REFUND_ORDER)
    moved = [r for r in refunds if r.booked_date and r.booked_date != r.business_date]
    closes = {z.business_date: z for z in ZReport.objects.filter(store=order.store, business_date__in={r.booked_date for r in moved})}
    for refund in moved:
        z = closes.get(cast(dt.date, refund.booked_date))
        closer = NodeState.origin_node(z.origin) if z else ""
        node = NodeState.origin_node(refund.origin)
        yield {
            "kind": "after_close",
            "detail": (f"refund of ¥{refund.amount} on order No. {order.number} recorded on {node} into "
                       f"{refund.booked_date}, already closed" + (f" by Z No. {z.number} on {closer}" if z else "")
                       + f"; it counts on {refund.business_date}"),
            "at": refund.at,
            "nodes": sorted({node, closer} - {""}),
        }
