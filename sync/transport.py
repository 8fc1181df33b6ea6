"""The HTTP client a node uses to call a peer's sync endpoints.

One persistent connection per peer (loopback and LAN round trips are what the
live push's lag is made of, so no new TCP or TLS handshake per batch);
https peers are verified against the system CAs and POS_SYNC_CA_FILE when set
(a store CA). Every call is signed and every answer's signature checked (sync/auth.py).
"""

from __future__ import annotations

import http.client
import json
import ssl
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from sync import auth


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

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            if self.https:
                # The store CA is added to the system's CAs, not put in their
                # place: siblings show store-CA certificates, HQ a public one.
                context = ssl.create_default_context()
                if ca_file := getattr(settings, "POS_SYNC_CA_FILE", ""):
                    context.load_verify_locations(cafile=ca_file)
                self._conn = http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout, context=context)
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
            raise PeerError(f"{self.base_url}{path}: {status} {detail}", status=status, detail=detail)
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
