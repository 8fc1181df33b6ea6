"""Links to the sibling nodes (POS_PEERS) and to HQ (POS_HQ_URL), and the
workers that drive them.

A sibling link pushes what the sibling lacks as soon as a change commits (the
live path, woken by ``replication_wake``) and pulls what we lack every
ANTI_ENTROPY_S (the repair path; postponed while that sibling is pushing to
us, up to PULL_POSTPONE_MAX_S). The HQ link is the same with a filter: it
pushes only this store's changes and pulls only HQ's master data. Both move
at most MAX_BATCHES batches per turn, so a long backlog uploads in slices
and never holds the database or the thread for long.

What a link knows about its peer (state, last contact, the peer's vector)
lives in memory here for /api/health; a pulled peer's vector is also saved
with the pulled changes (sync.PeerState).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from runtime import health, workers
from sync import discovery, hooks, merge, restore, signing
from sync.replication import ChangeInvalid, ChangeRefused, changes_after, changes_apply, vector
from sync.services import node_state_get, origin_rotate
from sync.transport import PeerClient, PeerError, PeerSocket, PeerUnauthorized, SocketDown

log = logging.getLogger(__name__)

# Changes per request and per transaction. With the batched projection a
# change costs ~0.2 ms to apply, so 500 hold the receiver's SQLite write lock
# for ~0.1 s; 100 held it ~20 ms but spent a third of a catch-up on
# per-request costs (1,700 vs 2,900 changes/s measured). A push is also cut
# to what fits in the peer's body limit (fit()).
BATCH = 500
# Between siblings: a push over the socket and a pull. The receiver takes up
# to sync.api.MAX_BATCH changes (every release has), a frame up to what the
# sibling's greeting announces (1 MiB) and a pull's answer has no body limit.
# A catch-up of 10,000 changes took about 20 % less time and CPU than with
# pushes of ~320 (fitted to HTTP's body limit) and pulls of 500; a batch
# holds the receiver's SQLite write lock ~0.2 s.
SIBLING_BATCH = 1000
MAX_BATCHES = 20
ANTI_ENTROPY_S = 1.0
# While a sibling keeps pushing to us its pushes carry what we lack, so our
# pull from it (the repair path) waits, but never longer than this.
PULL_POSTPONE_MAX_S = 5 * ANTI_ENTROPY_S
# A peer that keeps answering a push with "held back" (and takes nothing) this
# long is refusing our changes, for health (runtime/health.py).
HELD_REFUSED_AFTER_S = 30.0
# Pushes in flight on a sibling socket: the next batch is read and sent while
# the peer applies the one before (the peer answers in order).
SOCKET_WINDOW = 2
# Seconds before a sibling socket that would not open is tried again, doubling
# up to the max (a sibling of an older release has none: it gets HTTP).
SOCKET_RETRY_S = 1.0
SOCKET_RETRY_MAX_S = 60.0


@dataclass
class PeerStatus:
    url: str
    kind: str  # "sibling" or "hq"
    state: str = "not_connected"  # up, down, unauthorized, refusing (we refuse what it sends), error
    node: str = ""
    last_contact: Any = None
    last_error: str = ""
    vector: dict[str, int] | None = None
    last_pull: float = 0.0
    # The sibling socket: "open", "closed" (not yet, or broken and HTTP used
    # until it reopens); and how many pushes each path carried.
    socket: str = "closed"
    pushes_socket: int = 0
    pushes_http: int = 0

    def as_dict(self) -> dict[str, Any]:
        result = {
            "url": self.url,
            "node": self.node or None,
            "state": self.state,
            "last_contact": self.last_contact.isoformat() if self.last_contact else None,
            "error": self.last_error or None,
        }
        if self.kind == "sibling":
            result["push"] = {"socket": self.socket, "over_socket": self.pushes_socket, "over_http": self.pushes_http}
        return result


_lock = threading.Lock()
_status: dict[str, PeerStatus] = {}
_heard: dict[str, dict[str, int]] = {}  # node name -> vector it sent us with its last push
_heard_at: dict[str, float] = {}  # node name -> time.monotonic() of that push


def status_for(url: str, kind: str) -> PeerStatus:
    with _lock:
        return _status.setdefault(url, PeerStatus(url, kind))


def peer_heard(node: str, vector: dict[str, int]) -> None:
    """A peer pushed to us and said what it has: no need to send that back to it."""
    with _lock:
        _heard[node] = dict(vector)
        _heard_at[node] = time.monotonic()


def pull_due(status: PeerStatus, now: float) -> bool:
    """Whether to pull from a sibling now: every ANTI_ENTROPY_S, unless it has
    pushed to us within that time. During a catch-up the pusher and our pull
    otherwise fetch, encode and parse every change twice, and at steady state
    the pull's round trip can delay the next live push."""
    since_pull = now - status.last_pull
    if since_pull < ANTI_ENTROPY_S:
        return False
    return not _pushing(status, now) or since_pull >= PULL_POSTPONE_MAX_S


