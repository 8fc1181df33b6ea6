"""Store-and-forward card payments: taken while the card network is down, settled later.

The store carries the risk of an offline card payment until the card network
accepts it, so HQ caps each sale (Store.offline_card_limit) and the total still
open (Store.offline_card_store_limit), and each one must be settled before its
deadline (Store.offline_card_settle_hours, 72 h by default). Alerts start
ALERT_HOURS before the deadline.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from registers.events import PaymentSettled
from registers.models import Payment
from registers.voids import MoneyConflict, MoneyRejected, OrderMissing
from stores.models import Store
from sync.services import change_record

ALERT_HOURS = 12
log = logging.getLogger(__name__)


def offline_card_check(*, store: Store, payments: list[Any]) -> None:
    """Refuse an order whose offline card payments break HQ's limits (raises MoneyRejected)."""
    offline = [p for p in payments if getattr(p, "offline", False)]
    for index, p in enumerate(payments):
        if getattr(p, "offline", False) and p.method != "card":
            raise MoneyRejected(f"payments[{index}]: only card payments can be taken offline, not {p.method}")
    amount = sum(p.amount for p in offline)
    if not amount:
        return
    if amount > store.offline_card_limit:
        raise MoneyRejected(
            f"offline card payments of {amount} yen exceed the {store.offline_card_limit} yen limit per sale; "
            "take another tender"
        )
    open_total = offline_card_open_total(store=store.code)
    if open_total + amount > store.offline_card_store_limit:
        raise MoneyRejected(
            f"the store already holds {open_total} yen of unsettled offline card payments; "
            f"{amount} more would pass the {store.offline_card_store_limit} yen limit"
        )


def offline_card_open_total(*, store: str) -> int:
    return (
        Payment.objects.filter(order__store=store, offline=True, settled_at__isnull=True, order__voided_at__isnull=True)
        .aggregate(total=Sum("amount"))["total"]
        or 0
    )


def settle_by_for(*, store: Store, at: dt.datetime) -> dt.datetime:
    return at + dt.timedelta(hours=store.offline_card_settle_hours)


def payment_settle(*, payment_id: uuid.UUID, reference: str) -> Payment:
    """Record that the card network accepted an offline payment. Settling again changes nothing."""
    payment = Payment.objects.select_related("order").filter(pk=payment_id).first()
    if payment is None:
        raise OrderMissing(f"no payment {payment_id}")
    if not payment.offline:
        raise MoneyConflict(f"payment {payment_id} was not taken offline; there is nothing to settle")
    if payment.settled_at is not None:
        return payment
    with transaction.atomic():
        change_record(
            PaymentSettled(payment=payment_id, reference=reference, at=timezone.now()), store=payment.order.store
        )
    payment.refresh_from_db()
    return payment


def offline_card_alerts(*, store: str, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Unsettled offline card payments due within ALERT_HOURS or overdue, soonest first."""
    now = now or timezone.now()
    soon = now + dt.timedelta(hours=ALERT_HOURS)
    payments = Payment.objects.filter(
        order__store=store, offline=True, settled_at__isnull=True, settle_by__lte=soon, order__voided_at__isnull=True
    ).select_related("order").order_by("settle_by", "id")
    return [
        {
            "payment": str(p.id),
            "order": str(p.order_id),
            "number": p.order.number,
            "amount": p.amount,
            "settle_by": p.settle_by.isoformat(),
            "state": "overdue" if p.settle_by <= now else "due_soon",
        }
        for p in payments
        if p.settle_by is not None  # always true: the query asks for settle_by__lte
    ]


def offline_card_watch() -> list[dict[str, Any]]:
    """Worker tick: log unsettled offline card payments near or past their deadline.

    The alerts themselves are in GET /api/alerts/offline-card and the X report;
    this puts them in the node's log, where a push notifier can pick them up.
    """
    alerts = offline_card_alerts(store=settings.POS_STORE)
    for alert in alerts:
        log.warning("offline card payment %s (No. %s, %s yen) %s: settle by %s",
                    alert["payment"], alert["number"], alert["amount"], alert["state"], alert["settle_by"])
    return alerts
