"""A live node's health reads its storage settings back from the connection
that serves it: WAL with synchronous=FULL, before and after it takes a sale."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest

from tests.nodes import Node
from tests.personas import order_body

pytestmark = pytest.mark.nodes

DURABLE = {"engine": "sqlite", "journal_mode": "wal", "synchronous": "full"}


def test_a_live_node_says_each_commit_is_fsynced(tmp_path):
    node = Node(tmp_path / "store", name="node1").setup().start()
    try:
        assert node.get("/api/health")["storage"] == DURABLE
        assert node.post("/api/orders", order_body())[0] == 201
        health = node.get("/api/health")
        assert health["storage"] == DURABLE and health["status"] == "ok"
    finally:
        node.stop()
    # WAL is recorded in the file itself; synchronous is not, hence health.
    with closing(sqlite3.connect(tmp_path / "store" / "posweb-store.sqlite3")) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
