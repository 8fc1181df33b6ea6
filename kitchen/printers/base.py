"""What every printer output offers, and the ticket layout they share (pure, no I/O).

A variant (``escpos.py``) turns :class:`PrintJob` lines into its device's bytes.
Printing is slow I/O: callers run it outside transactions, in a worker, so a
printer that is off or out of paper never holds up an order.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext


class PrinterError(Exception):
    """The printer could not print (off, unreachable, out of paper); the job may be retried."""


@dataclass(frozen=True)
class Line:
    text: str
    big: bool = False  # double width and height: ticket number, items


@dataclass(frozen=True)
class PrintJob:
    title: str
    lines: list[Line] = field(default_factory=list)


class Printer(ABC):
    """A printer reachable at ``address``; :meth:`print_job` raises :class:`PrinterError` on failure."""

    address: str

    @abstractmethod
    def print_job(self, job: PrintJob) -> None: ...

    @abstractmethod
    def print_bytes(self, data: bytes) -> None:
        """Send ready-made ESC/POS bytes (the receipt is laid out by registers/receipt_escpos.py)."""


DINING = {"eat_in": ("店内", "Eat in"), "take_out": ("持ち帰り", "Take out")}


def ticket_job(ticket: dict[str, Any], *, station_name: str, tz: dt.tzinfo | None = None, lang: str | None = None) -> PrintJob:
    """The kitchen ticket as printed: number and dining large, then each item with its modifiers.

    ``ticket`` is ``kitchen.selectors.ticket_as_dict`` output. One language, the
    store's (``lang``, default settings.LANGUAGE_CODE): in Japanese, English
    names only where an item has no Japanese one, and the other way round.
    """
    lang = lang or settings.LANGUAGE_CODE
    placed = dt.datetime.fromisoformat(ticket["placed_at"])
    if tz is not None:
        placed = placed.astimezone(tz)
    dining_ja, dining_en = DINING.get(ticket["dining"], (ticket["dining"], ticket["dining"]))
    first, second = ("name_en", "name_ja") if lang == "en" else ("name_ja", "name_en")
    lines = [
        Line(f"No. {ticket['number']}  {dining_en if lang == 'en' else dining_ja}", big=True),
        Line(f"{station_name}  {placed:%H:%M:%S}"),
        Line("-" * 32),
    ]
    if ticket.get("course"):
        # A fired course comes on its own ticket under the order's number: say which course it is.
        course = ticket["course"]
        lines.insert(1, Line(f"{course['number']}. {course.get(first) or course.get(second, '')}", big=True))
    if ticket.get("note"):
        # The order's note before its items, large: an allergy is read first.
        lines.append(Line(f"★ {ticket['note']}", big=True))
    for item in ticket["items"]:
        lines.append(Line(f"{item['qty']} x {item.get(first) or item.get(second, '')}", big=True))
        if item.get("set"):
            lines.append(Line(f"   【{item['set'].get(first) or item['set'].get(second, '')}】"))
        for modifier in item.get("modifiers", []):
            lines.append(Line(f"   + {modifier.get(first) or modifier.get(second, '')}"))
        if item.get("note"):
            lines.append(Line(f"  ★ {item['note']}", big=True))
    lines.append(Line("-" * 32))
    # Said on paper because a printed ticket means no screen showed it in time.
    with translation.override(lang):
        lines.append(Line(gettext("Printed: no screen showed this ticket in time")))
    return PrintJob(title=f"ticket {ticket['id']}", lines=lines)
