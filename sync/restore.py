"""Noticing that this node's database went back (restored from a backup, or
an older copy put in place), saying so in health, and telling when the
changes it lost are back.

Nothing here is needed for correctness: every process issues its changes
under an origin of its own (sync.services), so a restored database never
issues a sequence number twice, and what it lost comes back from the peers
through ordinary replication. This module is how a person learns of it.

Two witnesses: the note beside the database (runtime/lifemark.py), read
once at process start, which says how far this node's own changes had gone;
and every peer's vector, which may hold more of an origin this node retired
than this node does.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from runtime import health, lifemark
from sync.models import VectorEntry
from sync.services import life_start, node_state_get, retired_origins

log = logging.getLogger(__name__)

_lock = threading.Lock()
_missing: dict[str, int] = {}  # origin of ours -> the seq a witness says it reached


def held(origins: list[str]) -> dict[str, int]:
    """How far this node holds each of ``origins`` (its current one by the node row)."""
    state = node_state_get()
    found = dict(VectorEntry.objects.filter(origin__in=origins).values_list("origin", "seq"))
    if state.origin in origins:
        found[state.origin] = state.last_seq
    return {origin: found.get(origin, 0) for origin in origins}


def life_begin() -> str:
    """At process start, before serving: compare the database with the note
    beside it, then take this process's own origin. Returns the origin."""
    note = lifemark.read()
    origin, seq = note.get("origin"), note.get("seq")
    went_back = False
    if isinstance(origin, str) and isinstance(seq, int) and seq > 0:
        with transaction.atomic():
            have = held([origin])[origin]
        if have < seq:
            went_back = True
            evidence(origin, have, seq, _("this node's own record (node-life.json in its data folder)"))
    return life_start(went_back=went_back)


def evidence(origin: str, have: int, seen: int, where: Any) -> None:
    """A witness says ``origin`` (ours) reached ``seen``; we hold it only to ``have``."""
    with _lock:
        first = origin not in _missing
        _missing[origin] = max(_missing.get(origin, 0), seen)
    if first:
        log.warning("database went back: %s holds %s up to #%s, this node only up to #%s", where, origin, seen, have)
    health.reason_set(health.RESTORED, origin=origin, held=have, seen=seen, where=where)


def peer_vector_seen(theirs: dict[str, int], where: Any) -> None:
    """A peer's vector: does it hold more of an origin this node retired than this node does?"""
    retired = retired_origins()
    # Cheap in the common case: a peer holds a retired origin exactly as far
    # as we had reached when we retired it.
    ahead = [o for o, seq in theirs.items() if o in retired and seq > retired[o]]
    if not ahead:
        return
    have = held(ahead)
    for origin in ahead:
        if theirs[origin] > have[origin]:
            evidence(origin, have[origin], theirs[origin], where)


def recovering() -> bool:
    """Whether changes this node lost to a restore are still to come back."""
    with _lock:
        return bool(_missing)


def review() -> None:
    """After a pull: forget the origins now held as far as a witness saw them;
    health stops saying "restored" once nothing is missing."""
    with _lock:
        wanted = dict(_missing)
    if not wanted:
        return
    have = held(list(wanted))
    with _lock:
        for origin, seen in wanted.items():
            if have[origin] >= seen and _missing.get(origin) == seen:
                del _missing[origin]
        done = not _missing
    if done:
        log.warning("database went back: every change it lacked is back")
        health.reason_clear(health.RESTORED)


def forget() -> None:
    """Drop what was noticed (tests)."""
    with _lock:
        _missing.clear()
    health.reason_clear(health.RESTORED)


