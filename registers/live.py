"""The order-status doorbell: rung after commit whenever an order's kitchen status may have changed.

Like the kitchen feed, the channel layer only says "look again"; the consumer
reads the order from the database, and a register that reconnects refetches
its list, so a lost ring delays an update but never makes one wrong.
"""

from __future__ import annotations

import uuid

from runtime import sockets
from runtime.doorbells import ring_after_commit, send_soon


def group_name(store: str) -> str:
    return f"orders.{store}"


def order_changed(*, store: str, order_id: uuid.UUID | str) -> None:
    """Ring the registers of ``store`` once the current transaction commits.

    Every order a transaction touches rings in one hop to the channel layer
    after commit: a batch of forty orders made forty event-loop round trips."""
    ring_after_commit("registers.orders", (store, str(order_id)), _ring_all)


def _ring_all(rings: list[tuple[str, str]]) -> None:
    # One ring per store with all its orders: each ring is a channel-layer
    # send (two Redis round trips on the event loop), and at HQ an upload of
    # a store's backlog touches hundreds of orders. "order" is the first, for
    # a process of the release before, which reads that key alone.
    by_store: dict[str, list[str]] = {}
    for store, order_id in rings:
        by_store.setdefault(store, []).append(order_id)

    async def send() -> None:
        for store, orders in by_store.items():
            await sockets.ring(group_name(store), {"type": "order.ring", "order": orders[0], "orders": orders})

    # Handed to the event loop, not awaited: the orders are committed, and a
    # register catches up on its next ring or reconnect.
    send_soon(send, what=f"order doorbell for {len(rings)} orders")
