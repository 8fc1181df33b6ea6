"""Acceptance control: may a channel take an order right now, and if not, why.

A channel refuses orders when a manager paused it (a rush, a broken fryer) or
automatically when a kitchen station that menu items need has no live screen
and no working printer: an order sent there would be stored but nobody would
cook it, which is the silent loss the integrator must never get. The check is
computed from presence at the moment of asking, so acceptance resumes by
itself as soon as a screen comes back. The register is never subject to it:
staff can call an order out to the kitchen.

At HQ, which relays channel orders to the store (integrations/relay.py), the
same question is answered from what the store's nodes tell HQ: a store none
of whose nodes is in touch is ``store_unreachable``, one whose live nodes
report no screen or printer for a needed station ``kitchen_unreachable``
(hq app, through sync.hooks.store_gate).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from integrations.models import CHANNEL_CODES, ChannelPause
from kitchen.selectors import stations_reachable
from menu.models import MenuItem
from sync import hooks

KITCHEN_UNREACHABLE = "kitchen_unreachable"
STORE_UNREACHABLE = "store_unreachable"
CHANNEL_PAUSED = "channel_paused"


@dataclass(frozen=True)
class Acceptance:
    channel: str
    accepting: bool
    code: str = ""
    reason: str = ""
    paused_by: str = ""
    stations_unreachable: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "accepting": self.accepting,
            "code": self.code or None,
            "reason": self.reason or None,
            "paused_by": self.paused_by or None,
            "stations_unreachable": self.stations_unreachable,
        }


def stations_needed() -> set[str]:
    """Stations that some orderable menu item is cooked at."""
    return set(
        MenuItem.objects.filter(available=True, station__isnull=False).values_list("station__code", flat=True)
    )


def channels_acceptance(*, store: str | None = None) -> dict[str, Acceptance]:
    """Every channel's acceptance, reading presence and pauses once."""
    store = store or settings.POS_STORE
    pauses = {p.channel: p for p in ChannelPause.objects.filter(store=store, paused=True)}
    if settings.POS_ROLE == "hq":
        gate = hooks.store_gate(store)
        return {channel: _decide_at_hq(channel, pauses.get(channel), gate) for channel in CHANNEL_CODES}
    stations = stations_reachable()
    down = sorted(code for code in stations_needed() if code in stations and not stations[code]["reachable"])
    return {channel: _decide(channel, pauses.get(channel), down, stations) for channel in CHANNEL_CODES}


def _decide(channel: str, pause: ChannelPause | None, down: list[str], stations: dict) -> Acceptance:
    if pause is not None:
        why = f"the store paused {channel} orders" + (f": {pause.reason}" if pause.reason else "")
        return Acceptance(channel, False, CHANNEL_PAUSED, why, pause.by, down)
    if down:
        names = ", ".join(f"{stations[c]['name_en']} ({c})" for c in down)
        why = f"no kitchen screen or printer is reachable for {names}; the kitchen could not get the order"
        return Acceptance(channel, False, KITCHEN_UNREACHABLE, why, "", down)
    return Acceptance(channel, True)


def _decide_at_hq(channel: str, pause: ChannelPause | None, gate: tuple[str, str, list[str]] | None) -> Acceptance:
    if gate is not None and gate[0] == STORE_UNREACHABLE:
        return Acceptance(channel, False, gate[0], gate[1], "", [])
    if pause is not None:
        return _decide(channel, pause, [], {})
    if gate is not None:
        return Acceptance(channel, False, gate[0], gate[1] + "; the kitchen could not get the order", "", gate[2])
    return Acceptance(channel, True)


def channel_acceptance(*, channel: str, store: str | None = None) -> Acceptance:
    return channels_acceptance(store=store)[channel]
