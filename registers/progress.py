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

from registers import live, status
from registers.models import Order


def order_received_record(*, order: Order, at: dt.datetime) -> None:
    """The kitchen first showed the order at ``at``: the earliest report stands, on every node."""
    if order.kitchen_received_at is None or at < order.kitchen_received_at:
        order.kitchen_received_at = at
        order.save(update_fields=["kitchen_received_at"])


def order_progress_record(
    *, order: Order, received: bool, all_bumped: bool, served: bool, ready_at: dt.datetime | None
) -> None:
    """The kitchen's facts about ``order`` (derived afresh each time); sets its status and when it was ready."""
    voided = order.voided_at is not None
    new = status.order_status(received=received, all_bumped=all_bumped, served=served, voided=voided)
    _status_save(order, new, ready_at)


def orders_voided_status(order_ids: Iterable[uuid.UUID]) -> None:
    """Voided orders among ``order_ids`` show as voided (the top of the lattice)."""
    for order in Order.objects.filter(pk__in=list(order_ids), voided_at__isnull=False).exclude(status=status.VOIDED):
        _status_save(order, status.VOIDED, None)


def _status_save(order: Order, new: status.Status, ready_at: dt.datetime | None) -> None:
    # ready_at too is derived afresh: a later bump replicated after an earlier
    # one must move it on every node, or nodes disagree on when it was ready.
    ready_at = ready_at if status.shows_ready_at(new) else None
    if (new, ready_at) != (order.status, order.ready_at):
        Order.objects.filter(pk=order.pk).update(status=new, ready_at=ready_at)
        order.status, order.ready_at = new, ready_at
        live.order_changed(store=order.store, order_id=order.id)
