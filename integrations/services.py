"""Writes of the order channels: integrator keys, channel orders, manager pauses."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from integrations import acceptance, webhooks
from integrations.events import ChannelPaused, ChannelResumed
from integrations.models import CHANNEL_CODES, ChannelOrder, ChannelRejection, Integrator, key_new
from integrations.selectors import channel_order_id, channel_status_for
from registers import checks, tender
from registers import services as register_services
from registers.models import Order
from registers.staff import manager_approve
from sync.services import change_record


class ChannelRefused(Exception):
    """The channel is not accepting orders now (HTTP 503); ``code`` and ``reason`` say why."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


def integrator_create(*, name: str, store: str | None = None, webhook_url: str = "") -> tuple[Integrator, str]:
    """A new integrator and its API key; the key is returned once and only its digest is kept."""
    integrator = Integrator(name=name, store=store or settings.POS_STORE, webhook_url=webhook_url)
    key = key_new()
    integrator.key_set(key)
    integrator.save()
    return integrator, key


def key_new_for(integrator: Integrator) -> str:
    """Give an unsaved integrator a fresh key (admin's add form) and return it."""
    key = key_new()
    integrator.key_set(key)
    return key


def integrator_key_rotate(*, integrator: Integrator) -> str:
    """Replace the integrator's key (the old one stops working at once) and return the new one."""
    key = key_new()
    integrator.key_set(key)
    integrator.save(update_fields=["key_hash", "key_prefix"])
    return key


def channel_order_submit(
    *,
    integrator: Integrator,
    idempotency_key: str,
    channel: str,
    dining: str,
    lines: list[register_services.LineRequest],
    payments: list[tender.Tender],
    body: dict[str, Any],
    table: str | None = None,
) -> tuple[Order, bool]:
    """Place an integrator's order once per idempotency key.

    A repeat of an accepted key returns the same order, even if the channel
    has paused since (it is already the kitchen's). A new order is refused
    with ChannelRefused while the channel is not accepting, and with
    OrderRejected when the order itself is wrong (sold out, unknown item);
    either way the refusal is recorded against the key, so reading the key's
    status says rejected and why. Another body under the same key raises
    OrderConflict.
    """
    order_id = channel_order_id(integrator, idempotency_key)
    digest = register_services.request_digest(body)
    if Order.objects.filter(pk=order_id).exists():
        order, _ = register_services.order_place(
            order_id=order_id, register="", dining=dining, lines=lines, payments=payments, request_hash=digest
        )
        # A sibling node may have taken it first (the integrator failed over):
        # from now on this node answers for it too, without announcing it again.
        ChannelOrder.objects.get_or_create(
            order_id=order.id,
            defaults={"integrator": integrator, "idempotency_key": idempotency_key, "channel": channel,
                      "last_status": channel_status_for(order.status)},
        )
        return order, False
    state = acceptance.channel_acceptance(channel=channel)
    if not state.accepting:
        _rejection_record(integrator, idempotency_key, channel, state.code, state.reason)
        raise ChannelRefused(state.code, state.reason)
    try:
        with transaction.atomic():
            order, created = _place(order_id, f"{channel}:{integrator.name}"[:64], dining, lines, payments, digest, table)
            if created:
                _channel_order_record(integrator, idempotency_key, channel, order)
    except register_services.OrderRejected as exc:
        _rejection_record(integrator, idempotency_key, channel, "order_invalid", str(exc))
        raise
    return order, created


def _place(
    order_id, register: str, dining: str, lines: list[register_services.LineRequest], payments: list[tender.Tender],
    digest: str, table: str | None,
) -> tuple[Order, bool]:
    # A table the floor does not know (a QR code printed before the store had
    # a floor) orders as it always did: an eat-in order on its own.
    table = checks.table_resolve(table) if table is not None else None
    if table is None:
        return register_services.order_place(order_id=order_id, register=register, dining=dining, lines=lines,
                                             payments=payments, request_hash=digest)
    if payments or dining != "eat_in":
        raise register_services.OrderRejected("a table order is eaten in and paid with the table's check: send no payments")
    try:
        return checks.table_round_place(table=table, order_id=order_id, lines=lines, register=register,
                                        request_hash=digest, source="guest")
    except (checks.CheckRefused, checks.CheckClosed) as exc:
        raise register_services.OrderRejected(str(exc)) from None


def _channel_order_record(integrator: Integrator, key: str, channel: str, order: Order) -> None:
    ChannelOrder.objects.create(
        order_id=order.id, integrator=integrator, idempotency_key=key, channel=channel, last_status="accepted"
    )
    ChannelRejection.objects.filter(integrator=integrator, idempotency_key=key).delete()
    webhooks.delivery_enqueue(integrator=integrator, order=order, status="accepted")


def _rejection_record(integrator: Integrator, key: str, channel: str, code: str, reason: str) -> None:
    ChannelRejection.objects.update_or_create(
        integrator=integrator,
        idempotency_key=key,
        defaults={"channel": channel, "code": code, "reason": reason[:500], "at": timezone.now()},
    )


def channel_pause_set(*, channel: str, paused: bool, manager_pin: str | None, reason: str = "") -> None:
    """A manager pauses or resumes a channel; recorded as a change so sibling nodes follow.

    Raises registers.staff.NotAllowed for a missing or non-manager PIN.
    """
    if channel not in CHANNEL_CODES:
        raise ValueError(f"unknown channel {channel!r}; channels are {', '.join(CHANNEL_CODES)}")
    action = f"{'pausing' if paused else 'resuming'} {channel} orders"
    manager = manager_approve(pin=manager_pin, action=action)
    with transaction.atomic():
        mark = ChannelPaused if paused else ChannelResumed
        change_record(
            mark(channel=channel, reason=reason.strip()[:200], by=manager.name, at=timezone.now()),
            store=settings.POS_STORE,
        )
