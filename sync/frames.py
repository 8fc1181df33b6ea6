"""The sibling socket's frames (``/ws/sync/``), read and written by both ends.

A sibling opens the socket with the signed headers of ``GET /ws/sync/``
(empty body) and is greeted with a signed answer frame before anything else.
Each push is then one binary frame: the sync headers (sync/auth.py) as a JSON
object, a newline, and the push's JSON body, signed with method ``WS`` over
the socket's path. Each is answered, in order, by one frame: ``{"status": N,
"signature": S}``, a newline, and the answer's body, exactly as the HTTP
push answers (S missing where HTTP's answer is unsigned). The method ``WS``
keeps a frame from being replayed as an HTTP request or a handshake.
"""

from __future__ import annotations

import json
from typing import Any

from sync import auth

SOCKET_PATH = "/ws/sync/"
# A frame carries its headers before the body: room for them beyond the body's limit.
HEAD_ROOM = 1024
# The largest push body a frame may carry, whatever HTTP's POS_MAX_BODY_BYTES:
# daphne carries WebSocket messages of up to 1 MiB (and buffers them whole),
# less room for the frame's headers. The receiver's greeting announces it as
# "frame_bytes"; a sender takes no more than this from any greeting. A
# catch-up's batch costs about 14 ms of queries whatever its size, and
# fitted to HTTP's 256 KiB one held about 320 changes.
FRAME_BODY_BYTES = 2**20 - HEAD_ROOM
HELLO_METHOD = "GET"
PUSH_METHOD = "WS"
HEADERS = (auth.H_STORE, auth.H_NODE, auth.H_TIME, auth.H_SIGNATURE)


class FrameInvalid(ValueError):
    """A frame that is not framed as above."""


def request_encode(signed: auth.Signed, body: bytes) -> bytes:
    return json.dumps(signed.headers(), separators=(",", ":")).encode() + b"\n" + body


def request_decode(data: bytes) -> tuple[dict[str, str], bytes]:
    """The headers and body of a request frame; headers it does not carry are
    missing (and so refused by the signature check, as on HTTP)."""
    head, newline, body = data.partition(b"\n")
    try:
        raw: Any = json.loads(head) if newline else None
    except ValueError:
        raw = None
    if not isinstance(raw, dict):
        return {}, body if newline else data
    return {name: value for name in HEADERS if isinstance(value := raw.get(name), str)}, body


def answer_encode(status: int, body: bytes, signature: str | None) -> bytes:
    head: dict[str, Any] = {"status": status}
    if signature:
        head["signature"] = signature
    return json.dumps(head, separators=(",", ":")).encode() + b"\n" + body


def answer_decode(data: bytes) -> tuple[int, bytes, str | None]:
    head, newline, body = data.partition(b"\n")
    try:
        raw: Any = json.loads(head)
    except ValueError:
        raw = None
    if not newline or not isinstance(raw, dict) or not isinstance(raw.get("status"), int):
        raise FrameInvalid("the peer's answer is not a sync frame")
    signature = raw.get("signature")
    return raw["status"], body, signature if isinstance(signature, str) else None
