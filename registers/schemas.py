"""django-ninja schemas for the register API (input is strict: a string is not a number)."""

from __future__ import annotations

import warnings

import datetime as dt
import uuid
from typing import Literal

from ninja import Field, Schema
from pydantic import BaseModel, ConfigDict, StrictInt, StrictStr

# "register" is the contract's field name; pydantic merely notes that it hides
# ABCMeta.register, which nothing here calls.
warnings.filterwarnings("ignore", message='Field name "register"', category=UserWarning)

class LineIn(Schema):
    model_config = ConfigDict(extra="forbid")
    sku: StrictStr = Field(..., min_length=1, max_length=32)
    qty: StrictInt = Field(..., ge=1, le=99, description="How many; 1 to 99.")
    modifiers: list[StrictStr] = Field(default_factory=list, max_length=10, description="Modifier codes from the menu.")


class PaymentIn(Schema):
    model_config = ConfigDict(extra="forbid")
    method: Literal["cash", "card", "qr"]
    amount: StrictInt = Field(..., ge=1, le=10_000_000, description="Yen. For cash, the amount handed over.")
    reference: StrictStr = Field("", max_length=64, description="Terminal or QR transaction reference.")


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
        "(registers/numbers.py); omitted, the node issues one.",
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
    takeout_ok: bool
    modifier_groups: list[ModifierGroupOut]


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


class PaymentOut(Schema):
    method: str
    amount: int = Field(..., description="Applied to the bill.")
    tendered: int
    change: int
    reference: str


class OrderOut(BaseModel):
    id: uuid.UUID
    store: str
    number: int
    register: str = Field(...)  # explicit: else pydantic takes ABCMeta.register as the default
    dining: str
    status: Literal["placed", "in_kitchen", "ready", "served", "voided"]
    business_date: dt.date
    placed_at: dt.datetime
    total: int
    taxes: list[TaxOut]
    lines: list[LineOut]
    payments: list[PaymentOut]
    paid: int
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
