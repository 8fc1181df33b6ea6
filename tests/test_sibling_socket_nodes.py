"""The sibling socket (/ws/sync/) between real daphne nodes: live pushes go
over it, a socket that dies mid-burst falls back to HTTP with nothing lost or
doubled, and a socket from anyone but a sibling is refused with the HTTP
push's own errors, nothing applied."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from sync import auth, frames
from sync.frames import FRAME_BODY_BYTES
from tests.nodes import Node, free_port
from tests.personas import order_body
from tests.replication_fixtures import RemoteOrigin, placed
from tests.test_partition_chaos import Link
from tests.test_replication_nodes import KEY, has_order, order_ids, pair, place, wait_for  # noqa: F401  (pair: fixture)

pytestmark = pytest.mark.nodes


def push_stats(node: Node) -> dict[str, Any]:
    return node.get("/api/health")["peers"][0]["push"]


def test_an_order_placed_on_one_sibling_reaches_the_other_over_the_socket(pair):
    n1, n2 = pair
    first = place(n1)
    wait_for("the first order on node2", lambda: has_order(n2, first))
    wait_for("node1's socket to node2 open", lambda: push_stats(n1)["socket"] == "open")
    before = push_stats(n1)
    for _ in range(5):
        order_id = place(n1)
        wait_for("the order on node2", lambda: has_order(n2, order_id))
    # A push is counted when node2's answer reaches node1, which can be just
    # after node2 has the order and shows it.
    wait_for("node2's answers to the 5 pushes", lambda: push_stats(n1)["over_socket"] >= before["over_socket"] + 5)
    after = push_stats(n1)
    assert after["socket"] == "open"
    assert after["over_http"] == before["over_http"], "a live push went over HTTP while the socket was open"
    assert sorted(order_ids(n2)) == sorted(order_ids(n1)) and len(order_ids(n2)) == 6


def test_a_socket_dropped_mid_burst_falls_back_to_http_and_loses_and_doubles_nothing(tmp_path):
    p1, p2 = free_port(), free_port()
    with Link(p2) as to2:
        common = {"POS_STORE": "S001", "POS_SYNC_KEY": KEY}
        n1 = Node(tmp_path / "n1", name="node1", port=p1, POS_PEERS=to2.url, **common)
        n2 = Node(tmp_path / "n2", name="node2", port=p2, POS_PEERS=f"http://127.0.0.1:{p1}", **common)
        try:
            n1.setup().start()
            n2.setup().start()
            warm = place(n1)
            wait_for("the first order on node2", lambda: has_order(n2, warm))
            wait_for("node1's socket to node2 open", lambda: push_stats(n1)["socket"] == "open")
            over_http = push_stats(n1)["over_http"]
            placed_ids: list[str] = []
            burst = threading.Thread(target=lambda: placed_ids.extend(place(n1) for _ in range(30)))
            burst.start()
            wait_for("the burst under way", lambda: len(placed_ids) >= 8, timeout=30)
            to2.reset()
            burst.join(60)
            assert len(placed_ids) == 30
            after = place(n1)  # whatever the drop caught in flight, this one comes after it
            wait_for("every order on node2", lambda: len(order_ids(n2)) == 32, timeout=30)
            assert sorted(order_ids(n2)) == sorted(order_ids(n1)) and len(set(order_ids(n2))) == 32
            assert set(placed_ids) | {warm, after} == set(order_ids(n2))
            stats = push_stats(n1)
            assert stats["over_http"] > over_http, "the pushes after the drop did not fall back to HTTP"
            # And the socket comes back for the next orders.
            wait_for("the socket open again", lambda: push_stats(n1)["socket"] == "open", timeout=15)
            over_socket = push_stats(n1)["over_socket"]
            last = place(n1)
            wait_for("the last order on node2", lambda: has_order(n2, last))
            wait_for("node2's answer to it over the socket", lambda: push_stats(n1)["over_socket"] > over_socket)
            # Nothing doubled in the change log either: node2 holds node1's origin exactly to its last seq.
            origin = n1.get("/api/health")["origin"]
            wait_for("node2's vector at node1's last change",
                     lambda: n2.get("/api/health")["version_vector"].get(origin) == n1.get("/api/health")["changes"])
        finally:
            n1.stop()
            n2.stop()


# ---- anyone but a sibling ------------------------------------------------------------


@pytest.fixture
def lone(tmp_path):
    node = Node(tmp_path / "n1", name="node1", POS_STORE="S001", POS_SYNC_KEY=KEY)
    try:
        yield node.setup().start()
    finally:
        node.stop()


def open_socket(node: Node, headers: dict[str, str]) -> tuple[ClientConnection, int, dict[str, Any], str | None]:
    ws = connect(f"ws://127.0.0.1:{node.port}{frames.SOCKET_PATH}", additional_headers=headers, proxy=None,
                 open_timeout=5, close_timeout=1, max_size=2**20, legacy=True)
    status, raw, signature = frames.answer_decode(ws.recv(timeout=5))
    return ws, status, json.loads(raw), signature


def hello_headers(*, key: str = KEY, store: str = "S001", node: str = "node9") -> dict[str, str]:
    return auth.sign_request(key=key, method="GET", path=frames.SOCKET_PATH, store=store, node=node, body=b"").headers()


def frame(body: dict[str, Any], *, key: str = KEY, store: str = "S001", now: float | None = None) -> bytes:
    raw = json.dumps(body).encode()
    signed = auth.sign_request(key=key, method="WS", path=frames.SOCKET_PATH, store=store, node="node9", body=raw, now=now)
    return frames.request_encode(signed, raw)


def http_push(node: Node, raw: bytes, *, key: str | None = KEY, store: str = "S001") -> tuple[int, dict[str, Any]]:
    """The same refusal asked of the HTTP push, for comparison."""
    path = "/api/sync/push"
    headers = {"Content-Type": "application/json"}
    if key:
        headers.update(auth.sign_request(key=key, method="POST", path=path, store=store, node="node9", body=raw).headers())
    request = urllib.request.Request(node.url + path, data=raw, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def closed_with(ws: ClientConnection) -> int | None:
    try:
        ws.recv(timeout=5)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None
    return None


@pytest.mark.parametrize("who", ["anonymous", "wrong key", "another store's node"])
def test_a_socket_from_anyone_but_a_sibling_is_refused_as_the_http_push_refuses_it(lone, who):
    headers, http = {
        "anonymous": ({}, {"key": None}),
        "wrong key": (hello_headers(key="not-the-key"), {"key": "not-the-key"}),
        "another store's node": (hello_headers(key="key-of-S002", store="S002"), {"key": "key-of-S002", "store": "S002"}),
    }[who]
    ws, status, answer, signature = open_socket(lone, headers)
    http_status, http_answer = http_push(lone, b"{}", **http)
    assert (status, answer["detail"]) == (http_status, http_answer["detail"]) and status in (401, 403)
    assert signature is None
    assert closed_with(ws) == 4000 + status


def test_a_siblings_socket_refuses_a_forged_frame_another_stores_change_and_an_oversized_frame(lone):
    order_id = uuid.uuid4()
    theirs = RemoteOrigin("S002:node3.0badf00d", store="S002")
    foreign = {"changes": [theirs.change("order.placed", placed(order_id, number=7))], "vector": {}}

    ws, status, answer, signature = open_socket(lone, hello_headers())
    assert status == 200 and signature and answer["node"] == "node1" and answer["frame_bytes"] == FRAME_BODY_BYTES
    ws.send(frame(foreign))
    status, raw, signature = frames.answer_decode(ws.recv(timeout=10))
    http_status, http_answer = http_push(lone, json.dumps(foreign).encode())
    assert (status, json.loads(raw)["detail"]) == (http_status, http_answer["detail"]) == (403, http_answer["detail"])
    assert "S002" in http_answer["detail"] and signature  # a sibling's refusal is signed, and the socket stays

    ours = RemoteOrigin("S001:node9.0badf00d")
    valid = {"changes": [ours.change("order.placed", placed(order_id, number=8))], "vector": {}}
    ws.send(frame(valid, key="not-the-key"))
    status, raw, signature = frames.answer_decode(ws.recv(timeout=10))
    assert status == 401 and "bad signature" in json.loads(raw)["detail"] and signature is None
    assert closed_with(ws) == 4401

    ws, *_ = open_socket(lone, hello_headers())
    ws.send(frame(valid, now=time.time() - 3600))  # a frame recorded an hour ago, replayed
    status, raw, _ = frames.answer_decode(ws.recv(timeout=10))
    assert status == 401 and "away from this node's clock" in json.loads(raw)["detail"]
    assert closed_with(ws) == 4401

    ws, greeting, *_ = open_socket(lone, hello_headers())
    assert greeting == 200
    # A frame takes a larger body than HTTP does (1 MiB less room for the
    # headers, said in the greeting as "frame_bytes"): a catch-up's batches
    # are as large as a frame takes. Past that, the HTTP push's own 413.
    roomy = {"changes": [], "vector": {}, "pad": "x" * (300 * 1024)}
    ws.send(frame(roomy))
    assert frames.answer_decode(ws.recv(timeout=10))[0] == 200
    assert http_push(lone, json.dumps(roomy).encode())[0] == 413
    big = {"changes": [], "vector": {}, "pad": "x" * FRAME_BODY_BYTES}
    ws.send(frame(big))
    status, raw, signature = frames.answer_decode(ws.recv(timeout=10))
    http_status, http_answer = http_push(lone, json.dumps(big).encode())
    assert (status, json.loads(raw)["detail"]) == (http_status, http_answer["detail"]) == (413, "request body is too large")
    assert closed_with(ws) == 4413

    # Nothing of it was taken: no order, no foreign origin in the vector.
    assert lone.request("GET", f"/api/orders/{order_id}")[0] == 404
    vector = lone.get("/api/health")["version_vector"]
    assert theirs.origin not in vector and ours.origin not in vector


def test_a_sibling_frame_is_taken_and_answered_with_the_vector(lone):
    """The control for the refusals above: the same frame, signed with the key, is applied."""
    order_id = uuid.uuid4()
    ours = RemoteOrigin("S001:node9.0badf00d")
    ws, status, _, _ = open_socket(lone, hello_headers())
    assert status == 200
    ws.send(frame({"changes": [ours.change("order.placed", placed(order_id, number=8))], "vector": {}}))
    status, raw, signature = frames.answer_decode(ws.recv(timeout=10))
    answer = json.loads(raw)
    assert status == 200 and signature and answer["applied"] == 1 and answer["vector"][ours.origin] == 1
    ws.close()
    assert lone.request("GET", f"/api/orders/{order_id}")[0] == 200
