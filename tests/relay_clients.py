"""Clients of a relayed order's two ends, free of Django (the benchmarks use them too): a kitchen
screen on a store node's feed, and an integrator's POST that keeps the answer's headers."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

from websockets.sync.client import connect

from tests.nodes import DEMO_TOKEN, Node


class Screen:
    """An expediter kitchen screen (every station's tickets) on one store node."""

    def __init__(self, node: Node) -> None:
        self._connection = connect(f"ws://127.0.0.1:{node.port}/ws/kitchen/?screen=expo-{node.name}", open_timeout=10,
                                   additional_headers={"Authorization": f"Bearer {DEMO_TOKEN}"})
        self.socket = self._connection.__enter__()
        assert json.loads(self.socket.recv(timeout=10))["type"] == "hello"

    def next_ticket(self, order_id: str, timeout: float = 20) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = json.loads(self.socket.recv(timeout=max(0.1, deadline - time.monotonic())))
            if message["type"] == "ticket" and message["ticket"]["order"] == order_id:
                return message["ticket"]
        raise AssertionError(f"no ticket for {order_id} within {timeout}s")

    def ping(self) -> None:
        """Say the screen is still here, as a real one does every few seconds (its pong is skipped by the readers)."""
        self.socket.send(json.dumps({"type": "ping"}))

    def ack(self, ticket_id: str) -> None:
        self.socket.send(json.dumps({"type": "ack", "ticket": ticket_id, "confirm": True}))
        for _ in range(100):
            if json.loads(self.socket.recv(timeout=10))["type"] == "acked":
                return
        raise AssertionError("ack not confirmed")

    def open_tickets(self, order_id: str) -> list[str]:
        """The ids of the order's open tickets in a fresh snapshot of the feed."""
        self.socket.send(json.dumps({"type": "snapshot"}))
        ids: list[str] = []
        while True:
            message = json.loads(self.socket.recv(timeout=10))
            if message["type"] in ("snapshot", "snapshot.page"):
                ids += [t["id"] for t in message["tickets"] if t["order"] == order_id]
                if not message["more"]:
                    return ids

    def close(self) -> None:
        self._connection.__exit__(None, None, None)


def post(url: str, path: str, body: dict, key: str) -> tuple[int, dict, dict]:
    req = urllib.request.Request(url + path, data=json.dumps(body).encode(), method="POST")
    req.add_header("Content-Type", "application/json")
    req.add_header("Authorization", f"Bearer {key}")
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, json.loads(response.read()), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null"), dict(error.headers)
