"""A Web Push service on 127.0.0.1 for tests: takes what pywebpush sends,
checks the VAPID header, decrypts the aes128gcm body with http_ece as a
browser would, and keeps the messages."""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class PushEndpoint:
    """One subscribed browser: ``subscription`` is what PushManager.subscribe() would give."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        self.messages: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                try:
                    plain = http_ece.decrypt(body, private_key=endpoint.key, auth_secret=endpoint.auth, version="aes128gcm")
                    endpoint.messages.append(json.loads(plain))
                    endpoint.headers.append({k.lower(): v for k, v in self.headers.items()})
                    self.send_response(201)
                except Exception:  # noqa: BLE001 - a bad message is a 400, as a real push service answers
                    self.send_response(400)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "PushEndpoint":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def subscription(self) -> dict[str, Any]:
        point = self.key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        port = self.server.server_address[1]
        return {"endpoint": f"http://127.0.0.1:{port}/push/abc", "keys": {"p256dh": _b64(point), "auth": _b64(self.auth)}}

    def wait_for(self, count: int, timeout: float = 30) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.messages) < count:
            time.sleep(0.1)
        return self.messages

    def wait_for_kind(self, kind: str, timeout: float = 30) -> list[dict[str, Any]]:
        """The messages of ``kind`` once one came (other alerts may arrive first), or [] at the timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [m for m in list(self.messages) if m.get("data", {}).get("kind") == kind]
            if found:
                return found
            time.sleep(0.1)
        return []
