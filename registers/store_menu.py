"""What one store actually sells: HQ's menu with the store's own price and
availability (StoreItem, from HQ) and the items its managers marked sold out
(SoldOut, from item.sold_out / item.back events).

Applied in one place so the menu the registers show and the price an order is
charged can never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable

from registers.models import MenuItem, SoldOut, StoreItem


def apply_store(items: Iterable[MenuItem], *, store: str) -> list[MenuItem]:
    """Set ``price``, ``available`` and ``sold_out`` on each item as ``store`` sells it (in memory only)."""
    items = list(items)
    ids = [item.pk for item in items]
    overrides = {s.item_id: s for s in StoreItem.objects.filter(store=store, item_id__in=ids)}
    sold_out = set(SoldOut.objects.filter(store=store, sold_out=True, sku__in=[i.sku for i in items]).values_list("sku", flat=True))
    for item in items:
        override = overrides.get(item.pk)
        if override is not None:
            if override.price is not None:
                item.price = override.price
            item.available = item.available and override.available
        item.sold_out = item.sku in sold_out
        item.available = item.available and not item.sold_out
    return items
