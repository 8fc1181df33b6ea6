"""Replication services: what this node has (its version vector), what a peer
lacks, and applying a peer's changes idempotently.

The invariants:
- one origin's changes are applied in seq order without gaps, so the version
  vector (origin -> highest seq held) says exactly what a node has;
- the vector advances in the same transaction as the changes it covers, and a
  pulled peer's cursor too: a checkpoint never runs ahead of the data;
- applying a change twice is a no-op;
- a change whose projection needs another (a payment or a kitchen bump about
  an order placed on a third node) is kept in the log and parked until that
  other change arrives, so any delivery order gives the same state.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import threading
import time
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Annotated, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, DataError, IntegrityError, transaction
from django.utils import timezone
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic import ValidationError as SchemaError

from runtime import health
from runtime.health_checks import write_failed, write_succeeded
from sync import hooks, merge, restore, signing
from sync.bulk import row_new, rows_insert
from sync.clock import Clock, ClockDriftError
from sync.events import Authority, Event, EventInvalid, event_class, event_parse
from sync.models import Change, NodeState, ParkedChange, PeerState, ScopedOrigin, VectorEntry
from sync.projection import MissingDependency, project, project_many, recorded, recorded_attach
from sync.services import (
    change_digest,
    ingest_concurrent,
    node_state_get,
    own_store,
    replication_wake,
    rotate_locked,
    stores_lock,
)
from sync.sql import values_in

log = logging.getLogger(__name__)

_BIG = 2**63 - 1  # the columns are 64-bit
_Digest = Annotated[str, BeforeValidator(lambda value: str(value)[:64])]


# A sibling's push (request thread) and our pull from it (worker thread) often
# carry the same changes. Queued here, the second waits on a Python lock and
# wakes the moment the first commits, then skips what it brought. Queued on
# SQLite's write lock instead, its busy handler sleeps in steps of up to
# 100 ms, which py-spy showed as a third of node2's time in a catch-up.
# In-process only: other processes and the registers' writes still queue on
# the database's own lock. A store node's only: HQ on PostgreSQL locks per
# store instead (sync.services.stores_lock), so stores do not queue behind
# each other.
_apply_lock = threading.Lock()


class ChangeInvalid(ValueError):
    """A received change is malformed (HTTP 422)."""


class ChangeRefused(PermissionError):
    """A received change is not this node's to take (HTTP 403): another store's,
    or master data not from HQ."""


@dataclass
class ApplyResult:
    applied: int = 0
    skipped: int = 0
    parked: int = 0
    held_back: dict[str, str] = field(default_factory=dict)  # origin -> why the rest of it waits
    # Changes under an (origin, seq) we already hold with another change: two
    # databases issued that number. Not applied (the number is taken), and
    # never dropped in silence (_forks_report).
    forks: list[WireChange] = field(default_factory=list)


def vector(stores: set[str] | None = None) -> dict[str, int]:
    """Per origin, the highest seq this node holds without gaps; only origins of
    ``stores`` when given."""
    state = node_state_get()
    # The answer of every push and pull: values_in builds each statement once.
    if stores is None:
        result = dict(VectorEntry.objects.values_list("origin", "seq"))
    else:
        result = dict(values_in(VectorEntry, ("origin", "seq"), "store", stores))
    if stores is None or own_store() in stores:
        result[state.origin] = state.last_seq
    if settings.POS_ROLE == "hq":
        # HQ's own origins for one store each (sync.services): that store's
        # links carry them, no other's.
        if stores is None:
            result.update(ScopedOrigin.objects.values_list("origin", "last_seq"))
        else:
            result.update(values_in(ScopedOrigin, ("origin", "last_seq"), "store", stores))
    # An origin with nothing issued yet (a process that has not recorded
    # anything) is nothing to hold: peers' vectors would differ by it alone.
    return {origin: seq for origin, seq in result.items() if seq > 0}


def hq_vector_for(store: str) -> dict[str, int]:
    """At HQ, HQ's own origins a node of ``store`` gets: the master data's and HQ's origins for that store."""
    mine = {origin: seq for origin, seq in vector({merge.ALL_STORES}).items() if merge.is_hq_origin(origin)}
    mine.update(ScopedOrigin.objects.filter(store=store).values_list("origin", "last_seq"))
    return mine


