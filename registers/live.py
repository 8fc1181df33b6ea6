"""The order-status doorbell: rung after commit whenever an order's kitchen status may have changed.

Like the kitchen feed, the channel layer only says "look again"; the consumer
reads the order from the database, and a register that reconnects refetches
its list, so a lost ring delays an update but never makes one wrong.
"""

from __future__ import annotations

import functools
import uuid

from channels.layers import get_channel_layer
from django.db import transaction


def group_name(store: str) -> str:
    return f"orders.{store}"


def order_changed(*, store: str, order_id: uuid.UUID | str) -> None:
    """Ring the registers of ``store`` once the current transaction commits.

    Every order a transaction touches rings in one hop to the channel layer
    after commit: a batch of forty orders made forty event-loop round trips."""
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        for _, func, _ in connection.run_on_commit:
            rings = getattr(func, "order_rings", None)
            if rings is not None:
                rings.setdefault((store, str(order_id)))
                return
    rings: dict[tuple[str, str], None] = {(store, str(order_id)): None}
    ring = functools.partial(_ring_all, rings)
    ring.order_rings = rings  # type: ignore[attr-defined]
    transaction.on_commit(ring)


def _ring_all(rings: dict[tuple[str, str], None]) -> None:
    from kitchen.feed import send_soon

    layer = get_channel_layer()
    if layer is None:
        return

    async def send() -> None:
        for store, order_id in rings:
            await layer.group_send(group_name(store), {"type": "order.ring", "order": order_id})

    # Handed to the event loop, not awaited: the orders are committed, and a
    # register catches up on its next ring or reconnect.
    send_soon(send, what=f"order doorbell for {len(rings)} orders")
