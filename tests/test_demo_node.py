"""A store node as a real daphne process: an order POSTed over HTTP reaches a kitchen socket."""

from __future__ import annotations

import json

import pytest
from websockets.sync.client import connect

from tests.nodes import DEMO_TOKEN, Node
from tests.personas import HAND_RECEIPT, order_body

pytestmark = pytest.mark.nodes


@pytest.fixture
def node(tmp_path):
    node = Node(tmp_path / "store", name="node1").setup().start()
    yield node
    node.stop()


def test_an_order_reaches_the_kitchen_socket_of_a_real_node(node):
    with connect(f"ws://127.0.0.1:{node.port}/ws/kitchen/", open_timeout=10, subprotocols=["posweb", f"bearer.{DEMO_TOKEN}"]) as ws:
        hello = json.loads(ws.recv(timeout=10))
        assert hello["type"] == "hello"
        body = order_body()
        status, order = node.post("/api/orders", body)
        assert status == 201 and order["total"] == HAND_RECEIPT["total"]
        tickets = [json.loads(ws.recv(timeout=10)) for _ in range(3)]  # grill, fryer, drinks
        assert {t["ticket"]["station"] for t in tickets} == {"grill", "fryer", "drinks"}
        assert all(t["ticket"]["order"] == body["id"] for t in tickets)
        ws.send(json.dumps({"type": "ack", "ticket": tickets[0]["ticket"]["id"]}))
        ws.send(json.dumps({"type": "ping"}))
        assert json.loads(ws.recv(timeout=10))["type"] == "pong"
    fetched = node.get(f"/api/orders/{body['id']}")
    assert fetched["kitchen_received"] is True and fetched["status"] == "in_kitchen"


def test_orders_survive_a_restart(node):
    body = order_body()
    assert node.post("/api/orders", body)[0] == 201
    node.kill9()
    node.start()
    assert node.post("/api/orders", body)[0] == 200
    assert node.get("/api/orders")["count"] == 1
