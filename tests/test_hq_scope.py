"""At HQ a store's device sees only its own store, analysts and admins read every
store and write nothing, HQ books no sales; receipts need a token of their store.

Fast tests with Django's client (HQ is the test node with POS_ROLE=hq); the same
attacks against real processes are in tests/test_hq_scope_nodes.py.
"""

from __future__ import annotations

import io
import re
import uuid

import pytest
from channels.testing import WebsocketCommunicator
from django.core.management import call_command
from django.test import Client

from registers.models import Order
from stores.models import AnalystToken, Store, token_digest
from stores.services import device_add
from sync.models import Change
from tests.personas import order_body

S002_TOKEN = "s002-register-token"
ANY_ID = "00000000-0000-0000-0000-000000000001"


def bearer(token: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def hq(settings, register_client):
    """HQ holding one S001 sale (sold at the store, before the role switch: HQ books none)
    and knowing store S002 and one of its registers."""
    response = register_client.post("/api/orders", order_body(), content_type="application/json")
    assert response.status_code == 201, response.content
    Store.objects.create(code="S002", name="S002")
    device_add(store="S002", name="register-1", kind="register", token_hash=token_digest(S002_TOKEN))
    settings.POS_ROLE = "hq"
    return response.json()


def analyst_token(name: str = "analyst-1") -> str:
    out = io.StringIO()
    call_command("analyst_token", name, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip().splitlines()[-1]


# Every read a device at HQ could point at another store, with what it must get.
CROSS_STORE_READS = [
    ("/api/orders?store=S001", 403),
    ("/api/orders/{id}", 404),
    ("/api/orders/{id}/receipt", 404),
    ("/api/orders/{id}/receipt.escpos", 404),
    ("/register/receipt/{id}/", 404),
    ("/api/reports/sales?store=S001", 403),
    ("/api/reports/sales.csv?store=S001", 403),
    ("/api/reports/x?store=S001", 403),
    ("/api/reports/z?store=S001", 403),
    ("/api/staff/on-duty?store=S001", 403),
    ("/api/alerts/offline-card?store=S001", 403),
    ("/api/kitchen/status?store=S001", 403),
    ("/api/kitchen/ready?store=S001", 403),
    ("/api/menu?store=S001", 403),
]


@pytest.mark.parametrize(("path", "status"), CROSS_STORE_READS)
def test_another_stores_device_at_hq_reads_nothing_of_store_s001(hq, path, status):
    response = bearer(S002_TOKEN).get(path.format(id=hq["id"]))
    assert response.status_code == status, response.content
    body = response.content.decode()
    # Nothing of the sale: no total, no lines, no store name (a 404 merely echoes the id asked for).
    assert "2116" not in body and "lines" not in body and "渋谷" not in body and "HAMBURGER" not in body


@pytest.mark.parametrize("path", [p for p, _ in CROSS_STORE_READS if "/api/menu" not in p])
def test_the_stores_own_device_at_hq_reads_it(hq, path, register_client):
    response = register_client.get(path.format(id=hq["id"]))
    assert response.status_code == 200, (path, response.content)


def test_a_device_at_hq_lists_only_its_own_stores_orders(hq, register_client):
    assert bearer(S002_TOKEN).get("/api/orders").json() == {"items": [], "count": 0}
    assert [o["id"] for o in register_client.get("/api/orders").json()["items"]] == [hq["id"]]


def _operations():
    from posweb.api import api

    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method in operations:
            if method != "get":
                yield method, path


# Not a store device's: replication (sync keys), pairing (a code), integrators' own
# key and push subscriptions (no sale, scoped to the device's store).
NOT_DEVICE_ROUTES = ("/api/sync", "/api/devices/pair", "/api/integrations/orders", "/api/push/")


def test_hq_books_nothing_from_any_device_through_any_write_route(hq, register_client):
    changes, orders = Change.objects.count(), Order.objects.count()
    tried = []
    for method, path in _operations():
        if path.startswith(NOT_DEVICE_ROUTES):
            continue
        url = re.sub(r"\{(\w+)\}", lambda m: {"sku": "FRIES", "channel": "kiosk"}.get(m.group(1), hq["id"]), path)
        for client in (register_client, bearer(S002_TOKEN)):
            response = getattr(client, method)(url, order_body(), content_type="application/json")
            assert 400 <= response.status_code < 500, (method, url, response.status_code, response.content)
        tried.append(path)
    assert "/api/orders" in tried and "/api/orders/{order_id}/refunds" in tried and "/api/drawer" in tried
    assert (Change.objects.count(), Order.objects.count()) == (changes, orders)


def test_a_sale_posted_at_hq_is_refused_with_a_reason(hq, register_client):
    response = register_client.post("/api/orders", order_body(), content_type="application/json")
    assert response.status_code == 403 and "HQ books no sales" in response.json()["detail"]


def test_an_analyst_reads_every_store_and_writes_nothing(hq, register_client):
    token = analyst_token()
    analyst = bearer(token)
    assert AnalystToken.objects.get(name="analyst-1").token_hash == token_digest(token)  # only the digest is kept
    assert [o["id"] for o in analyst.get("/api/orders").json()["items"]] == [hq["id"]]
    for path in ("/api/orders?store=S001", f"/api/orders/{hq['id']}", f"/api/orders/{hq['id']}/receipt",
                 f"/register/receipt/{hq['id']}/", "/api/reports/sales?store=S001", "/api/reports/x?store=S001",
                 "/api/reports/z?store=S002", "/api/kitchen/ready?store=S001"):
        assert analyst.get(path).status_code == 200, path
    assert analyst.get("/api/reports/sales?store=S001").json()["total"] == 2116
    assert analyst.get("/api/reports/sales").status_code == 422  # which store? it must say
    changes = Change.objects.count()
    for method, path in _operations():
        if not path.startswith(NOT_DEVICE_ROUTES):
            url = re.sub(r"\{(\w+)\}", hq["id"], path)
            assert getattr(analyst, method)(url, order_body(), content_type="application/json").status_code == 401, path
    assert Change.objects.count() == changes


def test_a_revoked_analyst_token_reads_nothing_and_the_name_can_be_issued_again(hq):
    token = analyst_token()
    with pytest.raises(Exception, match="already has a live token"):
        analyst_token()
    call_command("analyst_token", "analyst-1", "--revoke", stdout=io.StringIO())
    assert bearer(token).get("/api/orders").status_code == 401
    fresh = analyst_token()
    assert fresh != token and bearer(fresh).get("/api/orders").status_code == 200


def test_analyst_tokens_are_made_and_work_only_at_hq(demo, settings):
    with pytest.raises(Exception, match="HQ only"):
        analyst_token()
    settings.POS_ROLE = "hq"
    token = analyst_token()
    settings.POS_ROLE = "store"
    assert bearer(token).get("/api/orders").status_code == 401


def test_an_admin_revokes_an_analyst_token_in_admin(hq, admin_client):
    token = analyst_token()
    row = AnalystToken.objects.get(name="analyst-1")
    page = admin_client.post("/admin/stores/analysttoken/", {"action": "revoke", "_selected_action": [row.pk]})
    assert page.status_code == 302
    assert bearer(token).get("/api/orders").status_code == 401


def test_an_hq_admin_session_reads_every_store(hq, admin_client):
    assert admin_client.get("/api/orders?store=S001").json()["count"] == 1
    assert admin_client.get(f"/register/receipt/{hq['id']}/").status_code == 200
    assert admin_client.post("/api/orders", order_body(), content_type="application/json").status_code == 401


def test_a_receipt_needs_a_token_of_its_store(register_client, settings):
    sale = register_client.post("/api/orders", order_body(), content_type="application/json").json()
    for path in (f"/register/receipt/{sale['id']}/", f"/api/orders/{sale['id']}/receipt"):
        assert Client().get(path).status_code == 401
        assert bearer("guessed").get(path).status_code == 401
        assert register_client.get(path).status_code == 200
    assert Client().get(f"/register/receipt/{sale['id']}/?token=x").status_code == 401  # never from the URL


def test_hq_serves_no_till_and_hands_out_no_demo_token(hq):
    assert Client().get("/register/").status_code == 404
    assert Client().get("/register/manager/").status_code == 404
    kitchen = Client().get("/kitchen/").content.decode()
    assert "\"token\"" not in kitchen


async def _hello(path: str, token: str) -> tuple[WebsocketCommunicator, dict]:
    from posweb.asgi import application

    socket = WebsocketCommunicator(application, path, subprotocols=["posweb", f"bearer.{token}"])
    connected, _ = await socket.connect(timeout=5)
    assert connected
    return socket, await socket.receive_json_from(timeout=5)


@pytest.mark.django_db(transaction=True)
async def test_at_hq_a_device_socket_carries_only_its_own_store_and_records_nothing(settings):
    from asgiref.sync import sync_to_async

    await sync_to_async(call_command)("seed_demo", stdout=io.StringIO())
    await sync_to_async(device_add)(store="S002", name="kds", kind="kitchen", token_hash=token_digest(S002_TOKEN))
    settings.POS_ROLE = "hq"
    orders, hello = await _hello("/ws/orders/", S002_TOKEN)
    assert hello == {"type": "hello", "store": "S002"}
    await orders.disconnect()
    kitchen, hello = await _hello("/ws/kitchen/", S002_TOKEN)
    assert hello["type"] == "hello"
    await kitchen.send_json_to({"type": "snapshot"})
    assert (await kitchen.receive_json_from(timeout=5))["tickets"] == []
    changes = await sync_to_async(Change.objects.count)()
    for kind in ("ack", "bump", "recall", "served"):
        await kitchen.send_json_to({"type": kind, "ticket": str(uuid.uuid4()), "order": ANY_ID})
        answer = await kitchen.receive_json_from(timeout=5)
        assert answer["type"] == "error" and "HQ" in answer["detail"], answer
    assert await sync_to_async(Change.objects.count)() == changes
    await kitchen.disconnect()
