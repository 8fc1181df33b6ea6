"""Live order status for registers over WebSocket (/ws/orders/).

The server says ``hello``; from then on each order whose status may have
changed (placed, received by the kitchen, ready, recalled, voided) arrives as
``{"type": "order", "order": {id, number, dining, status, kitchen_received_at,
ready_at}}``, read from the database at the time of sending. A register that
(re)connects refetches its list over HTTP: rings sent while it was away are
not replayed. ``ping`` is answered with ``pong``.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.generic.websocket import JsonWebsocketConsumer
from django.conf import settings

from registers import live
from registers.models import Order


def order_status_as_dict(order: Order) -> dict[str, Any]:
    return {
        "id": str(order.id),
        "number": order.number,
        "dining": order.dining,
        "status": order.status,
        "kitchen_received_at": order.kitchen_received_at.isoformat() if order.kitchen_received_at else None,
        "ready_at": order.ready_at.isoformat() if order.ready_at else None,
    }


class OrdersConsumer(JsonWebsocketConsumer):
    def connect(self) -> None:
        self.store = settings.POS_STORE
        # The device token came as a subprotocol; answer with "posweb" (security/wsauth.py).
        self.accept(subprotocol=self.scope.get("subprotocol"))
        async_to_sync(self.channel_layer.group_add)(live.group_name(self.store), self.channel_name)
        self.send_json({"type": "hello", "store": self.store})

    def disconnect(self, code: int) -> None:
        async_to_sync(self.channel_layer.group_discard)(live.group_name(self.store), self.channel_name)

    def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            self.send_json({"type": "pong"})
        else:
            self.send_json({"type": "error", "detail": "only ping is understood here"})

    def order_ring(self, event: dict[str, Any]) -> None:
        order = Order.objects.filter(pk=event["order"], store=self.store).first()
        if order is not None:
            self.send_json({"type": "order", "order": order_status_as_dict(order)})

    def menu_ring(self, event: dict[str, Any]) -> None:
        # Sold out, back on sale or a new price from HQ: the register reloads /api/menu.
        self.send_json({"type": "menu"})
