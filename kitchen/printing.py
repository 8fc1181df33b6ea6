"""The printed fallback: a ticket no screen acknowledged in time goes to its station's printer.

Runs as the ``kitchen-print-fallback`` worker (every second, inside daphne).
Each print is recorded as a ``ticket.printed`` change right after the printer
took it, so a restart or a second tick never prints it again. The one window
left is a crash between the printer taking the bytes and the commit: then the
ticket prints twice, which a kitchen prefers to a ticket nobody saw.

Only tickets of orders this node placed are printed here, so sibling nodes of
one store do not each print the same ticket.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from itertools import groupby

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from kitchen import services
from kitchen.models import PrinterState, Ticket
from kitchen.printers.base import Printer, PrinterError, ticket_job
from kitchen.printers.escpos import EscposNetworkPrinter
from kitchen.selectors import ticket_as_dict
from menu.models import Station
from registers.ereceipt import ereceipt_path
from registers.receipt_escpos import receipt_escpos
from registers.receipts import receipt_for
from registers.selectors import order_get
from stores.models import Store
from sync.services import node_state_get

log = logging.getLogger(__name__)

# A ticket older than this is history, not an order to cook: a node that was
# down for hours must not print a backlog on its first tick.
PRINT_WINDOW = dt.timedelta(hours=1)
RETRY_MAX = dt.timedelta(seconds=30)
CLAIM_TTL = dt.timedelta(seconds=60)
BATCH = 50

PrinterFactory = Callable[[Station], Printer]


def escpos_for(station: Station) -> Printer:
    return EscposNetworkPrinter(station.printer_host, station.printer_port)


def tickets_unacknowledged(*, now: dt.datetime) -> list[Ticket]:
    """Open tickets of this node's orders that no screen acknowledged within POS_KITCHEN_ACK_TIMEOUT."""
    due = now - dt.timedelta(seconds=settings.POS_KITCHEN_ACK_TIMEOUT)
    return list(
        Ticket.objects.filter(
            status="open",
            acked_at__isnull=True,
            printed_at__isnull=True,
            received_at__lte=due,
            received_at__gte=now - PRINT_WINDOW,
            order__origin=node_state_get().origin,
        )
        .filter(Q(print_claimed_at__isnull=True) | Q(print_claimed_at__lt=now - CLAIM_TTL))
        .order_by("station", "received_at")[:BATCH]
    )


def print_fallback_tick(*, now: dt.datetime | None = None, printer_for: PrinterFactory = escpos_for) -> int:
    """Print every overdue ticket once; returns how many were printed. Never raises for a printer."""
    now = now or timezone.now()
    stations = {s.code: s for s in Station.objects.exclude(printer_host="")}
    printed = 0
    for code, tickets in groupby(tickets_unacknowledged(now=now), key=lambda t: t.station):
        station = stations.get(code)
        if station is not None:
            printed += _print_station(station, list(tickets), now=now, printer=printer_for(station))
    return printed


def _print_station(station: Station, tickets: list[Ticket], *, now: dt.datetime, printer: Printer) -> int:
    state, _ = PrinterState.objects.get_or_create(station=station.code)
    if state.retry_at and state.retry_at > now:
        return 0
    printed = 0
    for ticket in tickets:
        if not _claim(ticket, now=now):
            continue  # another process of this node is printing it
        job = ticket_job(ticket_as_dict(ticket), station_name=station.name_ja, tz=timezone.get_current_timezone())
        try:
            printer.print_job(job)
        except PrinterError as exc:
            Ticket.objects.filter(pk=ticket.pk).update(print_claimed_at=None)
            _failed(state, printer.address, str(exc), now=now)
            return printed
        services.ticket_printed(ticket_id=ticket.id, printer=printer.address)
        printed += 1
    _succeeded(state, printer.address, now=now)
    return printed


def _claim(ticket: Ticket, *, now: dt.datetime) -> bool:
    """Atomically take the ticket for printing; False when someone else holds a live claim."""
    fresh = Q(print_claimed_at__isnull=True) | Q(print_claimed_at__lt=now - CLAIM_TTL)
    return bool(Ticket.objects.filter(fresh, pk=ticket.pk, printed_at__isnull=True).update(print_claimed_at=now))


def _failed(state: PrinterState, address: str, detail: str, *, now: dt.datetime) -> None:
    log.warning("kitchen printer %s for %s: %s", address, state.station, detail)
    state.address, state.ok, state.detail = address, False, detail[:300]
    state.failures += 1
    state.last_attempt_at = now
    # Back off 1, 2, 4 ... 30 s so a printer that is off is not dialled every tick.
    state.retry_at = now + min(RETRY_MAX, dt.timedelta(seconds=2 ** min(state.failures - 1, 5)))
    state.save()


def _succeeded(state: PrinterState, address: str, *, now: dt.datetime) -> None:
    state.address, state.ok, state.detail, state.failures = address, True, "", 0
    state.last_attempt_at = state.last_ok_at = now
    state.retry_at = None
    state.save()


def receipt_print(
    *, order_id: uuid.UUID | str, printer: Printer, copy: bool = False, lang: str | None = None, base_url: str | None = None
) -> None:
    """Print the order's receipt (the qualified simplified invoice of
    registers/receipts.py) on ``printer`` now; raises PrinterError, records nothing.
    With ``base_url`` (how customers' phones reach this node or HQ, e.g.
    "https://s001.example.jp") the e-receipt's QR code is printed under it.

    Call it outside any transaction (it is network I/O); a failed receipt is
    the cashier's to retry, the sale itself is already recorded.
    """
    order = order_get(order_id=uuid.UUID(str(order_id)))
    if order is None:
        raise LookupError(f"no order {order_id}")
    store = Store.objects.filter(code=order.store).first() or Store(code=order.store, name=order.store)
    path = ereceipt_path(store=order.store, order_id=order.id) if base_url else None
    link = f"{base_url.rstrip('/')}{path}" if base_url and path else None
    printer.print_bytes(receipt_escpos(receipt_for(order=order, store=store, copy=copy, lang=lang), link=link))
