"""Django's ASGI handler with each request's sync work done in one hop, on
threads that keep their database connection.

Django's own ``ASGIHandler`` runs the middleware chain in async mode. With the
node's middlewares all sync, a request hopped between the event loop and a
thread five times: ``request_started``, the chain, the innermost handler back
on the loop, the view back on a thread, ``response.close()``. Each hop waits
for the event loop, which a busy kitchen keeps busy. It also gave each request
a thread of its own (``ThreadSensitiveContext``), and so a database connection
of its own: every request reopened SQLite (its PRAGMAs, about 1 ms of parsing
the schema) or PostgreSQL, and closing the last connection to a WAL database
checkpointed it.

Here a request is parsed on the loop, run like WSGI (signals, middlewares and
view, all sync) in one call on a lane of ``ASGI_THREADS`` threads
(settings.HTTP_THREADS, runtime/lanes.py), answered on the loop, and closed in
a second call. A lane's thread keeps one connection for as long as the
process lives, as persistent connections do (``CONN_MAX_AGE = None``);
``request_started`` and ``request_finished`` still close one that broke, and
the health check (``CONN_HEALTH_CHECKS``) replaces one the server dropped
before a request uses it. Connections of other threads keep the configured ``CONN_MAX_AGE``.
"""

from __future__ import annotations

import asyncio
from typing import Any

import django
from django.conf import settings
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers import base
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.http import FileResponse
from django.urls import set_script_prefix

from runtime.lanes import Lane


class KeptThreadHandler(ASGIHandler):
    """Serves HTTP for the node: ``posweb/asgi.py`` mounts it."""

    def __init__(self) -> None:
        base.BaseHandler.__init__(self)
        # Sync mode: the chain and the view run in the request's one thread
        # call, as under WSGI, with no hop back to the loop in between.
        self.load_middleware(is_async=False)
        # settings.HTTP_THREADS (ASGI_THREADS): requests served at once. The
        # slowest wait on a sibling (a money decision, a few seconds at most).
        self.lane = Lane("http", threads=settings.HTTP_THREADS)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        await self.handle(scope, receive, send)

    def _respond(self, scope: dict[str, Any], request: Any) -> Any:
        signals.request_started.send(sender=self.__class__, scope=scope)
        response = self.get_response(request)
        response._handler_class = self.__class__  # type: ignore[attr-defined]  # as Django's handlers set it
        return response

    async def handle(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        # Django's ASGIHandler.handle, with the sync work moved into _respond
        # and the close; a client that goes away still cancels the answer.
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        set_script_prefix(get_script_prefix(scope))
        request, error_response = self.create_request(scope, body_file)
        if request is None:
            assert error_response is not None  # create_request gives one or the other
            body_file.close()
            await self.send_response(error_response, send)
            await self.lane.run(error_response.close)
            return

        async def process_request() -> Any:
            response = await self.lane.run(self._respond, scope, request)
            if isinstance(response, FileResponse):
                response.block_size = self.chunk_size  # the ASGI server chunks it anyway
            try:
                await self.send_response(response, send)
            except asyncio.CancelledError:
                pass  # the client went away while being answered
            return response

        tasks = [asyncio.create_task(self.listen_for_disconnect(receive)), asyncio.create_task(process_request())]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in tasks:
            if task.done():
                try:
                    task.result()
                except RequestAborted:
                    pass
                except AssertionError:
                    body_file.close()
                    raise
            else:
                task.cancel()
                try:
                    await task
                except asyncio.CancelledError:
                    pass
        try:
            response = tasks[1].result()
        except asyncio.CancelledError:
            await self.lane.run(signals.request_finished.send, self.__class__)
        else:
            await self.lane.run(response.close)
        body_file.close()


def http_application() -> KeptThreadHandler:
    """What django.core.asgi.get_asgi_application() does, with this handler."""
    django.setup(set_prefix=False)
    return KeptThreadHandler()