def stores_served_to(peer_store: str) -> set[str]:
    """Whose changes a peer of ``peer_store`` may have: its own store's and HQ's master data."""
    return {peer_store, merge.ALL_STORES}


def changes_after(theirs: dict[str, int], *, stores: set[str], limit: int, ours: dict[str, int] | None = None) -> list[Change]:
    """The changes a peer with vector ``theirs`` lacks, oldest first per origin, at most ``limit``.
    ``ours`` is ``vector(stores)`` when the caller has just read it."""
    result: list[Change] = []
    for origin, after in sorted(merge.missing(vector(stores) if ours is None else ours, theirs).items()):
        room = limit - len(result)
        if room <= 0:
            break
        rows = list(Change.objects.filter(origin=origin, seq__gt=after).order_by("seq")[:room])
        result.extend(_vouched(rows) if merge.is_hq_origin(origin) else rows)
    return result


def _vouched(rows: list[Change]) -> list[Change]:
    """One HQ origin's changes as this node may pass them on: at HQ each with
    HQ's signature (those recorded before HQ had a key are signed now, once);
    at a store node only the run that HQ's signature still vouches for, so a
    store never relays HQ changes it could not check itself."""
    if settings.POS_ROLE == "hq":
        unsigned = [c for c in rows if not c.signature]
        for change in unsigned:
            change.signature = signing.sign(change_digest(change))
        if unsigned:
            Change.objects.bulk_update(unsigned, ["signature"])
        return rows
    key = signing.trusted_key()
    vouched: list[Change] = []
    for change in rows:
        if key is None or not change.signature or not signing.verify(change_digest(change), change.signature, key):
            break
        vouched.append(change)
    return vouched


class WireChange(BaseModel):
    """A change as a peer sends it (Change.as_wire). The payload is kept exactly
    as received: its digest covers it, and a newer peer's extra fields must
    reach the nodes that relay it."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    id: uuid.UUID
    origin: Annotated[str, Field(strict=True, max_length=80)]
    seq: Annotated[int, Field(strict=True, ge=1, le=_BIG)]
    store: Annotated[str, Field(strict=True, max_length=16)]
    kind: Annotated[str, Field(strict=True, max_length=40)]
    hlc: Annotated[int, Field(strict=True, ge=-_BIG, le=_BIG)]
    payload: Annotated[dict[str, Any], Field(strict=True)]
    prev_digest: _Digest = ""
    digest: _Digest = ""
    signature: Annotated[str, Field(strict=True, max_length=100)] = ""

    @model_validator(mode="after")
    def _no_nul(self) -> WireChange:
        # PostgreSQL (HQ) cannot store NUL in text or jsonb; refuse it on every node
        # alike rather than answer 500 at HQ (found by tests/test_fuzz_sync.py).
        if any("\x00" in value for value in (self.origin, self.store, self.kind)) or (
                not _body_nul_free.get() and _payload_has_nul(self.payload)):
            raise ValueError(f"change {self.origin!r}#{self.seq}: NUL characters are not allowed")
        return self

    # No private attributes (the parsed event, whether it is another store's):
    # reading one goes through pydantic's __getattr__, 2 µs each, three times
    # a change on the apply path.
    def parse_payload(self) -> Event | None:
        """The payload parsed with its kind's event class; ChangeInvalid says what is wrong.
        None for a kind this node does not know (a newer peer's): kept, not projected."""
        if event_class(self.kind) is None:
            return None
        try:
            return event_parse(self.kind, self.payload)
        except EventInvalid as exc:
            raise ChangeInvalid(f"change {self.origin}#{self.seq}: {exc}") from None


def _validated(wire: Any) -> WireChange:
    if not isinstance(wire, dict):
        raise ChangeInvalid("each change must be an object")
    if not isinstance(wire.get("id"), str):
        raise ChangeInvalid("change.id must be str")  # not a number or bytes read as a UUID
    try:
        return WireChange.model_validate(wire)
    except SchemaError as exc:
        error = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in error["loc"])
        raise ChangeInvalid(f"change.{where}: {error['msg']}" if where else str(error["msg"])) from None


# True while the changes of a request body that cannot hold a NUL are validated (body_nul_free).
_body_nul_free: ContextVar[bool] = ContextVar("body_nul_free", default=False)


