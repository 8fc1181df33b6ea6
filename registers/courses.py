"""Courses with hold and fire (コース料理): a line served in a later course is
sold now but held, and goes to the kitchen when the waiter fires its course.

A held line is on the bill from the moment it is ordered (receipts, reports
and payments never look at courses). Its kitchen tickets exist from the
start, held, one per station and course (kitchen/projections.py); firing is
an event (registers.events.OrderCourseFired) per order, never an edit of a
row, so it works on any sibling node and from a register's outbox, and the
kitchen shows a fired course once however many times, and on however many
cut-off nodes, it was fired.
"""

from __future__ import annotations

import uuid

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from registers.check_selectors import check_root, check_rounds
from registers.checks import CheckMissing, CheckRefused
from registers.events import OrderCourseFired
from registers.models import Check, Order, OrderLine
from sync.models import Change
from sync.projection import Recorded, projector
from sync.services import Fact, changes_record


class OrderMissing(LookupError):
    """No such order on this node (yet) (HTTP 404)."""


def _command_done(command_id: uuid.UUID) -> bool:
    return Change.objects.filter(kind=OrderCourseFired.kind, payload__command=str(command_id)).exists()


def _fire(*, command_id: uuid.UUID, orders: list[Order], course: int, what: str) -> int:
    """Record one fire per order of ``orders`` with lines of ``course`` still held;
    the number of lines it sends to the kitchen. CheckRefused when none of the
    orders ever held that course (a fire of nothing is a mistake, a second fire is not)."""
    if not 1 <= course <= 9:
        raise CheckRefused(f"course must be from 1 to 9, not {course}")
    held = OrderLine.objects.filter(order__in=orders, course=course, held=True)
    if not held.exists():
        raise CheckRefused(f"{what} holds nothing in course {course}")
    waiting = list(held.filter(fired_at__isnull=True).values_list("order_id", flat=True))
    at = timezone.now()
    store = {order.id: order.store for order in orders}
    changes_record([
        Fact(OrderCourseFired(order=order_id, command=command_id, course=course, at=at), store[order_id])
        for order_id in sorted(set(waiting), key=str)
    ])
    return len(waiting)


def order_course_fire(*, command_id: uuid.UUID, order_id: uuid.UUID, course: int) -> int:
    """Fire ``course`` of the order: its held lines go to the kitchen. Idempotent on
    ``command_id``; the number of lines this command fired (0 for a replay, or
    when the course was already fired)."""
    if _command_done(command_id):
        return 0
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(pk=order_id).first()
        if order is None:
            raise OrderMissing(f"no order {order_id} on this node")
        return _fire(command_id=command_id, orders=[order], course=course, what=f"order No. {order.number}")


def check_course_fire(*, command_id: uuid.UUID, check_id: uuid.UUID, course: int) -> tuple[Check, int]:
    """Fire ``course`` of every round of the check (and of the checks merged into
    it). Idempotent on ``command_id``; returns the check it ended up in and the
    number of lines this command fired."""
    with transaction.atomic():
        check = Check.objects.select_for_update().filter(pk=check_id).first()
        if check is None:
            raise CheckMissing(f"no check {check_id} on this node")
        root = check_root(check)
        if _command_done(command_id):
            return root, 0
        rounds = [order for order in check_rounds(root) if order.voided_at is None]
        return root, _fire(command_id=command_id, orders=rounds, course=course, what=f"check No. {root.number}")


@projector(OrderCourseFired)
def course_fired(change: Recorded[OrderCourseFired]) -> None:
    """The held lines of the course are fired at the earliest fire's time, whoever fired first."""
    data = change.event
    OrderLine.objects.filter(order_id=data.order, course=data.course, held=True).filter(
        Q(fired_at__isnull=True) | Q(fired_at__gt=data.at)
    ).update(fired_at=data.at)

