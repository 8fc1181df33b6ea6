"""Writes from kitchen screens: acknowledging, bumping and recalling tickets."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction
from django.utils import timezone

from kitchen.events import OrderServed as OrderServedEvent
from kitchen.events import TicketAcked, TicketBumped, TicketPrinted, TicketRecalled
from kitchen.models import KitchenScreen, OrderServed, Ticket
from registers import status
from registers.models import Order
from sync.services import Fact, change_record, changes_record


class TicketNotFound(LookupError):
    pass


class OrderNotReady(ValueError):
    pass


def _ticket(ticket_id: uuid.UUID | str) -> Ticket:
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is None:
        raise TicketNotFound(f"no ticket {ticket_id}")
    return ticket


def ticket_ack(*, ticket_id: uuid.UUID | str, screen: str = "") -> dt.datetime:
    """Record that a screen showed the ticket; returns when the kitchen first received it.

    Only the first acknowledgement is recorded; later ones (other screens, a
    screen re-sending after a reconnect) change nothing.
    """
    result = tickets_ack(acks=[(str(ticket_id), screen)])[str(ticket_id)]
    if isinstance(result, Exception):
        raise result
    return result


def tickets_ack(*, acks: list[tuple[str, str]]) -> dict[str, dt.datetime | TicketNotFound]:
    """ticket_ack for several (ticket id, screen) at once, in one transaction:
    a screen shows an order's tickets together and acks them together. Each
    ticket id maps to when the kitchen first received it, or to TicketNotFound."""
    out: dict[str, dt.datetime | TicketNotFound] = {}
    known = Ticket.objects.in_bulk([uuid.UUID(ticket_id) for ticket_id, _ in acks])
    pending = []
    # Most acks are not the first (every screen showing a ticket acks it): a
    # plain read answers them without a transaction, which on SQLite would
    # take the write lock at BEGIN and queue behind the order writes.
    for ticket_id, screen in acks:
        ticket = known.get(uuid.UUID(ticket_id))
        if ticket is None:
            out[ticket_id] = TicketNotFound(f"no ticket {ticket_id}")
        elif ticket.acked_at is not None:
            out[ticket_id] = ticket.acked_at
        else:
            pending.append((ticket_id, screen))
    if not pending:
        return out
    with transaction.atomic():
        current = Ticket.objects.in_bulk([uuid.UUID(ticket_id) for ticket_id, _ in pending])
        at = timezone.now()
        facts: list[Fact] = []
        recorded: set[uuid.UUID] = set()
        for ticket_id, screen in pending:
            ticket = current[uuid.UUID(ticket_id)]
            if ticket.acked_at is not None:
                out[ticket_id] = ticket.acked_at
                continue
            out[ticket_id] = at
            if ticket.id in recorded:
                continue  # the same ticket twice in one batch: recorded once
            recorded.add(ticket.id)
            facts.append(Fact(TicketAcked(ticket=ticket.id, order=ticket.order_id, at=at, screen=screen), ticket.store))
        changes_record(facts)
    return out


def ticket_bump(*, ticket_id: uuid.UUID | str) -> None:
    with transaction.atomic():
        ticket = _ticket(ticket_id)
        if ticket.status != "open":
            return
        change_record(TicketBumped(ticket=ticket.id, order=ticket.order_id, at=timezone.now()), store=ticket.store)


def ticket_recall(*, ticket_id: uuid.UUID | str) -> None:
    with transaction.atomic():
        ticket = _ticket(ticket_id)
        if ticket.status != "bumped":
            return
        change_record(TicketRecalled(ticket=ticket.id, order=ticket.order_id, at=timezone.now()), store=ticket.store)


def ticket_recall_last(*, store: str, station: str = "") -> Ticket | None:
    """Undo the most recent bump at ``station`` (or anywhere, for the expediter)."""
    tickets = Ticket.objects.filter(store=store, status="bumped")
    if station:
        tickets = tickets.filter(station=station)
    last = tickets.order_by("-bumped_at").first()
    if last is not None:
        ticket_recall(ticket_id=last.id)
    return last


def ticket_printed(*, ticket_id: uuid.UUID | str, printer: str) -> bool:
    """Record that ``printer`` printed the ticket; a ticket already printed is left alone."""
    with transaction.atomic():
        ticket = _ticket(ticket_id)
        if ticket.printed_at is not None:
            return False
        change_record(
            TicketPrinted(ticket=ticket.id, order=ticket.order_id, at=timezone.now(), printer=printer), store=ticket.store
        )
    return True


def order_serve(*, order_id: uuid.UUID | str) -> bool:
    """Record that a ready order was handed over. Serving it again changes nothing.

    Raises TicketNotFound for an unknown order and OrderNotReady while its
    kitchen is not done (or it was voided).
    """
    with transaction.atomic():
        order = Order.objects.filter(pk=order_id).first()
        if order is None:
            raise TicketNotFound(f"no order {order_id}")
        if OrderServed.objects.filter(pk=order.pk).exists():
            return False
        if order.status != status.READY:
            raise OrderNotReady(f"order No. {order.number} is {order.status}, not ready")
        change_record(OrderServedEvent(order=order.id, at=timezone.now()), store=order.store)
    return True


# --- Screen presence (read by the order channels' acceptance control) --------


# When this process last swept rows of dead processes (see screen_seen).
_swept_at: dt.datetime | None = None


def screen_seen(*, channel_name: str, station: str, screen: str = "") -> None:
    """A screen connected or pinged: it is here now."""
    global _swept_at
    now = timezone.now()
    # Every screen pings every few seconds: one UPDATE in autocommit, not
    # update_or_create's transaction (on SQLite a write lock taken at BEGIN).
    # A channel name belongs to one socket, so nothing races the create.
    fields = {"station": station, "screen": screen[:64], "last_seen": now}
    if not KitchenScreen.objects.filter(channel_name=channel_name[:200]).update(**fields):
        KitchenScreen.objects.create(channel_name=channel_name[:200], **fields)
    # Rows of a process that died are never deleted by their disconnect; they
    # already count as gone after the TTL, and are swept here after an hour
    # (looked for once a minute, not on every ping).
    if _swept_at is None or now - _swept_at > dt.timedelta(minutes=1):
        KitchenScreen.objects.filter(last_seen__lt=now - dt.timedelta(hours=1)).delete()
        _swept_at = now


def screen_gone(*, channel_name: str) -> None:
    KitchenScreen.objects.filter(channel_name=channel_name[:200]).delete()
