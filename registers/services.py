"""Writes for the register: placing and paying orders.

Every write records a change (sync.services.changes_record) and lets the
projectors build the order; the change and the projection commit together.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from menu.models import MenuItem, Modifier
from menu.store_menu import PricedMenu, priced_menu
from menu.windows import apply_windows
from registers import sets, tax, tender
from registers.day_close import selling_day_closes
from registers.events import (
    ComponentSold,
    Issuer,
    LineSold,
    ModifierSold,
    OrderPaid,
    OrderPlaced,
    PaymentMade,
    TaxLine,
    note_problem,
    payment_id_for,
)
from registers.models import Order
from registers.offline_card import settle_by_for
from registers.placing import Placing, orders_placing
from registers.receipts import issuer_of
from registers.renumber import next_numbers, numbers_held
from runtime.batching import GroupCommit
from stores import numbers
from stores.business_day import business_day_start
from stores.models import Store
from sync.events import MAX_YEN
from sync.services import Fact, changes_record

MAX_LINES = 100
MAX_QTY = 99
MAX_MODIFIERS = 10
MAX_COURSE = 9
# How far ahead of this node's clock a register's own clock may run before
# the time it says a sale was rung up at is not believed.
CLOCK_SKEW = dt.timedelta(minutes=2)


class OrderRejected(ValueError):
    """The order cannot be placed as sent; the message says what is wrong (HTTP 422)."""


class OrderConflict(ValueError):
    """The order id is taken by an order with a different body (HTTP 409)."""


@dataclass(frozen=True)
class LineRequest:
    sku: str
    qty: int
    modifiers: list[str] = field(default_factory=list)
    note: str = ""  # the cook's note for this line; "" for none
    course: int | None = None  # the course it is served in (registers/courses.py)
    hold: bool = False  # its tickets wait until the course is fired (registers/courses.py)


def note_clean(where: str, text: str) -> str | None:
    """A kitchen note as recorded: trimmed, None when empty; OrderRejected says what is wrong."""
    text = text.strip()
    if not text:
        return None
    problem = note_problem(text)
    if problem:
        raise OrderRejected(f"{where}: {problem}")
    return text


def line_request(line: Any) -> LineRequest:
    """A parsed line of a request body (registers.schemas.LineIn) as order_place takes it."""
    return LineRequest(line.sku, line.qty, list(line.modifiers), line.note, line.course, line.hold)


def lines_digestible(lines: list[dict[str, Any]], keys: tuple[str, ...] = ("course", "hold")) -> None:
    """Drop a body's line ``keys`` left at their defaults, so a body sent before
    they existed keeps its digest (a replay stays a replay)."""
    for line in lines:
        for key in keys:
            if not line.get(key):
                line.pop(key, None)


def request_digest(body: dict[str, Any]) -> str:
    """Digest of a request's meaning: same digest, same order (key order and spacing do not count)."""
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()


def order_place(
    *,
    order_id: uuid.UUID,
    register: str,
    dining: str,
    lines: list[LineRequest],
    payments: list[tender.Tender],
    request_hash: str,
    number: int | None = None,
    note: str = "",
    rung_at: dt.datetime | None = None,
    check: uuid.UUID | None = None,
) -> tuple[Order, bool]:
    """Place an order idempotently on the client's ``order_id``.

    Returns ``(order, created)``. The same id with the same ``request_hash``
    returns the recorded order and records nothing; with another hash it raises
    OrderConflict. A replay is answered before the menu is consulted, so an
    order already taken stays taken even if an item has since sold out.
    ``number``, when given, is the ticket number an offline register already
    called; it must lie in that register's block (numbers.register_number_ok),
    unless ``check`` is given: the order is a round of that table check
    (registers/checks.py) and ``number`` is the check's, which the kitchen
    calls every round by.
    ``rung_at``, when given, is when the register rang the sale up (offline,
    perhaps long before it arrives): the menu of that moment prices it (menu
    windows), if it lies between the start of the current business day and
    now; otherwise the menu of now does (see _priced_at).

    Orders placed at the same moment from several threads commit together
    (group commit, see _group_commit); inside a caller's transaction the order
    is recorded in it, and commits or rolls back with it.
    """
    if number is not None and check is None and not numbers.register_number_ok(register, number):
        low, high = numbers.lane_range(numbers.lane_for_register(register))
        raise OrderRejected(f"number {number} is outside register {register}'s block {low}..{high}")
    _check_shape(lines, dining)
    for index, line in enumerate(lines):
        note_clean(f"lines[{index}].note", line.note)
    if rung_at is not None and (rung_at.tzinfo is None or rung_at.utcoffset() is None):
        raise OrderRejected("rung_at must carry a time zone offset")
    job = _Job(
        order_id, register, dining, lines, payments, request_hash, number,
        note=note_clean("note", note), rung_at=rung_at, check=check,
    )
    if transaction.get_connection().in_atomic_block:
        try:
            with transaction.atomic():
                _record([job])
        except IntegrityError:
            job.order = None  # the same id committed meanwhile: a replay
    else:
        _group_commit(job)
    if job.error is not None:
        raise job.error
    if job.order is None:
        # Another request with the same id committed first; answer as for any replay.
        existing = _existing(order_id, request_hash)
        if existing is None:
            raise IntegrityError(f"order {order_id} was neither recorded nor found")
        return existing, False
    return job.order, True


