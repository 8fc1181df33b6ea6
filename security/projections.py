"""device.paired / device.revoked folded into registers.Device, keyed by the token digest.

Order-independent: a revocation that arrives before its pairing creates the
row already revoked, and a pairing never clears a revocation, so every node
ends with the same set of refused tokens whatever the delivery order.
"""

from __future__ import annotations

from security.events import DevicePaired, DeviceRevoked
from stores.models import Device
from sync.projection import Recorded, projector


def _free_name(store: str, name: str, token_hash: str) -> str:
    # Two nodes may pair two tablets under one name while apart; the second
    # keeps a recognisable name instead of breaking replication.
    if Device.objects.filter(store=store, name=name).exclude(token_hash=token_hash).exists():
        return f"{name[:56]}-{token_hash[:7]}"
    return name


@projector(DevicePaired)
def device_paired(change: Recorded[DevicePaired]) -> None:
    p = change.event
    if Device.objects.filter(token_hash=p.device).exists():
        return
    Device.objects.create(
        store=change.store, name=_free_name(change.store, p.name, p.device), kind=p.device_kind, token_hash=p.device
    )


@projector(DeviceRevoked)
def device_revoked(change: Recorded[DeviceRevoked]) -> None:
    p = change.event
    at = p.at
    device = Device.objects.filter(token_hash=p.device).first()
    if device is None:
        Device.objects.create(
            store=change.store, name=_free_name(change.store, p.name, p.device), kind=p.device_kind,
            token_hash=p.device, revoked_at=at,
        )
    elif device.revoked_at is None or device.revoked_at > at:
        device.revoked_at = at  # the earliest revocation wins, on every node
        device.save(update_fields=["revoked_at"])
