"""Channel orders taken at HQ and relayed to the store: success is the store's kitchen having it.

A platform or a guest's phone on the internet cannot reach a store's LAN, so
HQ serves the integration API and the guest pages for every store. HQ does
not book the sale: it checks the store can take it (link and kitchen, see
acceptance.py), records ``channel.relayed`` under its origin for that store
(so replication ships it to that store alone, signed) and answers
``accepted``. The store's nodes take it on their next HQ pull (every 1-2 s)
and place it through the same idempotent path as a local channel order
(services.channel_order_submit) under the order id HQ derived from the
integrator's key. The store's order, its tickets and the kitchen's
acknowledgement replicate back; only then does HQ's status read
``in_kitchen`` and its webhook say so.

Exactly once: every copy of the relay (a platform retrying, HQ restarting,
a node pulling twice, a sibling taking over) names the same order id, which
the order and ticket projections already collapse. One node places (the
store's decider, sync/coordinator.py); any other takes over a relay still
pending after TAKEOVER_S.

Never left hanging: a relay not placed by ``expires_at`` is refused by the
store and reported ``rejected`` by HQ's ``channel-relay`` worker, each with
its reason; a store refusing one (its manager paused the channel, an item
was wrong)
records ``channel.relay_refused``, which HQ reports as ``rejected``.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import uuid
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from integrations import acceptance, services, webhooks
from integrations.events import ChannelOrderRelayed, ChannelRelayRefused, RelayedLine, RelayedPayment
from integrations.models import ChannelOrder, ChannelRejection, ChannelRelay, Integrator, key_digest
from integrations.selectors import channel_order_id
from menu.models import MenuItem
from registers import services as register_services
from registers import tender
from registers.models import Order
from sync import coordinator
from sync.services import change_record

log = logging.getLogger(__name__)

# A relay the decider has not placed this long after HQ took it is placed by
# whichever node sees it (the decider may be the node that was just killed).
TAKEOVER_S = 5.0
RETRY_AFTER_S = 5
BATCH = 20
EXPIRED = "not_delivered"


def relay_submit(
    *,
    integrator: Integrator,
    idempotency_key: str,
    channel: str,
    dining: str,
    lines: list[register_services.LineRequest],
    payments: list[tender.Tender],
    table: str,
    body: dict[str, Any],
) -> tuple[ChannelRelay, bool]:
    """At HQ: take an integrator's order for its store once per key and relay it.

    Returns ``(relay, created)``. A repeat of a taken key returns the same
    relay; another body under it raises OrderConflict. Raises ChannelRefused
    (recorded against the key) when the store cannot take orders now, and
    OrderRejected for an item the menu does not have.
    """
    store = integrator.store
    order_id = channel_order_id(integrator, idempotency_key)
    digest = register_services.request_digest(body)
    existing = _existing(order_id, digest)
    if existing is not None:
        return existing, False
    state = acceptance.channel_acceptance(channel=channel, store=store)
    if not state.accepting:
        _rejection_record(integrator, idempotency_key, channel, state.code, state.reason)
        raise services.ChannelRefused(state.code, state.reason)
    skus = {line.sku for line in lines}
    known = set(MenuItem.objects.filter(sku__in=skus).values_list("sku", flat=True))
    if unknown := sorted(skus - known):
        reason = f"unknown item {', '.join(unknown)}"
        _rejection_record(integrator, idempotency_key, channel, "order_invalid", reason)
        raise register_services.OrderRejected(reason)
    now = timezone.now()
    event = ChannelOrderRelayed(
        order=order_id, integrator=integrator.id, integrator_name=integrator.name, idempotency_key=idempotency_key,
        channel=channel, dining=dining, table=table, request_hash=digest, at=now,
        expires_at=now + dt.timedelta(seconds=settings.POS_RELAY_DEADLINE_S),
        lines=[RelayedLine(sku=line.sku, qty=line.qty, modifiers=list(line.modifiers)) for line in lines],
        payments=[RelayedPayment(method=p.method, amount=p.amount, reference=p.reference) for p in payments],
    )
    try:
        with transaction.atomic():
            # One change id per order: the same relay recorded twice is one change.
            change_record(event, store=store, change_id=uuid.uuid5(order_id, "channel.relayed"))
            ChannelOrder.objects.create(
                order_id=order_id, integrator=integrator, idempotency_key=idempotency_key, channel=channel,
                last_status="accepted",
            )
            ChannelRejection.objects.filter(integrator=integrator, idempotency_key=idempotency_key).delete()
            webhooks.delivery_enqueue_for(integrator=integrator, order_id=order_id, status="accepted")
    except IntegrityError:
        # The same key raced in from a retry: answer as for any repeat.
        existing = _existing(order_id, digest)
        if existing is None:
            raise
        return existing, False
    return ChannelRelay.objects.get(pk=order_id), True


def _existing(order_id: uuid.UUID, digest: str) -> ChannelRelay | None:
    relay = ChannelRelay.objects.filter(pk=order_id).first()
    if relay is not None and relay.request_hash != digest:
        raise register_services.OrderConflict("its items, dining or payments differ")
    return relay


def _rejection_record(integrator: Integrator, key: str, channel: str, code: str, reason: str) -> None:
    ChannelRejection.objects.update_or_create(
        integrator=integrator, idempotency_key=key,
        defaults={"channel": channel, "code": code, "reason": reason[:500], "at": timezone.now()},
    )


def relays_tick() -> None:
    """The ``channel-relay`` worker: at a store, place what HQ relayed; at HQ, settle what is overdue."""
    if settings.POS_ROLE == "hq":
        relays_overdue_reject()
    else:
        relays_place()


def relays_place() -> None:
    """At a store node: place the pending relays of this store (the decider at
    once, any node after TAKEOVER_S)."""
    pending = list(ChannelRelay.objects.filter(store=settings.POS_STORE, state=ChannelRelay.PENDING).order_by("at")[:BATCH])
    if not pending:
        return
    deciding = coordinator.decider_url() is None
    takeover = timezone.now() - dt.timedelta(seconds=TAKEOVER_S)
    for relay in pending:
        if deciding or relay.at <= takeover:
            relay_place(relay=relay)


def relay_place(*, relay: ChannelRelay) -> str:
    """Place one relayed order as a local channel order; returns the relay's new state."""
    event = ChannelOrderRelayed.model_validate(relay.order)
    if Order.objects.filter(pk=relay.order_id).exists():
        return _done(relay, ChannelRelay.PLACED)
    if timezone.now() >= relay.expires_at:
        return _refuse(relay, "expired", "the order reached the store after HQ stopped waiting for it")
    integrator = _integrator_for(event)
    if channel_order_id(integrator, event.idempotency_key) != relay.order_id:
        # HQ names the order after the integrator's key; anything else is not HQ's relay.
        return _refuse(relay, "order_invalid", "the relay's order id does not match its integrator's key")
    try:
        services.channel_order_submit(
            integrator=integrator, idempotency_key=event.idempotency_key, channel=event.channel, dining=event.dining,
            lines=[register_services.LineRequest(line.sku, line.qty, list(line.modifiers)) for line in event.lines],
            payments=[tender.Tender(p.method, p.amount, p.reference) for p in event.payments],
            body={"relayed": event.request_hash},
            table=event.table or None,  # a guest's QR order joins that table's check, as on the store's own page
            relayed=True,
        )
    except services.ChannelRefused as exc:
        return _refuse(relay, exc.code, exc.reason)
    except (register_services.OrderRejected, register_services.OrderConflict) as exc:
        return _refuse(relay, "order_invalid", str(exc))
    return _done(relay, ChannelRelay.PLACED)


