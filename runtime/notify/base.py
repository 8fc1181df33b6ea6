"""The shape every delivery variant shares."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any


class DeliveryFailed(Exception):
    """The message did not go out this time; a later attempt may work."""


class TargetGone(DeliveryFailed):
    """The target no longer exists (a push subscription the browser dropped): stop sending to it."""


@dataclass(frozen=True)
class Notification:
    """What a person sees. ``ttl`` (seconds) is how long the push service may hold
    it for an offline device: an alert about the kitchen is worthless an hour later."""

    title: str
    body: str
    url: str = "/"
    tag: str = ""
    ttl: int = 600
    urgency: str = "high"
    data: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> str:
        payload = asdict(self)
        payload.pop("ttl")
        payload.pop("urgency")
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


class Transport:
    """Deliver one notification to one target. Raise ``TargetGone`` when the
    target is gone for good, ``DeliveryFailed`` for anything worth retrying."""

    name = "base"

    def send(self, target: dict[str, Any], notification: Notification) -> None:  # pragma: no cover - interface
        raise NotImplementedError
