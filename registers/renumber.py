"""One ticket number per live order of a store and business day, on every node.

Registers number from their own blocks and nodes from their own lanes, so
numbers repeat only when an identity was shared (two tablets as one register,
a tablet restored from an old backup) or a lane wrapped after 999 numbers. A
number only clashes between *live* orders (not yet handed over or voided):
after a wrap the new No. 10001 is not the one handed over hours ago, and
renumbering every order past the 999th would only chase the lane round. Two
guards:

- at placement, a number already held by another order of the day is not
  called again: the order takes this node's next number (services._record);
- on merge, when two orders with one number meet (each accepted by a node on
  its side of a partition), the one placed first by (hlc, origin) keeps it,
  on every node alike, and the other is renumbered: the node that sees the
  clash records order.renumbered with a number of its own lane. Both sides may
  do so at once: each renumbering answers the number it replaced, and of the
  proposals answering one number every node keeps the lowest (renumber_apply).

The kitchen and the status board show the new number (kitchen.projections).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable
from typing import cast

from django.conf import settings
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from registers import status
from registers.events import OrderPlaced, OrderRenumbered
from registers.models import Order, OrderRenumber
from runtime.doorbells import ring_after_commit
from stores.services import node_lane, ticket_numbers_take
from sync.models import Change
from sync.projection import recorded
from sync.services import Fact, changes_record

log = logging.getLogger(__name__)


def _live(store: str, day: dt.date) -> QuerySet[Order]:
    # Unordered: the model's newest-first ordering made SQLite walk the store's
    # every order by recency instead of the day's numbers (order_store_day_number).
    return Order.objects.order_by().filter(store=store, business_date=day).exclude(status__in=status.FINISHED)


def numbers_held(*, store: str, day: dt.date, numbers: Iterable[int]) -> set[int]:
    """Which of ``numbers`` a live order of ``store``'s ``day`` already holds."""
    numbers = list(numbers)
    if not numbers:
        return set()  # a sale without a register's number asks nothing: no query to build
    return set(_live(store, day).filter(number__in=numbers).values_list("number", flat=True))


def renumber_apply(order_ids: Iterable[uuid.UUID]) -> None:
    """Each order shows the end of its renumbering chain (inside a projector).

    A renumbering answers the number it replaced (``was``): from the number
    the order was placed with, each step takes the lowest proposal answering
    the number reached. A proposal may still clash (an order moved in from a
    closed day holds it, or a sibling's sale took it meanwhile); the next
    renumbering answers it and takes effect, where a rule of the lowest
    proposal overall kept the clash and renumbered forever. The chain depends
    only on the set of changes, so every node shows the same number.
    """
    answers: dict[uuid.UUID, dict[int, int]] = defaultdict(dict)
    for order_id, was, number in OrderRenumber.objects.filter(order_id__in=list(order_ids)).values_list(
            "order_id", "was", "number"):
        step = answers[order_id]
        step[was] = min(step.get(was, number), number)
    if not answers:
        return
    for order_id, number in _placed_numbers(set(answers)).items():
        seen = {number}
        # Bounded: each step visits a number not seen before.
        while number in answers[order_id] and answers[order_id][number] not in seen:
            number = answers[order_id][number]
            seen.add(number)
        Order.objects.filter(pk=order_id).exclude(number=number).update(number=number)


def _placed_numbers(order_ids: set[uuid.UUID]) -> dict[uuid.UUID, int]:
    """The number each order was placed with: its shown placement's (the
    earliest, projections), read by the (origin, seq) the order keeps of it.
    Matching the change log's payloads by order id read every placement the
    store ever recorded, once per renumbering."""
    shown = {(origin, seq): pk for pk, origin, seq in
             Order.objects.filter(pk__in=list(order_ids)).values_list("pk", "origin", "placed_seq")}
    if not shown:
        return {}
    origins, seqs = {origin for origin, _ in shown}, {seq for _, seq in shown}
    placed: dict[uuid.UUID, int] = {}
    for change in Change.objects.filter(origin__in=origins, seq__in=seqs, kind=OrderPlaced.kind).only(
            "origin", "seq", "kind", "payload", "store", "hlc"):
        order_id = shown.get((change.origin, change.seq))
        if order_id is not None:
            placed[order_id] = cast(OrderPlaced, recorded(change).event).number
    return placed


def clashes_watch(keys: Iterable[tuple[str, dt.date, int]]) -> None:
    """After orders arrived or changed number (inside a projector): when one of
    these (store, day, number) is held twice, renumber it after commit. Only a
    node of the store itself records the renumbering; HQ never authors sales."""
    if settings.POS_ROLE != "store":
        return
    by_day: dict[tuple[str, dt.date], set[int]] = defaultdict(set)
    for store, day, number in keys:
        if store == settings.POS_STORE:
            by_day[(store, day)].add(number)
    for (store, day), numbers in by_day.items():
        if _lane_full(store, day):
            continue  # no free number to give: see next_numbers
        # Only the numbers that clash are looked at again, never the whole
        # day: after every batch that was a scan of all the day's orders.
        for number in _holders(store, day, numbers):
            ring_after_commit("renumber", (store, day, number), _renumber_numbers)


def _renumber_numbers(clashes: list[tuple[str, dt.date, int]]) -> None:
    by_day: dict[tuple[str, dt.date], set[int]] = defaultdict(set)
    for store, day, number in clashes:
        by_day[(store, day)].add(number)
    for (store, day), numbers in by_day.items():
        try:
            orders_renumber(store=store, day=day, numbers=numbers)
        except Exception:  # retried by the next clash on it or the minute's sweep; never break the apply
            log.exception("renumbering %s %s failed", store, day)


