"""Table service: open checks as events (後会計).

A check is never a row that devices edit: opening it, each round sent to the
kitchen, a move, a merge and its settlement are each their own event, so two
devices adding to one check on two cut-off nodes both keep their rounds. A
round is an ordinary unpaid eat-in order (order.placed, under the check's
ticket number) linked to the check by ``check.round``: the kitchen, the
payments, the receipts and the reports see orders as they always have.
Projectors are in registers/check_projections.py.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, ClassVar

from pydantic import Field

from sync.events import Count, Event, Payload, Timestamp, Yen

TableCode = Annotated[str, Field(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9_-]+$")]


class CheckFact(Event):
    """An event about an open check: projected only once the check is here."""

    check: uuid.UUID

    def requires(self) -> str | None:
        return f"check:{self.check}"


class CheckOpened(Event):
    kind: ClassVar[str] = "check.opened"
    check: uuid.UUID
    table: TableCode
    guests: Annotated[int, Field(strict=True, ge=1, le=99)]
    number: Count
    business_date: dt.date
    register_name: str = Field(validation_alias="register", serialization_alias="register")
    at: Timestamp

    def provides(self) -> str | None:
        return f"check:{self.check}"


class CheckRoundSent(CheckFact):
    """Order ``order`` (placed in the same transaction) is a round of the check."""

    kind: ClassVar[str] = "check.round"
    order: uuid.UUID
    source: Annotated[str, Field(max_length=16)] = "staff"  # "staff" or "guest" (the table's QR code)
    at: Timestamp


class CheckMoved(CheckFact):
    """The check moved to another table; the latest move by (hlc, origin) wins."""

    kind: ClassVar[str] = "check.moved"
    id: uuid.UUID  # the device's command id: a replay records nothing new
    table: TableCode
    at: Timestamp


class CheckMerged(CheckFact):
    """The check's rounds and guests join check ``into``; the check itself is no longer open."""

    kind: ClassVar[str] = "check.merged"
    id: uuid.UUID
    into: uuid.UUID
    at: Timestamp


class CheckSettled(CheckFact):
    """The node that took the last part payment saw the check fully paid; ``orders``
    are the rounds it saw. A round it did not see was added elsewhere meanwhile
    (registers/conflicts.py flags it; it stays due)."""

    kind: ClassVar[str] = "check.settled"
    orders: list[uuid.UUID] = Field(max_length=1000)
    at: Timestamp


class PartAllocation(Payload):
    order: uuid.UUID
    amount: Yen


class CheckPartPaid(CheckFact):
    """One part of a split bill paid (``part``, the device's id): the order.paid
    changes recorded with it carry the money; this says which part they were."""

    kind: ClassVar[str] = "check.part_paid"
    part: uuid.UUID
    method: str = Field(max_length=8)
    amount: Yen
    allocations: list[PartAllocation] = Field(max_length=1000)
    at: Timestamp