@contextlib.contextmanager
def body_nul_free(raw: bytes) -> Iterator[None]:
    """Within, a change's payload is not searched for NUL when ``raw``, the
    JSON body the changes were just parsed from (strictly, as ``json.loads``
    does), cannot hold one. Strict JSON writes NUL only as the escape
    ``\\u0000``, and a body in UTF-16 or UTF-32 has zero bytes: a body with
    neither parses to text without NUL. A payload is otherwise dumped to JSON
    once more to look (_payload_has_nul): about 4 % of HQ's CPU in a
    reconnect storm (py-spy), for a check one scan of the body settles."""
    token = _body_nul_free.set(b"\x00" not in raw and b"\\u0000" not in raw)
    try:
        yield
    finally:
        _body_nul_free.reset(token)


def _payload_has_nul(payload: dict[str, Any]) -> bool:
    # JSON writes NUL as \u0000: one C-speed dump rules out almost every
    # payload; the walk below settles the rare text that merely contains "\u0000".
    return "\\u0000" in json.dumps(payload) and _has_nul(payload)


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def changes_apply(
    *, wires: list[Any], peer_store: str, peer_url: str = "", peer_node: str = "", peer_vector: dict[str, int] | None = None
) -> ApplyResult:
    """Apply a peer's changes. Refuses the whole batch (ChangeRefused) if any
    change is not this node's to take; a malformed one is ChangeInvalid.
    ``peer_url`` with ``peer_vector`` records the pulled peer's cursor in the
    same transaction."""
    changes = [_validated(w) for w in wires]
    if not changes and not peer_url:
        # A push that only says what the sender has: nothing to write, so no
        # write transaction (which would queue behind the registers' writes).
        return ApplyResult()
    changes, held, elsewhere = _authorised(changes, peer_store)
    if not changes and not peer_url:
        return ApplyResult(skipped=len(wires), held_back=held)
    try:
        result = _apply_batch(changes, elsewhere, peer_url, peer_node, peer_vector)
    except DatabaseError as exc:
        write_failed("replication", exc)
        raise
    write_succeeded()
    result.skipped += len(wires) - len(changes)
    result.held_back = {**held, **result.held_back}
    return result


def _authorised(changes: list[WireChange], peer_store: str) -> tuple[list[WireChange], dict[str, str], set[int]]:
    """The changes this node may take, those held back (origin -> why), and
    which of those taken are HQ's for another store (merge.hq_change_elsewhere:
    logged, not projected; by ``id()`` of the WireChange). ChangeRefused (the
    whole batch) when one is not the sender's to give. An HQ change this node
    cannot check yet (no signature: written before HQ signed, relayed by a
    store; or HQ's key not known here yet) is left out and reported held
    back, not refused: HQ itself sends it signed."""
    hq_key = signing.trusted_key() if any(merge.is_hq_origin(c.origin) for c in changes) else None
    bound = _bound_stores({c.origin for c in changes})
    taken: list[WireChange] = []
    held: dict[str, str] = {}
    elsewhere: set[int] = set()
    for c in changes:
        signed = False
        if merge.is_hq_origin(c.origin):
            if not c.signature or hq_key is None:
                held.setdefault(c.origin, "not signed by HQ" if c.signature == "" else "HQ's public key is not known here yet")
                continue
            if not signing.verify(change_digest(c), c.signature, hq_key):
                raise ChangeRefused(f"change {c.origin}#{c.seq}: HQ's signature does not match it")
            signed = True
        why = merge.refusal(
            kind=c.kind, authors=_authors(c.kind), store=c.store, origin=c.origin, node_store=settings.POS_STORE,
            role=settings.POS_ROLE, peer_store=peer_store, bound_store=bound.get(c.origin), hq_signed=signed,
        )
        if why:
            raise ChangeRefused(why)
        if merge.hq_change_elsewhere(origin=c.origin, store=c.store, node_store=settings.POS_STORE, role=settings.POS_ROLE):
            elsewhere.add(id(c))
        taken.append(c)
    return taken, held, elsewhere


def _bound_stores(origins: set[str]) -> dict[str, str]:
    """Per origin, the store it is bound to: by its name, else by the first
    change this node took from it (VectorEntry.store; origins named before
    they carried their store)."""
    bound = {origin: store for origin in origins if (store := merge.origin_store(origin)) is not None}
    legacy = origins - bound.keys()
    if legacy:
        bound.update(VectorEntry.objects.filter(origin__in=legacy).values_list("origin", "store"))
    return bound


