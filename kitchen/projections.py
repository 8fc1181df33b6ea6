"""Projectors that route orders to station tickets and fold kitchen changes into them.

They run at Stage.FOLLOW: after registers has written the order rows of the
same change. The order's status is registers' to write: the kitchen reports
its progress through registers.progress.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from typing import Any, NamedTuple

from django.utils import timezone

from kitchen import events
from kitchen.events import TicketAcked, TicketBumped, TicketFact, TicketPrinted, TicketRecalled
from kitchen.feed import feed_append, feed_append_each, feed_append_many
from kitchen.models import OrderServed, Ticket
from registers import live
from registers.events import LineSold, OrderCourseFired, OrderPlaced, OrderRenumbered, OrderVoided
from registers.models import Order
from registers.placing import orders_new
from registers.progress import PROGRESS_FIELDS, Progress, order_received_record, orders_progress_record
from sync.bulk import row_new, rows_insert, rows_update
from sync.projection import Recorded, Stage, projector, projector_many
from sync.sql import values_in


def ticket_id_for(order_id: uuid.UUID, station: str, course: int | None = None) -> uuid.UUID:
    """A station's ticket of an order; a held course has a ticket of its own per station."""
    return uuid.uuid5(order_id, f"ticket:{station}" if course is None else f"ticket:{station}:course:{course}")


# A station's part of an order: (station, the held course or None).
Part = tuple[str, int | None]


def _station_items(lines: list[LineSold]) -> dict[Part, list[dict[str, Any]]]:
    """Each station's part of an order, as its ticket stores it (Ticket.items, JSON).

    A set menu's components go each to its own station, under the order's one
    ticket number, named with the set they belong to; the set's modifiers (ご飯
    大盛) go with its first component and its note with every one of them.
    A held line's items make a part of their own per course, fired later."""
    by_station: dict[Part, list[dict[str, Any]]] = defaultdict(list)
    for line in lines:
        held = line.course if line.held else None
        modifiers = [{"name_ja": m.name_ja, "name_en": m.name_en} for m in line.modifiers]
        if line.components is None:
            _add_item(by_station, (line.station, held), line.sku, line.name_ja, line.name_en, line.qty, modifiers, line.note)
            continue
        for index, part in enumerate(line.components):
            item = _add_item(by_station, (part.station, held), part.sku, part.name_ja, part.name_en, line.qty * part.qty,
                             modifiers if index == 0 else [], line.note)
            if item is not None:
                item["set"] = {"sku": line.sku, "name_ja": line.name_ja, "name_en": line.name_en}
    return by_station


def _add_item(
    by_station: dict[Part, list[dict[str, Any]]], part: Part, sku: str, name_ja: str, name_en: str, qty: int,
    modifiers: list[dict[str, str]], note: str | None,
) -> dict[str, Any] | None:
    if not part[0]:
        return None
    item: dict[str, Any] = {"sku": sku, "name_ja": name_ja, "name_en": name_en, "qty": qty, "modifiers": modifiers}
    if note:
        item["note"] = note  # only when there is one: the feed's items keep their old shape
    by_station[part].append(item)
    return item


class _Route(NamedTuple):
    """What routing an order reads of it: a catch-up or a store's upload at
    HQ routes hundreds of orders, and whole Order rows (taxes, issuer: JSON)
    cost more to build than the tickets."""

    id: uuid.UUID
    store: str
    number: int
    dining: str
    placed_at: dt.datetime
    note: str
    status: str
    kitchen_received_at: dt.datetime | None
    voided_at: dt.datetime | None


