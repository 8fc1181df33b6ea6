"""Money conflicts: what two cut-off nodes really did twice to one order, for a manager to settle.

Every node keeps such money (the drawer or the card really moved; see
registers/projections.py), so nothing is lost, and flags it here. Conflicts are
derived from the ledger alone (orders, payments, refunds, voids and the change
log that wrote them), so the same set of changes gives the same conflicts on
every node and at HQ, whatever order the changes came in.

The contract of a rule, for modules that add one (the lead wires them into
``RULES``): a function ``rule(order: Order) -> list[Conflict]``, reading only
projections and the change log, returning its conflicts in a fixed order. A
``Conflict`` is a plain dict:

- ``kind``: ``double_payment``, ``over_refund``, ``void_and_refund``,
  ``round_after_settle`` (a table check's round the payer did not see), or
  ``after_close``, from the close of the day;
- ``detail``: one sentence in English, the same on every node (pages translate
  the kind and show it);
- ``at``: an aware datetime, when the later of the clashing acts happened;
- ``nodes``: the names (POS_NODE) of the nodes that did the clashing acts, sorted.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable
from operator import attrgetter
from typing import TypedDict, cast

from django.db.models import Count, F, Q
from django.utils.translation import gettext_lazy as _

from registers.check_events import CheckRoundSent, CheckSettled
from registers.check_selectors import check_root
from registers.day_close import after_close_conflicts
from registers.events import OrderRefunded
from registers.models import (
    REFUND_ORDER,
    Check,
    CheckRound,
    Order,
    OrderAdjustment,
    OrderVoid,
    Payment,
    Refund,
    ZReport,
)
from registers.payment_acts import payment_claims, sibling_payment_id
from sync.merge import claims_by_act
from sync.models import Change, NodeState
from sync.projection import recorded
from sync.sql import rows_in

DOUBLE_PAYMENT = "double_payment"
OVER_REFUND = "over_refund"
VOID_AND_REFUND = "void_and_refund"
AFTER_CLOSE = "after_close"
ROUND_AFTER_SETTLE = "round_after_settle"

#: What each kind means, for people (ja and en through Django i18n).
LABELS = {
    DOUBLE_PAYMENT: _("Paid twice"),
    OVER_REFUND: _("Refunded more than was paid"),
    VOID_AND_REFUND: _("Voided and also refunded"),
    AFTER_CLOSE: _("Recorded after the day was closed"),
    ROUND_AFTER_SETTLE: _("Round added to a check paid elsewhere"),
}


class Conflict(TypedDict):
    kind: str
    detail: str
    at: dt.datetime
    nodes: list[str]


Rule = Callable[[Order], list[Conflict]]


def _nodes(origins: Iterable[str]) -> list[str]:
    return sorted({NodeState.origin_node(origin) for origin in origins})


def _yen(amount: int) -> str:
    return f"{amount:,} yen"


def order_refunds(order: Order) -> list[Refund]:
    cached = getattr(order, "ledger_refunds", None)
    if cached is None:
        cached = list(Refund.objects.filter(order_id=order.id).order_by(*REFUND_ORDER))
    return cached


def _void(order: Order) -> OrderVoid | None:
    if hasattr(order, "ledger_void"):
        return order.ledger_void
    return OrderVoid.objects.filter(order_id=order.id).first()


def _refund_origins(order: Order) -> dict[str, str]:
    """Refund id -> the origin that recorded it (only looked up once a conflict is found)."""
    changes = Change.objects.filter(kind=OrderRefunded.kind, payload__order=str(order.id))
    return {str(cast(OrderRefunded, recorded(change).event).refund): change.origin for change in changes}


def double_payment(order: Order) -> list[Conflict]:
    """More money taken than the bill: one payment taken by two acts (cash on one node, card
    on the other), or paid on one side while the other discounted. Two part payments on
    cut-off nodes that together stay within the bill are not a conflict: the rest is still due."""
    if order.paid <= order.total:
        return []
    payments = list(order.payments.all())
    by_position: dict[int, list[Payment]] = {}
    for p in payments:
        by_position.setdefault(p.position, []).append(p)
    clashing = {position: rows for position, rows in by_position.items() if len(rows) > 1}
    origins = _payment_origins(order)
    found: list[Conflict] = []
    for position, rows in sorted(clashing.items()):
        rows = sorted(rows, key=lambda p: (p.recorded_at, str(p.id)))
        taken = ", ".join(f"{p.method} {_yen(p.amount)} on {NodeState.origin_node(origins.get(p.id, '?'))}" for p in rows)
        found.append(Conflict(
            kind=DOUBLE_PAYMENT,
            detail=f"order No. {order.number}: payment {position + 1} was taken {len(rows)} times ({taken}); "
                   f"paid {_yen(order.paid)} on a bill of {_yen(order.total)}",
            at=max(p.recorded_at for p in rows),
            nodes=_nodes(origins.get(p.id, "?") for p in rows),
        ))
    if not found:
        found.append(Conflict(
            kind=DOUBLE_PAYMENT,
            detail=f"order No. {order.number}: paid {_yen(order.paid)} on a bill of {_yen(order.total)}",
            at=max((p.recorded_at for p in payments), default=order.placed_at),
            nodes=_nodes(origins.get(p.id, "?") for p in payments),
        ))
    return found


def _payment_origins(order: Order) -> dict[uuid.UUID, str]:
    """Payment row id -> the origin of the earliest claim of its act (as the projector keys the rows)."""
    claims = payment_claims({order.id})
    origin_of = {(pid, act, version): version[1] for pid, act, version, _ in claims}
    grouped = claims_by_act((pid, act, version, version) for pid, act, version, _ in claims)
    found: dict[uuid.UUID, str] = {}
    for pid, acts in grouped.items():
        for index, (act, version) in enumerate(acts):
            found[pid if index == 0 else sibling_payment_id(pid, act)] = origin_of[(pid, act, version)]
    return found


def over_refund(order: Order) -> list[Conflict]:
    """Refunds that together give back more than was paid, or more of a line than was sold."""
    refunds = order_refunds(order)
    if len(refunds) < 2:
        return []  # one refund was checked against the sale where it was given
    sold = {line.position: line.qty for line in order.lines.all()}
    back: dict[int, int] = {}
    for refund in refunds:
        for line in refund.lines:
            back[line["position"]] = back.get(line["position"], 0) + line["qty"]
    refunded = sum(r.amount for r in refunds)
    over_lines = sorted(p for p, qty in back.items() if qty > sold.get(p, 0))
    if refunded <= order.paid and not over_lines:
        return []
    origins = _refund_origins(order)
    what = f"line(s) {', '.join(str(p + 1) for p in over_lines)} refunded past what was sold; " if over_lines else ""
    return [Conflict(
        kind=OVER_REFUND,
        detail=f"order No. {order.number}: {len(refunds)} refunds gave back {_yen(refunded)} "
               f"({what}paid {_yen(order.paid)})",
        at=max(r.at for r in refunds),
        nodes=_nodes(origins.get(str(r.id), "?") for r in refunds),
    )]


def void_and_refund(order: Order) -> list[Conflict]:
    """A void on one node and a refund on another: both gave the money back."""
    void = _void(order)
    refunds = order_refunds(order)
    if void is None or not refunds:
        return []
    origins = _refund_origins(order)
    return [Conflict(
        kind=VOID_AND_REFUND,
        detail=f"order No. {order.number} was voided by {void.staff} and also refunded "
               f"{_yen(sum(r.amount for r in refunds))} ({len(refunds)} refund(s))",
        at=max([void.at, *(r.at for r in refunds)]),
        nodes=_nodes([void.origin, *(origins.get(str(r.id), "?") for r in refunds)]),
    )]


def after_close(order: Order) -> list[Conflict]:
    """Money moved on a closed day's sale that its Z did not count (registers/day_close.py)."""
    return [Conflict(kind=AFTER_CLOSE, detail=c["detail"], at=c["at"], nodes=c["nodes"]) for c in after_close_conflicts(order)]


