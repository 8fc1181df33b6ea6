"""Who a bearer token lets in at a store node: this store's live devices, on the
API and on sockets alike; never another store's device, a revoked one, or a
token nobody was given."""

from __future__ import annotations

import pytest
from channels.testing import WebsocketCommunicator
from django.test import Client

from security.pairing import device_revoke
from stores.models import Device, Store, token_digest
from stores.services import device_add

pytestmark = pytest.mark.django_db(transaction=True)

OURS, THEIRS = "s001-kds-token", "s002-register-token"


@pytest.fixture
def devices(demo):
    Store.objects.get_or_create(code="S002", defaults={"name": "S002"})
    device_add(store="S001", name="kds-9", kind="kitchen", token_hash=token_digest(OURS))
    device_add(store="S002", name="register-1", kind="register", token_hash=token_digest(THEIRS))


def _orders(token: str) -> int:
    return Client(headers={"Authorization": f"Bearer {token}"}).get("/api/orders").status_code


async def _socket_opens(token: str) -> bool:
    from posweb.asgi import application

    socket = WebsocketCommunicator(application, "/ws/kitchen/", subprotocols=["posweb", f"bearer.{token}"])
    connected, _ = await socket.connect(timeout=5)
    if connected:
        await socket.disconnect()
    return connected


def test_this_stores_device_is_let_in_and_the_view_knows_which_it_is(devices):
    assert _orders(OURS) == 200
    response = Client(headers={"Authorization": f"Bearer {OURS}"}).post(
        "/api/orders", {"id": "not-an-id"}, content_type="application/json")
    assert response.status_code == 422  # past the bearer: the body is what is wrong


def test_another_stores_device_an_unknown_token_and_a_revoked_device_are_refused(devices):
    assert _orders(THEIRS) == 401
    assert _orders("nobody-was-given-this") == 401
    device_revoke(device=Device.objects.get(token_hash=token_digest(OURS)), by="test")
    assert _orders(OURS) == 401


async def test_sockets_take_the_same_tokens(devices):
    from asgiref.sync import sync_to_async

    assert await _socket_opens(OURS)
    assert not await _socket_opens(THEIRS)
    await sync_to_async(device_revoke)(device=await Device.objects.aget(token_hash=token_digest(OURS)), by="test")
    assert not await _socket_opens(OURS)
