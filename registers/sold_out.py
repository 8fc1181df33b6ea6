"""Sold out ('86'): a manager marks an item sold out or back on sale.

The manager's PIN is checked here; the menu records the mark as a change and
folds it into SoldOut (menu/sold_out.py). After commit the menu doorbell rings
every register connected to this node (and, as the change is applied there, to
each sibling), and the register reloads its menu.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from menu.events import ItemBack, ItemMarked, ItemSoldOut
from menu.models import MenuItem, SoldOut
from menu.sold_out import sold_out_mark
from registers import live, signals
from registers.staff import manager_approve
from runtime import sockets
from sync.events import MasterChange, MasterDeleted, MasterUpserted
from sync.master import wire_label
from sync.projection import Recorded, Stage, projector


class UnknownItem(LookupError):
    pass


def item_sold_out_set(*, sku: str, sold_out: bool, manager_pin: str | None) -> SoldOut:
    """Record the mark (manager PIN required); returns the store's current state for ``sku``."""
    who = manager_approve(pin=manager_pin, action="marking an item sold out")
    item = MenuItem.objects.filter(sku=sku).first()
    if item is None:
        raise UnknownItem(f"unknown sku {sku!r}")
    store = settings.POS_STORE
    mark = sold_out_mark(store=store, sku=sku, sold_out=sold_out, staff=who.name)
    if sold_out:
        # Only where the mark was made, so the phones get one alert, not one per node.
        name = item.name_ja
        transaction.on_commit(lambda: signals.item_sold_out.send(sender=None, store=store, sku=sku, name=name))
    return mark


@projector(ItemSoldOut, stage=Stage.FOLLOW)
@projector(ItemBack, stage=Stage.FOLLOW)
def item_marked(change: Recorded[ItemMarked]) -> None:
    # After menu folded the mark (won or lost: a needless reload costs nothing).
    menu_changed(store=change.store)


@projector(MasterUpserted, stage=Stage.FOLLOW)
@projector(MasterDeleted, stage=Stage.FOLLOW)
def master_changed(change: Recorded[MasterChange]) -> None:
    # A price or availability from HQ: registers reload the menu rather than wait for their next visit.
    if wire_label(change.event.model) in ("registers.MenuItem", "registers.StoreItem", "registers.Category"):
        menu_changed(store=settings.POS_STORE)


def menu_changed(*, store: str) -> None:
    """Ring this node's registers of ``store`` after commit: "reload the menu"."""
    transaction.on_commit(lambda: _ring(store))


def _ring(store: str) -> None:
    # A failed ring is logged, never raised: the database has it; the register's next load shows it.
    sockets.ring_soon(live.group_name(store), {"type": "menu.ring"}, what=f"menu doorbell for {store}")
