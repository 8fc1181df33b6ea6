"""The register's events: sales, payments, money adjustments, the drawer, shifts,
the day's close and receipts (sold-out marks are the menu's: menu/events.py).

Each class dumps exactly the payload the register has always written (see
sync/events.py for the rules of the contract); projectors are in
registers/projections.py.

The wire's "register" key is the field ``register_name``: a field named
``register`` would collide with ABCMeta.register, which pydantic then takes
for the field's default in subclasses.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
import uuid
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, Field, model_serializer, model_validator

from registers import sets
from sync.events import Count, Event, Payload, Timestamp, Yen

Dining = Literal["eat_in", "take_out"]
Method = Literal["cash", "card", "qr"]


def payment_id_for(order_id: uuid.UUID, position: int) -> uuid.UUID:
    """The id of an order's ``position``-th payment. Derived, not random, so the
    same sale placed (and paid) on two nodes during a partition merges into
    one set of payments, not two."""
    return uuid.uuid5(order_id, f"payment:{position}")


#: The most characters a kitchen note may have (a line's or an order's).
NOTE_MAX = 60


def note_problem(text: str) -> str | None:
    """What is wrong with a kitchen note, or None. Notes come from browsers and
    peers: free text, but short, trimmed, and without control or format
    characters (newlines, bidi overrides, zero-width marks) that could break a
    ticket's layout, a printer's command stream or hide what the note says."""
    if not text.strip():
        return "a note may not be blank"
    if text != text.strip():
        return "a note may not start or end with spaces"
    if len(text) > NOTE_MAX:
        return f"a note may have at most {NOTE_MAX} characters, not {len(text)}"
    if any(unicodedata.category(ch).startswith("C") for ch in text):
        return "a note may not contain control or invisible characters"
    return None


def _note(text: str) -> str:
    problem = note_problem(text)
    if problem:
        raise ValueError(problem)
    return text


#: A kitchen note (アレルギー, 少なめ): absent is None, never "".
Note = Annotated[str, AfterValidator(_note)]

#: A course of a meal (1 前菜, 2 メイン, 3 デザート ...: registers/courses.py).
Course = Annotated[int, Field(strict=True, ge=1, le=9)]


class StaffRef(Payload):
    """Who approved or did it, as the staff row was at the time."""

    id: Count
    name: str
    role: str


class TaxLine(Payload):
    """Tax-included total and the tax in it, for one rate (rounded once per receipt per rate)."""

    rate: Count
    taxable: Yen
    tax: Yen


class ModifierSold(Payload):
    code: str
    name_ja: str
    name_en: str
    price_delta: Yen


class ComponentSold(Payload):
    """One component of a set line (registers/sets.py): ``qty`` of it in each set,
    ``share`` yen of the set's unit price, taxed at its own ``tax_rate``."""

    sku: str
    name_ja: str
    name_en: str
    qty: Count
    share: Yen
    tax_class: str
    tax_rate: Count
    station: str


class LineSold(Payload):
    """A line as sold: name, price and tax rate fixed at the moment of sale."""

    position: Count
    sku: str
    name_ja: str
    name_en: str
    qty: Count
    unit_price: Yen
    modifiers: list[ModifierSold]
    amount: Yen
    tax_class: str
    tax_rate: Count
    station: str
    # Added later: left out of the dump when None, so a line without a note
    # dumps exactly as lines always have (the hash chain covers payloads).
    note: Note | None = None
    # A set menu's components (None for an item sold on its own): the line is
    # one line on the receipt; its tax is worked out per component's rate.
    components: list[ComponentSold] | None = Field(None, min_length=1, max_length=20)
    # The course the line is served in, and whether it was held: its kitchen
    # tickets wait, unseen by the stations, until the course is fired
    # (OrderCourseFired). Sold all the same: a held line is on the bill.
    course: Course | None = None
    held: Literal[True] | None = None

    @model_serializer(mode="wrap")
    def _omit_absent(self, handler: Any) -> Any:
        data = handler(self)
        for key in ("note", "components", "course", "held"):
            if data.get(key) is None:
                data.pop(key, None)
        return data

    @model_validator(mode="after")
    def _shares_add_up(self) -> LineSold:
        if self.components is not None and sum(c.share for c in self.components) != self.unit_price:
            raise ValueError("the shares of a set's components must add up to its unit price")
        if self.held and self.course is None:
            raise ValueError("a held line must name its course")
        return self

    def rate_parts(self) -> list[tuple[int, int]] | None:
        """For a set, each component's (tax rate, share of one set); None for a plain item."""
        return None if self.components is None else [(c.tax_rate, c.share) for c in self.components]

    def rate_amounts(self) -> dict[int, int]:
        """The line's tax-included yen per tax rate (a set's: per component's rate)."""
        return sets.line_rates(self.qty, self.unit_price, self.tax_rate, self.rate_parts())


