"""Socket groups that keep working while the channel layer (Redis) is down, and closing a device's sockets.

A ring (a doorbell: "look again", or "close") reaches the sockets of this
process directly, through a queue each socket reads beside its WebSocket and
its channel-layer inbox, and the sockets of other processes through the
channel layer, marked with this process's id so its own sockets drop the
copy they already had. So:

- with Redis down, a node's screens keep getting their rings (orders placed
  on the node ring its own process), none twice; rings from another process
  (a second daphne, a management command) wait for Redis, and a screen's
  ping, which re-reads the feed, bounds that delay;
- a socket whose channel-layer receive fails does not die with 1011: it
  retries with a bounded backoff and joins its groups again once Redis
  answers, and a keeper re-joins every socket's groups every KEEP_S, as a
  Redis restarted empty has forgotten them;
- ``device_sockets_close(token_hash)`` closes every socket of a device, here
  at once and in other processes through the layer, and marks the device
  revoked in this process, so a message its sockets send after that is
  refused even before the close reaches them.

Health's ``channel_layer_down`` stays the layer's own verdict (a worker's
ping, runtime/health_checks.py): the layer is down even while this process
serves its screens without it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
import weakref
from collections import deque
from collections.abc import Callable, Hashable
from typing import Any

from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from channels.utils import await_many_dispatch

from runtime.doorbells import ring_after_commit, send_soon
from runtime.reads import db_read

log = logging.getLogger(__name__)

# Seconds between a socket's retries of a failing channel-layer receive (doubling up to the max).
RETRY_FIRST_S = 0.5
RETRY_MAX_S = 5.0
# Seconds between re-joins of every socket's groups (a Redis restarted empty forgot them).
KEEP_S = 5.0
# A group_send that takes longer than this counts as failed: the local sockets already have the ring.
SEND_TIMEOUT_S = 2.0
# Close code for a revoked device's socket (4000-4999: the application's own).
CLOSE_REVOKED = 4403
# Seconds a socket trusts its device's last database check: a revocation applied
# by another process reaches it through the layer, or (layer down) within this.
DEVICE_CHECK_S = 1.0
# Ring ids a socket remembers, to drop a ring it got both ways.
SEEN_KEEP = 64
# Revoked devices this process remembers (a pos store has tens of devices, not thousands).
REVOKED_KEEP = 10_000

_process = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
_members: dict[str, weakref.WeakSet[LiveSocket]] = {}
_revoked: set[str] = set()
_keepers: dict[int, asyncio.Task[None]] = {}
_send_failing = False


def device_group(token_hash: str) -> str:
    return f"device.{token_hash[:64]}"


class DirectDispatch:
    """Channels' consumer dispatch without its hop to close old connections.

    ``AsyncConsumer.dispatch`` (Channels 4.3, as installed) first runs Django's
    ``close_old_connections`` through ``sync_to_async`` on the process's one
    thread-sensitive thread, for every message of every socket: a ring to ten
    kitchen screens made ten hops there, each queued behind whatever that
    thread was doing (a screen's bump being written, another's ack), before
    any screen drew its tickets (bench/fanout.py: the screens had an order
    2.0 ms after the POST's answer at p50 with the hop, 0.8 ms without).
    The sockets' own database work closes its connections itself
    (``database_sync_to_async``) or keeps them on a lane (runtime/lanes.py),
    so the hop closed nothing that needed it."""

    async def dispatch(self, message: dict[str, Any]) -> None:
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)


class LiveSocket(DirectDispatch, AsyncJsonWebsocketConsumer):
    """A consumer whose groups survive channel-layer outages and which a revocation closes.

    Join groups with ``live_join`` (never ``channel_layer.group_add``); the
    device's own group is joined with the first one. Messages arrive at
    handlers as with Channels (``{"type": "feed.ring"}`` -> ``feed_ring``),
    one at a time."""

    live_groups: list[str]
    layer_ok: bool
    # Given token digests, the ones still live in the database (set by the
    # consumer: runtime may not read devices).
    device_check: Callable[[list[str]], set[str]] | None = None

    async def __call__(self, scope, receive, send):
        # Channels' own __call__, with the layer's receive made one that never
        # raises and a third source: rings from this process.
        self.scope = scope
        self.live_groups = []
        self.layer_ok = True
        self.loop = asyncio.get_running_loop()
        self.local: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.seen: deque[str] = deque(maxlen=SEEN_KEEP)
        self.device_checked_at = asyncio.get_running_loop().time()  # the handshake just checked it
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        self.base_send = send
        sources = [receive, self.local.get]
        if self.channel_layer is not None:
            self.channel_name = await self.channel_layer.new_channel()
            sources.append(self._layer_receive)
        else:
            self.channel_name = f"local!{uuid.uuid4().hex}"
        try:
            await await_many_dispatch(sources, self.dispatch)
        except StopConsumer:
            pass
        finally:
            self._forget()

    async def dispatch(self, message):
        ring = message.get("ring")
        if ring is not None:
            if message.get("from") == _process and message.get("via") == "layer":
                return  # this process delivered it directly already
            if ring in self.seen:
                return
            self.seen.append(ring)
        if message.get("type") == "websocket.receive" and not await self.device_live():
            await self.revoked_close()
            return
        if getattr(self, get_handler_name(message), None) is None and ring is not None:
            return  # a ring this kind of socket does not listen to
        await super().dispatch(message)

    @property
    def device_hash(self) -> str:
        return str(getattr(self.scope.get("device"), "token_hash", "") or "")

    def device_revoked(self) -> bool:
        return bool(self.device_hash) and self.device_hash in _revoked

    async def device_live(self, max_age: float = DEVICE_CHECK_S) -> bool:
        """False once this socket's device is revoked: known here at once, else read at most every ``max_age``."""
        if self.device_revoked():
            return False
        check, token_hash = type(self).device_check, self.device_hash
        now = asyncio.get_running_loop().time()
        if check is None or not token_hash or now - self.device_checked_at < max_age:
            return True
        self.device_checked_at = now
        if token_hash in await db_read(check, [token_hash]):
            return True
        device_revoked_here(token_hash)
        return False

    async def revoked_close(self) -> None:
        if getattr(self, "closing", False):
            return
        self.closing = True
        try:
            await self.send_json({"type": "error", "code": "device_revoked",
                                  "detail": "this device was revoked; pair it again to use it"})
        finally:
            await self.close(code=CLOSE_REVOKED)

    async def socket_close(self, message: dict[str, Any]) -> None:
        await self.revoked_close()

    async def live_join(self, group: str) -> None:
        """Join ``group`` here and, if it answers, on the channel layer."""
        if not self.live_groups and self.device_hash:
            self._join_local(device_group(self.device_hash))
        self._join_local(group)
        await self._layer_join()
        _keeper_ensure()

    def _join_local(self, group: str) -> None:
        if group not in self.live_groups:
            self.live_groups.append(group)
            _members.setdefault(group, weakref.WeakSet()).add(self)

    async def live_leave(self) -> None:
        groups = list(self.live_groups)
        self._forget()
        if self.channel_layer is None:
            return
        for group in groups:
            try:
                await asyncio.wait_for(self.channel_layer.group_discard(group, self.channel_name), SEND_TIMEOUT_S)
            except Exception:  # noqa: BLE001 - the layer forgets it by itself (group expiry)
                break

    def _forget(self) -> None:
        for group in getattr(self, "live_groups", ()):
            members = _members.get(group)
            if members is not None:
                members.discard(self)
                if not members:
                    _members.pop(group, None)
        self.live_groups = []

    async def _layer_join(self) -> bool:
        """(Re-)join every group on the layer; False (and layer_ok False) when it does not answer."""
        if self.channel_layer is None:
            return True
        try:
            for group in list(self.live_groups):
                await asyncio.wait_for(self.channel_layer.group_add(group, self.channel_name), SEND_TIMEOUT_S)
        except Exception as exc:  # noqa: BLE001 - served from this process until it answers
            if self.layer_ok:
                log.warning("channel layer unreachable for socket %s: %s", self.channel_name, exc)
            self.layer_ok = False
            return False
        self.layer_ok = True
        return True

    async def _layer_receive(self) -> dict[str, Any]:
        assert self.channel_layer is not None
        delay = RETRY_FIRST_S
        while True:
            if not self.layer_ok and self.live_groups and not await self._layer_join():
                await asyncio.sleep(delay)
                delay = min(RETRY_MAX_S, delay * 2)
                continue
            try:
                message = await self.channel_layer.receive(self.channel_name)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - a layer outage must not close the socket
                if self.layer_ok:
                    log.warning("channel layer receive failed for socket %s: %s", self.channel_name, exc)
                self.layer_ok = False
                await asyncio.sleep(delay)
                delay = min(RETRY_MAX_S, delay * 2)
                continue
            return dict(message, via="layer")


def _keeper_ensure() -> None:
    loop = asyncio.get_running_loop()
    task = _keepers.get(id(loop))
    if task is None or task.done():
        for key in [k for k, t in _keepers.items() if t.done()]:
            del _keepers[key]
        _keepers[id(loop)] = loop.create_task(_keep())


async def _keep() -> None:
    """Every KEEP_S while there are sockets: re-join every socket's groups (one
    ZADD each), and close the sockets of devices revoked in the database that
    no ring told this process about (applied by another process while the
    layer was down)."""
    while _members:
        await asyncio.sleep(KEEP_S)
        sockets: set[LiveSocket] = set()
        for members in list(_members.values()):
            sockets.update(members)
        try:
            await _devices_check(sockets)
        except Exception:  # noqa: BLE001 - the next round tries again; handshakes still check
            log.warning("device check of open sockets failed", exc_info=True)
        for socket in sockets:
            if socket.live_groups:
                await socket._layer_join()


async def _devices_check(sockets: set[LiveSocket]) -> None:
    by_check: dict[Callable[[list[str]], set[str]], set[str]] = {}
    for socket in sockets:
        check = type(socket).device_check
        if check is not None and socket.device_hash:
            by_check.setdefault(check, set()).add(socket.device_hash)
    for check, hashes in by_check.items():
        live = await db_read(check, sorted(hashes))
        for token_hash in hashes - live:
            device_revoked_here(token_hash)
    for socket in sockets:
        if socket.device_revoked():
            _deliver(socket, {"type": "socket.close", "ring": uuid.uuid4().hex})


async def ring(group: str, message: dict[str, Any]) -> None:
    """Deliver ``message`` to every socket in ``group``: this process's directly, the others' through the layer."""
    message = dict(message, ring=uuid.uuid4().hex, **{"from": _process})
    for socket in list(_members.get(group, ())):
        _deliver(socket, message)
    layer = get_channel_layer()
    if layer is None:
        return
    global _send_failing
    try:
        await asyncio.wait_for(layer.group_send(group, message), SEND_TIMEOUT_S)
    except Exception as exc:  # noqa: BLE001 - this process's sockets have it; health reports the layer
        if not _send_failing:  # once per outage: at 20 orders a second a line per ring buries the log
            log.warning("rings reach this process's sockets only until the channel layer answers: %s",
                        exc or type(exc).__name__)
        _send_failing = True
    else:
        if _send_failing:
            log.warning("the channel layer takes rings again")
        _send_failing = False


def _deliver(socket: LiveSocket, message: dict[str, Any]) -> None:
    """Into the socket's queue, on its own loop: a worker thread rings from a loop of its own."""
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is socket.loop:
        socket.local.put_nowait(message)
        return
    try:
        socket.loop.call_soon_threadsafe(socket.local.put_nowait, message)
    except RuntimeError:
        pass  # its loop is closed: the socket is gone


def ring_soon(group: str, message: dict[str, Any], *, what: str) -> None:
    """``ring`` from sync code, without waiting (runtime.doorbells.send_soon)."""
    async def send() -> None:
        await ring(group, message)

    send_soon(send, what=what)


def device_revoked_here(token_hash: str) -> None:
    """Refuse what this device's sockets in this process send from now on."""
    if len(_revoked) >= REVOKED_KEEP:
        _revoked.clear()  # the database still refuses them at handshake and on the periodic check
    _revoked.add(token_hash)


def device_sockets_close(token_hash: str) -> None:
    """Close every socket of the device ``token_hash``, in every process of this node."""
    device_revoked_here(token_hash)
    ring_soon(device_group(token_hash), {"type": "socket.close"}, what="closing a revoked device's sockets")


def device_sockets_close_after_commit(token_hash: str) -> None:
    """``device_sockets_close`` once the current transaction commits (a revocation's projector)."""
    ring_after_commit("sockets.revoked", token_hash, _close_all)


def _close_all(hashes: list[Hashable]) -> None:
    for token_hash in hashes:
        device_sockets_close(str(token_hash))
