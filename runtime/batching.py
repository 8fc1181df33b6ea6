"""Group commit: many callers' writes recorded in one transaction.

Two flavours of one idea, for the two kinds of caller a node has:

- ``GroupCommit`` for request threads (orders placed by many registers at
  once): whoever holds the writer lock commits for everyone who queued while
  it worked. One leader at a time and no background thread; followers wait on
  their own event, and a failed batch is retried job by job so one bad job
  fails alone.
- ``AsyncBatcher`` for an event loop (kitchen acks from many screens): the
  first caller starts a recorder task that gathers a moment, then hands the
  whole batch to one call.

The callers keep their domain logic (what a job is, how a batch is written);
this module only decides who writes when.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Generic, Protocol, TypeVar

from django.db import transaction


class Job(Protocol):
    """What GroupCommit needs of a job: an event set once it is decided."""

    finished: threading.Event


J = TypeVar("J", bound=Job)


class GroupCommit(Generic[J]):
    """Commit jobs in batches with ``write(batch)`` inside ``transaction.atomic()``.

    ``fail(job, exc)`` records on a job why its write failed (called for a job
    alone, after its batch failed and it was retried by itself; or for every
    job when the write was interrupted by a BaseException). ``gather_s`` is the
    pause before the next batch while busy.
    """

    def __init__(self, write: Callable[[list[J]], None], *, fail: Callable[[J, BaseException], None],
                 gather_s: float) -> None:
        self.write, self.fail, self.gather_s = write, fail, gather_s
        self._queue: list[J] = []
        self._queue_lock = threading.Lock()
        self._writer = threading.Lock()

    def submit(self, job: J) -> None:
        """Queue ``job`` and return once it is committed or failed."""
        with self._queue_lock:
            self._queue.append(job)
        # Followers wait on their own event rather than on the writer lock, so a
        # finished batch wakes its jobs at once instead of handing the lock from
        # thread to thread. A leader drains the queue until it is empty and looks
        # again after letting go, so no job queued meanwhile is left waiting.
        while True:
            if self._writer.acquire(blocking=False):
                try:
                    self._drain()
                finally:
                    self._writer.release()
                with self._queue_lock:
                    more = bool(self._queue)
                if more:
                    continue
            # A leader interrupted mid-drain must not strand us: look again now and then.
            if job.finished.wait(0.5):
                return

    def _drain(self) -> None:
        busy = False
        while True:
            if busy:
                # Under load, the callers answered by the last batch are about
                # to send their next jobs: a moment's pause lets them join this
                # batch instead of the one after (fewer, fuller transactions).
                time.sleep(self.gather_s)
            with self._queue_lock:
                batch = self._queue[:]
                self._queue.clear()
            if not batch:
                return
            busy = len(batch) > 1
            self.commit(batch)

    def commit(self, batch: list[J]) -> None:
        """Write ``batch`` in one transaction; if that fails, each job on its own."""
        try:
            with transaction.atomic():
                self.write(batch)
        except Exception as exc:
            if len(batch) > 1:
                for job in batch:
                    self.commit([job])
                return
            self.fail(batch[0], exc)
            batch[0].finished.set()
        except BaseException as exc:
            for job in batch:
                self.fail(job, exc)
                job.finished.set()
            raise
        else:
            for job in batch:
                job.finished.set()


ItemT = TypeVar("ItemT")
ResultT = TypeVar("ResultT")


class AsyncBatcher(Generic[ItemT, ResultT]):
    """``await submit(item)`` returns what ``run(batch)`` answered for ``item``.

    ``run`` gets every item submitted on the same event loop meanwhile and
    returns one result per item, in order (an exception instance fails only
    its item; an exception raised by ``run`` fails the whole batch).
    """

    def __init__(self, run: Callable[[list[ItemT]], Awaitable[list[ResultT | BaseException]]], *, gather_s: float) -> None:
        self.run, self.gather_s = run, gather_s
        # Per event loop: its futures belong to it.
        self._queues: dict[int, list[tuple[ItemT, asyncio.Future[ResultT]]]] = {}
        self._recording: set[int] = set()

    async def submit(self, item: ItemT) -> ResultT:
        loop = asyncio.get_running_loop()
        key = id(loop)
        done: asyncio.Future[ResultT] = loop.create_future()
        self._queues.setdefault(key, []).append((item, done))
        if key not in self._recording:
            self._recording.add(key)
            loop.create_task(self._record(key))
        return await done

    async def _record(self, key: int) -> None:
        try:
            # A burst arrives a message at a time: a moment lets the rest of
            # the burst join the first.
            await asyncio.sleep(self.gather_s)
            while self._queues.get(key):
                await self._answer(self._queues.pop(key))
        finally:
            self._recording.discard(key)

    async def _answer(self, batch: list[tuple[ItemT, asyncio.Future[ResultT]]]) -> None:
        results: list[ResultT | BaseException]
        try:
            results = await self.run([item for item, _ in batch])
        except Exception as exc:  # noqa: BLE001 - handed to every item of the batch
            results = [exc] * len(batch)
        for (_, done), result in zip(batch, results, strict=True):
            if done.done():
                continue  # the caller has gone
            if isinstance(result, BaseException):
                done.set_exception(result)
            else:
                done.set_result(result)
