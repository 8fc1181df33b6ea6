"""Staff events: HQ's record of a person at a store (``staff.set``) and a
manager's PIN reset at the store (``staff.pin_reset``).

``staff.set`` is master data: written only by HQ, signed with HQ's key, and
recorded for one store at a time (HQ's origin for that store), so a store
receives only its own people and their PIN hashes. ``staff.pin_reset`` is a
store's own fact (who reset it and why), replicated to its siblings and HQ.
The projector is stores/projections.py.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from sync.events import Authority, Event, Timestamp

Role = Literal["cashier", "manager", "kitchen"]


class StaffSet(Event):
    """A person's profile at the change's store; ``pin_hash`` only when HQ set or reset the PIN."""

    kind: ClassVar[str] = "staff.set"
    authors: ClassVar[Authority] = Authority.HQ
    omit_when_none: ClassVar[frozenset[str]] = frozenset({"pin_hash"})
    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=64)
    role: Role
    active: bool
    pin_hash: str | None = Field(None, max_length=200)
    by: str = Field("", max_length=64)
    at: Timestamp

    def provides(self) -> str | None:
        return f"staff:{self.code}"


class StaffPinReset(Event):
    """A manager reset a staff member's PIN at the store (``by`` is the manager's name)."""

    kind: ClassVar[str] = "staff.pin_reset"
    code: str = Field(min_length=1, max_length=32)
    pin_hash: str = Field(min_length=1, max_length=200)
    by: str = Field(max_length=64)
    reason: str = Field(max_length=200)
    at: Timestamp

    def requires(self) -> str | None:
        # A sibling's reset can come before HQ's staff.set of the person: wait for it.
        return f"staff:{self.code}"
