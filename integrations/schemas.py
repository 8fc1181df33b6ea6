"""django-ninja schemas of the integration API (input is strict: a string is not a number)."""

from __future__ import annotations

from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict, StrictStr

from registers.schemas import CategoryOut, LineIn, MenuItemOut, PaymentIn

Channel = Literal["kiosk", "qr", "mobile", "delivery"]
STATUS_DOC = (
    "accepted (stored by the store, not yet seen by the kitchen) → in_kitchen (a kitchen screen acknowledged it) "
    "→ ready → served; or rejected (never an order: see reason) or cancelled (voided by the store)."
)


class ChannelOrderIn(Schema):
    model_config = ConfigDict(extra="forbid")
    idempotency_key: StrictStr = Field(
        ..., min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:-]+$",
        description="The integrator's own id for this order; sending it again is safe and returns the same order.",
    )
    channel: Channel
    dining: Literal["eat_in", "take_out"]
    lines: list[LineIn] = Field(..., min_length=1, max_length=100)
    payments: list[PaymentIn] = Field(
        default_factory=list, max_length=10,
        description="Paid already (card or qr on the platform or the kiosk's terminal); empty: pay at the counter.",
    )
    table: StrictStr | None = Field(
        None, min_length=1, max_length=16, pattern=r"^[A-Za-z0-9_-]+$",
        description="QR table order: the table's code (T12). The order joins that table's open check (or opens "
        "one), eaten in and paid at the end with the check; payments must be empty.",
    )


class AcceptanceOut(Schema):
    channel: str
    accepting: bool
    code: str | None = Field(None, description="channel_paused or kitchen_unreachable when not accepting.")
    reason: str | None
    paused_by: str | None
    stations_unreachable: list[str]


class ChannelMenuItemOut(MenuItemOut):
    sold_out: bool
    orderable: bool = Field(..., description="Available and the channel is accepting orders now.")


class ChannelMenuOut(Schema):
    categories: list[CategoryOut]
    items: list[ChannelMenuItemOut]
    channel: AcceptanceOut
    channels: list[AcceptanceOut]


class ChannelOrderOut(Schema):
    id: str | None
    idempotency_key: str
    channel: str
    status: Literal["accepted", "in_kitchen", "ready", "served", "rejected", "cancelled"] = Field(..., description=STATUS_DOC)
    reason: str | None
    code: str | None
    number: int | None = Field(None, description="The number called out to the customer.")
    dining: str | None
    total: int | None = Field(None, description="Integer yen, tax included.")
    paid: int | None
    balance_due: int | None
    placed_at: str
    kitchen_received_at: str | None
    ready_at: str | None


class RefusedOut(Schema):
    detail: str
    code: str
    status: Literal["rejected"] = "rejected"
    idempotency_key: str | None = None


class ErrorOut(Schema):
    detail: str


class PauseIn(Schema):
    model_config = ConfigDict(extra="forbid")
    manager_pin: StrictStr = Field(..., min_length=1, max_length=16)
    reason: StrictStr = Field("", max_length=200)


class ChannelsOut(Schema):
    items: list[AcceptanceOut]


class BoardOut(Schema):
    preparing: list[int]
    ready: list[int] = Field(..., description="Now serving: ready to collect, newest first.")


class PushKeysIn(Schema):
    model_config = ConfigDict(extra="forbid")
    p256dh: StrictStr = Field(..., min_length=1, max_length=200)
    auth: StrictStr = Field(..., min_length=1, max_length=100)


class PushSubscriptionIn(Schema):
    model_config = ConfigDict(extra="ignore")  # browsers add expirationTime and may add more
    endpoint: StrictStr = Field(..., min_length=8, max_length=1000, pattern=r"^https?://")
    keys: PushKeysIn
    lang: StrictStr = Field("ja", max_length=5)


class PushKeyOut(Schema):
    public_key: str
