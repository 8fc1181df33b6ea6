"""/api/health tells a manager whether siblings and HQ are reachable and how far behind they are."""

from __future__ import annotations

import json

from django.test import override_settings

from sync import peers
from tests.personas import order_body


@override_settings(POS_PEERS=["http://127.0.0.1:9"], POS_HQ_URL="http://127.0.0.1:9")
def test_unreached_peers_and_the_upstream_backlog_show_in_health(client, register_client):
    register_client.post("/api/orders", data=order_body(), content_type="application/json")
    health = client.get("/api/health").json()
    peer = health["peers"][0]
    assert peer["url"] == "http://127.0.0.1:9" and peer["state"] == "not_connected" and peer["last_contact"] is None
    assert health["hq"]["state"] == "not_connected"
    assert health["hq"]["upstream_backlog"] == 2  # the order and its payment
    assert health["hq"]["backlog_age_s"] is not None


@override_settings(POS_PEERS=["http://127.0.0.1:9"], POS_HQ_URL="http://127.0.0.1:9")
def test_a_sibling_that_cannot_be_reached_is_down_and_a_turn_does_not_fail(client, register_client):
    register_client.post("/api/orders", data=order_body(), content_type="application/json")
    peers._links.clear()
    try:
        peers.siblings_turn()
        peers.hq_turn()
        health = client.get("/api/health").json()
        assert health["peers"][0]["state"] == "down" and "127.0.0.1:9" in health["peers"][0]["error"]
        assert health["hq"]["state"] == "down" and health["hq"]["upstream_backlog"] == 2
    finally:
        peers._links.clear()
        peers._status.clear()


def test_health_counts_changes_waiting_for_their_order(client, demo):
    import uuid

    from tests.replication_fixtures import RemoteOrigin, paid, signed_post

    b = RemoteOrigin("node-b.1")
    signed_post(client, "/api/sync/push", {"changes": [b.change("order.paid", paid(uuid.uuid4()))], "vector": {}})
    assert client.get("/api/health").json()["parked"] == 1


def test_a_push_batch_is_cut_to_fit_the_peers_body_limit(demo):
    import uuid

    from sync.models import Change
    from tests.replication_fixtures import RemoteOrigin, placed

    a = RemoteOrigin("node-a.1")
    batch = [Change(**{k: v for k, v in a.change("order.placed", placed(uuid.uuid4(), number=i)).items()}) for i in range(10)]
    one = len(json.dumps(batch[0].as_wire()))
    assert len(peers.fit(batch, budget=one * 3 + 10)) == 3
    assert len(peers.fit(batch, budget=10)) == 1  # a change bigger than the budget still goes, alone
