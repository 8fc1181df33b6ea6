"""A node whose database came back from a backup never issues a sequence number twice."""

from __future__ import annotations

from django.test import override_settings

from sync.peers import Link
from sync.replication import vector
from sync.services import node_state_get
from tests.personas import order_body


@override_settings(POS_PEERS=["http://127.0.0.1:9"])
def test_a_peer_answer_holding_more_of_our_origin_rotates_it(register_client):
    register_client.post("/api/orders", data=order_body(), content_type="application/json")
    state = node_state_get()
    link = Link("http://127.0.0.1:9", kind="sibling", push_stores={"S001", "*"}, pull_stores={"S001", "*"}, timeout=1)
    link._learn({"node": "node2", "vector": {state.origin: state.last_seq}})
    assert node_state_get().origin == state.origin
    link._learn({"node": "node2", "vector": {state.origin: state.last_seq + 5}})
    rotated = node_state_get()
    assert rotated.origin != state.origin and rotated.last_seq == 0
    # The old origin is now an ordinary one we hold up to where our backup ended;
    # its later changes come back from the peer like anyone else's.
    assert vector()[state.origin] == state.last_seq
    register_client.post("/api/orders", data=order_body(), content_type="application/json")
    assert node_state_get().last_seq == 2
