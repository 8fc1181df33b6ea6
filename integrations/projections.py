"""Projectors: managers' channel pauses, and each channel order's status changes turned into webhooks.

The status projectors run at Stage.REACT, after registers and the kitchen
have derived the order's status from the same change; they only compare it
with what the integrator was last told.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import transaction

from integrations import relay, webhooks
from integrations.events import ChannelMarked, ChannelOrderRelayed, ChannelPaused, ChannelRelayRefused, ChannelResumed
from integrations.models import ChannelOrder, ChannelPause, ChannelRelay
from integrations.selectors import channel_status_for
from kitchen.events import OrderServed, TicketAcked, TicketBumped, TicketRecalled
from registers.events import OrderFact, OrderPlaced, OrderVoided
from registers.models import Order
from runtime.workers import wake
from sync.projection import Recorded, Stage, projector, projector_many
from sync.sql import values_in


@projector(ChannelPaused)
@projector(ChannelResumed)
def channel_pause_projected(change: Recorded[ChannelMarked]) -> None:
    data = change.event
    pause = ChannelPause.objects.filter(store=change.store, channel=data.channel).first()
    if pause is not None and change.hlc <= pause.hlc:
        return  # an older decision arriving late from a sibling
    values = {
        "paused": isinstance(data, ChannelPaused),
        "reason": data.reason,
        "by": data.by,
        "at": data.at,
        "hlc": change.hlc,
    }
    ChannelPause.objects.update_or_create(store=change.store, channel=data.channel, defaults=values)


# The events after which a channel order's status may have moved (besides its placement).
STATUS_EVENTS: tuple[type[OrderFact], ...] = (TicketAcked, TicketBumped, TicketRecalled, OrderServed, OrderVoided)


def _status_watch(order_id: uuid.UUID) -> None:
    channel_order = ChannelOrder.objects.filter(order_id=order_id).select_related("integrator").first()
    if channel_order is None:
        return  # a register's order, or one another node took for its integrator
    order = Order.objects.filter(pk=order_id).first()
    if order is None:
        return
    status = channel_status_for(order.status)
    if status == channel_order.last_status:
        return
    ChannelOrder.objects.filter(pk=channel_order.pk).update(last_status=status)
    webhooks.delivery_enqueue(integrator=channel_order.integrator, order=order, status=status)
    if status in ("in_kitchen", "ready", "served"):
        transaction.on_commit(lambda: wake("channel-push"))  # a phone may be waiting for this one


def _order_of(change: Recorded[OrderFact] | Recorded[OrderPlaced]) -> uuid.UUID:
    return change.event.id if isinstance(change.event, OrderPlaced) else change.event.order


def channel_status_watch(changes: list[Recorded[OrderFact]] | list[Recorded[OrderPlaced]]) -> None:
    """Tell an integrator its order's new status; one query for a burst of register orders' facts (none a channel's)."""
    ids = list(dict.fromkeys(_order_of(change) for change in changes))
    taken = {order_id for (order_id,) in values_in(ChannelOrder, ("order_id",), "order_id", ids)}
    for order_id in ids:
        if order_id in taken:
            _status_watch(order_id)


_watched: tuple[type[OrderPlaced] | type[OrderFact], ...] = (OrderPlaced, *STATUS_EVENTS)
for _event in _watched:
    projector_many(_event, stage=Stage.REACT)(channel_status_watch)


@projector(ChannelOrderRelayed)
def channel_relayed(change: Recorded[ChannelOrderRelayed]) -> None:
    """HQ's relay of a channel order: HQ's record of it, a store's inbox (integrations/relay.py)."""
    if settings.POS_ROLE != "hq" and change.store != settings.POS_STORE:
        return  # replication refuses another store's changes; never place one regardless
    data = change.event
    _, created = ChannelRelay.objects.get_or_create(
        order_id=data.order,
        defaults={
            "store": change.store, "integrator_id": data.integrator, "integrator_name": data.integrator_name[:64],
            "idempotency_key": data.idempotency_key[:100], "channel": data.channel[:16], "table": data.table[:16],
            "request_hash": data.request_hash[:64], "order": data.payload(), "at": data.at,
            "expires_at": data.expires_at,
        },
    )
    if created and settings.POS_ROLE != "hq":
        transaction.on_commit(lambda: wake("channel-relay"))


@projector(ChannelRelayRefused, stage=Stage.REACT)
def channel_relay_refused(change: Recorded[ChannelRelayRefused]) -> None:
    relay.relay_refused(order_id=change.event.order, store=change.store, code=change.event.code, reason=change.event.reason)
