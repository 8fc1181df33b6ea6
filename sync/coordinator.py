"""One node of a store decides what must be decided once: money on an order, PIN and pairing budgets.

Two siblings that each check "is this sale still refundable?" against their
own database can both say yes at the same instant. So while siblings answer,
every such decision is taken by one of them, the *decider*: the node with the
lowest name among this node and the siblings it can reach. Every node computes
the same answer from the same facts, no election and no state to lose; when
the decider stops answering, the rest choose again within ``LIVE_S``, and each
side of a partition decides for itself (the conflicts that can then arise are
flagged by the money projections).

Apps above register *operations* here (``operation("money.refund")``) so that
sync never imports them; ``decide()`` runs one on the decider, over the signed
sibling link (``/api/sync/decide``), or here when this node decides or the
decider does not answer within ``POS_DECIDE_TIMEOUT_S``. An operation answers
``(status, body)`` with a JSON-ready body: the register gets the same answer
whichever node decided.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from sync import peers
from sync.transport import PeerClient, PeerError

log = logging.getLogger(__name__)

# A sibling heard from (by replication or by us) within this long answers; one
# that failed us within it does not. Replication talks to each sibling every
# second, so a stopped decider loses the role within a few seconds.
LIVE_S = 3.0
# A sibling replication has not reached yet (just after a start) is asked who
# it is, with this much patience.
PROBE_TIMEOUT_S = 0.5
HELLO = "hello"

Answer = tuple[int, dict[str, Any]]
Operation = Callable[[dict[str, Any]], Answer]
_operations: dict[str, Operation] = {}

# Set while this node runs an operation for a sibling (or for itself): what it
# does meanwhile (the PIN check inside a refund) is decided here too, never
# forwarded again, so a request travels at most one hop.
_deciding: contextvars.ContextVar[bool] = contextvars.ContextVar("deciding", default=False)

_lock = threading.Lock()
_probed: dict[str, tuple[float, str | None]] = {}  # url -> (monotonic time, its node name or None)
_failed: dict[str, float] = {}  # url -> monotonic time the last forward to it failed


class UnknownOperation(LookupError):
    """A sibling asked for an operation this node does not know (HTTP 422)."""


@dataclass(frozen=True)
class Decision:
    status: int
    body: dict[str, Any]
    url: str | None  # the node that decided; None: this one


def operation(name: str) -> Callable[[Operation], Operation]:
    """Register ``func(args) -> (status, body)``. It must validate ``args``
    (a sibling's JSON) itself and answer bad ones with a 4xx body."""

    def register(func: Operation) -> Operation:
        _operations[name] = func
        return func

    return register


def decider_url() -> str | None:
    """The base URL of the sibling that decides for this store, or None when this node does."""
    if settings.POS_ROLE != "store" or _deciding.get():
        return None
    best_name, best_url = settings.POS_NODE, None
    for url in peers.sibling_urls():
        name = _live_name(url)
        if name and name < best_name:
            best_name, best_url = name, url
    return best_url


def decide(op: str, args: dict[str, Any]) -> Decision:
    """Run ``op`` on the decider; here when this node decides or the decider does not answer."""
    url = decider_url()
    if url is not None:
        try:
            status, body = ask(url, op, args)
            return Decision(status, body, url)
        except PeerError as exc:
            with _lock:
                _failed[url] = time.monotonic()
            log.warning("the decider %s did not answer %s (%s); deciding here", url, op, exc)
    status, body = run_here(op, args)
    return Decision(status, body, None)


def ask(url: str | None, op: str, args: dict[str, Any], *, timeout: float | None = None) -> Answer:
    """Run ``op`` on the node at ``url`` (None: here), with no fallback. Raises PeerError."""
    if url is None:
        return run_here(op, args)
    client = PeerClient(url, key=settings.POS_SYNC_KEY, store=settings.POS_STORE, node=settings.POS_NODE,
                        timeout=timeout or settings.POS_DECIDE_TIMEOUT_S, attempts=1)
    try:
        answer = client.call("/sync/decide", {"op": op, "args": args})
    finally:
        client.close()
    status, body = answer.get("status"), answer.get("body")
    if not isinstance(status, int) or isinstance(status, bool) or not 200 <= status < 600 or not isinstance(body, dict):
        raise PeerError(f"{url}: the answer to {op} has no status and body")
    return status, body


def run_here(op: str, args: dict[str, Any]) -> Answer:
    """Run ``op`` on this node. Raises UnknownOperation."""
    func = _operations.get(op)
    if func is None:
        raise UnknownOperation(f"unknown operation {op!r}")
    token = _deciding.set(True)
    try:
        return func(args)
    finally:
        _deciding.reset(token)


operation(HELLO)(lambda args: (200, {"node": settings.POS_NODE}))


def _live_name(url: str) -> str | None:
    """The node name of the sibling at ``url`` when it answers lately, else None."""
    now = time.monotonic()
    with _lock:
        failed_at = _failed.get(url)
        probed = _probed.get(url)
    if failed_at is not None and now - failed_at < LIVE_S:
        return None
    status = peers.status_for(url, "sibling")
    if status.state in ("down", "unauthorized"):
        return None  # replication tries it every second and says so when it is back
    recent = timezone.now() - timedelta(seconds=LIVE_S)
    if status.state == "up" and status.node and status.last_contact is not None and status.last_contact >= recent:
        return status.node
    if probed is not None and now - probed[0] < LIVE_S:
        return probed[1]
    return _probe(url, now)


def _probe(url: str, now: float) -> str | None:
    try:
        _, body = ask(url, HELLO, {}, timeout=PROBE_TIMEOUT_S)
        name = body.get("node")
        name = name if isinstance(name, str) and name else None
    except PeerError:
        name = None
    with _lock:
        _probed[url] = (now, name)
    return name


def forget() -> None:
    """Forget what is known about siblings (tests)."""
    with _lock:
        _probed.clear()
        _failed.clear()
