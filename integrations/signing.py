"""Webhook signatures (pure, no I/O): HMAC-SHA256 over the timestamp and the exact body.

Header ``X-Posweb-Signature: t=UNIX,v1=HEX`` where HEX is
HMAC-SHA256(secret, f"{t}.{body}"), as Stripe signs its webhooks: the
timestamp in the signed text lets a receiver refuse replays of old
deliveries, and the body is signed byte for byte so re-serialising cannot
hide a change.
"""

from __future__ import annotations

import hashlib
import hmac

TOLERANCE_SECONDS = 300


def sign(*, secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(*, secret: str, body: bytes, header: str, now: int, tolerance: int = TOLERANCE_SECONDS) -> bool:
    """What a receiver does: the signature matches and is not older than ``tolerance`` seconds."""
    try:
        parts = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(parts["t"])
        given = parts["v1"]
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = sign(secret=secret, body=body, timestamp=timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, given)