class Issuer(Payload):
    """Who issued a receipt, as the store was when it did: a reprint or HQ's
    copy shows this, never the store's current name and number."""

    name: str = Field(max_length=100)
    name_en: str = Field("", max_length=100)
    invoice_number: str = Field("", max_length=14)
    address: str = Field("", max_length=200)


class OrderFact(Event):
    """An event about an existing order: projected only once the order is here."""

    order: uuid.UUID

    def requires(self) -> str | None:
        return f"order:{self.order}"


class OrderPlaced(Event):
    kind: ClassVar[str] = "order.placed"
    fold_first: ClassVar[bool] = True
    omit_when_none: ClassVar[frozenset[str]] = frozenset({"issuer", "check", "note", "priced_at"})
    id: uuid.UUID
    number: Count
    business_date: dt.date
    register_name: str = Field(validation_alias="register", serialization_alias="register")
    dining: Dining
    placed_at: Timestamp
    request_hash: str
    total: Yen
    taxes: list[TaxLine]
    lines: list[LineSold]
    note: Note | None = None  # the whole order's kitchen note
    # When the register rang it up, if that moment's menu (a lunch window)
    # priced it rather than placed_at's: an offline sale sent later.
    priced_at: Timestamp | None = None
    # Sales recorded before receipts carried their issuer have none: their
    # receipts show the store as it is now (what every receipt did then).
    issuer: Issuer | None = None
    # The table check this order is a round of (registers/checks.py): its
    # rounds share the check's ticket number, which is one number, not a clash.
    check: uuid.UUID | None = None

    def provides(self) -> str | None:
        return f"order:{self.id}"


class PaymentMade(Payload):
    id: uuid.UUID
    position: Count
    method: Method
    amount: Yen
    tendered: Yen
    change: Yen
    reference: str = ""
    # Offline card: flagged with its settle-by deadline, fixed when taken so
    # every node and HQ shows the same one.
    offline: bool = False
    settle_by: Timestamp | None = None


class OrderPaid(OrderFact):
    """Payments of an order: at placement, or later for an open order (``batch``, the idempotency key)."""

    kind: ClassVar[str] = "order.paid"
    omit_when_none: ClassVar[frozenset[str]] = frozenset({"batch"})
    batch: uuid.UUID | None = None
    at: Timestamp
    payments: list[PaymentMade]


class OrderCourseFired(OrderFact):
    """The waiter fired course ``course`` of the order: its held lines go to the
    kitchen now. ``command`` is the device's command id (a replay records
    nothing new). Fired twice, or on two cut-off nodes, it is one fire: the
    kitchen shows the course once, from the earliest ``at``."""

    kind: ClassVar[str] = "order.course_fired"
    command: uuid.UUID
    course: Course
    at: Timestamp


class PaymentSettled(Event):
    """The card network accepted an offline card payment."""

    kind: ClassVar[str] = "payment.settled"
    payment: uuid.UUID
    reference: str
    at: Timestamp


