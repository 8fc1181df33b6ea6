"""Two siblings, real processes: a course held on one node is fired on both while
their link is cut. After healing, each node's kitchen feed carried the fired
course exactly once, and both agree on when it was fired (the earliest fire)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from websockets.sync.client import connect

from tests.nodes import DEMO_TOKEN, Node
from tests.test_partition_chaos import cut_siblings  # noqa: F401  (fixture)
from tests.test_replication_nodes import wait_for
from tests.test_table_partition_nodes import _ok, _view

pytestmark = pytest.mark.nodes


def kitchen_news(node: Node) -> list[tuple[str, int | None, list[str]]]:
    """Every "new" ticket a screen resuming from the start of the node's feed is sent: (station, course, skus)."""
    news = []
    with connect(f"ws://127.0.0.1:{node.port}/ws/kitchen/", open_timeout=5,
                 additional_headers={"Authorization": f"Bearer {DEMO_TOKEN}"}) as ws:
        hello = json.loads(ws.recv(timeout=5))
        ws.send(json.dumps({"type": "resume", "after": 0, "epoch": hello["epoch"]}))
        for _ in range(200):
            try:
                message = json.loads(ws.recv(timeout=1.5))
            except TimeoutError:
                break  # the feed is read to its end
            assert message["type"] != "reset", message
            if message["type"] == "ticket" and message["event"] == "new":
                ticket = message["ticket"]
                news.append((ticket["station"], (ticket.get("course") or {}).get("number"), sorted(i["sku"] for i in ticket["items"])))
    return news


def _fired(view: dict[str, Any] | None) -> list[Any]:
    return [line["fired_at"] for r in (view or {}).get("rounds", []) for line in r["lines"] if line["course"] == 2]


def test_a_course_fired_on_both_sides_of_a_partition_reaches_each_kitchen_once(cut_siblings):
    n1, n2, links = cut_siblings
    check = _ok(n1.post("/api/checks", {"id": str(uuid.uuid4()), "table": "T12", "guests": 2, "register": "register-1"}))
    lines = [{"sku": "KARAAGE", "qty": 1, "course": 1}, {"sku": "SALAD", "qty": 2, "course": 2, "hold": True}]
    _ok(n1.post(f"/api/checks/{check['id']}/rounds", {"id": str(uuid.uuid4()), "register": "register-1", "lines": lines}))
    wait_for("the held course on node2", lambda: (_view(n2, check["id"]) or {}).get("held"), timeout=30)
    for node in (n1, n2):
        assert kitchen_news(node) == [("fryer", None, ["KARAAGE"])]

    for link in links:
        link.cut()
    for node in (n1, n2):
        fired = _ok(node.post(f"/api/checks/{check['id']}/fire", {"id": str(uuid.uuid4()), "course": 2}))
        assert fired["fired"] == 1 and fired["held"] == []
    for link in links:
        link.restore()

    def agreed() -> list[Any] | None:
        seen = [_fired(_view(node, check["id"])) for node in (n1, n2)]
        return seen[0] if seen[0] == seen[1] and seen[0] != [None] else None

    wait_for("both nodes to agree on the fire", agreed, timeout=60)
    for node in (n1, n2):
        assert kitchen_news(node) == [("fryer", None, ["KARAAGE"]), ("grill", 2, ["SALAD"])]
