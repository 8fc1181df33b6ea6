"""The issue's acceptance, against a real daphne node with real kitchen screens (WebSocket clients):

- an external client submits an order twice with the same key: one order, and its status moves to
  "in kitchen" only after a kitchen screen acknowledged it (and the integrator's webhook hears both);
- with every screen of a station gone and no printer, new channel orders are refused with a reason
  while the register still sells; when a screen returns, acceptance resumes by itself.
"""

from __future__ import annotations

import json
import time
import uuid

import pytest
from websockets.sync.client import connect

from tests.channels_fixtures import channel_body
from tests.nodes import DEMO_TOKEN, Node
from tests.personas import order_body
from tests.webhook_receiver import Receiver

pytestmark = [pytest.mark.nodes]


def wait_until(check, *, timeout: float = 10, every: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(every)
    raise AssertionError(f"not within {timeout}s")


class Screen:
    """A kitchen screen on one station's feed."""

    def __init__(self, node: Node, station: str) -> None:
        self._connection = connect(f"ws://127.0.0.1:{node.port}/ws/kitchen/?station={station}&screen={station}-1", open_timeout=10,
                                   additional_headers={"Authorization": f"Bearer {DEMO_TOKEN}"})
        self.socket = self._connection.__enter__()
        assert json.loads(self.socket.recv(timeout=10))["type"] == "hello"

    def next_ticket(self, order_id: str) -> dict:
        for _ in range(50):
            message = json.loads(self.socket.recv(timeout=10))
            if message["type"] == "ticket" and message["ticket"]["order"] == order_id:
                return message["ticket"]
        raise AssertionError("no ticket for the order")

    def ack(self, ticket_id: str) -> None:
        self.socket.send(json.dumps({"type": "ack", "ticket": ticket_id, "confirm": True}))
        for _ in range(50):
            if json.loads(self.socket.recv(timeout=10))["type"] == "acked":
                return
        raise AssertionError("ack not confirmed")

    def close(self) -> None:
        self._connection.__exit__(None, None, None)


@pytest.fixture
def receiver():
    with Receiver() as r:
        yield r


@pytest.fixture
def node(tmp_path, receiver):
    node = Node(tmp_path / "store", name="node1").setup()
    out = dict(line.split(" ", 1) for line in node.manage("integrator_add", "demae", "--webhook", receiver.url).split("\n") if line)
    node.key = out["key"]
    receiver.secret = out["webhook_secret"]
    node.start()
    yield node
    node.stop()


def test_the_same_key_twice_is_one_order_in_kitchen_only_after_a_screen_acks(node, receiver):
    screens = {station: Screen(node, station) for station in ("grill", "fryer", "drinks")}
    body = channel_body()
    first = node.post("/api/integrations/orders", body, token=node.key)
    again = node.post("/api/integrations/orders", body, token=node.key)
    assert first[0] == 201 and again[0] == 200 and first[1]["id"] == again[1]["id"]
    assert node.get("/api/orders")["count"] == 1
    order_id = first[1]["id"]

    ticket = screens["grill"].next_ticket(order_id)  # on the screen, not yet acknowledged
    key = body["idempotency_key"]
    assert node.get(f"/api/integrations/orders/{key}", token=node.key)["status"] == "accepted"
    screens["grill"].ack(ticket["id"])
    status = node.get(f"/api/integrations/orders/{key}", token=node.key)
    assert status["status"] == "in_kitchen" and status["kitchen_received_at"]

    # The node's webhook worker told the integrator both, signed (the receiver checks).
    wait_until(lambda: receiver.statuses() == ["accepted", "in_kitchen"])
    for screen in screens.values():
        screen.close()


def test_a_station_with_no_screen_refuses_channel_orders_the_register_sells_and_a_returning_screen_resumes(node):
    screens = {station: Screen(node, station) for station in ("grill", "fryer", "drinks")}
    assert node.get("/api/kitchen/status")["stations"][0]["screens"] >= 1
    screens["drinks"].close()
    gone = wait_until(lambda: not next(s for s in node.get("/api/kitchen/status")["stations"] if s["station"] == "drinks")["reachable"])
    assert gone

    body = channel_body()
    status, refused = node.post("/api/integrations/orders", body, token=node.key)
    assert status == 503 and refused["code"] == "kitchen_unreachable" and "drinks" in refused["detail"]
    menu = node.get("/api/integrations/menu?channel=delivery", token=node.key)
    assert menu["channel"]["accepting"] is False and menu["channel"]["stations_unreachable"] == ["drinks"]
    assert node.get(f"/api/integrations/orders/{body['idempotency_key']}", token=node.key)["status"] == "rejected"

    sold = node.post("/api/orders", order_body(id=str(uuid.uuid4())))  # a beer and fries: staff call the drink out
    assert sold[0] == 201

    screens["drinks"] = Screen(node, "drinks")
    status, accepted = node.post("/api/integrations/orders", body, token=node.key)
    assert status == 201 and accepted["status"] == "accepted"
    for screen in screens.values():
        screen.close()
