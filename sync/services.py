"""Writes to the change log: recording local facts and applying remote ones."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from sync.clock import Clock
from sync.models import Change, NodeState
from sync.projection import project


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


def change_record(*, kind: str, store: str, payload: dict[str, Any], change_id: uuid.UUID | None = None) -> Change:
    """Append a local fact to the change log and project it.

    Must run inside ``transaction.atomic()``: the change and its projection
    commit together or not at all. Locking the node row serialises sequence
    allocation, so seqs have no gaps and no repeats.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("change_record() must run inside transaction.atomic()")
    node_state_get()
    state = NodeState.objects.select_for_update().get(pk=1)
    state.last_seq += 1
    state.last_hlc = Clock(state.last_hlc).tick(_now_ms()).last
    change = Change(
        id=change_id or uuid.uuid4(),
        origin=state.origin,
        seq=state.last_seq,
        store=store,
        kind=kind,
        hlc=state.last_hlc,
        payload=payload,
        prev_digest=state.last_digest,
    )
    change.digest = change_digest(change)
    state.last_digest = change.digest
    state.save(update_fields=["last_seq", "last_hlc", "last_digest"])
    change.save(force_insert=True)
    project(change)
    transaction.on_commit(replication_wake)
    return change


def new_origin() -> str:
    """A fresh origin id for this installation. HQ's carry the HQ prefix, which
    is how stores tell master data that really comes from HQ; a store node's
    name can never produce it."""
    node = settings.POS_NODE.replace(":", "-")
    origin = NodeState.new_origin(node)
    return f"hq:{origin}" if settings.POS_ROLE == "hq" else origin


def replication_wake() -> None:
    """After a commit: push the new changes to the siblings and HQ now rather
    than at the next interval (the database is the truth; this is a doorbell)."""
    from posweb import workers

    workers.wake("sync-push")
    workers.wake("sync-hq")


def change_digest(change: Change) -> str:
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