@dataclass
class _Job:
    """One order waiting to be recorded, and what became of it."""

    order_id: uuid.UUID
    register: str
    dining: str
    lines: list[LineRequest]
    payments: list[tender.Tender]
    request_hash: str
    number: int | None
    note: str | None = None
    rung_at: dt.datetime | None = None
    priced_at: dt.datetime | None = None  # the moment whose menu priced it, when not placed_at
    check: uuid.UUID | None = None
    order: Order | None = None
    error: BaseException | None = None
    finished: threading.Event = field(default_factory=threading.Event)
    priced: list[LineSold] = field(default_factory=list)
    total: int = 0
    settled: list[tender.Settled] = field(default_factory=list)


GATHER_S = 0.002


def _fail(job: _Job, exc: BaseException) -> None:
    # An IntegrityError is the same id committed meanwhile: the caller
    # answers it as a replay. Anything else is the caller's error.
    job.order, job.error = None, (None if isinstance(exc, IntegrityError) else exc)


def _write(batch: list[_Job]) -> None:
    _record(batch)


# Group commit (runtime.batching): whoever holds the writer lock commits for
# all who queued while it worked, so a burst from many registers costs one
# transaction and a few bulk inserts per batch instead of two dozen queries
# per order, and this process never races itself for SQLite's write lock. If a
# batch fails, each order is retried on its own so one bad order fails alone.
_orders: GroupCommit[_Job] = GroupCommit(_write, fail=_fail, gather_s=GATHER_S)
_group_commit = _orders.submit
_commit = _orders.commit


def _existing(order_id: uuid.UUID, request_hash: str) -> Order | None:
    order = Order.objects.filter(pk=order_id).first()
    if order is None:
        return None
    if order.request_hash != request_hash:
        raise OrderConflict(f"order {order_id} already exists with different contents; use a new id for a new order")
    return order


def _check_shape(lines: list[LineRequest], dining: str) -> None:
    if dining not in tax.DINING:
        raise OrderRejected(f"dining must be eat_in or take_out, not {dining!r}")
    if not lines:
        raise OrderRejected("an order needs at least one line")
    if len(lines) > MAX_LINES:
        raise OrderRejected(f"an order may have at most {MAX_LINES} lines, not {len(lines)}")


def _priced_at(rung_at: dt.datetime | None, now: dt.datetime, store: Store) -> dt.datetime | None:
    """The moment an order is priced at, when not ``now``: its own rung-up time,
    trusted only between the start of the current business day and now (plus
    CLOCK_SKEW), so a register cannot claim yesterday's lunch price or a price
    of the future. An untrusted time is ignored: the order is priced as if it
    had been rung up as it arrived, as orders without one are."""
    if rung_at is None:
        return None
    start = business_day_start(now, time_zone=store.time_zone, cutover=store.day_cutover)
    return rung_at if start <= rung_at <= now + CLOCK_SKEW else None


def _items_at(menu: PricedMenu, at: dt.datetime) -> dict[str, MenuItem]:
    """The store's items as sold at ``at`` (menu windows applied)."""
    return {item.sku: item for item in apply_windows(list(menu.items.values()), at=at, time_zone=menu.store.time_zone)}


def _price(job: _Job, items: dict[str, MenuItem], modifiers: dict[str, Modifier]) -> None:
    """Price and settle one order against the menu; OrderRejected says what is wrong."""
    job.priced = [_price_line(index, line, items, modifiers, job.dining) for index, line in enumerate(job.lines)]
    job.total = sum(line.amount for line in job.priced)
    if job.total > MAX_YEN:
        raise OrderRejected(f"the order's total of {job.total:,} yen passes the limit of {MAX_YEN:,} yen for one order")
    job.settled = _settle(job.total, job.payments)


