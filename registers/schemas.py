"""django-ninja schemas for the register API (input is strict: a string is not a number)."""

from __future__ import annotations

import datetime as dt
import uuid
import warnings
from typing import Literal

from ninja import Field, Schema
from pydantic import BaseModel, ConfigDict, StrictBool, StrictInt, StrictStr

from registers.status import Status

# "register" is the contract's field name; pydantic merely notes that it hides
# ABCMeta.register, which nothing here calls.
warnings.filterwarnings("ignore", message='Field name "register"', category=UserWarning)

class LineIn(Schema):
    model_config = ConfigDict(extra="forbid")
    sku: StrictStr = Field(..., min_length=1, max_length=32)
    qty: StrictInt = Field(..., ge=1, le=99, description="How many; 1 to 99.")
    modifiers: list[StrictStr] = Field(default_factory=list, max_length=10, description="Modifier codes from the menu.")
    note: StrictStr = Field("", max_length=200, description="Kitchen note for this line (アレルギー, 少なめ); "
                            "at most 60 characters once trimmed, no control characters.")
    course: StrictInt | None = Field(None, ge=1, le=9, description="The course it is served in (1 前菜, 2 メイン, 3 デザート ...).")
    hold: StrictBool = Field(False, description="Hold it: the kitchen sees it only once its course is fired.")


class PaymentIn(Schema):
    model_config = ConfigDict(extra="forbid")
    method: Literal["cash", "card", "qr"]
    amount: StrictInt = Field(..., ge=1, le=10_000_000, description="Yen. For cash, the amount handed over.")
    reference: StrictStr = Field("", max_length=64, description="Terminal or QR transaction reference.")
    offline: StrictBool = Field(False, description="Card taken offline (store-and-forward), within HQ's limits.")


class OrderIn(BaseModel):  # BaseModel: ninja's Schema has a 'register' attribute
    model_config = ConfigDict(extra="forbid")
    id: uuid.UUID = Field(..., description="Made by the client; sending it again is safe.")
    register: StrictStr = Field(..., min_length=1, max_length=64)
    dining: Literal["eat_in", "take_out"]
    lines: list[LineIn] = Field(..., min_length=1, max_length=100)
    payments: list[PaymentIn] = Field(default_factory=list, max_length=10)
    number: StrictInt | None = Field(
        None,
        ge=1,
        le=99_999,
        description="Optional: the ticket number an offline register already called, from its own block "
        "(stores/numbers.py); omitted, the node issues one.",
    )
    note: StrictStr = Field("", max_length=200, description="Kitchen note for the whole order; as a line's note.")
    rung_at: dt.datetime | None = Field(
        None,
        description="When the register rang the sale up (with its offset). An order sent later (offline) is priced "
        "by the menu window of that moment, if it lies in the current business day and not in the future; "
        "otherwise by the menu of its arrival.",
    )


class ModifierOut(Schema):
    code: str
    name_ja: str
    name_en: str
    price_delta: int


class ModifierGroupOut(Schema):
    code: str
    name_ja: str
    name_en: str
    min: int
    max: int
    modifiers: list[ModifierOut]


class CategoryOut(Schema):
    code: str
    name: str
    name_ja: str
    name_en: str


class SetPartOut(Schema):
    sku: str
    qty: int = Field(..., description="How many in each set.")


class MenuItemOut(Schema):
    sku: str
    name: str
    name_ja: str
    name_en: str
    category: str
    price: int = Field(..., description="Integer yen, tax included.")
    tax_class: Literal["food", "alcohol", "other"]
    station: str
    available: bool
    sold_out: bool = False
    takeout_ok: bool
    modifier_groups: list[ModifierGroupOut]
    components: list[SetPartOut] = Field(default_factory=list, description="A set menu's components; empty for a plain item.")


class MenuOut(Schema):
    categories: list[CategoryOut]
    items: list[MenuItemOut]


class TaxOut(Schema):
    rate: int
    taxable: int = Field(..., description="Tax-included total at this rate.")
    tax: int


class LineModifierOut(Schema):
    code: str
    name_ja: str
    name_en: str
    price_delta: int


class ComponentOut(Schema):
    sku: str
    name_ja: str
    name_en: str
    qty: int = Field(..., description="How many in each set.")
    share: int = Field(..., description="Yen of one set's price that this component carries (taxed at its rate).")
    tax_class: str
    tax_rate: int
    station: str


