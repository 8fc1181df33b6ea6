"""The security app's events: a device paired (its token's digest) or revoked.

Both may be recorded at a store's node or, for that store, in HQ's admin.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from sync.events import Authority, Event, Timestamp


class DeviceFact(Event):
    authors: ClassVar[Authority] = Authority.HQ_OR_STORE_NODE
    device: str  # sha256 of the device token: the token itself never leaves the device
    name: str
    # "kind" on the wire (register or kitchen); the event's own kind is the ClassVar.
    device_kind: str = Field(validation_alias="kind", serialization_alias="kind")
    at: Timestamp


class DevicePaired(DeviceFact):
    kind: ClassVar[str] = "device.paired"


class DeviceRevoked(DeviceFact):
    kind: ClassVar[str] = "device.revoked"
    by: str = ""
