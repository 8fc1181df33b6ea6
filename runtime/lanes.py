"""A lane: one thread of its own that runs blocking database work for the
event loop, keeping its connection between calls.

``database_sync_to_async`` closes the thread's connections before and after
every call when ``CONN_MAX_AGE`` is 0 (as Django's request cycle does), so
each call reopens SQLite (its PRAGMAs) and the close of the last connection
to a WAL database checkpoints it: the cost the sibling socket exists to skip.
A lane keeps one healthy connection for as long as the process lives (one
thread, so one connection) and closes only a broken one, as the workers do
(runtime/workers.py ``close_broken_connections``). Calls run one at a time
in the order they were made.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from asgiref.sync import SyncToAsync

from runtime.workers import close_broken_connections

T = TypeVar("T")


class Lane:
    def __init__(self, name: str) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"posweb-{name}")

    async def run(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await SyncToAsync(_kept, thread_sensitive=False, executor=self._executor)(func, *args, **kwargs)


def _kept(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    try:
        return func(*args, **kwargs)
    finally:
        close_broken_connections()
