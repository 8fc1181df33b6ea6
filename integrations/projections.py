"""Projectors: managers' channel pauses, and each channel order's status changes turned into webhooks.

The status projector is registered after the kitchen's (this app comes after
``kitchen`` in INSTALLED_APPS), so by the time it runs the order's status is
already derived; it only compares it with what the integrator was last told.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction

from integrations import webhooks
from integrations.models import ChannelOrder, ChannelPause
from integrations.selectors import channel_status_for
from registers.models import Order
from runtime.workers import wake
from sync.models import Change
from sync.projection import projector, projector_many


@projector("channel.paused")
@projector("channel.resumed")
def channel_pause_projected(change: Change) -> None:
    data = change.payload
    pause = ChannelPause.objects.filter(store=change.store, channel=data["channel"]).first()
    if pause is not None and change.hlc <= pause.hlc:
        return  # an older decision arriving late from a sibling
    values = {
        "paused": change.kind == "channel.paused",
        "reason": data.get("reason", ""),
        "by": data.get("by", ""),
        "at": dt.datetime.fromisoformat(data["at"]),
        "hlc": change.hlc,
    }
    ChannelPause.objects.update_or_create(store=change.store, channel=data["channel"], defaults=values)


STATUS_KINDS = ("order.placed", "ticket.acked", "ticket.bumped", "ticket.recalled", "order.served", "order.voided")


def _order_id(change: Change) -> str | None:
    return change.payload.get("id") if change.kind == "order.placed" else change.payload.get("order")


def channel_status_watch(change: Change) -> None:
    order_id = _order_id(change)
    if not order_id:
        return
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
    if status in ("ready", "served"):
        transaction.on_commit(lambda: wake("channel-push"))  # a phone may be waiting for this one


@projector_many("order.placed")
def channel_status_watch_placed(changes: list[Change]) -> None:
    """As channel_status_watch, with one query for a burst of register orders (none of them a channel's)."""
    ids = [change.payload["id"] for change in changes]
    taken = set(ChannelOrder.objects.filter(order_id__in=ids).values_list("order_id", flat=True))
    for change in changes:
        if uuid.UUID(change.payload["id"]) in taken:
            channel_status_watch(change)


for _kind in STATUS_KINDS:
    if _kind != "order.placed":
        projector(_kind)(channel_status_watch)