def round_after_settle(order: Order) -> list[Conflict]:
    """A round sent to a table's check on one node while another node took the
    last payment of it (a partition, or a race): the round is kept and still
    due, and flagged so nobody lets the table leave without paying it."""
    row = CheckRound.objects.filter(order_id=order.id).first()
    check = Check.objects.filter(pk=row.check_id).first() if row else None
    if check is None:
        return []
    check = check_root(check)
    if check.settled_at is None or str(order.id) in check.settled_orders or order.voided_at is not None or order.paid >= order.total:
        return []
    settles = Change.objects.filter(kind=CheckSettled.kind, payload__check=str(check.id))
    rounds = Change.objects.filter(kind=CheckRoundSent.kind, payload__order=str(order.id))
    return [Conflict(
        kind=ROUND_AFTER_SETTLE,
        detail=f"check No. {check.number} (table {check.table}) was paid without round No. {order.number} "
               f"of {_yen(order.total)}, which is still due",
        at=max(check.settled_at, order.placed_at),
        nodes=_nodes([*(c.origin for c in settles), *(c.origin for c in rounds)]),
    )]


#: The rules, in the order their conflicts are listed.
RULES: tuple[Rule, ...] = (double_payment, over_refund, void_and_refund, after_close, round_after_settle)


def order_conflicts(order: Order) -> list[Conflict]:
    """The order's conflicts, by every rule; empty when none."""
    found = [conflict for rule in RULES for conflict in rule(order)]
    return sorted(found, key=lambda c: (c["at"], c["kind"], c["detail"]))


