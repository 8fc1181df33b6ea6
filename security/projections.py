"""device.paired / device.revoked folded into stores' Device rows (through stores' services), keyed by the token digest.

A revocation also closes the device's open sockets on this node once it
commits (runtime.sockets), wherever it was recorded: here, at a sibling or
in HQ's admin.

Order-independent: a revocation that arrives before its pairing creates the
row already revoked, and a pairing never clears a revocation, so every node
ends with the same set of refused tokens whatever the delivery order.
"""

from __future__ import annotations

from runtime.sockets import device_sockets_close_after_commit
from security.events import DevicePaired, DeviceRevoked
from stores.services import device_add, device_revoke_row
from sync.projection import Recorded, projector


@projector(DevicePaired)
def device_paired(change: Recorded[DevicePaired]) -> None:
    p = change.event
    device_add(store=change.store, name=p.name, kind=p.device_kind, token_hash=p.device)


@projector(DeviceRevoked)
def device_revoked(change: Recorded[DeviceRevoked]) -> None:
    p = change.event
    if not device_revoke_row(token_hash=p.device, at=p.at):
        device_add(store=change.store, name=p.name, kind=p.device_kind, token_hash=p.device, revoked_at=p.at)
    device_sockets_close_after_commit(p.device)