def _apply_batch(
    changes: list[WireChange], elsewhere: set[int], peer_url: str, peer_node: str, peer_vector: dict[str, int] | None
) -> ApplyResult:
    by_origin: dict[str, list[WireChange]] = {}
    for c in changes:
        by_origin.setdefault(c.origin, []).append(c)
    result = ApplyResult()
    concurrent_clock = False
    concurrent = ingest_concurrent()
    with contextlib.nullcontext() if concurrent else _apply_lock, transaction.atomic():
        if concurrent:
            # HQ: one lock per store in the batch, so stores' uploads go side
            # by side. The node row is locked only when the batch carries
            # HQ's own current origin (a restore's evidence), after them.
            stores_lock({c.store for c in changes})
            state = node_state_get()
            if state.origin in by_origin:
                state = NodeState.objects.select_for_update().get(pk=1)
            else:
                concurrent_clock = True
        else:
            # The node row exists after the first use; node_state_get() makes it then.
            state = NodeState.objects.select_for_update().filter(pk=1).first() or node_state_get()
        clock = Clock(state.last_hlc)
        batch = _Batch.start(changes, elsewhere)
        own_scoped = _own_scoped(by_origin)
        # Sorted, so two transactions locking several origins' rows (Postgres
        # at HQ) always take them in the same order and cannot deadlock.
        for origin in sorted(by_origin):
            if origin in own_scoped:
                # HQ's own changes for a store, relayed back by it: HQ has them.
                result.skipped += len(by_origin[origin])
                continue
            if origin == state.origin:
                if max(c.seq for c in by_origin[origin]) <= state.last_seq:
                    result.skipped += len(by_origin[origin])
                    result.forks.extend(c for c in by_origin[origin] if c.id not in batch.known_ids)
                    continue
                restore.evidence(origin, state.last_seq, max(c.seq for c in by_origin[origin]), peer_node or peer_url)
                state = rotate_locked(state, f"a peer holds {origin} past seq {state.last_seq}")
            clock = _apply_origin(origin, by_origin[origin], clock, result, batch)
        if not concurrent_clock:
            state.last_hlc = clock.last
            state.save(update_fields=["last_hlc", "origin", "last_seq", "last_digest"])
        # else the received clocks are kept in the vector (VectorEntry.hlc),
        # where HQ's next local change takes them from (sync.services).
        if peer_url:
            _peer_state_save(peer_url, peer_node, peer_vector or {})
        if result.applied:
            transaction.on_commit(replication_wake)
    if result.forks:
        _forks_report(result.forks, peer_node or peer_url)
    return result


def _own_scoped(by_origin: dict[str, list[WireChange]]) -> set[str]:
    # Scoped origins are HQ's (hq:<store>:…): a store's own upload needs no query.
    hq_origins = [origin for origin in by_origin if merge.is_hq_origin(origin)]
    if settings.POS_ROLE != "hq" or not hq_origins:
        return set()
    return set(ScopedOrigin.objects.filter(origin__in=hq_origins).values_list("origin", flat=True))


def _forks_report(forks: list[WireChange], peer: str) -> None:
    """Keep each forked change in the log, whole, and say so in health: a
    person must reconcile it (sync/restore.py explains why it cannot happen
    to a node of this release on its own)."""
    for wire in forks:
        log.error("sequence reused: %s sent %s#%s, another change holds that number here; kept: %s",
                  peer or "a peer", wire.origin, wire.seq, wire.model_dump_json())
    first = forks[0]
    health.reason_set(health.FORKED, subject=first.origin, peer=peer or "?", origin=first.origin,
                      seq=first.seq, change=str(first.id))


def _authors(kind: str) -> Authority | None:
    cls = event_class(kind)
    return cls.authors if cls is not None else None


