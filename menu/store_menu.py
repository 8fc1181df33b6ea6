"""What one store actually sells: HQ's menu with the store's own price and
availability (StoreItem, from HQ) and the items its managers marked sold out
(SoldOut, from item.sold_out / item.back events).

Applied in one place so the menu the registers show and the price an order is
charged can never disagree.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection

from menu.models import MenuItem, Modifier, SoldOut, StoreItem
from stores.models import Store
from stores.services import store_get_current


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
        # Annotated on the instance for the menu API and the register, not a column.
        item.sold_out = item.sku in sold_out  # type: ignore[attr-defined]
        item.available = item.available and item.sku not in sold_out
    return items


@dataclass(frozen=True)
class PricedMenu:
    """Everything pricing an order reads, as one store sells it. Shared between
    threads and read only: nothing may change these objects."""

    store: Store
    items: dict[str, MenuItem]
    modifiers: dict[str, Modifier]


_cached: tuple[tuple[int, str], PricedMenu] | None = None
_cache_lock = threading.Lock()


def priced_menu(store: str) -> PricedMenu:
    """The store's priced menu, read again only when MenuVersion has moved
    (database triggers move it on any change to what a price depends on)."""
    global _cached
    version = _menu_version()
    cached = _cached
    if version is not None and cached is not None and cached[0] == (version, store):
        return cached[1]
    menu = PricedMenu(
        store=store_get_current(),
        items={
            item.sku: item
            for item in apply_store(
                MenuItem.objects.select_related("station").prefetch_related(
                    "modifier_groups", "components__item__station", "window_prices__window"
                ),
                store=store,
            )
        },
        modifiers={mod.code: mod for mod in Modifier.objects.select_related("group")},
    )
    if version is not None:
        with _cache_lock:
            _cached = ((version, store), menu)
    return menu


def _menu_version() -> int | None:
    """The current menu version; None (and the row made again) when a test
    flush or a restore removed it, so nothing is cached on a guess. The new
    row starts from a random number: starting again from 1 could match a
    menu cached before the row went."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT version FROM registers_menuversion WHERE id = 1")
        row = cursor.fetchone()
        if row is None:
            cursor.execute(
                "INSERT INTO registers_menuversion (id, version) VALUES (1, %s) ON CONFLICT DO NOTHING",
                [secrets.randbits(62)],
            )
            return None
    return row[0]
