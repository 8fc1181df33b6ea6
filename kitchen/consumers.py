"""The kitchen feed over WebSocket (/ws/kitchen/?station=).

Protocol (Zulip's events model): on connect the server says ``hello`` with its
epoch (sync.services.database_epoch: this node's database, new after a
restore) and feed head. The screen then either resumes,
``{"type": "resume", "after": N, "epoch": E}``, or asks for a ``snapshot`` of
open tickets (``{"type": "snapshot", "epoch", "seq", "tickets", "more"}``;
while ``more`` is true, ``{"type": "snapshot.page", "seq", "tickets",
"more"}`` messages carry the rest, one after the other, before anything
else is sent: no message outgrows the socket's limit). From then on every feed entry after the screen's cursor arrives
as ``{"type": "ticket", "seq", "prev", "event", "ticket"}``; ``prev`` is the
sequence this connection sent before it, so a client that sees ``prev`` ahead
of what it applied knows it has a gap and refetches. A resume with another
epoch or a cursor beyond the head (another node's feed, a restored database)
gets a ``reset`` and a fresh snapshot. Screens send ``ack`` (``ticket``) for
each ticket shown (with ``"confirm": true`` answered by ``acked``, so a
screen re-sends only acks the server never confirmed), ``bump``/``recall``,
and (the expediter) ``{"type": "served", "order": ID}`` for a ready order.

Until a screen resumes, pushes start at the head it was greeted with (so a
plain client that never resumes still gets new tickets). A resume is answered
with ``resumed`` before the entries after its cursor; a screen ignores tickets
that arrive between its resume and that answer, as they are sent again after
it. A ``ping`` also flushes, so a doorbell lost in a full channel
delays a ticket by one ping interval at most, never loses it.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from django.conf import settings

from kitchen import feed, livefeed, selectors, services
from menu.models import Station
from runtime.reads import db_read
from runtime.sockets import LiveSocket
from stores.selectors import devices_live
from sync.services import database_epoch

# A snapshot message carries at most this much of tickets (one ticket larger
# than it goes alone): far below the 1 MiB that daphne and most clients take.
SNAPSHOT_PAGE_BYTES = 256 * 1024
# Tickets read from the database at a time while a snapshot is sent.
SNAPSHOT_READ_CHUNK = 100

# What a screen records (acks, bumps, recalls, served); refused at HQ, which only watches.
HQ_REFUSES = frozenset({"ack", "bump", "recall", "served"})


class KitchenConsumer(LiveSocket):
    """Runs on the event loop: pushing tickets needs no database of its own
    (kitchen.livefeed reads each new entry once per process, off the sync
    thread), and only writes (acks, bumps, presence) go to the sync thread.
    Its rings survive a channel-layer outage and a revocation closes it
    (runtime.sockets)."""

    device_check = staticmethod(devices_live)

    async def connect(self) -> None:
        self.pending_acks: set[asyncio.Future] = set()
        query = parse_qs(self.scope.get("query_string", b"").decode())
        # The device's own store: at HQ, where any store's device is let in, a
        # screen sees its store's feed and never another's (security/wsauth.py).
        self.store = self.scope["device"].store
        self.station = (query.get("station") or [""])[0][:32]
        self.screen = (query.get("screen") or [""])[0][:64]
        # The device token came as a subprotocol; answer with "posweb" (security/wsauth.py).
        await self.accept(subprotocol=self.scope.get("subprotocol"))
        # Joined before the head is read, so no ring after that read is missed.
        await self.live_join(feed.group_name(self.store))
        greeting = await database_sync_to_async(self._greet)()
        if greeting is None:
            await self.live_leave()
            await self.send_json({"type": "error", "detail": f"no kitchen station {self.station!r}"})
            await self.close(code=4404)
            return
        self.epoch, self.cursor = greeting
        self.scanned = self.cursor
        self.cache = livefeed.cache_for(store=self.store, epoch=self.epoch, head=self.cursor)
        await self.send_json(
            {
                "type": "hello",
                "epoch": self.epoch,
                "seq": self.cursor,
                "station": self.station,
                "ack_timeout": settings.POS_KITCHEN_ACK_TIMEOUT,
            }
        )

    def _greet(self) -> tuple[str, int] | None:
        if self.station and not Station.objects.filter(code=self.station).exists():
            return None
        epoch = database_epoch()
        services.screen_seen(channel_name=self.channel_name, station=self.station, screen=self.screen)
        return epoch, selectors.feed_head(store=self.store)

    async def disconnect(self, code: int) -> None:
        for task in list(getattr(self, "pending_acks", ())):
            task.cancel()  # its ack is recorded or not; nobody is left to answer
        if not hasattr(self, "cursor"):
            return  # refused in connect(): never stayed in the group
        await self.live_leave()
        await database_sync_to_async(services.screen_gone)(channel_name=self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict):
            await self.send_json({"type": "error", "detail": "messages are JSON objects"})
            return
        handler = {
            "resume": self._resume,
            "snapshot": lambda _: self._snapshot(),
            "ack": self._ack,
            "bump": self._bump,
            "recall": self._recall,
            "served": self._served,
            "ping": self._ping,
        }.get(content.get("type", ""))
        if handler is None:
            await self.send_json({"type": "error", "detail": f"unknown message type {content.get('type')!r}"})
            return
        if settings.POS_ROLE == "hq" and content.get("type") in HQ_REFUSES:
            # An ack or bump recorded at HQ would be HQ writing a store's kitchen facts.
            await self.send_json({"type": "error", "detail": "HQ records no kitchen actions: the store's own node does"})
            return
        if handler == self._ack:
            # A screen acks every ticket it draws, an order's several at once:
            # handled side by side, they are recorded together (livefeed's
            # group commit) instead of one after the other.
            task = asyncio.ensure_future(self._handle(handler, content))
            self.pending_acks.add(task)
            task.add_done_callback(self.pending_acks.discard)
            return
        if self.pending_acks:
            # Anything else is answered after the acks sent before it: a pong
            # still means every earlier ack is recorded.
            await asyncio.wait(list(self.pending_acks))
        await self._handle(handler, content)

    async def _handle(self, handler, content: dict[str, Any]) -> None:
        try:
            await handler(content)
        except (services.TicketNotFound, ValueError) as exc:
            await self.send_json({"type": "error", "detail": str(exc)})

    async def feed_ring(self, event: dict[str, Any]) -> None:
        await self._flush()

    async def _ping(self, content: dict[str, Any]) -> None:
        # Presence for the order channels: a screen that stops pinging expires.
        await database_sync_to_async(services.screen_seen)(
            channel_name=self.channel_name, station=self.station, screen=self.screen
        )
        await self._flush()
        await self.send_json({"type": "pong", "seq": self.cursor})

    async def _resume(self, content: dict[str, Any]) -> None:
        after = content.get("after")
        head = await db_read(selectors.feed_head, store=self.store)
        if not isinstance(after, int) or after < 0 or content.get("epoch") != self.epoch or after > head:
            await self.send_json({"type": "reset", "reason": "unknown cursor or epoch; here is a fresh snapshot"})
            await self._snapshot()
            return
        self.cursor = self.scanned = after
        await self.send_json({"type": "resumed", "seq": after})
        # From the database, as the tickets are now: a screen back from a
        # reconnect sees what was acked while it was away.
        await self._flush_from_db()

    async def _snapshot(self) -> None:
        """The open tickets, in pages of at most SNAPSHOT_PAGE_BYTES: a long
        backlog of large tickets in one message broke the socket's message
        limit, and then no screen could load. Read in chunks, so neither this
        process nor a message holds the whole backlog."""
        head, ids = await db_read(self._snapshot_ids)
        self.cursor = self.scanned = head
        first = True
        page: list[str] = []
        size = 0

        async def send_page(more: bool) -> None:
            nonlocal first, page, size
            if first:
                start = f'{{"type": "snapshot", "epoch": {json.dumps(self.epoch)}, "seq": {head}, "more": {json.dumps(more)}, '
            else:
                start = f'{{"type": "snapshot.page", "seq": {head}, "more": {json.dumps(more)}, '
            await self.send(text_data=start + '"tickets": [' + ", ".join(page) + "]}")
            first, page, size = False, [], 0

        for start in range(0, len(ids), SNAPSHOT_READ_CHUNK):
            tickets = await db_read(selectors.tickets_by_id, ids=ids[start:start + SNAPSHOT_READ_CHUNK])
            for ticket in tickets:
                text = json.dumps(ticket)
                if page and size + len(text) > SNAPSHOT_PAGE_BYTES:
                    await send_page(more=True)
                page.append(text)
                size += len(text) + 2
        await send_page(more=False)
        # Anything that landed between the head read and the snapshot query is
        # sent again by the next flush; screens drop duplicates by ticket id.

    def _snapshot_ids(self) -> tuple[int, list[str]]:
        head = selectors.feed_head(store=self.store)
        return head, selectors.tickets_open_ids(store=self.store, station=self.station)

    async def _flush(self) -> None:
        """Send every entry after this screen's cursor: from the process's cache
        when it holds them, else from the database."""
        # Entries of other stations this screen has looked past: "prev" stays
        # the last seq it was sent, as the screen checks gaps against that.
        position = max(self.cursor, self.scanned)
        if position >= self.cache.low:
            await self.cache.refresh()
            if self.cache.covers(position):
                high = self.cache.high
                for entry in self.cache.after(position, self.station):
                    await self.send(text_data=entry.text(self.cursor))
                    self.cursor = entry.seq
                self.scanned = max(self.scanned, high)
                return
        await self._flush_from_db()

    async def _flush_from_db(self) -> None:
        while True:
            after = max(self.cursor, self.scanned)
            batch = await db_read(selectors.feed_after, store=self.store, after=after, station=self.station)
            for message in batch:
                message["prev"] = self.cursor
                await self.send_json(message)
                self.cursor = message["seq"]
            if len(batch) < selectors.FEED_BATCH:
                break

    async def _ack(self, content: dict[str, Any]) -> None:
        ticket_id = _ticket_id(content)
        acked_at = await livefeed.ticket_ack(ticket_id=ticket_id, screen=self.screen or self.channel_name)
        if content.get("confirm") is True:  # opt-in: plain clients keep the original message flow
            await self.send_json({"type": "acked", "ticket": ticket_id, "at": acked_at.isoformat()})

    async def _bump(self, content: dict[str, Any]) -> None:
        await database_sync_to_async(services.ticket_bump)(ticket_id=_ticket_id(content))

    async def _served(self, content: dict[str, Any]) -> None:
        await database_sync_to_async(services.order_serve)(order_id=_order_id(content))

    async def _recall(self, content: dict[str, Any]) -> None:
        if content.get("ticket"):
            await database_sync_to_async(services.ticket_recall)(ticket_id=_ticket_id(content))
        else:
            await database_sync_to_async(services.ticket_recall_last)(store=self.store, station=self.station)


def _order_id(content: dict[str, Any]) -> str:
    try:
        return str(uuid.UUID(str(content.get("order"))))
    except ValueError:
        raise ValueError("order must be an order id") from None


def _ticket_id(content: dict[str, Any]) -> str:
    try:
        return str(uuid.UUID(str(content.get("ticket"))))
    except ValueError:
        raise ValueError("ticket must be a ticket id") from None
