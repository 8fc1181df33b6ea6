"""The integrations' events: a manager pauses or resumes a sales channel (latest by HLC wins);
HQ relays a channel order to its store, and the store refuses one it cannot place."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from sync.events import Authority, Count, Event, Payload, Timestamp, Yen


class ChannelMarked(Event):
    channel: str
    reason: str = ""
    by: str = ""  # the manager's name
    at: Timestamp


class ChannelPaused(ChannelMarked):
    kind: ClassVar[str] = "channel.paused"


class ChannelResumed(ChannelMarked):
    kind: ClassVar[str] = "channel.resumed"


# --- Channel orders taken at HQ and relayed to the store ---------------------


class RelayedLine(Payload):
    sku: str
    qty: Count
    modifiers: list[str] = []


class RelayedPayment(Payload):
    method: str
    amount: Yen
    reference: str = ""


class ChannelOrderRelayed(Event):
    """An integrator's order HQ took for one store, to be placed by that store's
    kitchen-facing nodes under ``order`` (HQ derived it from the integrator's
    key, so every node and every retry names the same order). HQ records it
    under its origin for that store alone; a store node may record it too (it
    can only order at its own store). Not placed after ``expires_at``: HQ has
    told the integrator it was rejected by then."""

    kind: ClassVar[str] = "channel.relayed"
    authors: ClassVar[Authority] = Authority.HQ_OR_STORE_NODE
    order: UUID
    integrator: UUID
    integrator_name: str
    idempotency_key: str
    channel: str
    dining: str
    lines: list[RelayedLine]
    payments: list[RelayedPayment] = []
    request_hash: str
    table: str = ""
    at: Timestamp
    expires_at: Timestamp


class ChannelRelayRefused(Event):
    """The store could not place a relayed order (its kitchen could not take it,
    the order was wrong, or it came too late); HQ reports it ``rejected``."""

    kind: ClassVar[str] = "channel.relay_refused"
    order: UUID
    code: str
    reason: str = ""
    at: Timestamp
