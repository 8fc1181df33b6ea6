"""Writes of an order's kitchen progress and status: the kitchen reports, registers owns the row.

The kitchen derives how far it is with an order from its own facts (tickets
acknowledged, bumped, recalled; the hand-over) and reports it here; the
order's status is that progress joined with the order's void
(registers/status.py). These run inside projectors, in the projecting
transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from registers import live, status
from registers.models import Order
from sync.bulk import rows_update


def order_received_record(*, order: Order, at: dt.datetime) -> None:
    """The kitchen first showed the order at ``at``: the earliest report stands, on every node."""
    if order.kitchen_received_at is None or at < order.kitchen_received_at:
        order.kitchen_received_at = at
        order.save(update_fields=["kitchen_received_at"])


# The columns of an order that deriving and saving its progress reads (here and
# in the kitchen's orders_status_refresh): a catch-up's burst loads only these,
# as building thousands of whole order rows was a large part of folding it.
PROGRESS_FIELDS = ("id", "store", "status", "ready_at", "voided_at", "kitchen_received_at")


@dataclass(frozen=True)
class Progress:
    """The kitchen's facts about one order, derived afresh from its tickets and hand-over."""

    received: bool
    all_bumped: bool
    served: bool
    ready_at: dt.datetime | None


def orders_progress_record(progress: Iterable[tuple[Order, Progress]]) -> None:
    """The kitchen's facts about each order (derived afresh each time) set its
    status and when it was ready; the changed rows are written in one statement."""
    _statuses_save([
        (order, status.order_status(received=facts.received, all_bumped=facts.all_bumped, served=facts.served,
                                    voided=order.voided_at is not None), facts.ready_at)
        for order, facts in progress
    ])


def orders_voided_status(order_ids: Iterable[uuid.UUID]) -> None:
    """Voided orders among ``order_ids`` show as voided (the top of the lattice)."""
    voided = Order.objects.filter(pk__in=list(order_ids), voided_at__isnull=False).exclude(status=status.VOIDED)
    _statuses_save([(order, status.VOIDED, None) for order in voided])


def _statuses_save(news: list[tuple[Order, status.Status, dt.datetime | None]]) -> None:
    changed: list[Order] = []
    for order, new, ready_at in news:
        # ready_at too is derived afresh: a later bump replicated after an earlier
        # one must move it on every node, or nodes disagree on when it was ready.
        ready_at = ready_at if status.shows_ready_at(new) else None
        if (new, ready_at) != (order.status, order.ready_at):
            order.status, order.ready_at = new, ready_at
            changed.append(order)
    rows_update(Order, changed, ["status", "ready_at"])
    for order in changed:
        live.order_changed(store=order.store, order_id=order.id)
