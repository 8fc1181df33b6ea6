"""Device tokens on WebSockets.

Browsers cannot set an Authorization header on a WebSocket, so a device
offers its token as a subprotocol: ``new WebSocket(url, ["posweb",
"bearer." + token])``. The server accepts with ``posweb`` (never echoing the
token) and refuses the handshake (HTTP 403) for a missing, unknown or
revoked token. Clients that can set headers (kitchen boxes, integrations,
tests) may send ``Authorization: Bearer TOKEN`` instead, as on the API. Not a
query parameter: URLs end up in logs.
"""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.security.websocket import WebsocketDenier

from security.selectors import device_by_token

SUBPROTOCOL = "posweb"
TOKEN_PREFIX = "bearer."


def token_from_subprotocols(subprotocols: list[str]) -> str:
    for proto in subprotocols:
        if proto.startswith(TOKEN_PREFIX):
            return proto[len(TOKEN_PREFIX):]
    return ""


def token_from_headers(headers: list[tuple[bytes, bytes]]) -> str:
    for name, value in headers:
        if name.lower() == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer":
                return token.strip()
    return ""


class DeviceTokenAuthMiddleware:
    """Wraps the WebSocket router: sets ``scope["device"]`` and ``scope["subprotocol"]``."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        offered = list(scope.get("subprotocols") or [])
        token = token_from_subprotocols(offered) or token_from_headers(list(scope.get("headers") or []))
        device = await database_sync_to_async(device_by_token)(token) if token else None
        if device is None:
            return await WebsocketDenier()(scope, receive, send)
        scope = dict(scope, device=device, subprotocol=SUBPROTOCOL if SUBPROTOCOL in offered else None)
        return await self.inner(scope, receive, send)
