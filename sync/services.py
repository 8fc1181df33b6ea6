"""Writes to the change log: recording local facts and applying remote ones."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from runtime import workers
from sync import merge, signing
from sync.clock import Clock
from sync.events import Event
from sync.models import Change, NodeState, ScopedOrigin
from sync.projection import project_many, recorded_attach


def _now_ms() -> int:
    return int(time.time() * 1000)


def node_state_get() -> NodeState:
    """This node's identity row, created on first use."""
    state = NodeState.objects.filter(pk=1).first()
    if state is not None:
        return state
    try:
        with transaction.atomic():
            return NodeState.objects.create(pk=1, node=settings.POS_NODE, origin=new_origin())
    except IntegrityError:
        return NodeState.objects.get(pk=1)


@dataclass(frozen=True)
class Fact:
    """A local event to record, for ``store``, under ``id`` (a fresh one when None)."""

    event: Event
    store: str
    id: uuid.UUID | None = None


def change_record(event: Event, *, store: str, change_id: uuid.UUID | None = None) -> Change:
    """Append a local fact to the change log and project it.

    Must run inside ``transaction.atomic()``: the change and its projection
    commit together or not at all. Locking the node row serialises sequence
    allocation, so seqs have no gaps and no repeats.
    """
    return changes_record([Fact(event, store, change_id)])[0]


def changes_record(facts: list[Fact]) -> list[Change]:
    """Append several local facts in one go: one lock of the node row, one
    insert, and the projectors folding them together. The same rules as
    change_record."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("change_record() must run inside transaction.atomic()")
    if not facts:
        return []
    state = NodeState.objects.select_for_update().filter(pk=1).first()
    if state is None:
        node_state_get()
        state = NodeState.objects.select_for_update().get(pk=1)
    clock = Clock(state.last_hlc)
    hq = settings.POS_ROLE == "hq"
    scopes: dict[str, ScopedOrigin] = {}
    changes = []
    for fact in facts:
        clock = clock.tick(_now_ms())
        # At HQ a fact for one store goes under HQ's origin for that store, so
        # that it is shipped to that store alone (ScopedOrigin).
        chain: NodeState | ScopedOrigin = state
        if hq and fact.store != merge.ALL_STORES:
            chain = scopes.get(fact.store) or scopes.setdefault(fact.store, _scope_locked(state, fact.store))
        chain.last_seq += 1
        change = Change(
            id=fact.id or uuid.uuid4(),
            origin=chain.origin,
            seq=chain.last_seq,
            store=fact.store,
            kind=fact.event.kind,
            hlc=clock.last,
            payload=fact.event.payload(),
            prev_digest=chain.last_digest,
        )
        change.digest = change_digest(change)
        chain.last_digest = change.digest
        if hq:
            change.signature = signing.sign(change.digest)
        recorded_attach(change, fact.event)
        changes.append(change)
    for scope in scopes.values():
        scope.save(update_fields=["last_seq", "last_digest"])
    state.last_hlc = clock.last
    state.save(update_fields=["last_seq", "last_hlc", "last_digest"])
    if len(changes) == 1:
        changes[0].save(force_insert=True)
    else:
        Change.objects.bulk_create(changes)
    project_many(changes)
    transaction.on_commit(replication_wake)
    return changes


def _scope_locked(state: NodeState, store: str) -> ScopedOrigin:
    """HQ's origin for ``store``'s facts, derived from HQ's current origin (the
    caller holds the node row's lock, which serialises its seqs too)."""
    origin = f"hq:{store}:{state.origin.removeprefix('hq:')}"[:80]
    scope, _ = ScopedOrigin.objects.get_or_create(origin=origin, defaults={"store": store})
    return scope


def new_origin() -> str:
    """A fresh origin id for this installation (NodeState.new_origin). HQ's
    carry the HQ prefix, a store node's its store code; neither proves
    anything alone: HQ's changes carry HQ's signature (sync/signing.py), and a
    store's key may write only under its own store's origins (sync/merge.py)."""
    return NodeState.new_origin(settings.POS_NODE)


def replication_wake() -> None:
    """After a commit: push the new changes to the siblings and HQ now rather
    than at the next interval (the database is the truth; this is a doorbell)."""
    workers.wake("sync-push")
    workers.wake("sync-hq")


def change_digest(change: Any) -> str:
    """The chain hash of a change: sha256 over the previous digest and the change's content."""
    content = {
        "id": str(change.id),
        "origin": change.origin,
        "seq": change.seq,
        "store": change.store,
        "kind": change.kind,
        "hlc": change.hlc,
        "payload": change.payload,
        "prev": change.prev_digest,
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()
