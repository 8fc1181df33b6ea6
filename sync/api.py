"""Node health and the sync endpoints over HTTP.

``/api/sync/push`` takes a peer's changes; ``/api/sync/pull`` answers a peer's
version vector with the changes it lacks; ``/api/sync/decide`` runs an
operation a sibling forwards to this node as its store's decider
(sync/coordinator.py). All three require a request signed with
the store's key (sync/auth.py) and sign their answer; anything else is 401.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Router

from sync import auth, coordinator, hooks, replication, selectors, signing
from sync.peers import peer_heard

log = logging.getLogger(__name__)

router = Router(tags=["health"])
sync_router = Router(tags=["sync"])

MAX_BATCH = 1000


@router.get("/health", summary="This node, its peers and its HQ link")
def health(request: HttpRequest):
    return selectors.health_as_dict()


def _key_for(store: str) -> str | None:
    """The key a node of ``store`` signs with: ours at a store node, the store's at HQ."""
    if settings.POS_ROLE == "hq":
        return hooks.store_key(store)
    return settings.POS_SYNC_KEY


def answer_encode(status: int, body: dict[str, Any], key: str | None, request_signature: str) -> tuple[bytes, str | None]:
    """An answer's bytes and its signature (None for an unsigned refusal: the
    caller was not authenticated, so there is no request signature to sign over)."""
    raw = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    if key and request_signature:
        return raw, auth.sign_response(key=key, request_signature=request_signature, body=raw)
    return raw, None


Handler = Callable[[auth.Signed, dict[str, Any]], tuple[int, dict[str, Any]]]


def _signed_call(request: HttpRequest, handle: Handler) -> HttpResponse:
    headers = {name: request.headers.get(name, "") for name in (auth.H_STORE, auth.H_NODE, auth.H_TIME, auth.H_SIGNATURE)}
    status, raw, signature = signed_answer(method=request.method or "", path=request.path, headers=headers,
                                           raw=request.body, handle=handle)
    response = HttpResponse(raw, status=status, content_type="application/json")
    if signature:
        response[auth.H_SIGNATURE] = signature
    return response


def signed_answer(*, method: str, path: str, headers: dict[str, str], raw: bytes, handle: Handler) -> tuple[int, bytes, str | None]:
    """The one gate of every sync call, over HTTP or a sibling's socket
    (sync/consumers.py): authenticate with the store's key, parse, run
    ``handle(signed, body) -> (status, dict)``, sign the answer. Returns the
    status, the answer's bytes and their signature (None when unsigned)."""
    headers = {name: value for name, value in headers.items() if value}
    store = headers.get(auth.H_STORE, "")
    if settings.POS_ROLE == "store" and store and store != settings.POS_STORE:
        return 403, *answer_encode(403, {"detail": f"this node belongs to store {settings.POS_STORE}, not {store}"}, None, "")
    key = _key_for(store) if store else None
    try:
        if key is None:
            raise auth.AuthError(f"unknown store {store!r}" if store else "sync calls must be signed with the store's key")
        signed = auth.verify_request(key=key, method=method, path=path, headers=headers, body=raw)
    except auth.AuthError as exc:
        return 401, *answer_encode(401, {"detail": str(exc)}, None, "")
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        body = None
    # Parsed once for both: a second parse of a 500-change upload for the
    # contact hook cost as much as the first.
    _contact(signed, body if isinstance(body, dict) else {})
    if not isinstance(body, dict):
        return 400, *answer_encode(400, {"detail": "the body must be a JSON object"}, key, signed.signature)
    try:
        with replication.body_nul_free(raw):
            status, answer = handle(signed, body)
    except replication.ChangeInvalid as exc:
        status, answer = 422, {"detail": str(exc)}
    except replication.ChangeRefused as exc:
        status, answer = 403, {"detail": str(exc)}
    if status >= 400:
        # The sender only learns it was refused; the operator of this node needs the why too.
        log.warning("sync call from %s (store %s) refused (%s): %s", signed.node, signed.store, status, answer["detail"])
    answer.setdefault("node", settings.POS_NODE)
    if settings.POS_ROLE == "hq":
        # Signed with the store's key: a store that has no HQ key configured
        # pins this one on first contact (sync/signing.py).
        answer.setdefault("hq_public_key", signing.public_key_text())
    return status, *answer_encode(status, answer, key, signed.signature)