class LineOut(Schema):
    sku: str
    name: str
    name_ja: str
    name_en: str
    qty: int
    unit_price: int
    modifiers: list[LineModifierOut]
    amount: int
    tax_class: str
    tax_rate: int
    station: str
    note: str = Field("", description="The kitchen note of this line; empty when none.")
    components: list[ComponentOut] | None = Field(None, description="A set menu's components; null for a plain item.")


class PaymentOut(Schema):
    method: str
    amount: int = Field(..., description="Applied to the bill.")
    tendered: int
    change: int
    reference: str


class ConflictOut(Schema):
    kind: Literal["double_payment", "over_refund", "void_and_refund", "after_close", "round_after_settle"] = Field(
        ..., description="What two nodes did twice, or what came after the day's close."
    )
    detail: str = Field(..., description="One sentence in English, the same on every node and at HQ.")
    at: dt.datetime = Field(..., description="When the later of the clashing acts happened.")
    nodes: list[str] = Field(..., description="The nodes (POS_NODE) that did the clashing acts.")


class DayConflictOut(ConflictOut):
    order: uuid.UUID
    number: int
    label: str = Field(..., description="The kind, in the language of the request.")


class RefundRefOut(BaseModel):
    id: uuid.UUID
    amount: int = Field(..., description="Yen given back.")
    at: dt.datetime


class OrderOut(BaseModel):
    id: uuid.UUID
    store: str
    number: int
    register: str = Field(...)  # explicit: else pydantic takes ABCMeta.register as the default
    dining: str
    status: Status
    business_date: dt.date
    placed_at: dt.datetime
    total: int
    taxes: list[TaxOut]
    lines: list[LineOut]
    note: str = Field("", description="The kitchen note of the whole order; empty when none.")
    payments: list[PaymentOut]
    paid: int
    refunded: int = Field(..., description="Yen given back by refunds, all of them (a conflict may make it more than was paid).")
    conflicts: list[ConflictOut] = Field(..., description="Money that two cut-off nodes both took or gave back; empty when none.")
    refunds: list[RefundRefOut] = Field(
        default_factory=list,
        description="Each refund (oldest first): its id opens its receipt at /api/orders/{id}/refunds/{refund id}/receipt.",
    )
    balance_due: int
    change: int
    kitchen_received: bool
    kitchen_received_at: dt.datetime | None
    ready_at: dt.datetime | None
    voided_at: dt.datetime | None


class OrderListOut(Schema):
    items: list[OrderOut]
    count: int


class ErrorOut(Schema):
    detail: str | list


class StaffLoginIn(Schema):
    model_config = ConfigDict(extra="forbid")
    pin: StrictStr = Field(..., min_length=4, max_length=8, pattern=r"^\d+$")


class StaffOut(Schema):
    id: int
    name: str
    role: str


class StaffRowOut(Schema):
    code: str
    name: str
    role: str
    active: bool
    pin_set_by: str = Field(description="Who last set the PIN (HQ's admin or a manager at the store).")
    pin_set_reason: str
    pin_set_at: dt.datetime | None


class StaffPinResetIn(Schema):
    model_config = ConfigDict(extra="forbid")
    pin: StrictStr = Field(..., min_length=4, max_length=8, pattern=r"^\d+$", description="The cashier's new PIN.")
    manager_pin: StrictStr = Field(..., min_length=4, max_length=8)
    reason: StrictStr = Field(..., min_length=1, max_length=200)


# --- Money and closing the day ------------------------------------------------


class VoidIn(Schema):
    model_config = ConfigDict(extra="forbid")
    manager_pin: StrictStr | None = Field(None, max_length=8, description="A manager's PIN; required.")
    reason: StrictStr = Field(..., max_length=200)


class RefundLineIn(Schema):
    model_config = ConfigDict(extra="forbid")
    position: StrictInt = Field(..., ge=0, le=99, description="The order line's position (0 = first line).")
    qty: StrictInt = Field(..., ge=1, le=99)


class RefundIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: uuid.UUID = Field(..., description="Made by the client; sending it again is safe.")
    manager_pin: StrictStr | None = Field(None, max_length=8)
    reason: StrictStr = Field(..., max_length=200)
    lines: list[RefundLineIn] | None = Field(None, max_length=100, description="Omit to refund everything left.")
    method: Literal["cash", "card", "qr"] | None = Field(None, description="Default: the sale's first tender.")
    register: StrictStr = Field("", max_length=64)


