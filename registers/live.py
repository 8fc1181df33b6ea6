"""The order-status doorbell: rung after commit whenever an order's kitchen status may have changed.

Like the kitchen feed, the channel layer only says "look again"; the consumer
reads the order from the database, and a register that reconnects refetches
its list, so a lost ring delays an update but never makes one wrong.
"""

from __future__ import annotations

import logging
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

log = logging.getLogger(__name__)


def group_name(store: str) -> str:
    return f"orders.{store}"


def order_changed(*, store: str, order_id: uuid.UUID | str) -> None:
    """Ring the registers of ``store`` once the current transaction commits."""
    transaction.on_commit(lambda: _ring(store, str(order_id)))


def _ring(store: str, order_id: str) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group_name(store), {"type": "order.ring", "order": order_id})
    except Exception:  # noqa: BLE001
        # The order is committed; a register catches up on its next ring or reconnect.
        log.warning("order doorbell for %s failed", store, exc_info=True)