def clashes_sweep() -> None:
    """Resolve any clash still standing among this store's live orders of the
    last two days (a worker, each minute and at start). The watch resolves a
    clash after the commit that made it; a node killed in between, a failed
    renumbering or a lane full at the time left it standing, and only a later
    clash on the same number would have looked again."""
    if settings.POS_ROLE != "store":
        return
    store = settings.POS_STORE
    since = timezone.localdate() - dt.timedelta(days=1)
    days = (Order.objects.filter(store=store, business_date__gte=since).exclude(status__in=status.FINISHED)
            .order_by().values_list("business_date", flat=True).distinct())
    for day in sorted(set(days)):
        if not _lane_full(store, day):
            orders_renumber(store=store, day=day)


def orders_renumber(*, store: str, day: dt.date, numbers: Iterable[int] | None = None) -> list[OrderRenumbered]:
    """Renumber every order (or check's rounds) of ``store``'s ``day`` that
    holds a number an earlier-placed order holds too (of ``numbers``, or of
    the whole day); returns what was recorded."""
    with transaction.atomic():
        losers = _losers(store, day, numbers)
        if not losers:
            return []
        # Every number of the lane may be held by a live order (999 orders
        # cooking, or never handed over): a new number would clash again, and
        # each renumbering would set off the next. Those keep theirs.
        fresh = next_numbers(store, day, len(losers), free_only=True)
        # A check's rounds move together: one new number for all of them.
        events = [
            OrderRenumbered(order=order.id, number=number, was=order.number)
            for group, number in zip(losers, fresh, strict=False)  # the first losers, as far as numbers go
            for order in group
        ]
        if not events:
            return []
        changes_record([Fact(event, store) for event in events])
    log.warning("renumbered %d order(s) of %s %s holding a number twice", len(events), store, day)
    return events


def _holders(store: str, day: dt.date, numbers: Iterable[int] | None = None) -> dict[int, list[list[Order]]]:
    """For each number held more than once: its holders, earliest placed first.
    A holder is an order, or a table check's rounds together (they share the
    check's number by design)."""
    orders = _live(store, day)
    if numbers is not None:
        orders = orders.filter(number__in=list(numbers))
    twice = orders.values("number").annotate(n=Count("id")).filter(n__gt=1).values_list("number", flat=True)
    by_number: dict[int, dict[uuid.UUID, list[Order]]] = defaultdict(lambda: defaultdict(list))
    for order in _live(store, day).filter(number__in=list(twice)):
        by_number[order.number][order.check_id or order.id].append(order)
    clashes: dict[int, list[list[Order]]] = {}
    for number, groups in by_number.items():
        if len(groups) > 1:
            holders = [sorted(group, key=_placed) for group in groups.values()]
            clashes[number] = sorted(holders, key=lambda group: _placed(group[0]))
    return clashes


def _placed(order: Order) -> tuple[int, str, str]:
    return (order.placed_hlc, order.origin, str(order.id))


def _losers(store: str, day: dt.date, numbers: Iterable[int] | None) -> list[list[Order]]:
    """The holders that give their number up: all but the first of each clash."""
    return [group for holders in _holders(store, day, numbers).values() for group in holders[1:]]


def next_numbers(store: str, day: dt.date, count: int, *, free_only: bool = False) -> list[int]:
    """The next ``count`` ticket numbers of this node's lane for the day (stores
    keeps the counter), passing over any a live order still holds: an order
    moved in from a closed day, or the lane come round to a number still being
    cooked. Calling such a number would only start a renumbering. With
    ``free_only``, fewer than ``count`` when the lane has no more free ones."""

    def called(low: int, high: int) -> int:
        # Numbers of the lane this store's orders of the day already hold: a
        # node restored mid-day gets them back from its siblings.
        return Order.objects.filter(store=store, business_date=day, number__gte=low, number__lte=high).count()

    free: list[int] = []
    if not _lane_full(store, day):
        for _ in range(_SKIP_ROUNDS):
            taken = ticket_numbers_take(store=store, day=day, count=count - len(free), called=called)
            held = numbers_held(store=store, day=day, numbers=taken)
            free += [number for number in taken if number not in held]
            if len(free) == count:
                return free
        _lane_full_note(store, day)
    # A lane whose next numbers are nearly all live: a sale is still called
    # (by a number another live order holds) rather than walk the whole lane
    # under the lock; a renumbering is not (orders_renumber).
    if free_only:
        return free
    return free + ticket_numbers_take(store=store, day=day, count=count - len(free), called=called)


_SKIP_ROUNDS = 8

#: How long a lane found full of live orders is taken as full without
#: looking again. Each look cost every sale eight rounds under the counter's
#: lock, and every clash it called a renumbering that found nothing to give:
#: a store whose staff never hand over sold at a quarter of its speed past the
#: 999th order. A few seconds later an order handed over meanwhile frees its
#: number again; until then a sale shares a number, as it would anyway.
LANE_FULL_SECONDS = 5.0

_full_until: dict[tuple[str, dt.date, int], float] = {}


def _now() -> float:
    return time.monotonic()


def _lane_full(store: str, day: dt.date) -> bool:
    until = _full_until.get((store, day, node_lane()))
    return until is not None and _now() < until


def _lane_full_note(store: str, day: dt.date) -> None:
    key = (store, day, node_lane())
    if not _lane_full(store, day):
        log.warning("ticket lane %s of %s %s is full of live orders: new orders share numbers with orders "
                    "not yet handed over until some are", key[2], store, day)
    _full_until[key] = _now() + LANE_FULL_SECONDS


def lanes_forget() -> None:
    """Forget which lanes were found full (tests: each starts with empty lanes)."""
    _full_until.clear()