class RefundOut(Schema):
    id: uuid.UUID
    order_id: uuid.UUID
    business_date: dt.date
    method: str
    amount: int
    taxes: list[TaxOut]
    lines: list[dict]
    staff: str
    reason: str
    at: dt.datetime


class SettleIn(Schema):
    model_config = ConfigDict(extra="forbid")
    reference: StrictStr = Field(..., min_length=1, max_length=64, description="The card network's approval reference.")


class DrawerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: uuid.UUID = Field(..., description="Made by the client; sending it again is safe.")
    kind: Literal["open", "paid_in", "paid_out", "count"]
    register: StrictStr = Field(..., min_length=1, max_length=64)
    amount: StrictInt = Field(..., ge=0, le=10_000_000)
    reason: StrictStr = Field("", max_length=200)
    pin: StrictStr = Field(..., min_length=4, max_length=8, description="Staff PIN; a manager's for paid in/out.")


class DrawerOut(BaseModel):
    id: uuid.UUID
    kind: str
    register: str = Field(...)
    business_date: dt.date
    amount: int
    reason: str
    staff: str
    at: dt.datetime


class ShiftStartIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pin: StrictStr = Field(..., min_length=4, max_length=8)
    register: StrictStr = Field("", max_length=64)


class ShiftEndIn(Schema):
    model_config = ConfigDict(extra="forbid")
    pin: StrictStr = Field(..., min_length=4, max_length=8)


class ShiftOut(Schema):
    id: uuid.UUID
    staff_id: int
    staff_name: str
    role: str
    started_at: dt.datetime | None
    ended_at: dt.datetime | None


class ZIn(Schema):
    model_config = ConfigDict(extra="forbid")
    manager_pin: StrictStr | None = Field(None, max_length=8)
    business_date: dt.date | None = Field(None, description="Default: today's business day.")
    queued: StrictInt = Field(0, ge=0, le=100_000, description="Sales still queued in the register's outbox.")
    force: StrictBool = Field(False, description="Close even though sales are still queued.")
    counted_cash: StrictInt | None = Field(
        None, ge=0, le=10**12, description="Cash counted in the drawers at close (yen); kept in the Z with its over/short."
    )


class ZOut(Schema):
    number: int
    business_date: dt.date
    staff: str
    closed_at: dt.datetime
    report: dict
    conflicts: list[DayConflictOut] = Field(default_factory=list, description="The day's money conflicts as they stand now.")


class DiscountIn(Schema):
    model_config = ConfigDict(extra="forbid")
    manager_pin: StrictStr | None = Field(None, max_length=8)
    reason: StrictStr = Field(..., max_length=200)
    amount: StrictInt | None = Field(None, ge=1, le=10_000_000, description="Yen off the bill.")
    percent: StrictInt | None = Field(None, ge=1, le=100, description="Or percent off the bill.")


class PriceOverrideIn(Schema):
    model_config = ConfigDict(extra="forbid")
    manager_pin: StrictStr | None = Field(None, max_length=8)
    reason: StrictStr = Field(..., max_length=200)
    position: StrictInt = Field(..., ge=0, le=99)
    unit_price: StrictInt = Field(..., ge=0, le=1_000_000)


class PayIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: uuid.UUID = Field(..., description="Made by the client; sending it again is safe.")
    payments: list[PaymentIn] = Field(..., min_length=1, max_length=10)


class OutboxIn(BaseModel):  # BaseModel: ninja's Schema has a 'register' attribute
    model_config = ConfigDict(extra="forbid")
    register: StrictStr = Field(..., min_length=1, max_length=64)
    waiting: StrictInt = Field(..., ge=0, le=100_000, description="Sales in this tablet's outbox not yet acknowledged.")


class OutboxOut(Schema):
    register: str = Field(...)  # explicit: else pydantic takes ABCMeta.register as the default
    waiting: int
    seen_at: dt.datetime
    silent: bool = Field(description="Not heard from for a minute or more: it may hold sales it could not report.")


class OutboxesOut(Schema):
    queued: int = Field(description="Sales the tablets last said they still hold.")
    items: list[OutboxOut]


class RegisterIdentityOut(Schema):
    register: str = Field(..., description="The name this tablet sends as `register` with its orders.")
    lane: int = Field(description="Its ticket-number block: numbers lane*1000+1 .. lane*1000+999.")