def _apply_origin(origin: str, incoming: list[WireChange], clock: Clock, result: ApplyResult, batch: _Batch) -> Clock:
    entry = _entry_locked(origin, incoming[0].store)
    by_seq = {c.seq: c for c in incoming}
    take, _ = merge.accept_in_order(entry.seq, by_seq)
    result.skipped += len(incoming) - len(take)
    result.forks.extend(c for c in incoming if c.seq <= entry.seq and c.id not in batch.known_ids)
    if take and take[-1] != max(by_seq):
        result.held_back[origin] = f"gap after seq {take[-1]}"
    elif not take and max(by_seq) > entry.seq:
        result.held_back[origin] = f"gap: holds seq {entry.seq}, got {min(s for s in by_seq if s > entry.seq)}"
    now_ms = int(time.time() * 1000)
    accepted: list[WireChange] = []
    for seq in take:
        wire = by_seq[seq]
        try:
            clock = clock.receive(wire.hlc, now_ms)
        except ClockDriftError as exc:
            # The rest of this origin waits until its clock is believable; what
            # came before stays applied.
            result.held_back[origin] = str(exc)
            result.skipped += 1
            break
        accepted.append(wire)
    if accepted:
        _project_all(_insert(accepted, result, batch), result, batch)
        entry.seq, entry.hlc = accepted[-1].seq, accepted[-1].hlc
        entry.save(update_fields=["seq", "hlc"])
    return clock


def _entry_locked(origin: str, store: str) -> VectorEntry:
    entry = VectorEntry.objects.select_for_update().filter(pk=origin).first()
    if entry is not None:
        return entry
    try:
        with transaction.atomic():
            VectorEntry.objects.create(origin=origin, store=store)
    except IntegrityError:
        pass  # a concurrent apply created it; lock theirs
    return VectorEntry.objects.select_for_update().get(pk=origin)


@dataclass
class _Batch:
    """Per-batch knowledge that saves a query per change on the hot path."""

    known_ids: set[uuid.UUID]
    provided: set[str]
    any_parked: bool
    elsewhere: set[int]  # id() of the WireChanges that are HQ's for another store (_authorised)

    @classmethod
    def start(cls, changes: list[WireChange], elsewhere: set[int]) -> _Batch:
        ids = [c.id for c in changes]
        known = {change_id for (change_id,) in values_in(Change, ("id",), "id", ids)}
        return cls(known, set(), ParkedChange.objects.exists(), elsewhere)


def _insert(wires: list[WireChange], result: ApplyResult, batch: _Batch) -> list[Change]:
    """Add one origin's accepted changes to the log in one INSERT (a query
    per change was a tenth of a catch-up's time); returns the new ones in seq
    order. Projectors may see a later change of the batch in the log before
    it is projected: they are order-independent by design (sync/merge.py)."""
    new: list[Change] = []
    kept: list[Change] = []
    for wire in wires:
        change = row_new(Change, {
            "id": wire.id,
            "origin": wire.origin,
            "seq": wire.seq,
            "store": wire.store,
            "kind": wire.kind,
            "hlc": wire.hlc,
            "payload": wire.payload,
            "prev_digest": wire.prev_digest,
            "digest": wire.digest,
            "signature": wire.signature,
        })
        if id(wire) in batch.elsewhere:
            # Kept in the log, so this origin's hash chain stays whole
            # (registers/journal.py), but never projected: not this store's.
            kept.append(change)
            result.skipped += 1
            continue
        if change.id in batch.known_ids:
            # Same id under another (origin, seq): a relay of a re-numbered copy.
            # The fact is already here; counting it again would double a sale.
            log.warning("change %s arrived again as %s#%s; kept the first", change.id, change.origin, change.seq)
            result.skipped += 1
            continue
        # Parsed only now: a change we already hold costs nothing more. A junk
        # payload raises ChangeInvalid and the whole batch rolls back (HTTP 422).
        event = wire.parse_payload()
        if event is not None:
            recorded_attach(change, event)
        batch.known_ids.add(change.id)
        new.append(change)
    try:
        rows_insert(Change, sorted(new + kept, key=lambda c: c.seq))
    except (TypeError, ValueError, IntegrityError, DataError) as exc:
        first, last = wires[0], wires[-1]
        raise ChangeInvalid(f"changes {first.origin}#{first.seq}..{last.seq} cannot be applied: {exc!r}"[:300]) from exc
    return new


def _project_all(changes: list[Change], result: ApplyResult, batch: _Batch) -> None:
    """Fold one origin's new changes. Those whose dependency is here, or
    comes in the same run, go together through project_many (a catch-up's
    burst of sales costs a few bulk queries instead of a dozen each); master
    data (whose projector may say it cannot yet) one by one as before; the
    rest are parked."""
    run: list[Change] = []
    for change in changes:
        if change.kind.startswith("master."):
            _fold(run, result, batch)
            run = []
            _project(change, result, batch)
            continue
        need = _requires(change)
        if need and need not in batch.provided and not _satisfied(need):
            _park(change, need, batch)
            result.parked += 1
            continue
        run.append(change)
        provided = _provides(change)
        if provided:
            # project_many folds sales before what refers to them, so a later
            # change of this run may count on it.
            batch.provided.add(provided)
    _fold(run, result, batch)


