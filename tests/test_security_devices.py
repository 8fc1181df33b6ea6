"""Devices: only a paired, unrevoked device reads or writes, on the API and on WebSockets."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from stores.models import Device, token_digest
from security import pairing
from security.models import PairingCode
from security.projections import device_paired, device_revoked
from sync.models import Change
from sync.projection import recorded

MANAGER_PIN, CASHIER_PIN = "9999", "1234"


def pair(code: str):
    return Client().post("/api/devices/pair", {"code": code}, content_type="application/json")


def bearer(token: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {token}"})


def issue(name="register-2", kind="register") -> str:
    return pairing.pairing_code_issue(store="S001", name=name, kind=kind, by="test")[1]


def test_an_unpaired_device_is_refused_by_the_api(demo):
    assert Client().get("/api/menu").status_code == 401
    assert bearer("guessed-token").get("/api/menu").status_code == 401
    assert Client().post("/api/orders", {}, content_type="application/json").status_code == 401
    assert Client().get("/api/kitchen/status").status_code == 401


async def socket_for(path: str, protocols: list[str] | None):
    from posweb.asgi import application

    socket = WebsocketCommunicator(application, path, subprotocols=protocols)
    connected, subprotocol = await socket.connect(timeout=5)
    return socket, connected, subprotocol


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/ws/kitchen/", "/ws/orders/"])
async def test_an_unpaired_device_is_refused_on_websockets(path):
    from asgiref.sync import sync_to_async
    from django.core.management import call_command
    import io

    await sync_to_async(call_command)("seed_demo", stdout=io.StringIO())
    for protocols in (None, ["posweb"], ["posweb", "bearer.guessed-token"]):
        socket, connected, _ = await socket_for(path, protocols)
        assert not connected, protocols
        await socket.disconnect()
    from stores.demo import demo_kitchen_token

    socket, connected, subprotocol = await socket_for(path, ["posweb", f"bearer.{demo_kitchen_token()}"])
    assert connected and subprotocol == "posweb"  # the token is never echoed back
    assert (await socket.receive_json_from(timeout=5))["type"] == "hello"
    await socket.disconnect()


def test_a_code_from_admin_pairs_a_tablet_once(demo):
    manager = User.objects.create_user("manager", password="kanri-Pass-2026!", is_staff=True, is_superuser=True)
    admin = Client()
    admin.force_login(manager)
    page = admin.post("/admin/security/pairingcode/add/", {"name": "register-2", "kind": "register"})
    assert page.status_code == 200
    html = page.content.decode()
    code = re.search(r'data-testid="pairing-code"[^>]*>([A-Z0-9-]+)<', html).group(1)
    assert "<svg" in html and "/pair/#code=" in html  # the QR code, inline
    assert PairingCode.objects.get().code_hash != code  # only the digest is kept

    answer = pair(code)
    assert answer.status_code == 201, answer.content
    token = answer.json()["token"]
    assert answer.json()["device"] == "register-2"
    assert bearer(token).get("/api/menu").status_code == 200
    assert Device.objects.get(name="register-2").token_hash == token_digest(token)
    change = Change.objects.get(kind="device.paired")
    assert token not in json.dumps(change.payload)  # the digest replicates, never the token

    assert pair(code).status_code == 403  # single use


def test_an_expired_code_is_refused(demo):
    code = issue()
    PairingCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = pair(code)
    assert response.status_code == 403 and "expired" in response.json()["detail"]


def test_guessing_pairing_codes_is_cut_off(demo):
    code = issue()
    for _ in range(pairing.MAX_PAIR_FAILURES):
        assert pair("AAAA-AAAA").status_code == 403
    refused = pair(code)  # even the right code, until the window passes
    assert refused.status_code == 429 and "wait" in refused.json()["detail"]


def test_a_revoked_device_is_refused_at_once_everywhere_on_this_node(demo, register_client):
    token = pair(issue()).json()["token"]
    tablet = bearer(token)
    assert tablet.get("/api/menu").status_code == 200
    by_cashier = register_client.post(
        "/api/devices/revoke", {"device": "register-2", "manager_pin": CASHIER_PIN}, content_type="application/json"
    )
    assert by_cashier.status_code == 403 and tablet.get("/api/menu").status_code == 200

    revoked = register_client.post(
        "/api/devices/revoke", {"device": "register-2", "manager_pin": MANAGER_PIN}, content_type="application/json"
    )
    assert revoked.status_code == 200 and revoked.json()["revoked"] is True
    assert tablet.get("/api/menu").status_code == 401
    assert tablet.post("/api/orders", {}, content_type="application/json").status_code == 401
    assert Change.objects.filter(kind="device.revoked", payload__device=token_digest(token)).count() == 1


def test_a_revoked_device_is_told_so_and_an_unknown_token_is_not(demo, register_client):
    # The register wipes itself on this answer only (static/pos/revoked.js): a
    # plain 401, which a sibling that has not yet heard of a pairing also gives,
    # must never look like it.
    token = pair(issue()).json()["token"]
    pairing.device_revoke(device=Device.objects.get(token_hash=token_digest(token)), by="test")
    told = bearer(token).get("/api/menu")
    assert told.status_code == 401 and told.json()["code"] == "device_revoked"
    assert bearer(token).post("/api/orders", {}, content_type="application/json").json()["code"] == "device_revoked"
    for stranger in (bearer("guessed-token"), Client(), Client(headers={"Authorization": "Basic " + token})):
        refused = stranger.get("/api/menu")
        assert refused.status_code == 401 and "code" not in refused.json()


def test_a_revocation_that_arrives_before_the_pairing_still_wins(db):
    digest = token_digest("lost-tablet")
    at = "2026-11-23T12:00:00+00:00"
    revoked = Change(kind="device.revoked", store="S001", payload={"device": digest, "name": "r9", "kind": "register", "at": at, "by": "m"})
    paired = Change(kind="device.paired", store="S001", payload={"device": digest, "name": "r9", "kind": "register", "at": at})
    device_revoked(recorded(revoked))
    device_paired(recorded(paired))
    assert Device.objects.get(token_hash=digest).revoked_at is not None


def test_the_pairing_page_is_served_with_its_form(client, db):
    html = client.get("/pair/").content.decode()
    assert 'data-testid="pair-code"' in html and "pos/pair.js" in html


def test_a_manager_revokes_a_device_in_admin(register_client):
    token = pair(issue()).json()["token"]
    manager = User.objects.create_user("manager", password="kanri-Pass-2026!", is_staff=True, is_superuser=True)
    admin = Client()
    admin.force_login(manager)
    device = Device.objects.get(name="register-2")
    response = admin.post("/admin/stores/device/", {"action": "revoke", "_selected_action": [device.pk]})
    assert response.status_code == 302
    assert bearer(token).get("/api/menu").status_code == 401
    assert Change.objects.filter(kind="device.revoked").count() == 1


def test_a_device_cannot_be_renamed_or_moved_in_admin(register_client):
    pair(issue())
    manager = User.objects.create_user("manager", password="kanri-Pass-2026!", is_staff=True, is_superuser=True)
    admin = Client()
    admin.force_login(manager)
    device = Device.objects.get(name="register-2")
    admin.post(f"/admin/stores/device/{device.pk}/change/", {"name": "register-9", "store": "S999", "kind": "kitchen"})
    device.refresh_from_db()
    assert (device.name, device.store, device.kind) == ("register-2", "S001", "register"), (
        "an edit here would change this node alone; a device is a replicated fact")


@pytest.mark.django_db(transaction=True)
async def test_a_client_that_sets_headers_may_send_its_token_as_a_bearer_header():
    import io

    from asgiref.sync import sync_to_async
    from django.core.management import call_command

    from posweb.asgi import application
    from stores.demo import demo_token

    await sync_to_async(call_command)("seed_demo", stdout=io.StringIO())
    for token, allowed in (("guessed-token", False), (demo_token(), True)):
        socket = WebsocketCommunicator(application, "/ws/kitchen/", headers=[(b"authorization", f"Bearer {token}".encode())])
        connected, _ = await socket.connect(timeout=5)
        assert connected is allowed, token
        if connected:
            assert (await socket.receive_json_from(timeout=5))["type"] == "hello"
        await socket.disconnect()
