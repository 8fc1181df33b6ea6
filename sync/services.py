"""Writes to the change log: recording local facts and applying remote ones."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Max

from runtime import lifemark, workers
from sync import merge, signing
from sync.bulk import row_new, rows_insert
from sync.clock import Clock
from sync.events import Event
from sync.models import Change, NodeState, RetiredOrigin, ScopedOrigin, VectorEntry
from sync.projection import project_many, recorded_attach
from sync.sql import quoted

log = logging.getLogger(__name__)


def _now_ms() -> int:
    return int(time.time() * 1000)


def node_state_get() -> NodeState:
    """This node's identity row, created on first use."""
    state = _node_row(_PLAIN)
    if state is not None:
        return state
    try:
        with transaction.atomic():
            state = NodeState.objects.create(pk=1, node=settings.POS_NODE, origin=new_origin())
        with _life.lock:
            _life.origin, _life.seq = state.origin, 0
        return state
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
    hq = settings.POS_ROLE == "hq"
    if ingest_concurrent():
        # The same per-store locks as an apply (sync/replication.py), taken
        # before the node row as there: what this records for a store is
        # never folded beside a concurrent apply of that store's changes.
        stores_lock({fact.store for fact in facts})
    state = _head_locked()
    if state is None:
        node_state_get()
        state = NodeState.objects.select_for_update().get(pk=1)
    if not life_owns(state):
        state = rotate_locked(state, NEW_LIFE if _life.origin is None else "the database went back")
    clock = Clock(state.last_hlc)
    if ingest_concurrent():
        # Applies there do not advance the node row's clock (that row would
        # serialise every store again); what they received is in the vector.
        received = VectorEntry.objects.aggregate(hlc=Max("hlc"))["hlc"] or 0
        clock = Clock(max(clock.last, received))
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
        change = row_new(Change, {
            "id": fact.id or uuid.uuid4(),
            "origin": chain.origin,
            "seq": chain.last_seq,
            "store": fact.store,
            "kind": fact.event.kind,
            "hlc": clock.last,
            "payload": fact.event.payload(),
            "prev_digest": chain.last_digest,
        })
        change.digest = change_digest(change)
        chain.last_digest = change.digest
        if hq:
            change.signature = signing.sign(change.digest)
        recorded_attach(change, fact.event)
        changes.append(change)
    for scope in scopes.values():
        scope.save(update_fields=["last_seq", "last_digest"])
    state.last_hlc = clock.last
    _head_save(state)
    rows_insert(Change, changes)
    project_many(changes)
    origin, seq = state.origin, state.last_seq
    transaction.on_commit(lambda: _committed(origin, seq))
    transaction.on_commit(replication_wake)
    return changes


def ingest_concurrent() -> bool:
    """Whether stores' changes are applied side by side: at HQ on PostgreSQL,
    each under its store's lock (stores_lock) instead of the one node row.
    A store node keeps its single writer (SQLite's own lock, and the node
    row that orders its local sales with its siblings' changes)."""
    return settings.POS_ROLE == "hq" and connection.vendor == "postgresql"


def stores_lock(stores: set[str]) -> None:
    """Lock each of ``stores`` until the end of the transaction (PostgreSQL
    advisory locks, in sorted order so two transactions cannot deadlock on
    them). One store's applies and records wait for each other; other
    stores' go on."""
    with connection.cursor() as cursor:
        for store in sorted(stores):
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"posweb.store:{store}"])


def _scope_locked(state: NodeState, store: str) -> ScopedOrigin:
    """HQ's origin for ``store``'s facts, derived from HQ's current origin (the
    caller holds the node row's lock, which serialises its seqs too)."""
    origin = f"hq:{store}:{state.origin.removeprefix('hq:')}"[:80]
    scope, _ = ScopedOrigin.objects.get_or_create(origin=origin, defaults={"store": store})
    return scope


