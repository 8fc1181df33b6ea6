"""What the service placing orders already read, handed to the projectors of those orders.

registers.services reads, in the transaction that records a batch of
orders and under its write lock, which ids are on no order yet and the
store's Z closes; the projectors folding those orders in that same
transaction (registers, kitchen) would otherwise read both again. Only
the placing transaction sets it, for the span of its changes_record;
replicated changes never carry it and read everything as before.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from stores.business_day import Frontier


@dataclass(frozen=True)
class Placing:
    """What the service placing orders already read in the transaction that
    records them, so the projectors of those orders need not read it again:
    ``new``, ids it found on no order (no row can refer to them: their
    payments, tickets); ``closes``, a store's closes from ``since`` on."""

    new: frozenset[uuid.UUID]
    store: str
    since: dt.date
    closes: dict[dt.date, Frontier | None]


_placing: contextvars.ContextVar[Placing | None] = contextvars.ContextVar("registers_placing", default=None)


@contextmanager
def orders_placing(placing: Placing) -> Iterator[None]:
    """Inside ``transaction.atomic()``, around recording the orders ``placing``
    describes (as read in that transaction, under its write lock)."""
    token = _placing.set(placing)
    try:
        yield
    finally:
        _placing.reset(token)


def orders_new(ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Which of ``ids`` the order being placed found on no order in this transaction."""
    placing = _placing.get()
    return set(ids) & placing.new if placing is not None else set()


def placing_closes(store: str, since: dt.date) -> dict[dt.date, Frontier | None] | None:
    """``store``'s closes from ``since`` on (closes_for) as the placing service read them; None when it did not."""
    placing = _placing.get()
    if placing is None or placing.store != store or since < placing.since:
        return None
    return {day: frontier for day, frontier in placing.closes.items() if day >= since}
