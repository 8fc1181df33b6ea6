"""The cash drawer: opening float, paid in, paid out and the counted close, as changes.

Expected cash is worked out in registers/reports.py from these and the day's
cash sales and refunds; a count records what is really there, so the report
shows over or short instead of trusting the arithmetic.
"""

from __future__ import annotations

import uuid

from django.db import transaction
from django.utils import timezone

from registers.day_close import selling_day
from registers.events import DrawerCounted, DrawerMoved, DrawerOpened, DrawerPaidIn, DrawerPaidOut
from registers.models import DrawerEvent
from registers.staff import manager_approve, staff_identify
from registers.voids import MoneyRejected
from stores.services import store_get_current
from sync.services import change_record

EVENTS: dict[str, type[DrawerMoved]] = {
    "open": DrawerOpened, "paid_in": DrawerPaidIn, "paid_out": DrawerPaidOut, "count": DrawerCounted,
}
KINDS = tuple(EVENTS)
# Money moving in or out without a sale is where a drawer goes missing; a
# manager approves it. Opening and counting are any staff's job.
MANAGER_KINDS = ("paid_in", "paid_out")
MAX_AMOUNT = 10_000_000


def drawer_record(
    *, event_id: uuid.UUID, kind: str, register: str, amount: int, reason: str, pin: str | None
) -> tuple[DrawerEvent, bool]:
    """Record one drawer movement; the same ``event_id`` again returns it and records nothing."""
    if kind not in KINDS:
        raise MoneyRejected(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if kind in MANAGER_KINDS:
        who = manager_approve(pin=pin, action=f"drawer {kind}")
    else:
        who = staff_identify(pin=pin)
    if not 0 <= amount <= MAX_AMOUNT:
        raise MoneyRejected(f"amount must be from 0 to {MAX_AMOUNT} yen, not {amount}")
    if kind in MANAGER_KINDS and not amount:
        raise MoneyRejected("paid in or out needs an amount above 0")
    if kind in MANAGER_KINDS and not reason.strip():
        raise MoneyRejected("say why money goes in or out of the drawer (reason)")
    existing = DrawerEvent.objects.filter(pk=event_id).first()
    if existing is not None:
        return existing, False
    store = store_get_current()
    at = timezone.now()
    with transaction.atomic():
        change_record(
            EVENTS[kind](
                id=event_id,
                business_date=selling_day(store),
                register_name=register,
                amount=amount,
                reason=reason.strip()[:200],
                staff=who.as_ref(),
                at=at,
            ),
            store=store.code,
        )
    return DrawerEvent.objects.get(pk=event_id), True