class _Life:
    """The origin this process issues its changes under, and the highest seq
    it has committed there. Only this process ever issues seqs of that origin
    (every process takes its own at its first change), so a node row that
    names another origin, or that is behind what this process committed, is
    a database that went back or was swapped: never continue its count."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.origin: str | None = None
        self.seq = 0


_life = _Life()


def life_origin() -> str | None:
    """The origin this process records under (None before its first change)."""
    with _life.lock:
        return _life.origin


# The chain head: read, locked and written by every transaction that records
# something (each sale, ack, bump, payment). In SQL of its own, as the ORM's
# building of these two statements cost more than running them.
_HEAD = ("id", "origin", "last_seq", "last_hlc", "last_digest")


# The node row's columns read as stored (numbers and text): every sync call
# reads the row, and the ORM took about 0.5 ms of CPU to build that statement
# (32 us written out; README, HQ figures). Its time of creation loads when read.
_PLAIN = tuple(f.attname for f in NodeState._meta.concrete_fields if not isinstance(f, models.DateTimeField))


def _node_row(names: tuple[str, ...], *, lock: bool = False) -> NodeState | None:
    """The node row with ``names`` loaded (the rest load when read), locked
    until commit with ``lock``; None before the row exists."""
    locked = " FOR UPDATE" if lock and connection.features.has_select_for_update else ""
    columns = ", ".join(quoted(NodeState, name) for name in names)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {quoted(NodeState)} WHERE {quoted(NodeState, 'id')} = 1{locked}")
        row = cursor.fetchone()
    return None if row is None else NodeState.from_db(connection.alias, list(names), row)


def _head_locked() -> NodeState | None:
    """The node row's chain head, locked until commit (rotate_locked's save needs no more of it)."""
    return _node_row(_HEAD, lock=True)


def _head_save(state: NodeState) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quoted(NodeState)} SET {quoted(NodeState, 'last_seq')} = %s, {quoted(NodeState, 'last_hlc')} = %s,"
            f" {quoted(NodeState, 'last_digest')} = %s WHERE {quoted(NodeState, 'id')} = %s",
            [state.last_seq, state.last_hlc, state.last_digest, state.pk],
        )


def life_owns(state: NodeState) -> bool:
    with _life.lock:
        return state.origin == _life.origin and state.last_seq >= _life.seq


def _committed(origin: str, seq: int) -> None:
    with _life.lock:
        if origin == _life.origin:
            _life.seq = max(_life.seq, seq)
    lifemark.seq_note(origin, seq)


def own_store() -> str:
    """The store this node's own changes belong to: HQ authors master data for all."""
    return merge.ALL_STORES if settings.POS_ROLE == "hq" else settings.POS_STORE


#: The reason of an ordinary rotation (a process starting); every other reason
#: means this database went back (a restore, a copy) and its own rows with it.
NEW_LIFE = "a new process life"


def database_epoch() -> str:
    """Names this database's line of history, for readers that keep a cursor
    into this node's own tables (the kitchen feed): the same across restarts
    (each takes a new origin), new once the node found its database went back,
    when such cursors no longer name the same rows."""
    state = node_state_get()
    went_back = RetiredOrigin.objects.exclude(reason=NEW_LIFE).count()
    return f"{settings.POS_NODE}.{int(state.created_at.timestamp() * 1000)}.{went_back}"


def rotate_locked(state: NodeState, reason: str) -> NodeState:
    """Retire ``state``'s origin and give the (locked) node row a fresh one,
    saved in the caller's transaction. The old origin becomes an ordinary origin this node holds
    up to where it stopped: if its database went back, the rest of it comes
    back from the peers like anyone else's changes."""
    old, held = state.origin, state.last_seq
    if held:
        # Only an origin with changes enters the version vector: a node
        # restarted a hundred times without a sale adds nothing to it.
        VectorEntry.objects.update_or_create(
            origin=old, defaults={"store": own_store(), "seq": state.last_seq, "hlc": state.last_hlc}
        )
    RetiredOrigin.objects.update_or_create(origin=old, defaults={"seq": held, "reason": reason[:200]})
    state.origin, state.last_seq, state.last_digest = new_origin(), 0, ""
    state.save(update_fields=["origin", "last_seq", "last_digest"])
    with _life.lock:
        _life.origin, _life.seq = state.origin, 0
    retired_forget()
    transaction.on_commit(retired_forget)
    log.info("origin %s retired at #%s (%s); now %s", old, held, reason, state.origin)
    return state


def origin_rotate(reason: str) -> str:
    """Give this node a new origin now. Returns it."""
    node_state_get()
    with transaction.atomic():
        state = rotate_locked(NodeState.objects.select_for_update().get(pk=1), reason)
    return state.origin


def life_start(*, went_back: bool = False) -> str:
    """At process start, before serving: take this process's own origin
    unless it already has one (and its database did not go back). Returns the origin."""
    node_state_get()
    with transaction.atomic():
        state = NodeState.objects.select_for_update().get(pk=1)
        if went_back or not life_owns(state):
            state = rotate_locked(state, "its database went back" if went_back else NEW_LIFE)
    return state.origin


_retired: dict[str, int] | None = None


def retired_origins() -> dict[str, int]:
    """This node's retired origins and the seq each had reached (cached: asked on every peer answer)."""
    global _retired
    cached = _retired
    if cached is None:
        cached = _retired = dict(RetiredOrigin.objects.values_list("origin", "seq"))
    return cached


def retired_forget() -> None:
    global _retired
    _retired = None


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