def conflict_as_dict(conflict: Conflict) -> dict:
    return {**conflict, "at": conflict["at"].isoformat()}


class DayConflict(TypedDict):
    order: str
    number: int
    kind: str
    label: str
    detail: str
    at: str
    nodes: list[str]


def conflicts_for_day(*, store: str, day: dt.date) -> list[DayConflict]:
    """Every conflict of a store's business day (its orders and the orders refunded on it), for reports."""
    refunded_today = Refund.objects.filter(store=store, business_date=day).values("order_id")
    orders = list(
        Order.objects.filter(Q(store=store, business_date=day) | Q(pk__in=refunded_today))
        .prefetch_related("lines", "payments").order_by("number", "id")
    )
    ledger_attach(orders)
    rows: list[DayConflict] = []
    for order in orders:
        for conflict in order_conflicts(order):
            rows.append(DayConflict(
                order=str(order.id), number=order.number, kind=conflict["kind"], label=str(LABELS.get(conflict["kind"], conflict["kind"])),
                detail=conflict["detail"], at=conflict["at"].isoformat(), nodes=conflict["nodes"],
            ))
    return sorted(rows, key=lambda row: (row["at"], row["number"], row["kind"], row["order"]))


def ledger_attach(orders: list[Order]) -> None:
    """Refunds and voids of ``orders`` in two queries, for the rules (and order_refunds) to read."""
    ids = [order.id for order in orders]
    refunds: dict[uuid.UUID, list[Refund]] = {}
    for refund in sorted(rows_in(Refund, "order_id", ids), key=attrgetter(*REFUND_ORDER)):
        refunds.setdefault(refund.order_id, []).append(refund)
    voids = {void.order_id: void for void in rows_in(OrderVoid, "order_id", ids)}
    for order in orders:
        order.ledger_refunds = refunds.get(order.id, [])  # type: ignore[attr-defined]
        order.ledger_void = voids.get(order.id)  # type: ignore[attr-defined]


def orders_with_conflicts(*, store: str | None, since: dt.date) -> list[uuid.UUID]:
    """Orders from business day ``since`` on that may have conflicts (cheap filter; the rules decide)."""
    orders = Order.objects.filter(business_date__gte=since)
    if store:
        orders = orders.filter(store=store)
    twice = Payment.objects.filter(order__in=orders).values("order_id", "position").annotate(n=Count("id")).filter(n__gt=1)
    refunded = Refund.objects.filter(order_id__in=orders.values("id")).values("order_id").annotate(n=Count("id"))
    ids = {row["order_id"] for row in twice}
    ids |= set(orders.filter(paid__gt=F("total")).values_list("id", flat=True))
    ids |= {row["order_id"] for row in refunded if row["n"] > 1}
    ids |= set(OrderVoid.objects.filter(order_id__in=Refund.objects.filter(order_id__in=orders.values("id")).values("order_id"))
               .values_list("order_id", flat=True))
    # after_close: a refund booked into a day that was closed (it moved on), and
    # money moved on a closed day's sale (a void, a payment, a price change).
    ids |= set(Refund.objects.filter(order_id__in=orders.values("id"), booked_date__isnull=False)
               .exclude(booked_date=F("business_date")).values_list("order_id", flat=True))
    # round_after_settle: unpaid rounds of checks some node saw fully paid.
    for check in Check.objects.filter(settled_at__isnull=False, business_date__gte=since):
        late = CheckRound.objects.filter(check_id=check.id).exclude(order_id__in=[uuid.UUID(o) for o in check.settled_orders])
        ids |= set(orders.filter(pk__in=late.values("order_id"), paid__lt=F("total")).values_list("id", flat=True))
    closed = ZReport.objects.filter(business_date__gte=since, frontier__isnull=False)
    if store:
        closed = closed.filter(store=store)
    for z in closed:
        of_day = orders.filter(store=z.store, business_date=z.business_date)
        ids |= set(OrderVoid.objects.filter(order_id__in=of_day.values("id"), at__gte=z.closed_at).values_list("order_id", flat=True))
        ids |= set(Payment.objects.filter(order__in=of_day, recorded_at__gte=z.closed_at).values_list("order_id", flat=True))
        ids |= set(OrderAdjustment.objects.filter(order_id__in=of_day.values("id"), at__gte=z.closed_at).values_list("order_id", flat=True))
    return sorted(ids, key=str)