def _integrator_for(event: ChannelOrderRelayed) -> Integrator:
    """HQ's integrator as this store knows it: same id (so the same key names
    the same order), no key that works here, no webhook (HQ tells it)."""
    integrator = Integrator.objects.filter(pk=event.integrator).first()
    if integrator is not None:
        return integrator
    try:
        with transaction.atomic():
            return Integrator.objects.create(
                id=event.integrator, name=event.integrator_name[:64], store=settings.POS_STORE, active=False,
                key_hash=key_digest(secrets.token_urlsafe(32)), key_prefix="(via HQ)",
            )
    except IntegrityError:
        return Integrator.objects.get(pk=event.integrator)


def _done(relay: ChannelRelay, state: str) -> str:
    ChannelRelay.objects.filter(pk=relay.pk, state=ChannelRelay.PENDING).update(state=state, done_at=timezone.now())
    return state


def _refuse(relay: ChannelRelay, code: str, reason: str) -> str:
    log.warning("relayed order %s refused: %s (%s)", relay.order_id, reason, code)
    with transaction.atomic():
        change_record(
            ChannelRelayRefused(order=relay.order_id, code=code, reason=reason[:500], at=timezone.now()),
            store=settings.POS_STORE,
        )
    return ChannelRelay.REFUSED


def relays_overdue_reject(*, now: dt.datetime | None = None) -> int:
    """At HQ: a relay the store placed is settled; one past its deadline with no
    order from the store is reported rejected. Returns how many were rejected."""
    now = now or timezone.now()
    pending = list(ChannelRelay.objects.filter(state=ChannelRelay.PENDING).order_by("at")[:500])
    if not pending:
        return 0
    placed = set(Order.objects.filter(pk__in=[r.order_id for r in pending]).values_list("pk", flat=True))
    rejected = 0
    for relay in pending:
        if relay.order_id in placed:
            _done(relay, ChannelRelay.PLACED)
        elif relay.expires_at <= now:
            reason = (f"store {relay.store}'s kitchen did not get the order within "
                      f"{settings.POS_RELAY_DEADLINE_S} s (the store is unreachable or its nodes are down)")
            with transaction.atomic():
                rejected += relay_refused(order_id=relay.order_id, store=relay.store, code=EXPIRED, reason=reason)
    return rejected


def relay_refused(*, order_id: uuid.UUID, store: str, code: str, reason: str) -> int:
    """Mark ``store``'s pending relay refused and, at HQ, tell its integrator (inside a
    transaction). Returns 1 or 0. Another store's refusal of it changes nothing."""
    marked = ChannelRelay.objects.filter(pk=order_id, store=store, state=ChannelRelay.PENDING).update(
        state=ChannelRelay.REFUSED, code=code[:32], reason=reason[:500], done_at=timezone.now()
    )
    if not marked or settings.POS_ROLE != "hq" or Order.objects.filter(pk=order_id).exists():
        return marked
    channel_order = ChannelOrder.objects.filter(order_id=order_id).select_related("integrator").first()
    if channel_order is not None and channel_order.last_status != "rejected":
        ChannelOrder.objects.filter(pk=order_id).update(last_status="rejected")
        webhooks.delivery_enqueue_for(integrator=channel_order.integrator, order_id=order_id, status="rejected")
    return marked
