"""Reads for the register and integrators: the menu and orders."""

from __future__ import annotations

import datetime as dt
import uuid
from operator import attrgetter
from typing import Any

from django.conf import settings
from django.db.models import F, Prefetch, QuerySet
from django.utils import timezone

from menu.models import MenuItem
from menu.store_menu import apply_store
from menu.windows import apply_windows
from registers import conflicts
from registers.models import PAYMENT_ORDER, Order, OrderLine, Payment
from stores.models import Store
from sync.sql import rows_in


def menu_items() -> QuerySet[MenuItem]:
    return MenuItem.objects.select_related("category", "station").prefetch_related(
        "modifier_groups__modifiers", "window_prices__window", "components__item"
    )


def menu_as_dict(store: str | None = None) -> dict[str, Any]:
    code = store or settings.POS_STORE
    items = apply_store(menu_items(), store=code)
    where = Store.objects.filter(code=code).first()
    if where is not None:
        # Prices and availability of the menu window open now (menu/windows.py).
        items = apply_windows(items, at=timezone.now(), time_zone=where.time_zone)
    categories = {item.category.code: item.category for item in items}
    return {
        "categories": [
            {"code": c.code, "name": c.name_ja, "name_ja": c.name_ja, "name_en": c.name_en}
            for c in sorted(categories.values(), key=lambda c: (c.position, c.code))
        ],
        "items": [_item_as_dict(item) for item in items],
    }


def _item_as_dict(item: MenuItem) -> dict[str, Any]:
    return {
        "sku": item.sku,
        "name": item.name_ja,
        "name_ja": item.name_ja,
        "name_en": item.name_en,
        "category": item.category.code,
        "price": item.price,
        "tax_class": item.tax_class,
        "station": item.station.code if item.station else "",
        "available": item.available,
        "sold_out": getattr(item, "sold_out", False),
        "takeout_ok": item.takeout_ok,
        "components": [{"sku": c.item.sku, "qty": c.qty} for c in item.components.all()],
        "modifier_groups": [
            {
                "code": group.code,
                "name_ja": group.name_ja,
                "name_en": group.name_en,
                "min": group.min_choices,
                "max": group.max_choices,
                "modifiers": [
                    {"code": m.code, "name_ja": m.name_ja, "name_en": m.name_en, "price_delta": m.price_delta}
                    for m in group.modifiers.all()
                ],
            }
            for group in item.modifier_groups.all()
        ],
    }


def _orders() -> QuerySet[Order]:
    return Order.objects.prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("position")),
        Prefetch("payments", queryset=Payment.objects.order_by(*PAYMENT_ORDER)),
    )


def order_get(*, order_id: uuid.UUID) -> Order | None:
    return _orders().filter(pk=order_id).first()


def order_get_written(*, order_id: uuid.UUID) -> Order:
    """An order a service has just written or changed, to show (order_as_dict): it
    is there, so a miss raises Order.DoesNotExist.

    Its lines and payments are read as ``_orders()`` prefetches them, in the
    same order, without the prefetch machinery: every order POST answers
    with this, and the querysets cost most of its read."""
    order = Order.objects.get(pk=order_id)
    _prefetched(order, "lines", sorted(rows_in(OrderLine, "order_id", [order.id]), key=lambda line: line.position))
    _prefetched(order, "payments", sorted(rows_in(Payment, "order_id", [order.id]), key=attrgetter(*PAYMENT_ORDER)))
    conflicts.ledger_attach([order])  # two queries instead of one per conflict rule
    return order


def _prefetched(order: Order, name: str, rows: list[Any]) -> None:
    """``rows`` as ``order.<name>.all()``, as prefetch_related leaves them (prefetch_one_level)."""
    related = getattr(order, name).all()  # a queryset not yet run
    related._result_cache = rows
    related._prefetch_done = True
    cache = order.__dict__.setdefault("_prefetched_objects_cache", {})
    cache[name] = related


def orders_recent(
    *, store: str | None, business_date: dt.date | None, limit: int, offset: int, unpaid: bool = False
) -> tuple[list[Order], int]:
    orders = _orders().order_by("-placed_at", "-number")
    if unpaid:
        orders = orders.filter(paid__lt=F("total"), voided_at__isnull=True)
    if store:
        orders = orders.filter(store=store)
    if business_date:
        orders = orders.filter(business_date=business_date)
    # Counted first: an order placed between the two reads is then on the page
    # and not yet in the count, never counted and missing from the page (a
    # client that polls the count for a new sale then reads that sale).
    count = orders.count()
    page = list(orders[offset : offset + limit])
    conflicts.ledger_attach(page)
    return page, count


def order_as_dict(order: Order) -> dict[str, Any]:
    return {
        "id": str(order.id),
        "store": order.store,
        "number": order.number,
        "register": order.register,
        "dining": order.dining,
        "status": order.status,
        "business_date": order.business_date.isoformat(),
        "placed_at": order.placed_at.isoformat(),
        "total": order.total,
        "taxes": order.taxes,
        "lines": [
            {
                "sku": line.sku,
                "name": line.name_ja,
                "name_ja": line.name_ja,
                "name_en": line.name_en,
                "qty": line.qty,
                "unit_price": line.unit_price,
                "modifiers": line.modifiers,
                "amount": line.amount,
                "tax_class": line.tax_class,
                "tax_rate": line.tax_rate,
                "station": line.station,
                "note": line.note,
                "components": line.components,
            }
            for line in order.lines.all()
        ],
        "note": order.note,
        "payments": [
            {
                "method": p.method,
                "amount": p.amount,
                "tendered": p.tendered,
                "change": p.change,
                "reference": p.reference,
            }
            for p in order.payments.all()
        ],
        "paid": order.paid,
        "refunded": sum(refund.amount for refund in conflicts.order_refunds(order)),
        # Each refund's id opens its receipt (the manager page's 返金レシート).
        "refunds": [
            {"id": str(refund.id), "amount": refund.amount, "at": refund.at.isoformat()}
            for refund in conflicts.order_refunds(order)
        ],
        "conflicts": [conflicts.conflict_as_dict(conflict) for conflict in conflicts.order_conflicts(order)],
        "balance_due": order.total - order.paid,
        "change": order.change_given,
        "kitchen_received": order.kitchen_received_at is not None,
        "kitchen_received_at": order.kitchen_received_at.isoformat() if order.kitchen_received_at else None,
        "ready_at": order.ready_at.isoformat() if order.ready_at else None,
        "voided_at": order.voided_at.isoformat() if order.voided_at else None,
    }


def order_exists(key: str) -> bool:
    """Whether the order ``key`` (a UUID) is here: replication's need ``order:<id>`` (sync.hooks)."""
    try:
        return Order.objects.filter(pk=uuid.UUID(key)).exists()
    except ValueError:
        return False

