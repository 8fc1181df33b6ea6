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

from registers import live
from registers.models import Order
from runtime.reads import read_shared
from runtime.sockets import LiveSocket
from stores.selectors import devices_live


def order_status_as_dict(order: Order) -> dict[str, Any]:
    return {
        "id": str(order.id),
        "number": order.number,
        "dining": order.dining,
        "status": order.status,
        "kitchen_received_at": order.kitchen_received_at.isoformat() if order.kitchen_received_at else None,
        "ready_at": order.ready_at.isoformat() if order.ready_at else None,
    }


def order_status_read(order_id: str, store: str) -> dict[str, Any] | None:
    order = Order.objects.filter(pk=order_id, store=store).first()
    return order_status_as_dict(order) if order is not None else None


class OrdersConsumer(LiveSocket):
    """On the event loop: a ring reaches every register of the store at once,
    and they share one read of the order (runtime.reads.read_shared), made
    off the sync thread that takes the orders. Its rings survive a
    channel-layer outage and a revocation closes it (runtime.sockets)."""

    device_check = staticmethod(devices_live)

    async def connect(self) -> None:
        # The device's own store: at HQ, where any store's device is let in, a
        # register hears its store's orders and never another's (security/wsauth.py).
        self.store = self.scope["device"].store
        # The device token came as a subprotocol; answer with "posweb" (security/wsauth.py).
        await self.accept(subprotocol=self.scope.get("subprotocol"))
        await self.live_join(live.group_name(self.store))
        await self.send_json({"type": "hello", "store": self.store})

    async def disconnect(self, code: int) -> None:
        await self.live_leave()

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})
        else:
            await self.send_json({"type": "error", "detail": "only ping is understood here"})

    async def order_ring(self, event: dict[str, Any]) -> None:
        # "orders": every order of the store one commit touched (registers/live.py);
        # a ring from a process of the release before has "order" alone.
        orders = event.get("orders") or [event["order"]]
        for order_id in map(str, orders):
            status = await read_shared(("order", self.store, order_id), order_status_read, order_id, self.store)
            if status is not None:
                await self.send_json({"type": "order", "order": status})

    async def menu_ring(self, event: dict[str, Any]) -> None:
        # Sold out, back on sale or a new price from HQ: the register reloads /api/menu.
        await self.send_json({"type": "menu"})
