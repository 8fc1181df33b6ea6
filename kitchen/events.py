"""The kitchen's events: tickets acknowledged by a screen, printed, bumped and
recalled, and an order handed over. Projected in kitchen/projections.py."""

from __future__ import annotations

import uuid
from typing import ClassVar

from registers.events import OrderFact
from sync.events import Timestamp


class TicketFact(OrderFact):
    """An event about one station's ticket of an order (the ticket id derives from both)."""

    ticket: uuid.UUID
    at: Timestamp


class TicketAcked(TicketFact):
    """A kitchen screen showed the ticket (the kitchen received the order)."""

    kind: ClassVar[str] = "ticket.acked"
    screen: str = ""


class TicketBumped(TicketFact):
    kind: ClassVar[str] = "ticket.bumped"


class TicketRecalled(TicketFact):
    kind: ClassVar[str] = "ticket.recalled"


class TicketPrinted(TicketFact):
    kind: ClassVar[str] = "ticket.printed"
    printer: str = ""


class OrderServed(OrderFact):
    """A ready order was handed over."""

    kind: ClassVar[str] = "order.served"
    at: Timestamp