def _pushing(status: PeerStatus, now: float) -> bool:
    """Whether this sibling has pushed to us within ANTI_ENTROPY_S."""
    with _lock:
        heard_at = _heard_at.get(status.node) if status.node else None
    return heard_at is not None and now - heard_at < ANTI_ENTROPY_S


def _known_vector(status: PeerStatus) -> dict[str, int] | None:
    with _lock:
        heard = _heard.get(status.node)
    if status.vector is None:
        return None
    return merge.vector_join(status.vector, heard or {})


class Link:
    """One peer: ``push_stores`` say whose changes we send it; ``pull_body``
    what we ask of it."""

    def __init__(self, url: str, *, kind: str, push_stores: set[str], pull_stores: set[str], timeout: float) -> None:
        self.status = status_for(url, kind)
        self.push_stores, self.pull_stores = push_stores, pull_stores
        self.client = PeerClient(url, key=settings.POS_SYNC_KEY, store=settings.POS_STORE, node=settings.POS_NODE, timeout=timeout)
        self.held_since: float | None = None  # time.monotonic() since the peer holds our pushes back
        self.socket = PeerSocket(self.client) if kind == "sibling" else None
        self.socket_retry_at = 0.0
        self.socket_backoff = SOCKET_RETRY_S

    def turn(self, *, pull_due: bool) -> bool:
        """Push, and pull when due. Returns True when more remains to push."""
        try:
            more = self.push()
            if pull_due:
                self.pull()
            self._mark("up")
            if self.held_since is None:
                health.reason_clear(health.PEER_REFUSED, subject=self.status.url)
            if pull_due:
                health.reason_clear(health.CHANGES_REFUSED, subject=self.status.url)
            return more
        except PeerUnauthorized as exc:
            self._mark("unauthorized", str(exc))
            self._refused(exc)
        except PeerError as exc:
            self._mark("down", str(exc))
            self._refused(exc)
        except (ChangeRefused, ChangeInvalid) as exc:
            # We refused what the peer sent: the link is not up, and nobody
            # would know it is stuck unless health (and so an alert) says so.
            self._mark("refusing", str(exc))
            log.warning("refused changes pulled from %s: %s", self.status.url, exc)
            health.reason_set(health.CHANGES_REFUSED, subject=self.status.url, peer=self._name(), error=str(exc)[:300])
        return False

    def _held(self, answer: dict[str, Any]) -> None:
        """The peer answered 200 but held our changes back (a gap, our clock
        too far ahead): normal for a moment, a refusal once it lasts."""
        held = answer.get("held_back")
        if not held or not isinstance(held, dict):
            return
        now = time.monotonic()
        self.held_since = self.held_since if self.held_since is not None else now
        if now - self.held_since >= HELD_REFUSED_AFTER_S:
            why = "; ".join(f"{origin}: {reason}" for origin, reason in held.items())
            health.reason_set(health.PEER_REFUSED, subject=self.status.url, peer=self._name(), status=200,
                              error=f"held back {why}"[:300])

    def _name(self) -> Any:
        # Lazy: rendered in the language of whoever reads the reason.
        name = gettext_lazy("HQ") if self.status.kind == "hq" else self.status.node or gettext_lazy("sibling")
        return format_lazy("{} ({})", name, self.status.url)

    def _refused(self, exc: PeerError) -> None:
        """A peer that answers and says no (4xx, or an answer not signed with
        our key) stalls replication until someone acts: health says so until a
        turn with it succeeds. A peer that is merely unreachable is not refusing."""
        if exc.status is None and not isinstance(exc, PeerUnauthorized):
            return
        if exc.status is not None and not 400 <= exc.status < 500:
            return
        health.reason_set(health.PEER_REFUSED, subject=self.status.url, peer=self._name(),
                          status=exc.status or "-", error=(exc.detail or str(exc))[:300])

    def _mark(self, state: str, error: str = "") -> None:
        if state != self.status.state:
            log.info("peer %s is %s %s", self.status.url, state, error)
        self.status.state, self.status.last_error = state, error
        if state == "up":
            self.status.last_contact = timezone.now()

    def _learn(self, answer: dict[str, Any]) -> dict[str, int]:
        if self.status.kind == "hq" and isinstance(answer.get("hq_public_key"), str):
            self._pin(answer["hq_public_key"])
        theirs = {k: v for k, v in answer.get("vector", {}).items() if isinstance(v, int)}
        self.status.node = str(answer.get("node", ""))[:80]
        # The peer's own answer is the truth about it (joining would keep a
        # stale high mark for a peer restored from a backup).
        self.status.vector = theirs
        state = node_state_get()
        if theirs.get(state.origin, 0) > state.last_seq:
            # Only another copy of this database can have issued those: a
            # process never shares its origin (sync.services._Life). Leave
            # the origin before issuing anything more under it.
            restore.evidence(state.origin, state.last_seq, theirs[state.origin], self._name())
            origin_rotate(f"{self.status.url} holds {state.origin} up to {theirs[state.origin]}, we only {state.last_seq}")
        restore.peer_vector_seen(theirs, self._name())
        return theirs

    def _pin(self, key: str) -> None:
        """Trust the key HQ names when this store trusts none yet. A different
        key later is never taken: HQ's changes stay unverified (held back)
        and health says why, since only an operator can tell a new HQ key
        from an impostor."""
        subject = f"{self.status.url}#key"
        node_state_get()
        try:
            signing.pin(key)
        except (signing.KeyMismatch, ValueError) as exc:
            health.reason_set(health.CHANGES_REFUSED, subject=subject, peer=self._name(), error=str(exc))
            return
        health.reason_clear(health.CHANGES_REFUSED, subject=subject)

    def push(self) -> bool:
        theirs = _known_vector(self.status)
        reached = False  # by HTTP in this turn: a sibling back up gets its socket at once
        for _ in range(MAX_BATCHES):
            sock = self._socket(reached=reached)
            if sock is not None:
                try:
                    return self._push_socket(sock, theirs)
                except SocketDown as exc:
                    # Whatever was in flight is sent again below: applying twice is a no-op.
                    log.info("sibling socket to %s broke, pushing over HTTP: %s", self.status.url, exc)
                    self._socket_failed()
                    theirs = _known_vector(self.status)
            if theirs is None:
                self._learn(self._push_http({"changes": [], "vector": vector(self.pull_stores)}))
                theirs, reached = _known_vector(self.status) or {}, True
                continue
            # One vector read serves both the batch and the request body (for
            # a sibling the two store sets are the same): the live push runs
            # on every commit, and its queries are part of the lag.
            mine, batch = self._next_batch(theirs)
            if not batch:
                self.held_since = None
                return False
            wires = fit(batch)
            answer = self._push_http({"changes": wires, "vector": mine})
            before, theirs, reached = theirs, self._taken(answer), True
            if before == theirs:
                # The peer took nothing (a gap on its side): let the pull and
                # the next turn sort it out rather than spin.
                self._held(answer)
                return False
            self.held_since = None
            if len(wires) == len(batch) < BATCH:
                # That was all we had. A change committed since has rung the
                # doorbell again, so the next turn starts at once; asking
                # here would cost another round of queries per live push.
                return False
        return True

    def _next_batch(self, theirs: dict[str, int], limit: int = BATCH) -> tuple[dict[str, int], list]:
        mine = vector(self.pull_stores)
        ours = mine if self.push_stores == self.pull_stores else vector(self.push_stores)
        return mine, changes_after(theirs, stores=self.push_stores, limit=limit, ours=ours)

    def _taken(self, answer: dict[str, Any]) -> dict[str, int]:
        self._learn(answer)
        return _known_vector(self.status) or {}

    def _push_http(self, body: dict[str, Any]) -> dict[str, Any]:
        answer = self.client.call("/sync/push", body)
        self.status.pushes_http += 1
        return answer

    def _push_socket(self, sock: PeerSocket, theirs: dict[str, int] | None) -> bool:
        """The push over the sibling socket, SOCKET_WINDOW batches in flight:
        each next batch starts where the ones sent will leave the peer. A
        batch the peer holds back stops the sending; the ones in flight are
        answered (and held back too, or taken), and the next turn starts
        again from what the peer says it has."""
        try:
            if theirs is None:
                sock.send({"changes": [], "vector": vector(self.pull_stores)})
                theirs = self._taken(self._answered(sock))
            sent, sent_batches, done, held = dict(theirs), 0, False, False
            limit, budget = (SIBLING_BATCH, sock.frame_bytes * 3 // 4) if sock.frame_bytes else (BATCH, None)
            while True:
                if not done and sock.in_flight < SOCKET_WINDOW and sent_batches < MAX_BATCHES:
                    mine, batch = self._next_batch(sent, limit)
                    if batch:
                        wires = fit(batch, budget)
                        sock.send({"changes": wires, "vector": mine})
                        sent_batches += 1
                        sent = merge.vector_join(sent, {w["origin"]: w["seq"] for w in wires})
                        # All we had: a change committed since rang the doorbell again.
                        done = len(wires) == len(batch) < limit
                        continue
                    done = True
                if not sock.in_flight:
                    break
                answer = self._answered(sock)
                before, theirs = theirs, self._taken(answer)
                if before == theirs:
                    self._held(answer)
                    done = held = True
            if not held:
                self.held_since = None
            return not done and not held
        except PeerError as exc:
            if sock.in_flight and not isinstance(exc, SocketDown):
                # A refusal with answers still on the way: they would answer the next push.
                sock.close(hard=True)
                self.status.socket = "closed"
            raise

    def _answered(self, sock: PeerSocket) -> dict[str, Any]:
        answer = sock.receive()
        self.status.pushes_socket += 1
        return answer

    def _socket(self, *, reached: bool) -> PeerSocket | None:
        """The sibling socket, opened when due: only to a sibling the last
        turn (or this one, ``reached``) reached, so a sibling that is down
        costs a failed HTTP call, not that plus a failed handshake; and not
        before a failed open's back-off."""
        sock = self.socket
        if sock is None or sock.open:
            return sock
        if not reached and self.status.state not in ("up", "not_connected"):
            return None
        if time.monotonic() < self.socket_retry_at:
            return None
        try:
            sock.connect()
        except PeerError as exc:
            log.info("no sibling socket to %s, pushing over HTTP: %s", self.status.url, exc)
            self._socket_failed()
            return None
        self.status.socket, self.socket_backoff = "open", SOCKET_RETRY_S
        return sock

    def _socket_failed(self) -> None:
        self.status.socket = "closed"
        self.socket_retry_at = time.monotonic() + self.socket_backoff
        self.socket_backoff = min(self.socket_backoff * 2, SOCKET_RETRY_MAX_S)

    def pull(self) -> None:
        self.status.last_pull = time.monotonic()
        for turn in range(MAX_BATCHES):
            if turn and self.status.kind == "sibling" and _pushing(self.status, time.monotonic()):
                # A sibling back up pulls its backlog until the other starts
                # pushing it; from then on both would carry the same changes.
                return
            body = {"vector": vector(self.pull_stores), "limit": SIBLING_BATCH if self.status.kind == "sibling" else BATCH}
            if self.status.kind == "hq" and restore.recovering():
                # This node's database went back: the store's own changes it
                # lost are at HQ too (the only copy, for a store of one node).
                body = {"vector": vector(self.pull_stores | self.push_stores), "limit": BATCH, "only_master": False}
            if self.status.kind == "hq":
                # What this node holds of its own store, so HQ can show the store's backlog (hq app).
                body["held"] = vector(self.push_stores)
                # And what the apps add (the kitchen's live screens and printers, sync.hooks).
                body.update(hooks.hq_pull_extras())
            answer = self.client.call("/sync/pull", body)
            changes = answer.get("changes", [])
            if not changes:
                # Nothing missing: no write transaction once a second per peer,
                # which would only queue behind (and delay) the registers' writes.
                self._learn(answer)
                restore.review()
                return
            changes_apply(
                wires=changes,
                peer_store=settings.POS_STORE,
                peer_url=self.status.url,
                peer_node=str(answer.get("node", "")),
                peer_vector=answer.get("vector", {}),
            )
            self._learn(answer)
            restore.review()
            if not answer.get("more"):
                return


def fit(batch: list, budget: int | None = None) -> list[dict[str, Any]]:
    """The batch's first changes whose wire form fits in the peer's request size
    limit (POS_MAX_BODY_BYTES, less room for the vector), always at least one;
    the rest goes in the next request. Without this, a run of very large
    orders would be refused with 413 on every try and replication would stall."""
    return wires_fit((change.as_wire() for change in batch), budget)


def wires_fit(wires: Iterable[dict[str, Any]], budget: int | None = None) -> list[dict[str, Any]]:
    """``fit`` for changes already in their wire form (read lazily: the rest are never encoded)."""
    budget = budget if budget is not None else settings.DATA_UPLOAD_MAX_MEMORY_SIZE * 3 // 4
    taken: list[dict[str, Any]] = []
    size = 0
    for wire in wires:
        size += len(json.dumps(wire, separators=(",", ":"), ensure_ascii=False).encode()) + 1
        if taken and size > budget:
            break
        taken.append(wire)
    return taken


_links: dict[str, Link] = {}


def _link(url: str, kind: str) -> Link:
    if url not in _links:
        store_stores = {settings.POS_STORE, merge.ALL_STORES}
        if kind == "hq":
            # What we hold of HQ's origins for this store counts in what we ask HQ for too.
            _links[url] = Link(url, kind="hq", push_stores={settings.POS_STORE}, pull_stores=store_stores, timeout=10)
        else:
            _links[url] = Link(url, kind="sibling", push_stores=store_stores, pull_stores=store_stores, timeout=2)
    return _links[url]


def siblings_turn() -> None:
    """The sync-push worker: every sibling gets what it lacks; pull when due."""
    more = False
    for url in sibling_urls():
        link = _link(url, "sibling")
        more = link.turn(pull_due=pull_due(link.status, time.monotonic())) or more
    if more:
        workers.wake("sync-push")


def hq_turn() -> None:
    """The sync-hq worker: upload this store's changes in slices; fetch master data."""
    if not settings.POS_HQ_URL or settings.POS_ROLE == "hq":
        return
    link = _link(settings.POS_HQ_URL, "hq")
    due = time.monotonic() - link.status.last_pull >= ANTI_ENTROPY_S
    if link.turn(pull_due=due):
        workers.wake("sync-hq")


def sibling_urls() -> list[str]:
    return list(dict.fromkeys([*settings.POS_PEERS, *discovery.discovered_urls()]))


def statuses() -> list[PeerStatus]:
    with _lock:
        return list(_status.values())


def register_workers() -> None:
    if settings.POS_ROLE == "store":
        workers.worker("sync-push", interval=ANTI_ENTROPY_S)(siblings_turn)
        workers.worker("sync-hq", interval=2.0)(hq_turn)
        if settings.POS_DISCOVERY:
            # A worker, so that mDNS starts only in the serving process (not
            # in migrate or shell); start() is idempotent.
            workers.worker("sync-discovery", interval=60.0)(discovery.start)
