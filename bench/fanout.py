"""Fan-out latency: a sale sent by one of many registers until every kitchen screen has it.

Two runs with the same load generator, on loopback, server in its own process:

- kitchen: a real node (daphne, SQLite, in-memory or Redis channel layer); 20
  registers POST orders (keep-alive HTTP) at 20 orders/s in all; 10 screens
  follow /ws/kitchen/. An order counts as received when every screen has all
  three of its tickets (order_body() goes to grill, fryer and drinks).
- floor: a bare `websockets` server that re-broadcasts each message it gets to
  every screen; 20 senders at 20 messages/s; 10 screens. What the machine and
  Python's WebSocket stack cost with no Django, no database and no channel layer.

Latency is from just before the send to the moment the last screen had it,
measured with one clock in this process.

    .venv/bin/python -m bench.fanout [--seconds 15] [--redis redis://127.0.0.1:6379/15] [--floor]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from websockets.asyncio.client import connect as aconnect
from websockets.sync.client import connect as sconnect

from bench.common import Poster, percentile
from tests.nodes import DEMO_TOKEN, ROOT, Node, free_port
from tests.personas import order_body

SCREENS = 10
REGISTERS = 20
RATE = 20.0  # orders per second, all registers together
WARMUP = 20  # first sends left out: they warm up Django, SQLite and the sockets


class Screens:
    """``count`` WebSocket clients on an asyncio loop in a thread; records when each
    screen has had ``per_key`` messages about a key."""

    def __init__(self, url: str, count: int, keys_of: Callable[[dict[str, Any]], list[str]], per_key: int) -> None:
        self.url, self.count, self.keys_of, self.per_key = url, count, keys_of, per_key
        self.seen: dict[str, list[float]] = defaultdict(list)  # key -> completion time per screen
        self._tally: list[dict[str, int]] = [defaultdict(int) for _ in range(count)]
        self.ready = threading.Event()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_until_complete, args=(self._main(),), daemon=True)
        self._stop: asyncio.Event | None = None

    def __enter__(self) -> "Screens":
        self.thread.start()
        if not self.ready.wait(30):
            raise TimeoutError("screens did not connect")
        return self

    def __exit__(self, *exc: object) -> None:
        self.loop.call_soon_threadsafe(self._stop.set)
        self.thread.join(10)

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        sockets = [await aconnect(self.url, open_timeout=10, max_queue=None, additional_headers={"Authorization": f"Bearer {DEMO_TOKEN}"}) for _ in range(self.count)]
        tasks = [asyncio.create_task(self._follow(i, ws)) for i, ws in enumerate(sockets)]
        await asyncio.sleep(0.5)  # past each socket's greeting
        self.ready.set()
        await self._stop.wait()
        for ws in sockets:
            await ws.close()
        for task in tasks:
            task.cancel()

    async def _follow(self, index: int, ws) -> None:
        async for raw in ws:
            now = time.perf_counter()
            for key in self.keys_of(json.loads(raw)):
                self._tally[index][key] += 1
                if self._tally[index][key] == self.per_key:
                    self.seen[key].append(now)

    def complete(self, key: str) -> float | None:
        """When the last screen completed ``key``, or None if some screen has not."""
        times = self.seen.get(key, [])
        return max(times) if len(times) == self.count else None


def drive(send_factory: Callable[[], Callable[[str], None]], seconds: float,
          answered: dict[str, float] | None = None) -> dict[str, float]:
    """REGISTERS threads, each sending once per REGISTERS/RATE seconds, phases
    spread evenly; returns key -> send time (and fills ``answered`` with key ->
    when the send returned)."""
    sent: dict[str, float] = {}
    answered = {} if answered is None else answered
    errors: list[BaseException] = []
    start = time.perf_counter() + 0.2
    period = REGISTERS / RATE

    def register(i: int) -> None:
        send = send_factory()
        t = start + i * period / REGISTERS
        while t < start + seconds:
            time.sleep(max(0.0, t - time.perf_counter()))
            key, sent_at = order_key(), time.perf_counter()
            try:
                send(key)
            except BaseException as exc:  # noqa: BLE001 - reported after the run
                errors.append(exc)
                return
            sent[key], answered[key] = sent_at, time.perf_counter()
            t += period

    threads = [threading.Thread(target=register, args=(i,), daemon=True) for i in range(REGISTERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)
    if errors:
        raise RuntimeError(f"{len(errors)} sends failed, first: {errors[0]!r}")
    return sent


def order_key() -> str:
    import uuid

    return str(uuid.uuid4())


def latencies(screens: Screens, sent: dict[str, float], timeout: float = 20) -> tuple[list[float], int]:
    """Per key sent, ms until every screen had it (keys in send order, warm-up left out); and how many never arrived."""
    deadline = time.monotonic() + timeout
    ordered = sorted(sent, key=sent.get)[WARMUP:]
    while time.monotonic() < deadline and any(screens.complete(k) is None for k in ordered):
        time.sleep(0.05)
    done = [(screens.complete(k) - sent[k]) * 1000 for k in ordered if screens.complete(k) is not None]
    return done, len(ordered) - len(done)


def kitchen(seconds: float, redis_url: str = "") -> dict[str, Any]:
    env = {"REDIS_URL": redis_url} if redis_url else {}
    with tempfile.TemporaryDirectory(prefix="posweb-bench-") as tmp:
        node = Node(Path(tmp) / "store", name=f"bench{free_port()}", POS_KITCHEN_ACK_TIMEOUT="3600",
                    LOG_LEVEL="WARNING", **env).setup().start()
        try:
            def keys_of(message: dict[str, Any]) -> list[str]:
                ok = message.get("type") == "ticket" and message.get("event") == "new"
                return [message["ticket"]["order"]] if ok else []

            def poster() -> Callable[[str], None]:
                client = Poster(node.port)

                def send(key: str) -> None:
                    status = client.post("/api/orders", order_body(id=key))
                    if status not in (200, 201):  # 200: a resend after a dropped keep-alive connection, answered idempotently
                        raise RuntimeError(f"order POST answered {status}")
                return send

            with Screens(f"ws://127.0.0.1:{node.port}/ws/kitchen/", SCREENS, keys_of, per_key=3) as screens:
                answered: dict[str, float] = {}
                sent = drive(poster, seconds, answered)
                values, missing = latencies(screens, sent)
                # The order POST's own round trip, and the screens' lag behind its
                # answer: which of the two the figure is made of.
                kept = sorted(sent, key=sent.get)[WARMUP:]
                post = [(answered[k] - sent[k]) * 1000 for k in kept]
                behind = [(screens.complete(k) - answered[k]) * 1000 for k in kept if screens.complete(k) is not None]
        finally:
            node.stop()
    result = summary(values, missing, layer="redis" if redis_url else "memory")
    result.update(post_p50=percentile(post, 50), post_p99=percentile(post, 99),
                  after_answer_p50=percentile(behind, 50), after_answer_p99=percentile(behind, 99))
    return result


FLOOR_SERVER = """
import asyncio, sys
from websockets.asyncio.server import serve, broadcast
screens = set()
async def handler(ws):
    if ws.request.path == "/screen":
        screens.add(ws)
        try:
            await ws.wait_closed()
        finally:
            screens.discard(ws)
    else:
        async for message in ws:
            broadcast(screens, message)
