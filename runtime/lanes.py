"""A lane: threads of its own that run blocking database work for the event
loop, each keeping its connection between calls.

``database_sync_to_async`` closes the thread's connections before and after
every call when ``CONN_MAX_AGE`` is 0 (as Django's request cycle does), so
each call reopens SQLite (its PRAGMAs) and the close of the last connection
to a WAL database checkpoints it: the cost the sibling socket exists to skip.
A lane keeps one healthy connection per thread for as long as the process
lives and closes only a broken one, as the workers do (runtime/workers.py
``close_broken_connections``). Its connections are persistent in Django's
own sense too (``close_at`` None, as ``CONN_MAX_AGE = None`` makes them), so
code that runs Django's request signals on a lane (the HTTP handler,
runtime/http.py) keeps them as well. A lane of one thread runs calls one at
a time in the order they were made.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from asgiref.sync import SyncToAsync
from django.db.backends.signals import connection_created

from runtime.workers import close_broken_connections

T = TypeVar("T")

_on_lane = threading.local()


def _mark_lane_thread() -> None:
    _on_lane.on = True


def _keep_connection(sender: Any, connection: Any, **kwargs: Any) -> None:
    # Django sets close_at from CONN_MAX_AGE just before this signal; None is
    # its own "persistent": close_old_connections (the request signals') then
    # closes only a connection that broke or was left outside autocommit.
    if getattr(_on_lane, "on", False):
        connection.close_at = None


connection_created.connect(_keep_connection, dispatch_uid="runtime.lanes.keep_connection")


class Lane:
    def __init__(self, name: str, *, threads: int = 1) -> None:
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix=f"posweb-{name}",
                                            initializer=_mark_lane_thread)

    async def run(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        # SyncToAsync, not run_in_executor: code on the lane knows the loop it
        # serves (async_to_sync, runtime.doorbells.send_soon use it).
        return await SyncToAsync(_kept, thread_sensitive=False, executor=self._executor)(func, *args, **kwargs)


def _kept(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    try:
        return func(*args, **kwargs)
    finally:
        close_broken_connections()
