"""Crash safety: a store node kill -9'd again and again in the middle of a burst of
orders keeps every order it acknowledged, never doubles one, and its kitchen feed
resumes on the screens it had, each ticket delivered once.

A register that got no answer sends the same order again with the same id after
the restart (the outbox does exactly that): the API's idempotency on the id makes
that safe whether or not the first send was committed before the kill.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter
from typing import Any

import pytest
from websockets.sync.client import connect

from tests.nodes import DEMO_TOKEN, Node
from tests.personas import order_body
from tests.test_replication_nodes import wait_for

pytestmark = pytest.mark.nodes

ROUNDS = 3
POSTERS = 4
STATIONS_PER_ORDER = 3  # order_body() has grill, drinks and fryer lines


class Registers:
    """Several registers posting orders until stopped; keeps what was and was not acknowledged."""

    def __init__(self, node: Node) -> None:
        self.node = node
        self.acked: dict[str, dict[str, Any]] = {}
        self.unanswered: dict[str, dict[str, Any]] = {}
        self.retries: Counter[int] = Counter()  # status of each retry: 200 = committed before the kill
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.errors: list[BaseException] = []

    def _post_until_stopped(self) -> None:
        try:
            self._post()
        except BaseException as exc:  # noqa: BLE001 - a refused order fails the test, not just this thread
            self.errors.append(exc)

    def _post(self) -> None:
        for _ in range(10_000):  # bounded; the test stops it long before
            if self.stop.is_set():
                return
            body = order_body()
            try:
                status, answer = self.node.post("/api/orders", body, timeout=5)
            except OSError:
                status, answer = 0, None
            with self.lock:
                if 200 <= status < 300:
                    self.acked[body["id"]] = body
                elif status == 0 or status >= 500:
                    self.unanswered[body["id"]] = body
                else:
                    raise AssertionError(f"the node refused a good order: {status} {answer}")
            if status == 0:
                time.sleep(0.05)  # node down: do not spin

    def burst(self) -> list[threading.Thread]:
        self.stop.clear()
        threads = [threading.Thread(target=self._post_until_stopped, daemon=True) for _ in range(POSTERS)]
        for thread in threads:
            thread.start()
        return threads

    def retry_unanswered(self) -> None:
        """What the outbox does after a restart: the same body, the same id, until answered."""
        with self.lock:
            pending, self.unanswered = self.unanswered, {}
        for order_id, body in pending.items():
            status, answer = self.node.post("/api/orders", body, timeout=10)
            assert status in (200, 201), (status, answer)
            self.retries[status] += 1
            self.acked[order_id] = body


class Screen:
    """A kitchen screen: follows the feed, reconnects after a drop and resumes from its cursor."""

    def __init__(self, node: Node) -> None:
        self.node = node
        self.cursor: int | None = None
        self.epoch: str | None = None
        self.new_tickets: list[tuple[str, str]] = []  # (ticket id, order id) per "new" message
        self.resets = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        for _ in range(2_000):  # reconnect attempts, bounded
            if self.stop.is_set():
                return
            try:
                self._follow()
            except (OSError, TimeoutError, Exception):  # noqa: BLE001 - any drop means reconnect
                time.sleep(0.1)

    def _follow(self) -> None:
        with connect(f"ws://127.0.0.1:{self.node.port}/ws/kitchen/", open_timeout=2, additional_headers={"Authorization": f"Bearer {DEMO_TOKEN}"}) as ws:
            hello = json.loads(ws.recv(timeout=5))
            waiting_for_resumed = False
            if self.cursor is None:
                self.cursor, self.epoch = hello["seq"], hello["epoch"]
            else:
                ws.send(json.dumps({"type": "resume", "after": self.cursor, "epoch": self.epoch}))
                waiting_for_resumed = True
            while not self.stop.is_set():
                try:
                    message = json.loads(ws.recv(timeout=0.5))
                except TimeoutError:
                    ws.send(json.dumps({"type": "ping"}))
                    continue
                if message["type"] == "resumed":
                    waiting_for_resumed = False
                elif message["type"] == "reset":
                    self.resets += 1
                elif message["type"] == "ticket" and not waiting_for_resumed:
                    self.cursor = message["seq"]
                    if message["event"] == "new":
                        self.new_tickets.append((message["ticket"]["id"], message["ticket"]["order"]))


@pytest.fixture
def node(tmp_path):
    node = Node(tmp_path / "store", name="node1", POS_KITCHEN_ACK_TIMEOUT="3600").setup().start()
    yield node
    node.stop()


def test_acknowledged_orders_survive_repeated_kill_9_once_each_and_the_feed_resumes(node):
    seed = random.randrange(1 << 30)
    print(f"crash test seed {seed}")
    rng = random.Random(seed)
    registers, screen = Registers(node), Screen(node)
    screen.thread.start()
    wait_for("the screen to be greeted", lambda: screen.cursor is not None)
    try:
        for round_ in range(ROUNDS):
            threads = registers.burst()
            target = len(registers.acked) + rng.randint(5, 20)
            wait_for(f"round {round_}: orders flowing", lambda: len(registers.acked) >= target, timeout=60)
            node.kill9()  # in the middle of the burst: requests in flight get no answer
            registers.stop.set()
            for thread in threads:
                thread.join(15)
            node.start()
            assert not registers.errors, registers.errors
            registers.retry_unanswered()
        expected = Counter({order_id: STATIONS_PER_ORDER for order_id in registers.acked})
        wait_for("every ticket on the screen", lambda: Counter(o for _, o in screen.new_tickets) >= expected, timeout=30)
        time.sleep(1)  # anything doubled would arrive now
    finally:
        screen.stop.set()
        registers.stop.set()
        screen.thread.join(10)

    print(f"acknowledged {len(registers.acked)}, retried after a kill: {dict(registers.retries)}")
    listed = node.get("/api/orders?limit=500")
    on_node = [o["id"] for o in listed["items"]]
    assert listed["count"] == len(on_node) == len(registers.acked)
    assert sorted(on_node) == sorted(registers.acked), "an acknowledged order was lost or an unknown one appeared"
    for order_id, body in list(registers.acked.items())[:20]:  # a replay is a 200 with the same order, nothing new
        assert node.post("/api/orders", body)[0] == 200
    assert node.get("/api/orders?limit=500")["count"] == len(registers.acked)
    assert "journal intact" in node.manage("verify_journal")  # no torn or half-written change

    tickets = Counter(ticket for ticket, _ in screen.new_tickets)
    assert all(n == 1 for n in tickets.values()), "a ticket reached the screen twice"
    assert Counter(o for _, o in screen.new_tickets) == expected
    assert screen.resets == 0, "the feed did not resume from the screen's cursor after a restart"
