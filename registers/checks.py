"""Writes of table service: open a check, send rounds, move, merge, pay a part.

Every write is an event (registers/check_events.py) idempotent on the id the
device made, so a command queued in a register's outbox and replayed to any
sibling node records nothing twice. A round is placed as an ordinary unpaid
eat-in order under the check's ticket number (registers.services.order_place),
so the kitchen gets only that round's items; a part payment is ordinary
order.paid changes on the check's rounds (registers.services.order_paid_event).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from registers import tender
from registers.check_events import (
    CheckMerged,
    CheckMoved,
    CheckOpened,
    CheckPartPaid,
    CheckRoundSent,
    CheckSettled,
    PartAllocation,
)
from registers.check_selectors import check_group, check_rounds, table_open_check
from registers.day_close import selling_day
from registers.models import Check, Order, OrderLine, ZReport
from registers.renumber import next_numbers
from registers.services import LineRequest, OrderRejected, order_paid_event, order_place
from stores.models import Table
from stores.services import store_get_current
from sync.models import Change
from sync.services import Fact, change_record, changes_record


class CheckRefused(ValueError):
    """The command cannot be done as sent (HTTP 422); the message says why."""


class CheckMissing(LookupError):
    """No such check on this node (yet) (HTTP 404)."""


class CheckClosed(ValueError):
    """The check is settled or merged away (HTTP 409)."""


def table_resolve(code: str) -> str | None:
    """The floor's table a QR code names: ``T12`` as printed, or ``12`` for T12; None when there is none."""
    tables = Table.objects.filter(store=settings.POS_STORE)
    for candidate in (code, f"T{code}" if code.isdigit() else None):
        if candidate and tables.filter(table=candidate).exists():
            return candidate
    return None


def _table_known(table: str) -> None:
    if not Table.objects.filter(store=settings.POS_STORE, table=table).exists():
        raise CheckRefused(f"no table {table!r} on this store's floor")


def _check(check_id: uuid.UUID, *, lock: bool = False) -> Check:
    checks = Check.objects.select_for_update() if lock else Check.objects
    check = checks.filter(pk=check_id).first()
    if check is None:
        raise CheckMissing(f"no check {check_id} on this node")
    return check


def check_open(*, check_id: uuid.UUID, table: str, guests: int, register: str) -> tuple[Check, bool]:
    """Open a check for ``table`` with ``guests`` guests; its ticket number is taken now. Idempotent on ``check_id``."""
    existing = Check.objects.filter(pk=check_id).first()
    if existing is not None:
        return existing, False
    if not 1 <= guests <= 99:
        raise CheckRefused(f"guests must be from 1 to 99, not {guests}")
    _table_known(table)
    store = store_get_current()
    with transaction.atomic():
        day = selling_day(store)
        [number] = next_numbers(store.code, day, 1)
        event = CheckOpened(check=check_id, table=table, guests=guests, number=number, business_date=day,
                            register_name=register[:64], at=timezone.now())
        change_record(event, store=store.code)
    return Check.objects.get(pk=check_id), True


def check_round_send(
    *, check_id: uuid.UUID, order_id: uuid.UUID, lines: list[LineRequest], register: str, request_hash: str,
    source: str = "staff", note: str = "",
) -> tuple[Order, bool]:
    """Send a round of ``lines`` to the kitchen as order ``order_id`` of the check.

    Idempotent on ``order_id`` (a replay returns the order placed). A round
    is never refused for the check's state: one sent to a merged check joins
    the check it was merged into, and one sent to a check already paid (a
    command queued before the waiter's tablet learned of the payment) is
    kept, still due, and flagged (registers/conflicts.py), never lost.
    """
    if Order.objects.filter(pk=order_id).exists():
        order, _ = order_place(order_id=order_id, register=register, dining="eat_in", lines=lines, payments=[],
                               request_hash=request_hash)
        return order, False
    check = _check(check_id)
    with transaction.atomic():
        order, created = order_place(order_id=order_id, register=register, dining="eat_in", lines=lines, payments=[],
                                     request_hash=request_hash, number=check.number, check=check.id, note=note)
        if created:
            change_record(CheckRoundSent(check=check.id, order=order.id, source=source, at=timezone.now()), store=check.store)
    return order, created


def table_round_place(
    *, table: str, order_id: uuid.UUID, lines: list[LineRequest], register: str, request_hash: str,
    source: str = "guest", guests: int = 1,
) -> tuple[Order, bool]:
    """Place an order for ``table`` (the QR code on it): it joins the table's open
    check, or opens one. The one store-side placement for a table; the QR
    page and HQ's relay both call it. Raises CheckRefused for an unknown table
    and registers.services.OrderRejected for a wrong order."""
    if Order.objects.filter(pk=order_id).exists():
        order, _ = order_place(order_id=order_id, register=register, dining="eat_in", lines=lines, payments=[],
                               request_hash=request_hash)
        return order, False
    _table_known(table)
    with transaction.atomic():
        check = table_open_check(store=settings.POS_STORE, table=table)
        if check is None:
            # Derived from the order, so the same order replayed opens the same check.
            check, _ = check_open(check_id=uuid.uuid5(order_id, "check"), table=table, guests=guests, register=register)
        return check_round_send(check_id=check.id, order_id=order_id, lines=lines, register=register,
                                request_hash=request_hash, source=source)


def _command_done(kind: str, command_id: uuid.UUID) -> bool:
    return Change.objects.filter(kind=kind, payload__id=str(command_id)).exists()


