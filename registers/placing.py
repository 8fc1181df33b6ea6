"""What the service placing orders already read, handed to the projectors of those orders.

registers.services reads, in the transaction that records a batch of
orders and under its write lock, which ids are on no order yet and the
store's Z closes; the projectors folding those orders in that same
transaction (registers, kitchen) would otherwise read both again. Only
the placing transaction sets it, for the span of its changes_record.
Replicated changes carry no Placing; what order_placed finds new among
them is shared with the rest of their fold instead (orders_found_new).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from stores.business_day import Frontier
from sync.projection import fold_memo


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
    """Which of ``ids`` were on no order before this transaction, as the
    order being placed found them or order_placed did earlier in the same
    fold (orders_found_new): no payment or ticket refers to them yet."""
    placing = _placing.get()
    memo = fold_memo()
    found: set[uuid.UUID] | None = memo.get(_FOUND_NEW) if memo is not None else None
    if placing is None and not found:
        return set()
    ids = set(ids)
    return (ids & placing.new if placing is not None else set()) | (ids & found if found else set())


def orders_placed_here(ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Which of ``ids`` are the orders this node is placing in this transaction."""
    placing = _placing.get()
    return set(ids) & placing.new if placing is not None else set()


def orders_found_new(ids: Iterable[uuid.UUID]) -> None:
    """Say that order_placed found ``ids`` on no order and wrote them in the
    current fold (sync.projection.fold_memo): a store's upload at HQ, a
    sibling's push. Payments are written only for an order on record (an
    order.paid waits for its sale) and tickets only by routing it, so the
    projectors after it in that fold need not look for theirs: at HQ two
    lookups of a few hundred ids an upload, planned as scans of the whole
    table while it is small."""
    memo = fold_memo()
    if memo is not None:
        memo.setdefault(_FOUND_NEW, set()).update(ids)


_FOUND_NEW = "registers.orders_found_new"


def placing_closes(store: str, since: dt.date) -> dict[dt.date, Frontier | None] | None:
    """``store``'s closes from ``since`` on (closes_for) as the placing service read them; None when it did not."""
    placing = _placing.get()
    if placing is None or placing.store != store or since < placing.since:
        return None
    return {day: frontier for day, frontier in placing.closes.items() if day >= since}