def _fold(run: list[Change], result: ApplyResult, batch: _Batch) -> None:
    if not run:
        return
    try:
        project_many(run)
        provided = {p for p in (_provides(c) for c in run) if p}
        if provided and batch.any_parked:
            _release(provided, batch)
    except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError, ValidationError, IntegrityError, DataError) as exc:
        # As in _project: refuse the whole batch with a 422 that names it.
        first, last = run[0], run[-1]
        raise ChangeInvalid(f"changes {first.origin}#{first.seq}..{last.seq} cannot be applied: {exc!r}"[:300]) from exc
    result.applied += len(run)


def _project(change: Change, result: ApplyResult, batch: _Batch) -> None:
    try:
        projected = project_or_park(change, batch)
    except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError, ValidationError, IntegrityError, DataError) as exc:
        # A signed peer sent a change whose payload no projector can fold (a
        # bug or a forgery): refuse the whole batch (its transaction rolls
        # back) with a 422 naming it, rather than a 500 or a half-applied log.
        raise ChangeInvalid(f"change {change.origin}#{change.seq} ({change.kind}) cannot be applied: {exc!r}"[:300]) from exc
    if projected:
        result.applied += 1
    else:
        result.parked += 1


def project_or_park(change: Change, batch: _Batch) -> bool:
    """Project ``change`` now if what it needs is here, else park it. Projecting
    a change that provides something releases whatever was parked on it."""
    need = _requires(change)
    if need and need not in batch.provided and not _satisfied(need):
        _park(change, need, batch)
        return False
    need = _project_guarded(change)
    if need:
        _park(change, need, batch)
        return False
    provided = _provides(change)
    if provided:
        batch.provided.add(provided)
    if provided and batch.any_parked:
        _release({provided}, batch)
    return True


def _requires(change: Change) -> str | None:
    """What the change's event waits for (None for a kind this node does not know)."""
    return recorded(change).event.requires() if event_class(change.kind) is not None else None


def _provides(change: Change) -> str | None:
    return recorded(change).event.provides() if event_class(change.kind) is not None else None


def _release(provided: set[str], batch: _Batch) -> None:
    """Project what was parked waiting for any of ``provided``."""
    waiting = list(
        ParkedChange.objects.filter(waits_for__in=provided).select_related("change").order_by("change__hlc", "change__origin")
    )
    ParkedChange.objects.filter(pk__in=[p.pk for p in waiting]).delete()
    for parked in waiting:
        project_or_park(parked.change, batch)


def _park(change: Change, need: str, batch: _Batch) -> None:
    ParkedChange.objects.update_or_create(change=change, defaults={"waits_for": need})
    batch.any_parked = True


def _project_guarded(change: Change) -> str | None:
    """Project; returns what is missing if a projector says it cannot yet.
    Only projectors that can say so (master data) pay for the savepoint."""
    if not change.kind.startswith("master."):
        project(change)
        return None
    try:
        with transaction.atomic():
            project(change)
    except MissingDependency as exc:
        return exc.need
    return None


def _satisfied(need: str) -> bool:
    # The app that owns what is needed judges it (sync.hooks.need_check).
    return hooks.need_satisfied(need)


def _peer_state_save(url: str, node: str, their_vector: dict[str, int]) -> None:
    PeerState.objects.update_or_create(
        url=url, defaults={"node": node[:80], "vector": their_vector, "last_contact": timezone.now()}
    )


def backlog(their_vector: dict[str, int], *, stores: set[str]) -> tuple[int, dt.datetime | None]:
    """How many of our changes (of ``stores``) the peer lacks, and when the oldest was recorded."""
    count = 0
    oldest: dt.datetime | None = None
    for origin, after in merge.missing(vector(stores), their_vector).items():
        rows = Change.objects.filter(origin=origin, seq__gt=after)
        count += rows.count()
        first = rows.order_by("seq").values_list("recorded_at", flat=True).first()
        if first is not None and (oldest is None or first < oldest):
            oldest = first
    return count, oldest
