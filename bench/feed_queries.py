"""Database work of the kitchen fan-out per order, counted rather than timed.

In one process (a throw-away SQLite node, in-memory channel layer): 10
screens on /ws/kitchen/ and 20 registers on /ws/orders/; orders placed with
the real ``order_place``; then every screen acks every ticket it got, as the
kitchen page does. Every query is counted by the thread that ran it: the
node's one sync thread (shared with the HTTP API, so what queues orders) or
any other. Queries made by ``order_place`` itself are counted apart.

    .venv/bin/python -m bench.feed_queries [--orders 20]

Deterministic: a measure to compare two versions of the feed path on a
loaded machine, where timings are noise.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import tempfile
import threading
import uuid
from collections import Counter
from typing import Any

SCREENS = 10
REGISTERS = 20


def _setup(data_dir: str) -> None:
    os.environ.update(POS_DATA_DIR=data_dir, POS_WORKERS="0", DJANGO_SETTINGS_MODULE="posweb.settings",
                      POS_DEMO_TOKEN="bench-token", LOG_LEVEL="WARNING")
    os.environ.pop("REDIS_URL", None)
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())


class Tally:
    """Queries per thread kind; ``placing`` marks the thread running order_place."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.placing = threading.local()
        self.lock = threading.Lock()

    def __call__(self, execute, sql, params, many, context):
        if getattr(self.placing, "on", False):
            kind = "order_place"
        elif threading.current_thread().name.startswith("kitchen-feed-read"):
            kind = "feed reader thread"
        else:
            kind = "sync thread"
        with self.lock:
            self.counts[kind] += 1
        return execute(sql, params, many, context)


async def run(orders: int) -> dict[str, Any]:
    from channels.db import database_sync_to_async
    from channels.testing import WebsocketCommunicator
    from django.db import connection
    from django.db.backends.signals import connection_created

    from posweb.asgi import application
    from registers import services, tender
    from tests.personas import order_body

    tally = Tally()
    def watch(sender: Any, connection: Any, **kwargs: Any) -> None:
        # Once per thread's connection object, which outlives each reconnect.
        if tally not in connection.execute_wrappers:
            connection.execute_wrappers.append(tally)

    connection_created.connect(watch, weak=False)
    watch(None, connection)
    from tests.personas import kitchen_socket_protocols

    protocols = await database_sync_to_async(kitchen_socket_protocols)()

    async def socket(path: str) -> WebsocketCommunicator:
        ws = WebsocketCommunicator(application, path, subprotocols=protocols)
        connected, _ = await ws.connect(timeout=10)
        assert connected, path
        await ws.receive_json_from(timeout=10)  # hello
        return ws

    screens = [await socket("/ws/kitchen/") for _ in range(SCREENS)]
    registers = [await socket("/ws/orders/") for _ in range(REGISTERS)]

    def place() -> None:
        body = order_body(id=str(uuid.uuid4()))
        tally.placing.on = True
        try:
            services.order_place(
                order_id=uuid.UUID(body["id"]), register=body["register"], dining=body["dining"],
                lines=[services.LineRequest(line["sku"], line["qty"], line.get("modifiers", [])) for line in body["lines"]],
                payments=[tender.Tender(p["method"], p["amount"]) for p in body.get("payments", [])],
                request_hash=uuid.uuid4().hex,
            )
        finally:
            tally.placing.on = False

    before = Counter(tally.counts)
    for _ in range(orders):
        await database_sync_to_async(place)()
    tickets: list[list[str]] = []
    for ws in screens:
        got: list[str] = []
        while len(got) < 3 * orders:
            message = await ws.receive_json_from(timeout=20)
            if message["type"] == "ticket" and message["event"] == "new":
                got.append(message["ticket"]["id"])
        tickets.append(got)
    pushed = Counter(tally.counts) - before
    before = Counter(tally.counts)
    for ws, got in zip(screens, tickets):
        for ticket_id in got:
            await ws.send_json_to({"type": "ack", "ticket": ticket_id, "confirm": True})
    for ws, got in zip(screens, tickets):
        for _ in got:
            while (await ws.receive_json_from(timeout=20))["type"] != "acked":
                pass
    await asyncio.sleep(0.5)  # the order rings the acks caused reach the registers
    acked = Counter(tally.counts) - before
    for ws in screens + registers:
        await ws.disconnect()
    per = lambda c: {k: round(v / orders, 1) for k, v in sorted(c.items())}  # noqa: E731
    return {"orders": orders, "screens": SCREENS, "registers": REGISTERS,
            "queries per order, placing and pushing": per(pushed), "queries per order, 10 screens acking": per(acked)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="posweb-feedq-") as tmp:
        _setup(tmp)
        print(json.dumps(asyncio.run(run(args.orders))))


if __name__ == "__main__":
    main()
