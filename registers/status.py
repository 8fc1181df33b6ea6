"""An order's status: the one definition of the lattice every app uses. Pure, no I/O.

placed < in_kitchen < ready < served, and voided wins over everything. A
node derives each order's status afresh from the facts it holds, as the
join of what each fact contributes (received by the kitchen, every ticket
bumped, handed over, voided), so every node holding the same facts shows the
same status whatever order they arrived in. A recall un-bumps a ticket, so
the order's "every ticket bumped" no longer holds and it shows in_kitchen
again; a hand-over and a void are never undone.
"""

from __future__ import annotations

from typing import Final, Literal

from django.utils.translation import gettext_lazy as _

Status = Literal["placed", "in_kitchen", "ready", "served", "voided"]

PLACED: Final[Status] = "placed"
IN_KITCHEN: Final[Status] = "in_kitchen"
READY: Final[Status] = "ready"
SERVED: Final[Status] = "served"
VOIDED: Final[Status] = "voided"

#: The kitchen's progress, bottom to top.
PROGRESS: Final[tuple[Status, ...]] = (PLACED, IN_KITCHEN, READY, SERVED)
STATUSES: Final[tuple[Status, ...]] = (*PROGRESS, VOIDED)
#: Model field choices (Order.status).
CHOICES = [
    (PLACED, _("placed")),
    (IN_KITCHEN, _("in kitchen")),
    (READY, _("ready")),
    (SERVED, _("served")),
    (VOIDED, _("voided")),
]


def join(a: Status, b: Status) -> Status:
    """Least upper bound of two statuses (commutative, associative, idempotent); voided wins."""
    if VOIDED in (a, b):
        return VOIDED
    return max(a, b, key=PROGRESS.index)


def order_status(*, received: bool, all_bumped: bool, served: bool, voided: bool) -> Status:
    """The status of an order from its facts: the join of what each contributes."""
    result: Status = PLACED
    facts: tuple[tuple[bool, Status], ...] = (
        (received, IN_KITCHEN), (all_bumped, READY), (served, SERVED), (voided, VOIDED),
    )
    for holds, status in facts:
        if holds:
            result = join(result, status)
    return result


#: Statuses whose ticket number is still called: a lane wraps after 999
#: numbers, so in a busy day its number 1 comes round again while the first
#: order that held it was long handed over. Only live orders must not share a
#: number (registers/renumber.py).
FINISHED: Final[tuple[Status, ...]] = (SERVED, VOIDED)


def shows_ready_at(status: Status) -> bool:
    """Whether an order in ``status`` shows when it became ready."""
    return status in (READY, SERVED)