def check_move(*, command_id: uuid.UUID, check_id: uuid.UUID, table: str) -> Check:
    """Move the check to ``table``. Idempotent on ``command_id``."""
    if _command_done(CheckMoved.kind, command_id):
        return _check(check_id)
    _table_known(table)
    with transaction.atomic():
        check = _check(check_id, lock=True)
        change_record(CheckMoved(id=command_id, check=check.id, table=table, at=timezone.now()), store=check.store)
    return _check(check_id)


def check_merge(*, command_id: uuid.UUID, check_id: uuid.UUID, into: uuid.UUID) -> Check:
    """Merge the check into check ``into`` (its rounds and guests move there). Idempotent on ``command_id``."""
    if _command_done(CheckMerged.kind, command_id):
        return _check(into)
    if check_id == into:
        raise CheckRefused("a check cannot be merged into itself")
    with transaction.atomic():
        check, target = _check(check_id, lock=True), _check(into)
        if check.merged_into is not None:
            raise CheckClosed(f"check No. {check.number} is already merged")
        if check.id in {c.id for c in check_group(target)} or target.merged_into is not None:
            raise CheckRefused(f"check No. {target.number} is not open to merge into")
        change_record(CheckMerged(id=command_id, check=check.id, into=target.id, at=timezone.now()), store=check.store)
    return _check(into)


def check_pay(
    *, part_id: uuid.UUID, check_id: uuid.UUID, method: str, amount: int, tendered: int | None = None,
    lines: list[tuple[uuid.UUID, int]] | None = None,
) -> tuple[Check, bool]:
    """Pay one part of the check: ``amount`` yen in ``method`` (cash: ``tendered``
    handed over, change given back). With ``lines`` ((order, position) pairs:
    split by items) the part pays those lines and ``amount`` must be their sum;
    without, the amount pays the rounds oldest first (split evenly, or the
    whole bill). Idempotent on ``part_id``. When the check is then fully paid
    a check.settled records which rounds this node saw.
    """
    if Change.objects.filter(kind=CheckPartPaid.kind, payload__part=str(part_id)).exists():
        return _check(check_id), False
    if method not in tender.METHODS:
        raise CheckRefused(f"method must be cash, card or qr, not {method!r}")
    tendered = amount if tendered is None else tendered
    if amount <= 0 or tendered < amount or (method != tender.CASH and tendered != amount):
        raise CheckRefused("amount must be positive, and only cash may be tendered above it")
    store = store_get_current()
    with transaction.atomic():
        check = _check(check_id, lock=True)
        if check.merged_into is not None:
            raise CheckClosed(f"check No. {check.number} was merged into another check; pay that one")
        rounds = [order for order in check_rounds(check) if order.voided_at is None]
        allocations = _allocate(rounds, amount, lines)
        closed = ZReport.objects.filter(store=check.store, business_date__in={o.business_date for o, _ in allocations}).first()
        if closed is not None:
            # As for any open order (registers.adjustments.order_pay): a closed day takes no more money.
            raise CheckClosed(f"business day {closed.business_date} is closed (Z No. {closed.number}); "
                              f"check No. {check.number} can no longer take payments here")
        at = timezone.now()
        facts = [Fact(CheckPartPaid(check=check.id, part=part_id, method=method, amount=amount, at=at,
                                    allocations=[PartAllocation(order=o.id, amount=a) for o, a in allocations]), store.code)]
        left = tendered
        for index, (order, applied) in enumerate(allocations):
            last = index == len(allocations) - 1
            handed = left if last else applied
            left -= handed
            settled = tender.Settled(method, applied, handed, handed - applied, "")
            facts.append(Fact(order_paid_event(order_id=order.id, store=store, settled=[settled], at=at,
                                               start=order.payments.count(), batch=uuid.uuid5(part_id, f"order:{order.id}")), store.code))
        if sum(o.total - o.paid for o in rounds) == amount:
            facts.append(Fact(CheckSettled(check=check.id, orders=[o.id for o in rounds], at=at), store.code))
        changes_record(facts)
    return _check(check_id), True


def _allocate(rounds: list[Order], amount: int, lines: list[tuple[uuid.UUID, int]] | None) -> list[tuple[Order, int]]:
    due = {order.id: order.total - order.paid for order in rounds}
    if amount > sum(due.values()):
        raise CheckRefused(f"{amount:,} yen is more than the {sum(due.values()):,} yen still due on the check")
    if lines:
        wanted: dict[uuid.UUID, int] = {}
        for order_id, position in set(lines):
            line = OrderLine.objects.filter(order_id=order_id, position=position).first()
            if line is None or order_id not in due:
                raise CheckRefused(f"line {position + 1} of order {order_id} is not on this check")
            wanted[order_id] = wanted.get(order_id, 0) + line.amount
        if sum(wanted.values()) != amount:
            raise CheckRefused(f"the chosen items come to {sum(wanted.values()):,} yen, not {amount:,} yen")
        if any(wanted[o] > due[o] for o in wanted):
            raise CheckRefused("some of the chosen items are already paid")
        return [(order, wanted[order.id]) for order in rounds if order.id in wanted]
    allocations, left = [], amount
    for order in rounds:
        applied = min(left, due[order.id])
        if applied > 0:
            allocations.append((order, applied))
            left -= applied
    return allocations


__all__ = ["OrderRejected", "check_merge", "check_move", "check_open", "check_pay", "check_round_send", "table_resolve", "table_round_place"]
