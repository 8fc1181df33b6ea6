"""Kitchen and order sockets on real daphne processes: they keep their tickets
through a Redis outage, close when their device is revoked on a sibling, and
load a backlog far beyond one WebSocket message."""

from __future__ import annotations

import json
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tests.nodes import DEMO_TOKEN, Node, free_port
from tests.personas import order_body
from tests.test_replication_nodes import siblings as make_siblings
from tests.test_replication_nodes import wait_for

pytestmark = pytest.mark.nodes


class Redis:
    """A Redis server of this test's own, on a free port, with nothing kept on disk."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> Redis:
        log = open(self.workdir / "redis.log", "ab")
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir)],
            stdout=log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.05)
        raise TimeoutError("redis-server did not listen within 10 s")

    def keys(self, pattern: str) -> list[bytes]:
        import redis

        client = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=2)
        try:
            return list(client.scan_iter(match=pattern, count=1000))
        finally:
            client.close()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None


def kitchen_socket(node: Node, token: str = DEMO_TOKEN, path: str = "/ws/kitchen/") -> ClientConnection:
    # Default max_size (1 MiB): a message beyond the usual limit fails the test.
    return connect(f"ws://127.0.0.1:{node.port}{path}", open_timeout=10, subprotocols=["posweb", f"bearer.{token}"])


def receive(ws: ClientConnection, timeout: float = 10) -> dict[str, Any]:
    return json.loads(ws.recv(timeout=timeout))


def snapshot(ws: ClientConnection) -> tuple[dict[str, Any], list[dict[str, Any]], int]:
    """Ask for a snapshot; its first message, every ticket of every page, and the number of messages."""
    ws.send(json.dumps({"type": "snapshot"}))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        first = receive(ws, timeout=60)
        if first["type"] == "snapshot":
            break
    tickets, pages, message = list(first["tickets"]), 1, first
    while message["more"] and pages < 10_000:
        message = receive(ws, timeout=60)
        assert message["type"] == "snapshot.page" and message["seq"] == first["seq"], message
        tickets += message["tickets"]
        pages += 1
    return first, tickets, pages


class Screen:
    """A kitchen screen as the page's client keeps it: a cursor that each ticket's prev must match."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        hello = receive(ws)
        assert hello["type"] == "hello"
        first, _, _ = snapshot(ws)
        self.seq = first["seq"]
        self.orders: list[str] = []

    def drain(self, quiet_s: float) -> None:
        """Read tickets until none comes for ``quiet_s``."""
        for _ in range(1000):
            try:
                self.until_order("", timeout=quiet_s)
            except AssertionError:
                return

    def until_order(self, order_id: str, timeout: float = 15) -> None:
        """Read tickets until one of ``order_id`` arrives; every ticket continues the one before (no gap, no repeat)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                message = receive(self.ws, timeout=max(0.1, deadline - time.monotonic()))
            except TimeoutError:
                break
            if message["type"] != "ticket":
                continue
            assert message["prev"] == self.seq and message["seq"] > self.seq, (message["prev"], message["seq"], self.seq)
            self.seq = message["seq"]
            self.orders.append(message["ticket"]["order"])
            if message["ticket"]["order"] == order_id:
                return
        raise AssertionError(f"no ticket of order {order_id} within {timeout} s")


def place(node: Node, **overrides: Any) -> str:
    body = order_body(**overrides)
    status, answer = node.post("/api/orders", body)
    assert status == 201, answer
    return body["id"]


def reasons(node: Node) -> list[str]:
    return [reason["code"] for reason in node.get("/api/health")["reasons"]]


def test_kitchen_screens_keep_getting_tickets_while_redis_is_down_and_after_it_returns(tmp_path):
    redis = Redis(tmp_path / "redis").start()
    node = Node(tmp_path / "n", REDIS_URL=redis.url)
    try:
        node.setup().start()
        with kitchen_socket(node) as ws:
            screen = Screen(ws)
            screen.until_order(place(node))

            redis.stop()
            down = [place(node) for _ in range(3)]
            for order_id in down:
                screen.until_order(order_id)  # within seconds, on the socket opened before the outage
            wait_for("health to say the channel layer is down", lambda: "channel_layer_down" in reasons(node), timeout=30)
            screen.until_order(place(node))

            redis.start()
            wait_for("health to clear", lambda: "channel_layer_down" not in reasons(node), timeout=30)
            # The screen is back on Redis: it joined its group again on the Redis that came back empty.
            wait_for("the screen to rejoin its group on Redis", lambda: redis.keys("*group*kitchen.S001*"), timeout=30)
            back = [place(node) for _ in range(3)]
            for order_id in back:
                screen.until_order(order_id)

            # Every order's tickets once: one per station it needs, none twice
            # (a repeat or a gap already failed the prev/seq check above).
            screen.drain(2.0)
            placed = 1 + len(down) + 1 + len(back)
            counts = {order: screen.orders.count(order) for order in screen.orders}
            assert len(counts) == placed and len(set(counts.values())) == 1, counts
        log = node.log.read_text(encoding="utf-8", errors="replace")
        assert "rings reach this process's sockets only" in log and "the channel layer takes rings again" in log
    finally:
        node.stop()
        redis.stop()


@pytest.fixture
def siblings(tmp_path):
    n1, n2 = make_siblings(tmp_path)
    try:
        yield n1.setup().start(), n2.setup().start()
    finally:
        n1.stop()
        n2.stop()


def closed_code(ws: ClientConnection, timeout: float) -> int | None:
    """Read until the server closes the socket; its close code (None: still open after ``timeout``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            ws.recv(timeout=max(0.1, deadline - time.monotonic()))
        except TimeoutError:
            return None
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None
    return None


def test_a_device_revoked_on_one_node_has_its_open_sockets_closed_on_the_other(siblings):
    n1, n2 = siblings
    token = n1.pair("kitchen-9")
    wait_for("the pairing to reach node2", lambda: n2.request("GET", "/api/menu", token=token)[0] == 200)

    order_id = place(n2)
    with kitchen_socket(n2, token) as kitchen, kitchen_socket(n2, token, "/ws/orders/") as orders, \
            kitchen_socket(n2) as bystander:
        Screen(kitchen)
        assert receive(orders)["type"] == "hello"
        other = Screen(bystander)
        _, open_tickets, _ = snapshot(kitchen)
        mine = [t["id"] for t in open_tickets if t["order"] == order_id]
        assert mine

        status, revoked = n1.post("/api/devices/revoke", {"device": "kitchen-9", "manager_pin": "9999"})
        assert status == 200 and revoked["revoked"] is True, revoked
        wait_for("the revocation to reach node2", lambda: n2.request("GET", "/api/menu", token=token)[0] == 401)
        try:  # the screen tries to bump a ticket after the revocation arrived
            kitchen.send(json.dumps({"type": "bump", "ticket": mine[0]}))
        except ConnectionClosed:
            pass
        assert closed_code(kitchen, timeout=10) == 4403
        assert closed_code(orders, timeout=10) == 4403

        # The bump changed nothing, and the other devices' sockets carry on.
        with kitchen_socket(n2) as fresh:
            assert receive(fresh)["type"] == "hello"
            _, still_open, _ = snapshot(fresh)
        assert set(mine) <= {t["id"] for t in still_open}
        other.until_order(place(n2))


def test_two_hundred_open_hundred_line_tickets_load_on_a_kitchen_socket(tmp_path):
    node = Node(tmp_path / "n").setup().start()
    try:
        lines = [{"sku": "FRIES", "qty": 1, "modifiers": []} for _ in range(100)]

        def big_order(_: int) -> str:
            return place(node, lines=lines, payments=[{"method": "cash", "amount": 100_000}])

        with ThreadPoolExecutor(max_workers=4) as pool:
            orders = set(pool.map(big_order, range(200)))
        with kitchen_socket(node) as ws:
            assert receive(ws)["type"] == "hello"
            first, tickets, pages = snapshot(ws)
            assert pages > 1  # would have been one message of several MiB
            assert {t["order"] for t in tickets} == orders and len(tickets) == 200
            assert all(len(t["items"]) == 100 for t in tickets), tickets[0]["items"][:3]
            # After the pages the feed goes on from the snapshot's head.
            later = place(node)
            ws.send(json.dumps({"type": "resume", "after": first["seq"], "epoch": first["epoch"]}))
            deadline = time.monotonic() + 15
            seen = set()
            while later not in seen and time.monotonic() < deadline:
                message = receive(ws, timeout=15)
                if message["type"] == "ticket":
                    seen.add(message["ticket"]["order"])
            assert later in seen
    finally:
        node.stop()
