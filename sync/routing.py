"""The sibling socket's route (sync/consumers.py), outside the device-token
gate: siblings sign with the store's key, they hold no device token."""

from __future__ import annotations

from typing import Any

from channels.routing import URLRouter
from django.urls import path

from sync.consumers import SiblingSocketConsumer
from sync.frames import SOCKET_PATH

websocket_urlpatterns = [path(SOCKET_PATH.lstrip("/"), SiblingSocketConsumer.as_asgi())]


class SiblingSocketRouter:
    """Sends the sibling socket's path to its consumer and every other
    WebSocket to ``devices`` (the device-token gate and the apps' routes)."""

    def __init__(self, devices: Any) -> None:
        self.devices = devices
        self.siblings = URLRouter(websocket_urlpatterns)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        app = self.siblings if scope.get("path") == SOCKET_PATH else self.devices
        return await app(scope, receive, send)
