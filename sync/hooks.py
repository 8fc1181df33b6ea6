"""What the apps above sync plug into it, so that sync never imports them.

sync is the bottom domain layer: it knows changes, clocks and peers, not
orders, stores or kitchens. Where replication needs an answer only an app
above can give, that app registers it here (in its ``AppConfig.ready()``):

- ``need_check(kind)``: whether a need such as ``order:<id>`` is satisfied
  (a change waiting for it is parked until it is);
- ``store_key_resolver``: the key a node of a store signs with, at HQ;
- ``hq_pull_extra(name)``: what a store node adds to its HQ link's pulls
  (the kitchen's live screens), under a key of the pull's body;
- ``peer_called``: a signal sent at HQ for each signed call of a store node;
- ``store_gate_provider``: at HQ, why a store cannot take a relayed channel
  order now (its link or its kitchen), from what its nodes' calls said.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.dispatch import Signal

log = logging.getLogger(__name__)

NeedCheck = Callable[[str], bool]
_need_checks: dict[str, NeedCheck] = {}


def need_check(kind: str) -> Callable[[NeedCheck], NeedCheck]:
    """Register ``func(key) -> bool`` as the judge of needs ``kind:key``."""

    def register(func: NeedCheck) -> NeedCheck:
        _need_checks[kind] = func
        return func

    return register


def need_satisfied(need: str) -> bool:
    """Whether ``need`` is here; a kind nobody judges counts as satisfied."""
    kind, _, key = need.partition(":")
    check = _need_checks.get(kind)
    return True if check is None else check(key)


_store_key: Callable[[str], str | None] = lambda store: None  # noqa: E731 - until the owner of stores registers


def store_key_resolver(func: Callable[[str], str | None]) -> Callable[[str], str | None]:
    """Register ``func(store) -> key or None``: the sync key of a store, at HQ."""
    global _store_key
    _store_key = func
    return func


def store_key(store: str) -> str | None:
    return _store_key(store)


_pull_extras: dict[str, Callable[[], Any]] = {}


def hq_pull_extra(name: str) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
    """Register ``func()`` whose answer a store node sends under ``name`` in its HQ link's pulls."""

    def register(func: Callable[[], Any]) -> Callable[[], Any]:
        _pull_extras[name] = func
        return func

    return register


def hq_pull_extras() -> dict[str, Any]:
    """Each registered extra; one that fails is sent as None and never stops the pull."""
    extras: dict[str, Any] = {}
    for name, func in _pull_extras.items():
        try:
            extras[name] = func()
        except Exception:  # noqa: BLE001 - HQ just shows nothing for this node
            log.exception("%s for HQ", name)
            extras[name] = None
    return extras


# At HQ, after a store node's signed call is verified: ``store``, ``node`` and
# ``body`` (the call's JSON object, or {} when it is not one).
peer_called = Signal()


# At HQ: (code, reason, stations) when store ``store`` cannot take a relayed
# order now (``store_unreachable``, ``kitchen_unreachable``), None when it can.
StoreGate = Callable[[str], "tuple[str, str, list[str]] | None"]
_store_gate: StoreGate = lambda store: None  # noqa: E731 - until the app that hears the stores registers


def store_gate_provider(func: StoreGate) -> StoreGate:
    """Register ``func(store) -> (code, reason, stations) or None`` (the hq app)."""
    global _store_gate
    _store_gate = func
    return func


def store_gate(store: str) -> tuple[str, str, list[str]] | None:
    return _store_gate(store)
