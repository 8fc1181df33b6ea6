"""The clients a node uses to call a peer's sync endpoints: HTTP, and the
sibling socket for live pushes (sync/frames.py).

One persistent connection per peer (loopback and LAN round trips are what the
live push's lag is made of, so no new TCP or TLS handshake per batch);
https peers are verified against the system CAs and POS_SYNC_CA_FILE when set
(a store CA). Every call is signed and every answer's signature checked (sync/auth.py).
"""

from __future__ import annotations

import http.client
import json
import ssl
from typing import Any, Never
from urllib.parse import urlsplit

from django.conf import settings
from websockets.exceptions import WebSocketException
from websockets.sync.client import ClientConnection, connect

from sync import auth, frames


class PeerError(Exception):
    """The peer could not be reached or answered with an error: ``status`` is
    its HTTP status when it answered, ``detail`` the reason it gave."""

    def __init__(self, message: str, *, status: int | None = None, detail: str = "") -> None:
        super().__init__(message)
        self.status, self.detail = status, detail


class PeerUnauthorized(PeerError):
    """The peer refused our key, or its answer is not signed with ours."""


class PeerClient:
    def __init__(self, base_url: str, *, key: str, store: str, node: str, timeout: float = 5.0, attempts: int = 2) -> None:
        """``attempts``: 2 retries once on a fresh connection (a kept-alive one the
        peer may have closed); 1 for a one-off call whose caller has a fallback."""
        parts = urlsplit(base_url)
        self.base_url = base_url
        self.https = parts.scheme == "https"
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or (443 if self.https else 80)
        self.prefix = parts.path.rstrip("/")
        self.key, self.store, self.node, self.timeout = key, store, node, timeout
        self.attempts = max(1, attempts)
        self._conn: http.client.HTTPConnection | None = None

    def tls_context(self) -> ssl.SSLContext:
        # The store CA is added to the system's CAs, not put in their
        # place: siblings show store-CA certificates, HQ a public one.
        context = ssl.create_default_context()
        if ca_file := getattr(settings, "POS_SYNC_CA_FILE", ""):
            context.load_verify_locations(cafile=ca_file)
        return context

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            if self.https:
                self._conn = http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout, context=self.tls_context())
            else:
                self._conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def call(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST a signed JSON body to ``/api{path}``; returns the verified answer."""
        full = f"{self.prefix}/api{path}"
        raw = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        signed = auth.sign_request(key=self.key, method="POST", path=full, store=self.store, node=self.node, body=raw)
        headers = {"Content-Type": "application/json", **signed.headers()}
        status, answer, signature = self._send(full, raw, headers)
        return self.verified(path, signed, status, answer, signature)

    def verified(self, what: str, signed: auth.Signed, status: int, answer: bytes, signature: str | None) -> dict[str, Any]:
        """The answer to the request ``signed``, once its signature is ours; a refusal raised as PeerError."""
        if status == 401:
            raise PeerUnauthorized(f"{self.base_url} refused our key: {answer[:200]!r}", status=401,
                                   detail=answer[:200].decode(errors="replace"))
        try:
            auth.verify_response(key=self.key, request_signature=signed.signature, body=answer, signature=signature)
        except auth.AuthError as exc:
            # An unsigned refusal (403 from a node of another store, 413) still says which.
            raise PeerUnauthorized(f"{self.base_url}: {exc}", status=status if status >= 400 else None) from None
        data = json.loads(answer)
        if status >= 400:
            detail = str(data.get("detail", ""))
            raise PeerError(f"{self.base_url}{what}: {status} {detail}", status=status, detail=detail)
        return data

    def _send(self, path: str, raw: bytes, headers: dict[str, str]) -> tuple[int, bytes, str | None]:
        # One retry on a fresh connection: the peer may have closed an idle
        # keep-alive connection, or restarted, since the last call.
        for attempt in range(1, self.attempts + 1):
            try:
                conn = self._connection()
                conn.request("POST", path, body=raw, headers=headers)
                response = conn.getresponse()
                return response.status, response.read(), response.getheader(auth.H_SIGNATURE)
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                if attempt == self.attempts:
                    raise PeerError(f"{self.base_url}: {exc}") from None
        raise AssertionError("unreachable")


class SocketDown(PeerError):
    """The sibling socket could not be opened or broke: send over HTTP instead."""


class PeerSocket:
    """One open sibling socket (sync/frames.py), for the push worker's thread.

    ``send`` and ``receive`` are split so that several pushes can be in
    flight: the peer answers them in order. Whatever breaks the socket
    (a timeout, a reset, a frame that is not ours) raises SocketDown and
    closes it, leaving any unanswered pushes to be sent again: applying a
    change twice is a no-op."""

    def __init__(self, client: PeerClient) -> None:
        self.client = client
        self.path = f"{client.prefix}{frames.SOCKET_PATH}"
        self._ws: ClientConnection | None = None
        self._pending: list[auth.Signed] = []
        # The largest push body the peer takes in a frame, from its greeting,
        # never more than ours (None from a peer of an older release: its
        # HTTP limit holds).
        self.frame_bytes: int | None = None

    @property
    def open(self) -> bool:
        return self._ws is not None

    def connect(self) -> None:
        """Open and authenticate the socket: our signed handshake, the peer's signed greeting."""
        c = self.client
        signed = auth.sign_request(key=c.key, method=frames.HELLO_METHOD, path=self.path, store=c.store, node=c.node, body=b"")
        scheme = "wss" if c.https else "ws"
        try:
            self._ws = connect(
                f"{scheme}://{c.host}:{c.port}{self.path}", additional_headers=signed.headers(),
                ssl=c.tls_context() if c.https else None, proxy=None, compression=None, open_timeout=c.timeout,
                close_timeout=1, max_size=2**20, legacy=True,
            )
        except (OSError, WebSocketException, TimeoutError) as exc:
            raise SocketDown(f"{c.base_url}{self.path}: {exc}") from None
        self._pending = [signed]
        try:
            greeting = self.receive()
        except PeerError:
            self.close()
            raise
        frame_bytes = greeting.get("frame_bytes")
        if isinstance(frame_bytes, int) and not isinstance(frame_bytes, bool) and frame_bytes > 0:
            self.frame_bytes = min(frame_bytes, frames.FRAME_BODY_BYTES)
        else:
            self.frame_bytes = None

    def send(self, body: dict[str, Any]) -> None:
        if self._ws is None:
            raise SocketDown(f"{self.client.base_url}{self.path}: not open")
        c = self.client
        raw = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        signed = auth.sign_request(key=c.key, method=frames.PUSH_METHOD, path=self.path, store=c.store, node=c.node, body=raw)
        try:
            self._ws.send(frames.request_encode(signed, raw))
        except (OSError, WebSocketException) as exc:
            self._broken(exc)
        self._pending.append(signed)

    def receive(self) -> dict[str, Any]:
        """The answer to the oldest push still unanswered."""
        if self._ws is None or not self._pending:
            raise SocketDown(f"{self.client.base_url}{self.path}: nothing to wait for")
        try:
            data = self._ws.recv(timeout=self.client.timeout)
            status, answer, signature = frames.answer_decode(data if isinstance(data, bytes) else data.encode())
        except (OSError, WebSocketException, TimeoutError, frames.FrameInvalid) as exc:
            self._broken(exc)
        signed = self._pending.pop(0)
        try:
            return self.client.verified(self.path, signed, status, answer, signature)
        except PeerError:
            if signature is None:
                self.close()  # the peer closes after an unsigned refusal
            raise

    @property
    def in_flight(self) -> int:
        return len(self._pending)

    def _broken(self, exc: Exception) -> Never:
        self.close(hard=True)
        raise SocketDown(f"{self.client.base_url}{self.path}: {exc or type(exc).__name__}") from None

    def close(self, *, hard: bool = False) -> None:
        """``hard``: the socket is broken; drop it without a closing handshake
        a dead link would make us wait for."""
        ws, self._ws, self._pending = self._ws, None, []
        if ws is None:
            return
        if hard:
            ws.close_socket()
        else:
            ws.close()