def _contact(signed: auth.Signed, body: dict[str, Any]) -> None:
    """At HQ, tell who listens (the hq app: store health) which store node called, and what it said."""
    if settings.POS_ROLE != "hq":
        return
    hooks.peer_called.send(sender=None, store=signed.store, node=signed.node, body=body)


def _vector_arg(body: dict[str, Any]) -> dict[str, int]:
    raw = body.get("vector", {})
    if not isinstance(raw, dict) or not all(isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) for k, v in raw.items()):
        raise replication.ChangeInvalid("vector must map origin to seq")
    return raw


# What _signed_call can answer, so the schema documents it (schemathesis checks).
SYNC_RESPONSES = {200: dict, 400: dict, 401: dict, 403: dict, 413: dict, 422: dict}


def push_take(signed: auth.Signed, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """A sibling's (or a store's, at HQ) pushed changes, over HTTP or the sibling socket."""
    wires = body.get("changes", [])
    if not isinstance(wires, list) or len(wires) > MAX_BATCH:
        raise replication.ChangeInvalid(f"changes must be a list of at most {MAX_BATCH}")
    sender_vector = _vector_arg(body)
    result = replication.changes_apply(wires=wires, peer_store=signed.store)
    peer_heard(signed.node, sender_vector)
    stores = replication.stores_served_to(signed.store)
    return 200, {"vector": replication.vector(stores), "applied": result.applied, "parked": result.parked,
                 "skipped": result.skipped, "held_back": result.held_back}


@sync_router.post("/sync/push", response=SYNC_RESPONSES, summary="Take a peer's changes (signed with the store's key)")
def push(request: HttpRequest):
    return _signed_call(request, push_take)


@sync_router.post("/sync/pull", response=SYNC_RESPONSES, summary="The changes a peer lacks, by its version vector (signed)")
def pull(request: HttpRequest):
    def handle(signed: auth.Signed, body: dict[str, Any]):
        theirs = _vector_arg(body)
        limit = body.get("limit", 500)
        if not isinstance(limit, int) or not 1 <= limit <= MAX_BATCH:
            raise replication.ChangeInvalid(f"limit must be from 1 to {MAX_BATCH}")
        stores = replication.stores_served_to(signed.store)
        # The whole vector, so the caller sees its own upload's progress too.
        ours = replication.vector(stores)
        if settings.POS_ROLE == "hq" and body.get("only_master", True):
            # HQ's own changes: master data for all, and what HQ wrote for this store alone.
            changes = replication.changes_after(theirs, stores={"*"}, limit=limit, ours=replication.hq_vector_for(signed.store))
        else:
            changes = replication.changes_after(theirs, stores=stores, limit=limit)
        return 200, {"changes": [c.as_wire() for c in changes], "vector": ours, "more": len(changes) >= limit}

    return _signed_call(request, handle)


@sync_router.post("/sync/decide", response=SYNC_RESPONSES, summary="Decide for a sibling of the same store (signed)")
def decide(request: HttpRequest):
    def handle(signed: auth.Signed, body: dict[str, Any]):
        if settings.POS_ROLE != "store":
            raise replication.ChangeRefused("only a store's own nodes decide for it")
        op, args = body.get("op"), body.get("args", {})
        if not isinstance(op, str) or not isinstance(args, dict):
            raise replication.ChangeInvalid("op must be a string and args an object")
        try:
            status, answer = coordinator.run_here(op, args)
        except coordinator.UnknownOperation as exc:
            raise replication.ChangeInvalid(str(exc)) from None
        # The operation's own answer travels inside ours, so a refusal (409, 429)
        # reaches the register unchanged and is not a failure of the link.
        return 200, {"status": status, "body": answer}

    return _signed_call(request, handle)
