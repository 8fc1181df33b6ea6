"""A real store node tells the truth in /api/health: ok after its start-up checks,
degraded naming HQ when HQ refuses its changes, ok again once HQ takes them."""

from __future__ import annotations

import pytest

from tests.nodes import Node
from tests.test_replication_nodes import KEY, place, wait_for

pytestmark = pytest.mark.nodes


def test_a_node_whose_hq_refuses_its_key_is_degraded_until_hq_takes_its_changes(tmp_path):
    hq = Node(tmp_path / "hq", name="hq1", POS_ROLE="hq", POS_STORE="S001", POS_SYNC_KEY=KEY)
    node = Node(tmp_path / "n1", name="node1", POS_STORE="S001", POS_SYNC_KEY=KEY, POS_HQ_URL=hq.url)
    try:
        hq.setup().start()
        node.setup().start()
        place(node)
        # The integrity and journal checks ran at start and found nothing.
        health = wait_for("the sale at HQ", lambda: (h := node.get("/api/health"))["hq"]["upstream_backlog"] == 0 and h)
        assert health["status"] == "ok" and health["reasons"] == []

        node.stop()
        node.env["POS_SYNC_KEY"] = "a-key-hq-does-not-know"
        node.start()
        place(node)
        health = wait_for("health degraded", lambda: (h := node.get("/api/health"))["status"] == "degraded" and h)
        (reason,) = health["reasons"]
        assert reason["code"] == "upstream_refused"
        assert "本部" in reason["detail"] and hq.url in reason["detail"] and "401" in reason["detail"]
        assert reason["action"] and reason["since"]
        assert health["hq"]["state"] == "unauthorized"

        node.stop()
        node.env["POS_SYNC_KEY"] = KEY
        node.start()
        wait_for("the backlog drained", lambda: node.get("/api/health")["hq"]["upstream_backlog"] == 0)
        health = node.get("/api/health")
        assert health["status"] == "ok" and health["reasons"] == []
    finally:
        node.stop()
        hq.stop()