def _price_line(
    index: int, line: LineRequest, items: dict[str, MenuItem], modifiers: dict[str, Modifier], dining: str
) -> LineSold:
    where = f"lines[{index}]"
    item = items.get(line.sku)
    if item is None:
        raise OrderRejected(f"{where}: unknown sku {line.sku!r}")
    if not item.available:
        raise OrderRejected(f"{where}: {item.sku} ({item.name_en}) is sold out")
    if dining == tax.TAKE_OUT and not item.takeout_ok:
        raise OrderRejected(f"{where}: {item.sku} ({item.name_en}) is not sold for take-out")
    if not 1 <= line.qty <= MAX_QTY:
        raise OrderRejected(f"{where}: qty must be from 1 to {MAX_QTY}, not {line.qty}")
    if line.course is not None and not 1 <= line.course <= MAX_COURSE:
        raise OrderRejected(f"{where}: course must be from 1 to {MAX_COURSE}, not {line.course}")
    if line.hold and line.course is None:
        raise OrderRejected(f"{where}: a held line needs a course, to be fired by")
    chosen = _modifiers_for(where, item, line.modifiers, modifiers)
    unit_price = item.price + sum(mod.price_delta for mod in chosen)
    if unit_price < 0:
        raise OrderRejected(f"{where}: modifiers take the price of {item.sku} below zero")
    if unit_price * line.qty > MAX_YEN:
        # Checked before the line is built: the event would refuse it less clearly.
        raise OrderRejected(
            f"{where}: {line.qty} x {unit_price:,} yen passes the limit of {MAX_YEN:,} yen for one order"
        )
    components = _components(where, item, unit_price, items, dining)
    return LineSold(
        position=index,
        sku=item.sku,
        name_ja=item.name_ja,
        name_en=item.name_en,
        qty=line.qty,
        unit_price=unit_price,
        modifiers=[
            ModifierSold(code=mod.code, name_ja=mod.name_ja, name_en=mod.name_en, price_delta=mod.price_delta)
            for mod in chosen
        ],
        amount=unit_price * line.qty,
        tax_class=item.tax_class,
        tax_rate=tax.rate_for(item.tax_class, dining),
        station=item.station.code if item.station else "",
        note=note_clean(where + ".note", line.note),
        components=components,
        course=line.course,
        held=True if line.hold else None,
    )


def _components(
    where: str, item: MenuItem, unit_price: int, items: dict[str, MenuItem], dining: str
) -> list[ComponentSold] | None:
    """A set item's components with its ``unit_price`` split over them (registers/sets.py); None for a plain item."""
    parts = list(item.components.all())
    if not parts:
        return None
    chosen = []
    for part in parts:
        component = items.get(part.item.sku, part.item)  # as this store prices it
        if not component.available:
            raise OrderRejected(f"{where}: {component.sku} ({component.name_en}) in {item.sku} is sold out")
        if dining == tax.TAKE_OUT and not component.takeout_ok:
            raise OrderRejected(f"{where}: {component.sku} in {item.sku} is not sold for take-out")
        chosen.append((part, component))
    shares = sets.split_price(unit_price, [component.price * part.qty for part, component in chosen])
    return [
        ComponentSold(
            sku=component.sku,
            name_ja=component.name_ja,
            name_en=component.name_en,
            qty=part.qty,
            share=share,
            tax_class=component.tax_class,
            tax_rate=tax.rate_for(component.tax_class, dining),
            station=component.station.code if component.station else "",
        )
        for (part, component), share in zip(chosen, shares, strict=True)
    ]


def _modifiers_for(where: str, item: MenuItem, codes: list[str], known: dict[str, Modifier]) -> list[Modifier]:
    if len(codes) > MAX_MODIFIERS:
        raise OrderRejected(f"{where}: at most {MAX_MODIFIERS} modifiers per line")
    if len(set(codes)) != len(codes):
        raise OrderRejected(f"{where}: a modifier is listed twice")
    groups = {group.pk: group for group in item.modifier_groups.all()}
    chosen = []
    for code in codes:
        mod = known.get(code)
        if mod is None:
            raise OrderRejected(f"{where}: unknown modifier {code!r}")
        if mod.group_id not in groups:
            raise OrderRejected(f"{where}: modifier {code!r} does not apply to {item.sku}")
        chosen.append(mod)
    for group in groups.values():
        count = sum(1 for mod in chosen if mod.group_id == group.pk)
        if count < group.min_choices:
            raise OrderRejected(f"{where}: {item.sku} needs at least {group.min_choices} choice(s) of {group.code}")
        if count > group.max_choices:
            raise OrderRejected(f"{where}: {item.sku} allows at most {group.max_choices} choice(s) of {group.code}")
    return chosen


def _settle(total: int, payments: list[tender.Tender]) -> list[tender.Settled]:
    try:
        return tender.settle(total, payments)
    except tender.TenderError as exc:
        raise OrderRejected(str(exc)) from None


