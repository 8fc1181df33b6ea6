"""Projectors that route orders to station tickets and fold kitchen changes into them."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict

from kitchen.feed import feed_append
from kitchen.models import Ticket
from registers.models import Order
from sync.models import Change
from sync.projection import projector


def ticket_id_for(order_id: uuid.UUID, station: str) -> uuid.UUID:
    return uuid.uuid5(order_id, f"ticket:{station}")


@projector("order.placed")
def order_routed(change: Change) -> None:
    data = change.payload
    order = Order.objects.get(pk=data["id"])
    by_station: dict[str, list[dict]] = defaultdict(list)
    for line in data["lines"]:
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
    for station, items in by_station.items():
        ticket_id = ticket_id_for(order.id, station)
        ticket = Ticket.objects.filter(pk=ticket_id).first()
        if ticket is not None:
            if ticket.number != order.number:
                ticket.number = order.number
                ticket.save(update_fields=["number"])
                feed_append(ticket, "updated")
            continue
        ticket = Ticket.objects.create(
            id=ticket_id,
            order=order,
            store=order.store,
            station=station,
            number=order.number,
            dining=order.dining,
            items=items,
            placed_at=order.placed_at,
        )
        feed_append(ticket, "new")


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
        if tickets and all(t.status == "bumped" for t in tickets):
            status = "ready"
        elif order.kitchen_received_at is not None:
            status = "in_kitchen"
        else:
            status = "placed"
    # ready_at too is derived afresh: a later bump replicated after an earlier
    # one must move it on every node, or nodes disagree on when it was ready.
    ready_at = max((t.bumped_at for t in order.tickets.all() if t.bumped_at), default=None) if status == "ready" else None
    if (status, ready_at) != (order.status, order.ready_at):
        Order.objects.filter(pk=order.pk).update(status=status, ready_at=ready_at)
        order.status, order.ready_at = status, ready_at
