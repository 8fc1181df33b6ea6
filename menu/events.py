"""The menu's events: a manager's sold-out marks on an item (``item.sold_out`` / ``item.back``).

Each class dumps exactly the payload registers always wrote for it (see
sync/events.py for the rules of the contract); the projector is
menu/sold_out.py.
"""

from __future__ import annotations

from typing import ClassVar

from sync.events import Event, Timestamp


class ItemMarked(Event):
    """A manager's sold-out mark on an item (latest by (hlc, origin) wins). ``staff`` is a name."""

    sku: str = ""
    staff: str = ""
    at: Timestamp | None = None


class ItemSoldOut(ItemMarked):
    kind: ClassVar[str] = "item.sold_out"


class ItemBack(ItemMarked):
    kind: ClassVar[str] = "item.back"
