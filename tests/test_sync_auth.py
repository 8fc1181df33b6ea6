"""Every sync endpoint wants a request signed with the store's key and signs its answer."""

from __future__ import annotations

import time
import uuid

import pytest
from django.test import override_settings

from registers.models import Order
from stores.models import Store
from sync import auth
from sync.models import Change
from tests.replication_fixtures import RemoteOrigin, placed, signed_post

ENDPOINTS = ["/api/sync/push", "/api/sync/pull"]


@pytest.mark.parametrize("path", ENDPOINTS)
def test_it_refuses_anonymous_calls(client, demo, path):
    response = client.post(path, data={"changes": [], "vector": {}}, content_type="application/json")
    assert response.status_code == 401
    assert "signed" in response.json()["detail"]


@pytest.mark.parametrize("path", ENDPOINTS)
def test_it_refuses_a_register_device_token(register_client, path):
    response = register_client.post(path, data={"vector": {}}, content_type="application/json")
    assert response.status_code == 401


@pytest.mark.parametrize("path", ENDPOINTS)
def test_it_refuses_the_wrong_key(client, demo, path):
    response, _ = signed_post(client, path, {"vector": {}}, key="not-the-store-key")
    assert response.status_code == 401
    assert "key" in response.json()["detail"]
    assert auth.H_SIGNATURE not in response.headers


def test_a_wrong_key_node_cannot_inject_an_order(client, demo):
    remote = RemoteOrigin("intruder.1")
    order_id = uuid.uuid4()
    response, _ = signed_post(client, "/api/sync/push", {"changes": [remote.change("order.placed", placed(order_id, number=7))]},
                              key="guessed-key")
    assert response.status_code == 401
    assert not Order.objects.filter(pk=order_id).exists() and not Change.objects.filter(origin="intruder.1").exists()


def test_it_refuses_a_replayed_old_request(client, demo):
    response, _ = signed_post(client, "/api/sync/pull", {"vector": {}}, now=time.time() - auth.MAX_SKEW_S - 60)
    assert response.status_code == 401
    assert "clock" in response.json()["detail"]


def test_a_tampered_body_fails_the_signature(client, demo):
    raw = b'{"vector": {}}'
    signed = auth.sign_request(key="demo-sync-key", method="POST", path="/api/sync/pull", store="S001", node="p", body=raw)
    headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in signed.headers().items()}
    response = client.post("/api/sync/pull", data=b'{"vector": {"x": 1}}', content_type="application/json", **headers)
    assert response.status_code == 401


def test_the_right_key_gets_a_signed_answer(client, demo):
    response, signed = signed_post(client, "/api/sync/pull", {"vector": {}})
    assert response.status_code == 200
    auth.verify_response(key="demo-sync-key", request_signature=signed.signature, body=response.content,
                         signature=response.headers[auth.H_SIGNATURE])
    with pytest.raises(auth.AuthError):
        auth.verify_response(key="other-key", request_signature=signed.signature, body=response.content,
                             signature=response.headers[auth.H_SIGNATURE])


def test_a_store_node_refuses_another_stores_node(client, demo):
    response, _ = signed_post(client, "/api/sync/pull", {"vector": {}}, store="S002")
    assert response.status_code == 403
    assert "S001" in response.json()["detail"]


@override_settings(POS_ROLE="hq")
def test_hq_checks_each_store_against_its_own_key(client, db):
    Store.objects.create(code="S002", name="S002", sync_key="key-of-s002")
    assert signed_post(client, "/api/sync/pull", {"vector": {}}, store="S002", key="key-of-s002")[0].status_code == 200
    assert signed_post(client, "/api/sync/pull", {"vector": {}}, store="S002", key="demo-sync-key")[0].status_code == 401
    assert signed_post(client, "/api/sync/pull", {"vector": {}}, store="S404", key="key-of-s002")[0].status_code == 401


@override_settings(POS_ROLE="hq")
def test_hq_refuses_changes_a_store_sends_for_another_store(client, db):
    Store.objects.create(code="S002", name="S002", sync_key="key-of-s002")
    intruder = RemoteOrigin("s002-node.1", store="S003")
    response, _ = signed_post(client, "/api/sync/push",
                              {"changes": [intruder.change("order.placed", placed(uuid.uuid4(), number=1))]},
                              store="S002", key="key-of-s002")
    assert response.status_code == 403
    assert not Change.objects.filter(origin="s002-node.1").exists()
