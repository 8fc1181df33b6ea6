"""ASGI entry point: HTTP through Django, WebSockets through Channels."""

import os

from posweb import startup

startup.begin()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "posweb.settings")
from runtime.http import http_application  # noqa: E402

django_asgi_app = http_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402

from kitchen.routing import websocket_urlpatterns as kitchen_ws  # noqa: E402
from registers.routing import websocket_urlpatterns as orders_ws  # noqa: E402
from runtime import workers  # noqa: E402
from security.wsauth import DeviceTokenAuthMiddleware  # noqa: E402
from sync.routing import SiblingSocketRouter  # noqa: E402

if settings.POS_WORKERS:
    from sync.restore import life_begin  # noqa: E402

    # Before anything is served or pushed: this process's own origin, and
    # whether the database went back since the last one (sync/restore.py).
    life_begin()
    workers.start_all(once=settings.POS_WORKERS_ONCE)

from runtime.housekeeping import startup_settle  # noqa: E402

startup_settle()

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # Every socket needs a live device token (security/wsauth.py), except
        # the sibling socket, signed with the store's key (sync/routing.py).
        "websocket": SiblingSocketRouter(DeviceTokenAuthMiddleware(URLRouter(kitchen_ws + orders_ws))),
    }
)
startup.done()
