"""Reads of the order channels: the integrator's menu, an order's status by key, the status board."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.utils import timezone

from integrations.acceptance import channels_acceptance
from integrations.models import ChannelOrder, ChannelRejection, ChannelRelay, Integrator
from registers import status
from registers.models import Order
from registers.selectors import menu_as_dict

# The store's order status lattice as an integrator sees it: "placed" means
# stored, which for a channel is only "accepted" (not yet the kitchen's).
_STATUS: dict[str, str] = {
    status.PLACED: "accepted",
    status.IN_KITCHEN: "in_kitchen",
    status.READY: "ready",
    status.SERVED: "served",
    status.VOIDED: "cancelled",
}


def channel_status_for(order_status: str) -> str:
    return _STATUS.get(order_status, order_status)


def channel_menu(*, channel: str, store: str | None = None) -> dict[str, Any]:
    """The register's menu plus, per item, whether this channel can order it now, and the channel's state."""
    states = channels_acceptance(store=store)
    state = states[channel]
    menu = menu_as_dict(store)
    for item in menu["items"]:
        item["sold_out"] = not item["available"]
        item["orderable"] = item["available"] and state.accepting
    menu["channel"] = state.as_dict()
    menu["channels"] = [s.as_dict() for s in states.values()]
    return menu


def _order_dict(order: Order, channel_order: ChannelOrder) -> dict[str, Any]:
    status = channel_status_for(order.status)
    return {
        "id": str(order.id),
        "idempotency_key": channel_order.idempotency_key,
        "channel": channel_order.channel,
        "status": status,
        "reason": "the store cancelled the order" if status == "cancelled" else None,
        "code": "cancelled" if status == "cancelled" else None,
        "number": order.number,
        "dining": order.dining,
        "total": order.total,
        "paid": order.paid,
        "balance_due": order.total - order.paid,
        "placed_at": order.placed_at.isoformat(),
        "kitchen_received_at": order.kitchen_received_at.isoformat() if order.kitchen_received_at else None,
        "ready_at": order.ready_at.isoformat() if order.ready_at else None,
    }


def channel_order_id(integrator: Integrator, idempotency_key: str) -> uuid.UUID:
    """The order id for an integrator's key: the same key is the same order, on any node."""
    return uuid.uuid5(integrator.id, f"channel-order:{idempotency_key}")


def channel_order_status(*, integrator: Integrator, idempotency_key: str) -> dict[str, Any] | None:
    """The order under this key as the integrator sees it, its rejection, or None if never sent."""
    # The order id derives from the key, so a sibling node that holds the
    # order by replication answers too, even without this node's bookkeeping.
    order = Order.objects.filter(pk=channel_order_id(integrator, idempotency_key)).first()
    if order is not None:
        channel_order = ChannelOrder.objects.filter(order_id=order.id).first() or ChannelOrder(
            order_id=order.id, integrator=integrator, idempotency_key=idempotency_key, channel=order.register.split(":", 1)[0]
        )
        return _order_dict(order, channel_order)
    relay = ChannelRelay.objects.filter(pk=channel_order_id(integrator, idempotency_key)).first()
    if relay is not None:
        return _relay_dict(relay)
    rejection = ChannelRejection.objects.filter(integrator=integrator, idempotency_key=idempotency_key).first()
    if rejection is None:
        return None
    return _not_placed(None, idempotency_key, rejection.channel, "rejected", rejection.code, rejection.reason, rejection.at)


def _not_placed(order_id, key: str, channel: str, status: str, code, reason, at: dt.datetime) -> dict[str, Any]:
    return {
        "id": str(order_id) if order_id else None,
        "idempotency_key": key,
        "channel": channel,
        "status": status,
        "reason": reason,
        "code": code,
        "number": None,
        "dining": None,
        "total": None,
        "paid": None,
        "balance_due": None,
        "placed_at": at.isoformat(),
        "kitchen_received_at": None,
        "ready_at": None,
    }


def _relay_dict(relay: ChannelRelay) -> dict[str, Any]:
    """An order HQ relayed that the store has not placed (as far as HQ knows): accepted or rejected."""
    if relay.state == ChannelRelay.REFUSED:
        return _not_placed(relay.order_id, relay.idempotency_key, relay.channel, "rejected", relay.code, relay.reason, relay.at)
    return _not_placed(relay.order_id, relay.idempotency_key, relay.channel, "accepted", None, None, relay.at)


def channel_order_by_id(*, order_id) -> dict[str, Any] | None:
    channel_order = ChannelOrder.objects.filter(order_id=order_id).first()
    if channel_order is None:
        return None
    order = Order.objects.filter(pk=order_id).first()
    if order is None:
        relay = ChannelRelay.objects.filter(pk=order_id).first()
        return _relay_dict(relay) if relay is not None else None
    return _order_dict(order, channel_order)


# The board shows today's open numbers; anything older than this is history.
BOARD_WINDOW = dt.timedelta(hours=12)


def board(*, limit: int = 60) -> dict[str, Any]:
    """Numbers for the counter's status board: being prepared, and ready to collect ("now serving")."""
    since = timezone.now() - BOARD_WINDOW
    orders = Order.objects.filter(store=settings.POS_STORE, placed_at__gte=since, status__in=status.PROGRESS[:3])
    preparing = list(orders.exclude(status=status.READY).order_by("placed_at").values_list("number", flat=True)[:limit])
    ready = list(orders.filter(status=status.READY).order_by("-ready_at").values_list("number", flat=True)[:limit])
    return {"preparing": preparing, "ready": ready}
