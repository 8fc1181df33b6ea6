"""Merge rules of replication, pure and without I/O.

Every replica folds the same *set* of changes into the same state whatever
order, duplication or partitioning brought them. The rules here are the ones
that make that true; the projectors and the apply engine (sync/replication.py)
call them, and tests/test_merge_convergence.py checks them with hypothesis.

- stock is a counter of deltas keyed by change id: ``stock_level``;
- master data is last-writer-wins by (hlc, origin), written only by HQ:
  ``lww_wins``; the same client order placed twice keeps the earliest
  placement: ``placement_wins``;
- one origin's changes are applied in seq order without gaps:
  ``accept_in_order``; what a peer lacks is ``missing``;
- a change is taken only from a sender who may author its event:
  ``refusal`` (by ``Event.authors``, HQ's signature and the store an origin
  is bound to, ``origin_store``);
- claims on one key (a payment id) made by different acts (two cashiers on
  two cut-off nodes) all stand, ordered by their earliest version; claims of
  one act count once, as its earliest claim says: ``claims_by_act``.

Order status is a lattice of its own, defined once in registers/status.py;
what a change waits for before it can be projected is its event's
``requires()`` / ``provides()`` (sync/events.py).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import TypeVar

from sync.events import Authority

HQ_ORIGIN_PREFIX = "hq:"
ALL_STORES = "*"


def stock_level(deltas: Iterable[tuple[str, int]]) -> int:
    """Stock on hand from (change id, delta) pairs; a change seen twice counts once."""
    return sum(dict(deltas).values())


Version = tuple[int, str]  # (hlc, origin): a total order, ties broken by origin
K = TypeVar("K", bound=Hashable)
A = TypeVar("A", bound=Hashable)
V = TypeVar("V")


def lww_wins(new: Version, current: Version | None) -> bool:
    """Whether a write at ``new`` replaces the value written at ``current``."""
    return current is None or new > current


def placement_wins(new: Version, current: Version) -> bool:
    """The same client order placed on two nodes: the earliest placement stands."""
    return new < current


def claims_by_act(claims: Iterable[tuple[K, A, Version, V]]) -> dict[K, list[tuple[A, V]]]:
    """Group ``(key, act, version, value)`` claims: per key, one ``(act, value)`` per act.

    Each act keeps the value of its earliest claim (by version); a key's acts
    come in the order of their earliest claims, so the first is the one that
    keeps the key. Ties on version are broken by act, then value, so the result
    depends only on the set of claims, never on the order they came in.
    """
    best: dict[K, dict[A, tuple[Version, V]]] = {}
    for key, act, version, value in claims:
        acts = best.setdefault(key, {})
        held = acts.get(act)
        if held is None or (version, repr(value)) < (held[0], repr(held[1])):
            acts[act] = (version, value)
    return {
        key: [(act, value) for act, (_, value) in sorted(acts.items(), key=lambda item: (item[1][0], repr(item[0])))]
        for key, acts in best.items()
    }


def accept_in_order(have: int, seqs: Iterable[int]) -> tuple[list[int], int]:
    """Which of one origin's incoming seqs to apply, given that we hold 1..have.

    Returns (seqs to apply, new high-water mark). Seqs we already hold are
    skipped (idempotence); the first gap stops the origin, since a change
    after a gap would make the vector claim something we do not have.
    """
    take: list[int] = []
    top = have
    for seq in sorted(set(seqs)):
        if seq <= top:
            continue
        if seq != top + 1:
            break
        take.append(seq)
        top = seq
    return take, top


def missing(ours: Mapping[str, int], theirs: Mapping[str, int]) -> dict[str, int]:
    """Per origin, the seq after which the peer lacks our changes (only where it lacks some)."""
    return {origin: theirs.get(origin, 0) for origin, top in ours.items() if top > theirs.get(origin, 0)}


def vector_join(a: Mapping[str, int], b: Mapping[str, int]) -> dict[str, int]:
    return {origin: max(a.get(origin, 0), b.get(origin, 0)) for origin in {*a, *b}}


def is_hq_origin(origin: str) -> bool:
    """Whether the origin's name claims HQ. A claim only: the change must
    also carry HQ's signature (sync/signing.py) before anyone takes it."""
    return origin.startswith(HQ_ORIGIN_PREFIX)


def origin_store(origin: str) -> str | None:
    """The store an origin's name binds it to: "*" for HQ's own origin, the
    store for HQ's origin of one store (``hq:S001:...``) and for a store
    node's (``S001:...``); None for a store node's origin named before origins
    carried their store (no ``:``), which is bound when first seen."""
    if is_hq_origin(origin):
        rest = origin[len(HQ_ORIGIN_PREFIX):]
        return rest.split(":", 1)[0] if ":" in rest else ALL_STORES
    return origin.split(":", 1)[0] if ":" in origin else None


def refusal(
    *, kind: str, authors: Authority | None, store: str, origin: str, node_store: str, role: str, peer_store: str,
    bound_store: str | None = None, hq_signed: bool = False,
) -> str | None:
    """Why a node refuses a received change, or None when it accepts it.

    ``authors`` is who may author the change's event (None: a kind this node
    does not know, taken as a store's own fact). ``hq_signed``: the change
    carries HQ's valid signature (the only proof of HQ; an origin's name is
    not). ``bound_store``: the store the origin is bound to (its name, or the
    first change this node took from it), None when not bound yet.

    - HQ's signed changes are taken as HQ wrote them, within the store its
      origin is for; only master data is shared by all stores ("*").
    - Anything else is a store's own fact: never master data, never "*",
      only under an origin of that store, and only from a node of that store
      (HQ: the store whose key signed the call; a store node: its own store).
    """
    if is_hq_origin(origin) and hq_signed:
        scope = origin_store(origin)
        if scope != ALL_STORES and store != scope:
            return f"{origin} is HQ's origin for store {scope}, not {store}"
        if store == ALL_STORES and authors not in (Authority.HQ, None):
            return f"{kind}: only master data is shared by all stores"
        return None
    if authors is Authority.HQ:
        return f"{kind} from {origin}: master data is written only by HQ, with HQ's signature"
    if is_hq_origin(origin):
        return f"{kind} from {origin}: not signed by HQ"
    if store == ALL_STORES:
        return f"{kind}: only master data is shared by all stores"
    if bound_store is not None and store != bound_store:
        return f"origin {origin} belongs to store {bound_store}, not {store}"
    if role == "hq":
        if store != peer_store:
            return f"a node of store {peer_store} may not send changes for store {store}"
        return None
    if store != node_store:
        return f"this node belongs to store {node_store}, not {store}"
    return None


def hq_change_elsewhere(*, origin: str, store: str, node_store: str, role: str) -> bool:
    """An HQ change (signed) for another store, as HQ's origins written before
    they were kept per store hold: a store node logs it without projecting
    it (it is not its to act on) rather than refuse the batch it came in."""
    return role == "store" and is_hq_origin(origin) and store not in (ALL_STORES, node_store)
