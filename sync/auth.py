"""HMAC signatures for every sync request and response.

A request is signed over method, path, timestamp, store, sender and the body's
digest with the store's key (POS_SYNC_KEY; at HQ, registers.Store.sync_key of
the store the caller names). The answer is signed over the request's signature
and the answer's body, so a node with the wrong key can neither send changes
nor slip changes into an answer. Comparison is constant-time. A timestamp
more than MAX_SKEW_S away is refused, so a recorded request cannot be
replayed later (inside the window a replay is harmless: applying a change
twice is a no-op).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass

MAX_SKEW_S = 300
H_STORE = "X-Pos-Store"
H_NODE = "X-Pos-Node"
H_TIME = "X-Pos-Time"
H_SIGNATURE = "X-Pos-Signature"


class AuthError(Exception):
    """The request or answer is not signed with the right key (HTTP 401)."""


class ForeignStore(AuthError):
    """A correctly framed request for a store this node does not serve (HTTP 403)."""


@dataclass(frozen=True)
class Signed:
    store: str
    node: str
    timestamp: str
    signature: str

    def headers(self) -> dict[str, str]:
        return {H_STORE: self.store, H_NODE: self.node, H_TIME: self.timestamp, H_SIGNATURE: self.signature}


def _mac(key: str, message: str) -> str:
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()


def _request_message(method: str, path: str, timestamp: str, store: str, node: str, body: bytes) -> str:
    return "\n".join([method.upper(), path, timestamp, store, node, hashlib.sha256(body).hexdigest()])


def sign_request(*, key: str, method: str, path: str, store: str, node: str, body: bytes, now: float | None = None) -> Signed:
    timestamp = str(int(now if now is not None else time.time()))
    return Signed(store, node, timestamp, _mac(key, _request_message(method, path, timestamp, store, node, body)))


def verify_request(*, key: str, method: str, path: str, headers: dict[str, str], body: bytes, now: float | None = None) -> Signed:
    """Check a request's signature; returns who signed it. Raises AuthError."""
    try:
        signed = Signed(headers[H_STORE], headers[H_NODE], headers[H_TIME], headers[H_SIGNATURE])
    except KeyError as missing:
        raise AuthError(f"missing header {missing.args[0]}: sync calls must be signed with the store's key") from None
    try:
        skew = abs((now if now is not None else time.time()) - int(signed.timestamp))
    except ValueError:
        raise AuthError(f"{H_TIME} must be a unix time in seconds") from None
    if skew > MAX_SKEW_S:
        raise AuthError(f"request time is {int(skew)} s away from this node's clock (limit {MAX_SKEW_S} s)")
    expected = _mac(key, _request_message(method, path, signed.timestamp, signed.store, signed.node, body))
    if not hmac.compare_digest(expected, signed.signature):
        raise AuthError("bad signature: the sender does not have this store's sync key")
    return signed


def sign_response(*, key: str, request_signature: str, body: bytes) -> str:
    return _mac(key, f"response\n{request_signature}\n{hashlib.sha256(body).hexdigest()}")


def verify_response(*, key: str, request_signature: str, body: bytes, signature: str | None) -> None:
    if not signature or not hmac.compare_digest(sign_response(key=key, request_signature=request_signature, body=body), signature):
        raise AuthError("the answer is not signed with this store's sync key")
