"""Staff: PIN checks, manager approval and shifts (clock in / clock out as changes).

A manager's approval is checked on the server for every void, refund and drawer
movement: the PIN travels with the request, so a tablet that was left logged in
cannot approve anything by itself.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from registers.events import ShiftEnded, ShiftStarted, StaffRef
from registers.models import Shift
from security.throttle import BUDGETS, Throttled, attempt_begin, attempt_end
from stores import pins
from stores.events import StaffPinReset
from stores.models import Staff
from stores.selectors import staff_with_pin
from sync.services import change_record


class NotAllowed(PermissionError):
    """The PIN is missing, wrong, or not a manager's (HTTP 403). Nothing was recorded."""


class TooManyPins(NotAllowed):
    """Too many wrong PINs lately (HTTP 429): a 4-digit PIN must not be guessable by trying them all."""


# A 4-digit PIN has 10 000 values; at most MAX_PIN_FAILURES wrong ones per
# PIN_WINDOW_S per store keeps trying them all to weeks. Counted in the
# database of the store's decider (security/throttle.py), so every node and
# daphne process of the store shares one count and a restart does not reset it.
MAX_PIN_FAILURES = BUDGETS["pin"].limit
PIN_WINDOW_S = BUDGETS["pin"].window_s


@dataclass(frozen=True)
class Approver:
    id: int
    name: str
    role: str

    def as_ref(self) -> StaffRef:
        return StaffRef(id=self.id, name=self.name, role=self.role)


def staff_by_pin(*, pin: str | None) -> Staff | None:
    """The active staff member with this PIN. Must run outside a transaction
    that may roll back: the attempt is counted before the PIN is looked at
    (so parallel guesses cannot all slip under the limit), and given back
    only when the PIN is right."""
    if not pin:
        return None
    store = settings.POS_STORE
    try:
        reservation = attempt_begin(scope="pin")
    except Throttled as exc:
        raise TooManyPins(str(exc)) from None
    staff = staff_with_pin(store=store, pin=pin)
    if staff is not None:
        attempt_end(reservation)
    return staff


def manager_approve(*, pin: str | None, action: str) -> Approver:
    """The manager whose PIN this is, or NotAllowed naming what is missing."""
    if not pin:
        raise NotAllowed(f"{action} needs a manager PIN (manager_pin)")
    staff = staff_by_pin(pin=pin)
    if staff is None:
        raise NotAllowed(f"{action}: wrong PIN")
    if staff.role != "manager":
        raise NotAllowed(f"{action} needs a manager's PIN; {staff.name} is a {staff.role}")
    return Approver(staff.pk, staff.name, staff.role)


# Who may open the register and sell: the kitchen's people work at the kitchen screen.
SELLING_ROLES = frozenset({"cashier", "manager"})


def register_open(*, pin: str | None) -> Staff:
    """The staff member who opens the register with ``pin``: NotAllowed when the
    PIN is wrong or theirs is a role that does not sell (kitchen)."""
    staff = staff_by_pin(pin=pin)
    if staff is None:
        raise NotAllowed("wrong PIN")
    if staff.role not in SELLING_ROLES:
        raise NotAllowed(f"{staff.name} is {staff.role} staff and cannot sell at a register")
    return staff


class PinResetRefused(ValueError):
    """A PIN reset that cannot be made here (no such cashier, no reason, a PIN taken); the message says why."""


def staff_pin_reset(*, code: str, pin: str, manager_pin: str | None, reason: str) -> Staff:
    """A manager resets a cashier's PIN at the store: recorded (who and why) as a
    change that reaches the siblings and HQ. A manager's or kitchen PIN is reset at HQ."""
    who = manager_approve(pin=manager_pin, action="resetting a PIN")
    reason = reason.strip()
    if not reason:
        raise PinResetRefused("say why the PIN is reset (reason)")
    store = settings.POS_STORE
    target = Staff.objects.filter(store=store, code=code, active=True).first()
    if target is None:
        raise PinResetRefused(f"no active staff member {code} at this store")
    if target.role != "cashier":
        raise PinResetRefused(f"a manager resets a cashier's PIN here; {target.name}'s ({target.role}) is reset at HQ")
    try:
        pin_hash = pins.pin_make(pin)
    except pins.BadPin as exc:
        raise PinResetRefused(str(exc)) from None
    if staff_with_pin(store=store, pin=pin, other_than=code) is not None:
        raise PinResetRefused("this PIN is already someone else's: choose another")
    with transaction.atomic():
        change_record(
            StaffPinReset(code=code, pin_hash=pin_hash, by=who.name, reason=reason[:200], at=timezone.now()), store=store
        )
    target.refresh_from_db()
    return target


def staff_identify(*, pin: str | None) -> Approver:
    staff = staff_by_pin(pin=pin)
    if staff is None:
        raise NotAllowed("wrong PIN")
    return Approver(staff.pk, staff.name, staff.role)


def shift_start(*, pin: str, register: str) -> Shift:
    """Clock in. Clocking in again while on shift returns the open shift and records nothing."""
    who = staff_identify(pin=pin)
    with transaction.atomic():
        open_shift = Shift.objects.filter(store=settings.POS_STORE, staff_id=who.id, ended_at__isnull=True).first()
        if open_shift is not None:
            return open_shift
        shift_id = uuid.uuid4()
        change_record(
            ShiftStarted(shift=shift_id, staff=who.as_ref(), register_name=register, at=timezone.now()),
            store=settings.POS_STORE,
        )
        return Shift.objects.get(pk=shift_id)


def shift_end(*, pin: str) -> Shift | None:
    """Clock out of the open shift; None when not on shift."""
    who = staff_identify(pin=pin)
    with transaction.atomic():
        open_shift = Shift.objects.filter(store=settings.POS_STORE, staff_id=who.id, ended_at__isnull=True).first()
        if open_shift is None:
            return None
        change_record(
            ShiftEnded(shift=open_shift.pk, staff=who.as_ref(), at=timezone.now()), store=settings.POS_STORE
        )
        open_shift.refresh_from_db()
        return open_shift


def staff_on_duty(*, store: str) -> list[Shift]:
    return list(
        Shift.objects.filter(store=store, started_at__isnull=False, ended_at__isnull=True).order_by("started_at")
    )
