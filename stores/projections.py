"""staff.set / staff.pin_reset folded into Staff rows, keyed by (store, code).

Last-writer-wins by (hlc, origin), the profile and the PIN each with their own
version, so every node ends with the same rows whatever the delivery order. A
reset that arrives before HQ's ``staff.set`` of the person is parked until it
comes (``requires`` / ``provides``, judged by ``staff_known``).
"""

from __future__ import annotations

from stores.events import StaffPinReset, StaffSet
from stores.models import Staff
from sync import merge
from sync.projection import Recorded, projector


def _pin_wins(row: Staff, change: Recorded[StaffSet] | Recorded[StaffPinReset]) -> bool:
    return merge.lww_wins(change.version, (row.pin_hlc, row.pin_origin) if row.pin_origin else None)


@projector(StaffSet)
def staff_set(change: Recorded[StaffSet]) -> None:
    p = change.event
    row = Staff.objects.select_for_update().filter(store=change.store, code=p.code).first()
    if row is None:
        row = Staff(store=change.store, code=p.code)
    fields: list[str] = []
    if merge.lww_wins(change.version, (row.hlc, row.origin) if row.origin else None):
        row.name, row.role, row.active, row.hlc, row.origin = p.name, p.role, p.active, change.hlc, change.origin
        fields += ["name", "role", "active", "hlc", "origin"]
    if p.pin_hash is not None and _pin_wins(row, change):
        row.pin_hash, row.pin_hlc, row.pin_origin = p.pin_hash, change.hlc, change.origin
        row.pin_set_by, row.pin_set_reason, row.pin_set_at = p.by, "", p.at
        fields += ["pin_hash", "pin_hlc", "pin_origin", "pin_set_by", "pin_set_reason", "pin_set_at"]
    if row.pk is None:
        row.save()
    elif fields:
        row.save(update_fields=fields)


@projector(StaffPinReset)
def staff_pin_reset(change: Recorded[StaffPinReset]) -> None:
    p = change.event
    row = Staff.objects.select_for_update().filter(store=change.store, code=p.code).first()
    if row is None or not _pin_wins(row, change):
        return
    row.pin_hash, row.pin_hlc, row.pin_origin = p.pin_hash, change.hlc, change.origin
    row.pin_set_by, row.pin_set_reason, row.pin_set_at = p.by, p.reason, p.at
    row.save(update_fields=["pin_hash", "pin_hlc", "pin_origin", "pin_set_by", "pin_set_reason", "pin_set_at"])


def staff_known(code: str) -> bool:
    """Whether this node has the person ``code`` (a parked PIN reset waits for it)."""
    return Staff.objects.filter(code=code).exists()
