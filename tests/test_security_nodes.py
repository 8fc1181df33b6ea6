"""Two sibling store nodes as real daphne processes: a device paired on one is
let in on both, and once revoked on one it is refused on both, on the API and
on the kitchen socket."""

from __future__ import annotations

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.nodes import Node
from tests.test_replication_nodes import siblings as make_siblings
from tests.test_replication_nodes import wait_for

pytestmark = pytest.mark.nodes


@pytest.fixture
def siblings(tmp_path):
    n1, n2 = make_siblings(tmp_path)
    try:
        yield n1.setup().start(), n2.setup().start()
    finally:
        n1.stop()
        n2.stop()


def menu_status(node: Node, token: str) -> int:
    return node.request("GET", "/api/menu", token=token)[0]


def socket_opens(node: Node, token: str) -> bool:
    try:
        with connect(f"ws://127.0.0.1:{node.port}/ws/kitchen/", open_timeout=10, subprotocols=["posweb", f"bearer.{token}"]) as ws:
            return ws.subprotocol == "posweb"
    except InvalidStatus as refused:
        assert refused.response.status_code == 403
        return False


def test_a_device_revoked_on_one_node_is_refused_on_every_node(siblings):
    n1, n2 = siblings
    token = n1.pair("kitchen-2")
    assert menu_status(n1, token) == 200
    wait_for("the pairing to reach node2", lambda: menu_status(n2, token) == 200)
    assert socket_opens(n2, token)

    status, revoked = n1.post("/api/devices/revoke", {"device": "kitchen-2", "manager_pin": "9999"})
    assert status == 200 and revoked["revoked"] is True, revoked
    assert menu_status(n1, token) == 401  # at once here
    wait_for("the revocation to reach node2", lambda: menu_status(n2, token) == 401)
    assert not socket_opens(n1, token) and not socket_opens(n2, token)
    assert menu_status(n2, n2.env["POS_DEMO_TOKEN"]) == 200  # the other devices carry on
