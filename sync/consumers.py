"""The sibling socket (``/ws/sync/``): a sibling's live pushes without
Django's request cycle.

Each frame goes through the same gate as ``POST /api/sync/push``
(sync/api.py ``signed_answer``: the store's key, the store binding, the
time window) and the same ``push_take``, so it is refused with the same
status and detail; the answer frame carries them (sync/frames.py). The
handshake is signed too and answered with a signed greeting; a socket that
fails it gets the refusal and is closed, as is one that sends a frame the
gate refuses unsigned (not signed with the key, another store's node, too
large). The work runs on one lane (runtime/lanes.py) that keeps its
database connection, in the order the frames came. Only store nodes serve
it: HQ and older siblings are reached over HTTP, which stays the fallback.
"""

from __future__ import annotations

import logging
from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from runtime.lanes import Lane
from runtime.sockets import DirectDispatch
from sync import auth, frames, replication
from sync.api import push_take, signed_answer

log = logging.getLogger(__name__)

_lane = Lane("sibling-socket")

# Close codes (4000-4999 are the application's): 4000 + the refusal's HTTP status.
CLOSE_BASE = 4000


def _hello(signed: auth.Signed, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    if settings.POS_ROLE != "store":
        raise replication.ChangeRefused("only a store's own nodes keep a sibling socket")
    return 200, {"frame_bytes": frames.FRAME_BODY_BYTES}


class SiblingSocketConsumer(DirectDispatch, AsyncWebsocketConsumer):
    greeted = False

    async def connect(self) -> None:
        # A handshake's headers may repeat; the first of each is the one HTTP reads too.
        headers: dict[str, str] = {}
        wanted = {name.lower().encode(): name for name in frames.HEADERS}
        for name, value in self.scope.get("headers") or []:
            if (header := wanted.get(name.lower())) and header not in headers:
                headers[header] = value.decode("latin-1")
        status, raw, signature = await _lane.run(
            signed_answer, method=frames.HELLO_METHOD, path=self.scope["path"], headers=headers, raw=b"", handle=_hello
        )
        await self.accept()
        await self._answer(status, raw, signature)
        self.greeted = status == 200

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if not self.greeted:
            return  # refused at the handshake and being closed
        data = bytes_data if bytes_data is not None else (text_data or "").encode()
        headers, body = frames.request_decode(data)
        if len(data) > frames.FRAME_BODY_BYTES + frames.HEAD_ROOM or len(body) > frames.FRAME_BODY_BYTES:
            # The words of HTTP's 413 (posweb/api.py), unsigned as there.
            await self._answer(413, b'{"detail":"request body is too large"}', None)
            return
        status, raw, signature = await _lane.run(
            signed_answer, method=frames.PUSH_METHOD, path=self.scope["path"], headers=headers, raw=body, handle=push_take
        )
        await self._answer(status, raw, signature)

    async def _answer(self, status: int, raw: bytes, signature: str | None) -> None:
        await self.send(bytes_data=frames.answer_encode(status, raw, signature))
        if signature is None or (status != 200 and not self.greeted):
            # An unsigned answer: the sender is no sibling of ours (or sent what
            # none sends); nothing more is read from it.
            log.warning("sibling socket from %s closed: %s %s", self.scope.get("client"), status, raw[:200])
            self.greeted = False
            await self.close(code=CLOSE_BASE + status)
