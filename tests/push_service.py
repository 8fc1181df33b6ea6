"""A push service and a phone on 127.0.0.1: the phone's keys decrypt each message (RFC 8291 aes128gcm).

Stands in for the browser vendor's push service, which a test cannot reach;
everything the node does (VAPID signature, encryption, TTL, retries) is real.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Phone:
    """A browser's push subscription: its own ECDH key pair and auth secret."""

    def __init__(self) -> None:
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        public = self.private_key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        self.p256dh = b64(public)
        self.auth_secret = os.urandom(16)
        self.auth = b64(self.auth_secret)


class PushService:
    """Accepts pushes for one phone, checks the VAPID JWT, decrypts the payload."""

    def __init__(self, phone: Phone) -> None:
        self.phone = phone
        self.messages: list[dict] = []
        self.refuse_next = 0
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if service.refuse_next > 0:
                    service.refuse_next -= 1
                    self.send_response(503)
                    self.end_headers()
                    return
                vapid_ok = service.vapid_ok(self.headers.get("Authorization", ""))
                plain = http_ece.decrypt(
                    body, private_key=phone.private_key, auth_secret=phone.auth_secret, version="aes128gcm"
                )
                service.messages.append(
                    {"vapid": vapid_ok, "ttl": self.headers.get("TTL"), "encoding": self.headers.get("Content-Encoding"), "message": json.loads(plain)}
                )
                self.send_response(201)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/push/{b64(os.urandom(8))}"

    def vapid_ok(self, header: str) -> bool:
        """``vapid t=JWT, k=KEY``: the JWT is ES256-signed by KEY."""
        try:
            parts = dict(p.strip().split("=", 1) for p in header.removeprefix("vapid ").split(","))
            head, claims, signature = parts["t"].split(".")
            raw = unb64(signature)
            key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(parts["k"]))
            der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
            key.verify(der, f"{head}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
            return json.loads(unb64(claims))["aud"].startswith("http://127.0.0.1:")
        except Exception:  # noqa: BLE001
            return False

    def __enter__(self) -> "PushService":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
