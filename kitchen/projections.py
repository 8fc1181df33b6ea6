"""Projectors that route orders to station tickets and fold kitchen changes into them."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict

from kitchen.feed import feed_append, feed_append_many
from kitchen.models import OrderServed, Ticket
from registers import live
from registers.models import Order
from sync.models import Change
from sync.projection import projector, projector_many


def ticket_id_for(order_id: uuid.UUID, station: str) -> uuid.UUID:
    return uuid.uuid5(order_id, f"ticket:{station}")


def _station_items(lines: list[dict]) -> dict[str, list[dict]]:
    by_station: dict[str, list[dict]] = defaultdict(list)
    for line in lines:
        if line["station"]:
            by_station[line["station"]].append(
                {
                    "sku": line["sku"],
                    "name_ja": line["name_ja"],
                    "name_en": line["name_en"],
                    "qty": line["qty"],
                    "modifiers": [{"name_ja": m["name_ja"], "name_en": m["name_en"]} for m in line["modifiers"]],
                }
            )
    return by_station


@projector_many("order.placed")
def order_routed(changes: list[Change]) -> None:
    """One ticket per station an order needs; a burst of orders costs a few bulk queries."""
    orders = Order.objects.in_bulk([change.payload["id"] for change in changes])
    wanted: dict[uuid.UUID, tuple[Order, str, list[dict]]] = {}
    for change in changes:
        order = orders[uuid.UUID(change.payload["id"])]
        for station, items in _station_items(change.payload["lines"]).items():
            wanted.setdefault(ticket_id_for(order.id, station), (order, station, items))
    known = Ticket.objects.in_bulk(list(wanted))
    fresh = []
    for ticket_id, (order, station, items) in wanted.items():
        ticket = known.get(ticket_id)
        if ticket is None:
            fresh.append(
                Ticket(id=ticket_id, order=order, store=order.store, station=station, number=order.number,
                       dining=order.dining, items=items, placed_at=order.placed_at)
            )
        elif ticket.number != order.number:
            ticket.number = order.number
            ticket.save(update_fields=["number"])
            feed_append(ticket, "updated")
    Ticket.objects.bulk_create(fresh)
    feed_append_many(fresh, "new")
    # A served change or an acknowledgement may have arrived before this order
    # did, or its tickets were already here: derive its status again. A new
    # order with none of that is "placed", as it was written.
    served = set(OrderServed.objects.filter(pk__in=list(orders)).values_list("pk", flat=True))
    had_tickets = {ticket.order_id for ticket in known.values()}
    for order in orders.values():
        live.order_changed(store=order.store, order_id=order.id)
        if order.pk in served or order.pk in had_tickets or order.kitchen_received_at or order.status != "placed":
            order_status_refresh(order)


@projector("ticket.acked")
def ticket_acked(change: Change) -> None:
    data = change.payload
    at = dt.datetime.fromisoformat(data["at"])
    ticket = Ticket.objects.filter(pk=data["ticket"]).select_related("order").first()
    if ticket is None:
        return
    if ticket.acked_at is None or at < ticket.acked_at:
        ticket.acked_at = at
        ticket.save(update_fields=["acked_at"])
    order = ticket.order
    if order.kitchen_received_at is None or at < order.kitchen_received_at:
        order.kitchen_received_at = at
        order.save(update_fields=["kitchen_received_at"])
    order_status_refresh(order)


@projector("order.served")
def order_served(change: Change) -> None:
    data = change.payload
    at = dt.datetime.fromisoformat(data["at"])
    served = OrderServed.objects.filter(pk=data["order"]).first()
    if served is None:
        OrderServed.objects.create(order_id=data["order"], store=change.store, served_at=at)
    elif at < served.served_at:
        served.served_at = at
        served.save(update_fields=["served_at"])
    order = Order.objects.filter(pk=data["order"]).first()
    if order is not None:
        order_status_refresh(order)


@projector("ticket.printed")
def ticket_printed(change: Change) -> None:
    data = change.payload
    at = dt.datetime.fromisoformat(data["at"])
    ticket = Ticket.objects.filter(pk=data["ticket"]).first()
    if ticket is None or (ticket.printed_at is not None and ticket.printed_at <= at):
        return
    ticket.printed_at = at
    ticket.save(update_fields=["printed_at"])
    feed_append(ticket, "printed")


@projector("ticket.bumped")
@projector("ticket.recalled")
def ticket_bumped_or_recalled(change: Change) -> None:
    data = change.payload
    ticket = Ticket.objects.filter(pk=data["ticket"]).select_related("order").first()
    if ticket is None or change.hlc <= ticket.bump_hlc or ticket.status == "voided":
        return
    bumped = change.kind == "ticket.bumped"
    ticket.status = "bumped" if bumped else "open"
    ticket.bumped_at = dt.datetime.fromisoformat(data["at"]) if bumped else None
    ticket.bump_hlc = change.hlc
    ticket.save(update_fields=["status", "bumped_at", "bump_hlc"])
    feed_append(ticket, "bumped" if bumped else "recalled")
    order_status_refresh(ticket.order)


def order_status_refresh(order: Order) -> None:
    """Derive the order's status from its facts, so every node derives the same one."""
    if order.voided_at is not None:
        status = "voided"
    else:
        tickets = list(order.tickets.all())
        if OrderServed.objects.filter(pk=order.pk).exists():
            # Served is the top of the lattice: a later recall does not undo a hand-over.
            status = "served"
        elif tickets and all(t.status == "bumped" for t in tickets):
            status = "ready"
        elif order.kitchen_received_at is not None:
            status = "in_kitchen"
        else:
            status = "placed"
    # ready_at too is derived afresh: a later bump replicated after an earlier
    # one must move it on every node, or nodes disagree on when it was ready.
    ready_at = (
        max((t.bumped_at for t in order.tickets.all() if t.bumped_at), default=None)
        if status in ("ready", "served")
        else None
    )
    if (status, ready_at) != (order.status, order.ready_at):
        Order.objects.filter(pk=order.pk).update(status=status, ready_at=ready_at)
        order.status, order.ready_at = status, ready_at
        live.order_changed(store=order.store, order_id=order.id)


# --- Voids (owned by the money issue; kept minimal) -------------------------
# A voided order's open tickets leave the kitchen screens. This runs for the
# void itself and again when the sale arrives after its void (replication may
# deliver them in either order); projectors for order.placed registered here
# run after order_routed above, so the tickets exist by then.


@projector("order.voided")
def order_void_tickets(change: Change) -> None:
    order = Order.objects.filter(pk=change.payload["order"]).first()
    if order is not None and order.voided_at is not None:
        _void_tickets(order)


@projector_many("order.placed")
def order_placed_void_tickets(changes: list[Change]) -> None:
    for order in Order.objects.filter(pk__in=[change.payload["id"] for change in changes], voided_at__isnull=False):
        _void_tickets(order)


def _void_tickets(order: Order) -> None:
    for ticket in Ticket.objects.filter(order=order).exclude(status="voided"):
        ticket.status = "voided"
        ticket.save(update_fields=["status"])
        feed_append(ticket, "voided")
    order_status_refresh(order)