async def main():
    async with serve(handler, "127.0.0.1", int(sys.argv[1]), max_queue=None):
        print("ready", flush=True)
        await asyncio.Future()
asyncio.run(main())
"""


def floor(seconds: float) -> dict[str, Any]:
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", FLOOR_SERVER, str(port)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        if server.stdout.readline().strip() != "ready":
            raise RuntimeError("the floor server did not start")

        def sender() -> Callable[[str], None]:
            ws = sconnect(f"ws://127.0.0.1:{port}/send", open_timeout=10)
            return lambda key: ws.send(json.dumps({"id": key, "body": order_body(id=key)}))

        with Screens(f"ws://127.0.0.1:{port}/screen", SCREENS, lambda m: [m["id"]], per_key=1) as screens:
            sent = drive(sender, seconds)
            values, missing = latencies(screens, sent)
    finally:
        server.kill()
        server.wait(10)
    return summary(values, missing, layer="bare websockets")


def summary(values: list[float], missing: int, *, layer: str) -> dict[str, Any]:
    if not values:
        raise RuntimeError(f"{layer}: nothing arrived on every screen")
    return {"layer": layer, "n": len(values), "missing": missing, "p50": percentile(values, 50),
            "p99": percentile(values, 99), "max": max(values)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--redis", default="")
    parser.add_argument("--floor", action="store_true", help="the bare websockets floor instead of a node")
    args = parser.parse_args()
    result = floor(args.seconds) if args.floor else kitchen(args.seconds, args.redis)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