def _record(batch: list[_Job]) -> None:
    """Record the orders of ``batch`` in the current transaction: numbers, one
    order.placed and (when paid) one order.paid change each, projected together.
    An id already taken (a replay that raced us) records nothing; its job's
    order stays None."""
    taken = set(Order.objects.order_by().filter(pk__in=[job.order_id for job in batch]).values_list("pk", flat=True))
    unseen = []
    for job in batch:
        job.order, job.error = None, None
        # A replay is answered before the menu is consulted (by the caller,
        # from the order on record), so an order taken stays taken even if an
        # item has since sold out.
        if job.order_id not in taken:
            taken.add(job.order_id)
            unseen.append(job)
    if not unseen:
        return
    # The store's price and availability, as its registers show them.
    menu = priced_menu(settings.POS_STORE)
    now = timezone.now()
    menu_now = _items_at(menu, now)
    fresh = []
    for job in unseen:
        job.priced_at = _priced_at(job.rung_at, now, menu.store)
        try:
            _price(job, _items_at(menu, job.priced_at) if job.priced_at else menu_now, menu.modifiers)
        except OrderRejected as exc:
            job.error = exc
            continue
        fresh.append(job)
    if not fresh:
        return
    store = menu.store
    placed_at = now
    # One moment for the whole batch, so one business day and one run of numbers;
    # after a Z close of today, the next business day.
    day, closes = selling_day_closes(store, now)
    _numbers_free(store.code, day, fresh)
    wanting = [job for job in fresh if job.number is None]
    if wanting:
        for job, number in zip(wanting, next_numbers(store.code, day, len(wanting)), strict=True):
            job.number = number
    facts: list[Fact] = []
    for job in fresh:
        facts.append(Fact(_placed_event(job, day, placed_at, issuer_of(store)), store.code))
        if job.settled:
            paid = order_paid_event(order_id=job.order_id, store=store, settled=job.settled, at=placed_at)
            facts.append(Fact(paid, store.code))
    # Under this transaction's write lock, the ids found on no order above are still on none.
    placing = Placing(new=frozenset(job.order_id for job in unseen), store=store.code, since=day, closes=closes)
    with orders_placing(placing):
        changes_record(facts)
    orders = Order.objects.in_bulk([job.order_id for job in fresh])
    for job in fresh:
        job.order = orders[job.order_id]


def _numbers_free(store: str, day: dt.date, jobs: list[_Job]) -> None:
    """A register's number another order of the day already holds (two tablets
    sharing one identity, a tablet restored from an old backup) is not called
    twice: that order takes this node's next number instead, and the register
    shows it once the order comes back from the node."""
    held = numbers_held(store=store, day=day, numbers=[job.number for job in jobs if job.number is not None])
    for job in jobs:
        if job.number is None or job.check is not None:
            continue  # a check's round carries the check's number
        if job.number in held:
            job.number = None
        else:
            held.add(job.number)


def _placed_event(job: _Job, day: dt.date, placed_at: dt.datetime, issuer: Issuer) -> OrderPlaced:
    taxes = tax.receipt_taxes(
        (amount, rate)
        for line in job.priced
        for rate, amount in line.rate_amounts().items()
    )
    assert job.number is not None  # numbered by _record before this
    return OrderPlaced(
        id=job.order_id,
        number=job.number,
        business_date=day,
        register_name=job.register,
        dining=job.dining,  # type: ignore[arg-type]  # checked by _check_shape
        placed_at=placed_at,
        request_hash=job.request_hash,
        total=job.total,
        taxes=[TaxLine(rate=rate.rate, taxable=rate.taxable, tax=rate.tax) for rate in taxes],
        lines=job.priced,
        note=job.note,
        priced_at=job.priced_at,
        issuer=issuer,
        check=job.check,  # a reprint shows the issuer as sold, not as the store is later
    )


def order_paid_event(
    *, order_id: uuid.UUID, store: Store, settled: list[tender.Settled], at: dt.datetime, start: int = 0,
    batch: uuid.UUID | None = None,
) -> OrderPaid:
    """The payments of an order as one event: the ``start``-th and following of
    the order, taken at ``at`` (``batch``: a later payment's idempotency key).
    The one place a payment's id is derived (registers.events.payment_id_for)."""
    return OrderPaid(
        order=order_id,
        batch=batch,
        at=at,
        payments=[
            PaymentMade(
                id=payment_id_for(order_id, start + index),
                position=start + index,
                method=item.method,  # type: ignore[arg-type]  # checked by tender.settle
                amount=item.applied,
                tendered=item.tendered,
                change=item.change,
                reference=item.reference,
                offline=item.offline,
                settle_by=settle_by_for(store=store, at=at) if item.offline else None,
            )
            for index, item in enumerate(settled)
        ],
    )