@projector_many(OrderPlaced, stage=Stage.FOLLOW)
def order_routed(changes: list[Recorded[OrderPlaced]]) -> None:
    """One ticket per station an order needs (and per held course); a burst of orders costs a few bulk queries.

    A held course's ticket is written held: no feed entry, so no screen or
    printer sees it until its course is fired (course_fired below)."""
    rows = values_in(Order, _Route._fields, "id", [change.event.id for change in changes])
    orders = {route.id: route for route in map(_Route._make, rows)}
    wanted: dict[uuid.UUID, tuple[_Route, Part, list[dict[str, Any]]]] = {}
    for change in changes:
        order = orders[change.event.id]
        for part, items in _station_items(change.event.lines).items():
            wanted.setdefault(ticket_id_for(order.id, *part), (order, part, items))
    # Tickets refer to their order: an order this transaction found absent has none.
    new = orders_new(list(orders))
    maybe = [ticket_id for ticket_id, (order, _, _) in wanted.items() if order.id not in new]
    # Usually none: one statement built once to say so, the tickets themselves read only when there are.
    known = Ticket.objects.in_bulk(maybe) if values_in(Ticket, ("id",), "id", maybe) else {}
    fresh = []
    for ticket_id, (order, (station, course), items) in wanted.items():
        ticket = known.get(ticket_id)
        if ticket is None:
            fresh.append(row_new(Ticket, {
                "id": ticket_id, "order_id": order.id, "store": order.store, "station": station, "number": order.number,
                "dining": order.dining, "items": items, "placed_at": order.placed_at, "note": order.note,
                "course": course, "status": "open" if course is None else "held",
            }))
        elif ticket.number != order.number:
            ticket.number = order.number
            ticket.save(update_fields=["number"])
            _feed_unless_held(ticket, "updated")
    rows_insert(Ticket, fresh)
    feed_append_many([ticket for ticket in fresh if ticket.status == "open"], "new")
    # A served change or an acknowledgement may have arrived before this order
    # did, or its tickets were already here: derive its status again. A new
    # order with none of that is "placed", as it was written.
    served = {order_id for (order_id,) in values_in(OrderServed, ("order_id",), "order_id", orders)}
    had_tickets = {ticket.order_id for ticket in known.values()}
    again = []
    for order in orders.values():
        live.order_changed(store=order.store, order_id=order.id)
        if order.id in served or order.id in had_tickets or order.kitchen_received_at or order.status != "placed":
            again.append(order.id)
    if again:
        orders_status_refresh(list(Order.objects.filter(pk__in=again).only(*PROGRESS_FIELDS)))
    # A void that arrived before its sale (joined by registers at Stage.RECORD,
    # so ``orders`` shows it) voids the tickets just routed.
    voided = [order.id for order in orders.values() if order.voided_at is not None]
    if voided:
        for voided_order in Order.objects.filter(pk__in=voided):
            _void_tickets(voided_order)


def _feed_unless_held(ticket: Ticket, event: str) -> None:
    # Screens never saw a held ticket: telling them it changed would show them a ticket not to cook.
    if ticket.status != "held":
        feed_append(ticket, event)


@projector(OrderCourseFired, stage=Stage.FOLLOW)
def course_fired(change: Recorded[OrderCourseFired]) -> None:
    """A fired course's held tickets enter the kitchen feed as new tickets, once:
    only the change that finds them held appends them (a second fire, or the
    same course fired on a cut-off sibling, finds them open). They are placed,
    and age, from the earliest fire; the print fallback times out from now."""
    at = change.event.at
    for ticket in Ticket.objects.filter(order_id=change.event.order, course=change.event.course).exclude(status="voided"):
        if ticket.status == "held":
            ticket.status, ticket.fired_at, ticket.placed_at, ticket.received_at = "open", at, at, timezone.now()
            ticket.save(update_fields=["status", "fired_at", "placed_at", "received_at"])
            feed_append(ticket, "new")
        elif ticket.fired_at is None or at < ticket.fired_at:
            # An earlier fire on a cut-off sibling, or one whose tickets were bumped here first.
            ticket.fired_at = ticket.placed_at = at
            ticket.save(update_fields=["fired_at", "placed_at"])
            feed_append(ticket, "updated")
    live.order_changed(store=change.store, order_id=change.event.order)


@projector(TicketAcked, stage=Stage.FOLLOW)
def ticket_acked(change: Recorded[TicketAcked]) -> None:
    at = change.event.at
    ticket = Ticket.objects.filter(pk=change.event.ticket).select_related("order").first()
    if ticket is None:
        return
    if ticket.acked_at is None or at < ticket.acked_at:
        ticket.acked_at = at
        ticket.save(update_fields=["acked_at"])
    order_received_record(order=ticket.order, at=at)
    order_status_refresh(ticket.order)


@projector_many(events.OrderServed, stage=Stage.FOLLOW)
def orders_served(changes: list[Recorded[events.OrderServed]]) -> None:
    """The earliest hand-over of each order, and its status; a catch-up's burst in a few queries."""
    earliest: dict[uuid.UUID, Recorded[events.OrderServed]] = {}
    for change in changes:
        known = earliest.get(change.event.order)
        if known is None or change.event.at < known.event.at:
            earliest[change.event.order] = change
    served = OrderServed.objects.in_bulk(list(earliest))
    fresh = []
    for order_id, change in earliest.items():
        row = served.get(order_id)
        if row is None:
            fresh.append(OrderServed(order_id=order_id, store=change.store, served_at=change.event.at))
        elif change.event.at < row.served_at:
            row.served_at = change.event.at
            row.save(update_fields=["served_at"])
    rows_insert(OrderServed, fresh)
    orders_status_refresh(list(Order.objects.filter(pk__in=list(earliest)).only(*PROGRESS_FIELDS)))


@projector(TicketPrinted, stage=Stage.FOLLOW)
def ticket_printed(change: Recorded[TicketPrinted]) -> None:
    at = change.event.at
    ticket = Ticket.objects.filter(pk=change.event.ticket).first()
    if ticket is None or (ticket.printed_at is not None and ticket.printed_at <= at):
        return
    ticket.printed_at = at
    ticket.save(update_fields=["printed_at"])
    feed_append(ticket, "printed")