class OrderVoided(OrderFact):
    kind: ClassVar[str] = "order.voided"
    staff: StaffRef
    reason: str
    at: Timestamp


class OrderRenumbered(OrderFact):
    """Two live orders of one store and business day met with one ticket number
    (a partition, a restored tablet): the later one takes ``number``, a number
    of the renumbering node's own lane, replacing ``was``. Two nodes may both
    renumber it; of the proposals answering one number every node keeps the
    lowest, and the order shows the end of that chain (registers/renumber.py)."""

    kind: ClassVar[str] = "order.renumbered"
    number: Count
    was: Count


class RefundedLine(Payload):
    position: Count
    qty: Count


class OrderRefunded(OrderFact):
    kind: ClassVar[str] = "order.refunded"
    omit_when_none: ClassVar[frozenset[str]] = frozenset({"issuer"})
    refund: uuid.UUID
    business_date: dt.date
    register_name: str = Field("", validation_alias="register", serialization_alias="register")
    method: Method
    amount: Yen
    taxes: list[TaxLine]
    lines: list[RefundedLine]
    staff: StaffRef
    reason: str
    at: Timestamp
    issuer: Issuer | None = None  # who issued the refund receipt (None before refunds carried it)


class OrderAdjusted(OrderFact):
    """A manager's change to an open order's price: ``value`` and the price it replaced (``was``)."""

    position: Count | None = None
    value: Yen
    was: Yen
    staff: StaffRef
    reason: str
    at: Timestamp


class OrderDiscounted(OrderAdjusted):
    """``value`` yen off the bill (``position`` is None)."""

    kind: ClassVar[str] = "order.discounted"


class OrderPriceOverridden(OrderAdjusted):
    """Line ``position`` sold at unit price ``value``."""

    kind: ClassVar[str] = "order.price_overridden"


class DrawerMoved(Event):
    id: uuid.UUID
    business_date: dt.date
    register_name: str = Field(validation_alias="register", serialization_alias="register")
    amount: Yen
    reason: str = ""
    staff: StaffRef
    at: Timestamp


class DrawerOpened(DrawerMoved):
    kind: ClassVar[str] = "drawer.open"


class DrawerPaidIn(DrawerMoved):
    kind: ClassVar[str] = "drawer.paid_in"


class DrawerPaidOut(DrawerMoved):
    kind: ClassVar[str] = "drawer.paid_out"


class DrawerCounted(DrawerMoved):
    kind: ClassVar[str] = "drawer.count"


class ShiftStarted(Event):
    kind: ClassVar[str] = "shift.started"
    shift: uuid.UUID
    staff: StaffRef
    register_name: str = Field("", validation_alias="register", serialization_alias="register")
    at: Timestamp


class ShiftEnded(Event):
    kind: ClassVar[str] = "shift.ended"
    shift: uuid.UUID
    staff: StaffRef
    at: Timestamp


class DayClosed(Event):
    """The Z report: a numbered, immutable close of a business day.

    ``frontier`` is the closing node's version vector of its store's origins
    when it closed: what the Z counted. A change it does not cover belongs to
    the next business day on every node (stores/business_day.py). Closes
    written before it existed have none and count everything of their day.
    """

    kind: ClassVar[str] = "day.closed"
    omit_when_none: ClassVar[frozenset[str]] = frozenset({"frontier"})
    business_date: dt.date
    number: Count
    report: dict[str, Any]
    frontier: dict[Annotated[str, Field(min_length=1, max_length=80)], Annotated[int, Field(strict=True, ge=0)]] | None = Field(
        None, max_length=1000
    )
    staff: StaffRef
    at: Timestamp


class ReceiptPrinted(OrderFact):
    kind: ClassVar[str] = "receipt.printed"
    # "copy" on the wire; a field of that name would shadow BaseModel.copy.
    reprint: bool = Field(validation_alias="copy", serialization_alias="copy")
    register_name: str = Field(validation_alias="register", serialization_alias="register")
    at: Timestamp

