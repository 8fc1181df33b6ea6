"""Node tests start their nodes from a copy of a database migrated and seeded
once (tests/nodes.py): the copy must be what ``migrate`` and ``seed_demo``
write, and two nodes made from one copy must be two nodes, not one."""

from __future__ import annotations

import sqlite3

import pytest

from tests import nodes
from tests.nodes import Node
from tests.test_replication_nodes import has_order, place

pytestmark = pytest.mark.nodes


def shape(node: Node) -> tuple[list, dict[str, int]]:
    """The node's schema and how many rows each table holds (timestamps, PIN salts and
    the menu's version token differ from one run of the commands to the next)."""
    db = sqlite3.connect(node.db_file)
    try:
        schema = sorted(db.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"))
        tables = [name for kind, name, _ in schema if kind == "table"]
        return schema, {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        db.close()


def test_a_node_from_the_template_holds_what_migrate_and_seed_write(tmp_path, monkeypatch):
    monkeypatch.setenv("POS_TEST_NODE_TEMPLATES", "0")
    by_commands = Node(tmp_path / "commands", name="node1", POS_STORE="S001").setup()
    monkeypatch.delenv("POS_TEST_NODE_TEMPLATES")
    copied = Node(tmp_path / "copied", name="node2", POS_STORE="S001").setup()

    schema, rows = shape(copied)
    assert (schema, rows) == shape(by_commands)
    assert rows["registers_menuitem"] > 0 and rows["registers_staff"] == 2 and rows["registers_device"] == 2
    # A store node's folder already holding a database is left to the commands, which keep its data.
    assert Node(tmp_path / "copied", name="node2", POS_STORE="S001").setup()
    assert shape(copied)[1] == rows


def test_two_nodes_copied_from_one_template_are_two_nodes(tmp_path):
    a = Node(tmp_path / "a", name="node1", POS_STORE="S001").setup()
    b = Node(tmp_path / "b", name="node2", POS_STORE="S001").setup()
    try:
        a.start(timeout=120)
        b.start(timeout=120)
        assert a.get("/api/health")["origin"] != b.get("/api/health")["origin"]
        sold = place(a)
        assert has_order(a, sold) and not has_order(b, sold)
    finally:
        a.stop()
        b.stop()


def test_nodes_of_later_tests_reuse_the_template(tmp_path, monkeypatch):
    # pytest renames PYTEST_CURRENT_TEST for every test: were it part of the
    # template's key, every module would migrate and seed its own (minutes of CI).
    monkeypatch.setenv("PYTEST_CURRENT_TEST", "tests/test_one.py::test_a (setup)")
    Node(tmp_path / "a", name="node1", POS_STORE="S001").setup()
    built = len(nodes._templates)
    monkeypatch.setenv("PYTEST_CURRENT_TEST", "tests/test_two.py::test_b (setup)")
    Node(tmp_path / "b", name="node1", POS_STORE="S001").setup()
    assert len(nodes._templates) == built
