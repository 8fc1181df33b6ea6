"""Sold-out marks ('86'): the menu records a mark and folds it into SoldOut.

A mark is a change (``item.sold_out`` / ``item.back``) so it reaches the
store's sibling nodes and HQ like a sale; SoldOut keeps the latest mark by
(hlc, origin), so two nodes marking and unmarking end the same everywhere.
Who may mark (a manager's PIN), the alert and the registers' doorbell are
registers' (registers/sold_out.py).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from menu.events import ItemBack, ItemMarked, ItemSoldOut
from menu.models import SoldOut
from sync import merge
from sync.projection import Recorded, projector
from sync.services import change_record


def sold_out_mark(*, store: str, sku: str, sold_out: bool, staff: str) -> SoldOut:
    """Record ``staff``'s mark on ``sku`` (already approved by the caller); returns the store's current state for it."""
    with transaction.atomic():
        mark = ItemSoldOut if sold_out else ItemBack
        change_record(mark(sku=sku, staff=staff, at=timezone.now()), store=store)
    return SoldOut.objects.get(store=store, sku=sku)


def _project(change: Recorded[ItemMarked], sold_out: bool) -> None:
    mark = change.event
    current = SoldOut.objects.select_for_update().filter(store=change.store, sku=mark.sku).first()
    if current is not None and not merge.lww_wins(change.version, (current.hlc, current.origin)):
        return
    values = {"sold_out": sold_out, "staff": mark.staff[:64], "at": mark.at or timezone.now(), "hlc": change.hlc,
              "origin": change.origin}
    SoldOut.objects.update_or_create(store=change.store, sku=mark.sku, defaults=values)


@projector(ItemSoldOut)
def item_sold_out(change: Recorded[ItemSoldOut]) -> None:
    _project(change, True)


@projector(ItemBack)
def item_back(change: Recorded[ItemBack]) -> None:
    _project(change, False)
