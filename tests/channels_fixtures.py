"""Personas for the order-channel tests: a delivery platform with a key, kitchen screens present."""

from __future__ import annotations

import uuid
from typing import Any

STATIONS = ("grill", "fryer", "drinks")


def channel_body(**overrides: Any) -> dict[str, Any]:
    """A delivery platform's order: a beef bowl and fries to take out, paid on the platform by card."""
    body: dict[str, Any] = {
        "idempotency_key": f"dp-{uuid.uuid4().hex[:12]}",
        "channel": "delivery",
        "dining": "take_out",
        "lines": [{"sku": "GYUDON", "qty": 1, "modifiers": ["size_nami"]}, {"sku": "FRIES", "qty": 1}],
        "payments": [],
    }
    body.update(overrides)
    return body


def screens_on(*stations: str) -> None:
    """Kitchen screens connected for ``stations`` (presence rows, as the feed consumer writes them)."""
    from kitchen.services import screen_seen

    for station in stations or STATIONS:
        screen_seen(channel_name=f"test-screen-{station}", station=station)


def screen_off(station: str) -> None:
    from kitchen.services import screen_gone

    screen_gone(channel_name=f"test-screen-{station}")