# What folding a bump or recall reads and writes of a ticket (the feed entry
# included): a catch-up loads thousands of tickets, and only these columns.
_BUMP_FIELDS = ("id", "order_id", "store", "station", "status", "bumped_at", "bump_hlc")


@projector_many(TicketBumped, stage=Stage.FOLLOW)
@projector_many(TicketRecalled, stage=Stage.FOLLOW)
def tickets_bumped_or_recalled(changes: list[Recorded[TicketFact]]) -> None:
    """Each ticket's latest bump or recall by its clock, one change after the
    other as they come, written together: a catch-up's burst costs a few
    queries, not four per change."""
    tickets = (
        Ticket.objects.select_related("order")
        .only(*_BUMP_FIELDS, *(f"order__{name}" for name in PROGRESS_FIELDS))
        .in_bulk([change.event.ticket for change in changes])
    )
    changed: dict[uuid.UUID, Ticket] = {}
    feed: list[tuple[Ticket, str]] = []
    for change in changes:
        ticket = tickets.get(change.event.ticket)
        if ticket is None or change.hlc <= ticket.bump_hlc or ticket.status == "voided":
            continue
        bumped = isinstance(change.event, TicketBumped)
        # Still held here: its course was fired on a sibling whose fire has not
        # reached this node yet. A recall leaves it held (the fire opens it), a
        # bump ends it; either way unseen by this node's screens.
        held = ticket.status == "held"
        ticket.status = "bumped" if bumped else ("held" if held else "open")
        ticket.bumped_at = change.event.at if bumped else None
        ticket.bump_hlc = change.hlc
        changed[ticket.pk] = ticket
        if not held:
            feed.append((ticket, "bumped" if bumped else "recalled"))
    if not changed:
        return
    rows_update(Ticket, list(changed.values()), ["status", "bumped_at", "bump_hlc"])
    feed_append_each(feed)
    orders_status_refresh(list({ticket.order_id: ticket.order for ticket in changed.values()}.values()))


def order_status_refresh(order: Order) -> None:
    """Report the kitchen's facts about ``order`` to registers, which derives its status from them."""
    orders_status_refresh([order])


def orders_status_refresh(orders: list[Order]) -> None:
    """order_status_refresh for several orders, reading their tickets and hand-overs at once."""
    if not orders:
        return
    ids = [order.pk for order in orders]
    # (status, bumped_at) per ticket: plain rows, as a catch-up reads thousands.
    tickets: dict[uuid.UUID, list[tuple[str, dt.datetime | None]]] = defaultdict(list)
    for order_id, status, bumped_at in Ticket.objects.filter(order_id__in=ids).values_list("order_id", "status", "bumped_at"):
        tickets[order_id].append((status, bumped_at))
    served = set(OrderServed.objects.filter(pk__in=ids).values_list("pk", flat=True))
    progress = []
    for order in orders:
        if order.voided_at is not None:
            # Voided wins whatever the kitchen did: its tickets do not matter.
            progress.append((order, Progress(received=False, all_bumped=False, served=False, ready_at=None)))
            continue
        mine = tickets.get(order.pk, [])
        progress.append((order, Progress(
            received=order.kitchen_received_at is not None,
            all_bumped=bool(mine) and all(status == "bumped" for status, _ in mine),
            # A later recall does not undo a hand-over: served stays served.
            served=order.pk in served,
            ready_at=max((bumped_at for _, bumped_at in mine if bumped_at), default=None),
        )))
    orders_progress_record(progress)


@projector(OrderRenumbered, stage=Stage.FOLLOW)
def order_renumbered_tickets(change: Recorded[OrderRenumbered]) -> None:
    """The kitchen and the board call the order by its new number (registers/renumber.py)."""
    order = Order.objects.filter(pk=change.event.order).first()
    if order is None:
        return
    for ticket in Ticket.objects.filter(order=order).exclude(number=order.number):
        ticket.number = order.number
        ticket.save(update_fields=["number"])
        _feed_unless_held(ticket, "updated")
    live.order_changed(store=order.store, order_id=order.id)


# --- Voids (owned by the money issue; kept minimal) -------------------------
# A voided order's open tickets leave the kitchen screens. This runs for the
# void itself and again when the sale arrives after its void (replication may
# deliver them in either order); projectors of one stage run in registration
# order, so this one runs after order_routed above and the tickets exist by then.


@projector(OrderVoided, stage=Stage.FOLLOW)
def order_void_tickets(change: Recorded[OrderVoided]) -> None:
    order = Order.objects.filter(pk=change.event.order).first()
    if order is not None and order.voided_at is not None:
        _void_tickets(order)


def _void_tickets(order: Order) -> None:
    for ticket in Ticket.objects.filter(order=order).exclude(status="voided"):
        was = ticket.status
        ticket.status = "voided"
        ticket.save(update_fields=["status"])
        if was != "held":  # screens never saw it
            feed_append(ticket, "voided")
    order_status_refresh(order)
