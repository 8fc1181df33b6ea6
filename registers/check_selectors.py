"""Reads of table service: a check with its rounds, every open check, the floor, guests of a day.

A check's amount is its rounds' orders' (after discounts), what is paid is
their payments; a merged check's rounds and guests count under the check it
joined (followed to the end of the chain).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db.models import F, Q
from django.utils import timezone

from registers.course_names import course_name
from registers.models import Check, CheckRound, Order
from stores.models import Table

MAX_CHAIN = 50


def check_root(check: Check) -> Check:
    """The check ``check`` ended up merged into (itself when not merged)."""
    seen = {check.id}
    while check.merged_into is not None and len(seen) < MAX_CHAIN:
        target = Check.objects.filter(pk=check.merged_into).first()
        if target is None or target.id in seen:
            break  # the target has not arrived yet: count it where it is
        seen.add(target.id)
        check = target
    return check


def check_group(check: Check) -> list[Check]:
    """``check`` and every check merged into it, directly or through others."""
    group, frontier = [check], [check.id]
    while frontier and len(group) < MAX_CHAIN:
        merged = list(Check.objects.filter(merged_into__in=frontier).exclude(pk__in=[c.id for c in group]))
        group.extend(merged)
        frontier = [c.id for c in merged]
    return group


def check_rounds(check: Check) -> list[Order]:
    """The orders of the check's rounds (its own and merged checks'), oldest first."""
    ids = CheckRound.objects.filter(check_id__in=[c.id for c in check_group(check)]).values("order_id")
    return list(Order.objects.filter(pk__in=ids).prefetch_related("lines").order_by("placed_at", "id"))


def check_is_open(check: Check, rounds: list[Order]) -> bool:
    if check.merged_into is not None:
        return False
    due = sum(order.total - order.paid for order in rounds if order.voided_at is None)
    return check.settled_at is None or due > 0


def check_view(check: Check, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """The check as the waiter's screen shows it: table, guests, age, rounds and their lines, amount, paid, due."""
    now = now or timezone.now()
    group = check_group(check)
    rounds = check_rounds(check)
    live = [order for order in rounds if order.voided_at is None]
    total = sum(order.total for order in live)
    paid = sum(order.paid for order in live)
    return {
        "id": str(check.id),
        "table": check.table,
        "number": check.number,
        "guests": sum(c.guests for c in group),
        "opened_at": check.opened_at.isoformat(),
        "age_s": max(0, int((now - check.opened_at).total_seconds())),
        "business_date": check.business_date.isoformat(),
        "total": total,
        "paid": paid,
        "due": total - paid,
        "open": check_is_open(check, rounds),
        "merged_into": str(check.merged_into) if check.merged_into else None,
        "settled": check.settled_at is not None,
        "held": held_courses(live),
        "rounds": [
            {
                "order": str(order.id),
                "placed_at": order.placed_at.isoformat(),
                "total": order.total,
                "paid": order.paid,
                "status": order.status,
                "lines": [
                    {"position": line.position, "sku": line.sku, "name_ja": line.name_ja, "name_en": line.name_en,
                     "qty": line.qty, "amount": line.amount, "course": line.course,
                     "held": line.held and line.fired_at is None,
                     "fired_at": line.fired_at.isoformat() if line.fired_at else None}
                    for line in order.lines.all()
                ],
            }
            for order in live
        ],
    }


def held_courses(orders: list[Order]) -> list[dict[str, Any]]:
    """The courses still held on these orders (lines prefetched), in course order,
    each with how many items wait: what the waiter has yet to fire."""
    waiting: dict[int, int] = {}
    for order in orders:
        for line in order.lines.all():
            if line.held and line.fired_at is None and line.course is not None:
                waiting[line.course] = waiting.get(line.course, 0) + line.qty
    return [
        {"course": course, "name_ja": course_name(course)[0], "name_en": course_name(course)[1], "items": items}
        for course, items in sorted(waiting.items())
    ]


def checks_open(*, store: str) -> list[Check]:
    """Every check of the store still open (not merged away, not fully paid), oldest first.

    Only checks never settled, and those with a round still due (a round the
    payer did not see), are looked at: the day's many paid checks cost nothing.
    """
    unpaid = Order.objects.filter(store=store, voided_at__isnull=True, paid__lt=F("total")).values("pk")
    owing = CheckRound.objects.filter(order_id__in=unpaid).values("check_id")
    candidates = Check.objects.filter(store=store).filter(Q(settled_at__isnull=True, merged_into__isnull=True) | Q(pk__in=owing))
    roots: dict[uuid.UUID, Check] = {}
    for check in candidates:
        root = check_root(check)
        roots.setdefault(root.id, root)
    found = [check for check in roots.values() if check_is_open(check, check_rounds(check))]
    return sorted(found, key=lambda c: (c.opened_at, str(c.id)))


def table_open_check(*, store: str, table: str) -> Check | None:
    """The table's open check (the oldest, if two were opened on cut-off nodes)."""
    for check in checks_open(store=store):
        if check.table == table:
            return check
    return None


def floor(*, store: str) -> list[dict[str, Any]]:
    """The store's tables in order, each with its open checks' ids."""
    open_by_table: dict[str, list[str]] = {}
    for check in checks_open(store=store):
        open_by_table.setdefault(check.table, []).append(str(check.id))
    return [
        {"table": t.table, "area": t.area, "seats": t.seats, "checks": open_by_table.get(t.table, [])}
        for t in Table.objects.filter(store=store).order_by("position", "table")
    ]


def check_of_order(order_id: uuid.UUID) -> Check | None:
    row = CheckRound.objects.filter(order_id=order_id).first()
    if row is None:
        return None
    check = Check.objects.filter(pk=row.check_id).first()
    return check_root(check) if check is not None else None


def table_figures(*, store: str, day: dt.date, sold: list[Order]) -> dict[str, Any]:
    """Table service of a business day, for the day report (and X/Z): eat-in guests
    (客数) and checks of the checks opened that day (a merged check's guests
    count, the check itself is one visit with its target), table turnover
    (回転数: checks per table of the floor, to two decimals) and spend per
    guest (客単価: the checks' rounds among ``sold``, per guest, in whole yen)."""
    checks = list(Check.objects.filter(store=store, business_date=day))
    guests = sum(c.guests for c in checks)
    visits = sum(1 for c in checks if c.merged_into is None)
    tables = Table.objects.filter(store=store).count()
    rounds = set(CheckRound.objects.filter(check_id__in=[c.id for c in checks]).values_list("order_id", flat=True))
    amount = sum(order.total for order in sold if order.id in rounds)
    return {
        "guests": guests,
        "checks": visits,
        "tables": tables,
        "turnover": round(visits / tables, 2) if tables else 0,
        "amount": amount,
        "per_guest": amount // guests if guests else 0,
    }


def check_exists(key: str) -> bool:
    """Whether the check ``key`` (a UUID) is here: replication's need ``check:<id>`` (sync.hooks)."""
    try:
        return Check.objects.filter(pk=uuid.UUID(key)).exists()
    except ValueError:
        return False
