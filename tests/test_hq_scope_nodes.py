"""Real processes: HQ on PostgreSQL with stores S001 and S002, each with its own key
and devices. A tablet paired at S002 tries every attack of issue 15 finding 4 at HQ
on S001 (orders, an order, reports, CSV, X, Z, receipts, sockets, a sale booked at
HQ) and gets nothing; nothing changes anywhere and S002's pull from HQ keeps working.
An analyst's token reads every store and writes nothing. Receipts (finding 8) need a
token of their store, at the store node and at HQ."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid

import pytest
from websockets.sync.client import connect

from tests.nodes import DEMO_TOKEN, Node
from tests.personas import order_body
from tests.test_replication_hq import throwaway_postgres
from tests.test_replication_nodes import wait_for

pytestmark = pytest.mark.nodes

KEY1, KEY2 = "store-key-S001-scope", "store-key-S002-scope"
S002_DEMO = "s002-demo-register-token"


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    # Module scope: three real processes are slow to set up; each test leaves what
    # it made (sales, devices) and the next one counts from there.
    tmp_path = tmp_path_factory.mktemp("scope")
    with throwaway_postgres() as hq_database_url:
        yield from _chain(tmp_path, hq_database_url)


def _chain(tmp_path, hq_database_url):
    hq = Node(tmp_path / "hq", name="hq1", POS_ROLE="hq", POS_STORE="S001", POS_SYNC_KEY=KEY1, DATABASE_URL=hq_database_url)
    s1 = Node(tmp_path / "s1", name="s1-node1", POS_STORE="S001", POS_SYNC_KEY=KEY1, POS_HQ_URL=hq.url)
    s2 = Node(tmp_path / "s2", name="s2-node1", POS_STORE="S002", POS_SYNC_KEY=KEY2, POS_HQ_URL=hq.url,
              POS_DEMO_TOKEN=S002_DEMO)
    hq.setup()
    hq.manage("add_store", "S002", "--key", KEY2)
    try:
        yield hq.start(), s1.setup().start(), s2.setup().start()
    finally:
        for node in (s1, s2, hq):
            node.stop()


def page_status(node: Node, path: str, token: str | None) -> tuple[int, str]:
    request = urllib.request.Request(node.url + path)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def socket_hello(node: Node, path: str, token: str) -> dict:
    with connect(f"ws://127.0.0.1:{node.port}{path}", open_timeout=10, subprotocols=["posweb", f"bearer.{token}"]) as ws:
        return json.loads(ws.recv(timeout=10))


def hq_shell(hq: Node, code: str) -> str:
    return hq.manage("shell", "-c", code).strip().splitlines()[-1]


def test_a_tablet_of_s002_at_hq_gets_nothing_of_s001_and_changes_nothing(chain):
    hq, s1, s2 = chain
    code = s2.manage("pairing_code", "tablet-9").strip().splitlines()[-1]
    status, paired = s2.post("/api/devices/pair", {"code": code}, token=None)
    assert status == 201 and paired["store"] == "S002", paired
    tablet = paired["token"]
    wait_for("S002's tablet known at HQ", lambda: hq.request("GET", "/api/orders", token=tablet)[0] == 200, timeout=60)

    status, sale = s1.post("/api/orders", order_body())
    assert status == 201, sale
    wait_for("S001's sale at HQ", lambda: hq.request("GET", f"/api/orders/{sale['id']}")[0] == 200, timeout=60)
    day = sale["business_date"]

    # Reads of S001 with S002's tablet: refused, never S001's data.
    for path, expected in [
        ("/api/orders?store=S001", 403), (f"/api/orders/{sale['id']}", 404), (f"/api/orders/{sale['id']}/receipt", 404),
        (f"/api/reports/sales?store=S001&business_date={day}", 403),
        (f"/api/reports/sales.csv?store=S001&business_date={day}", 403),
        (f"/api/reports/x?store=S001&business_date={day}", 403), ("/api/reports/z?store=S001", 403),
        (f"/register/receipt/{sale['id']}/", 404),
    ]:
        status, body = page_status(hq, path, tablet)
        assert status == expected, (path, status, body)
        assert str(sale["total"]) not in body and "lines" not in body, (path, body)
    assert hq.get("/api/orders", token=tablet) == {"items": [], "count": 0}
    # Its sockets at HQ carry its own store, not S001's.
    assert socket_hello(hq, "/ws/orders/", tablet) == {"type": "hello", "store": "S002"}
    assert socket_hello(hq, "/ws/kitchen/", tablet)["type"] == "hello"

    # HQ books no sales: neither S002's tablet nor S001's own device can ring one up there.
    for token in (tablet, DEMO_TOKEN):
        status, answer = hq.post("/api/orders", order_body(), token=token)
        assert status == 403 and "HQ books no sales" in answer["detail"], answer
        status, answer = hq.post(f"/api/orders/{sale['id']}/void", {"manager_pin": "9999", "reason": "x"}, token=token)
        assert status == 403, answer
    refund = {"id": str(uuid.uuid4()), "manager_pin": "9999", "reason": "x", "method": "cash"}
    assert hq.post(f"/api/orders/{sale['id']}/refunds", refund)[0] == 403

    # Nothing changed: no sale or money from HQ's origin, S001 still has one order and S002 none.
    assert hq_shell(hq, "from sync.models import Change; print(Change.objects.filter(origin__startswith='hq',"
                        " kind__startswith='order').count())") == "0"
    assert hq.get("/api/orders?store=S001")["count"] == 1
    assert s1.get("/api/orders")["count"] == 1 and s2.get("/api/orders", token=S002_DEMO)["count"] == 0

    # S002's pull from HQ keeps working: a new price reaches it.
    hq.manage("shell", "-c",
              "from menu.models import MenuItem; from sync.master import master_publish; from django.db import transaction\n"
              "with transaction.atomic():\n"
              "    item = MenuItem.objects.get(sku='FRIES'); item.price = 290; item.save(); master_publish(instance=item)\n")

    def fries(node: Node, token: str) -> int:
        return next(i["price"] for i in node.get("/api/menu", token=token)["items"] if i["sku"] == "FRIES")

    wait_for("the new price at S002", lambda: fries(s2, S002_DEMO) == 290, timeout=60)
    assert s2.get("/api/health", token=S002_DEMO)["hq"]["state"] == "up"


def test_an_analyst_reads_every_store_at_hq_and_writes_nothing(chain):
    hq, s1, s2 = chain
    sales = [s1.post("/api/orders", order_body())[1], s2.post("/api/orders", order_body(), token=S002_DEMO)[1]]
    token = hq.manage("analyst_token", "analyst-1").strip().splitlines()[-1]
    wait_for("both stores' sales at HQ", lambda: all(
        hq.request("GET", f"/api/orders/{sale['id']}", token=token)[0] == 200 for sale in sales), timeout=60)
    held = hq.get("/api/orders", token=token)["count"]
    assert held >= 2 and {sale["store"] for sale in sales} == {"S001", "S002"}
    for sale in sales:
        assert hq.get(f"/api/orders/{sale['id']}", token=token)["store"] == sale["store"]
        report = hq.get(f"/api/reports/sales?store={sale['store']}&business_date={sale['business_date']}", token=token)
        node, own = (s1, DEMO_TOKEN) if sale["store"] == "S001" else (s2, S002_DEMO)
        at_store = node.get(f"/api/reports/sales?business_date={sale['business_date']}", token=own)
        assert report["total"] == at_store["total"] >= sale["total"]
        assert page_status(hq, f"/register/receipt/{sale['id']}/", token)[0] == 200
    status, _ = hq.post("/api/orders", order_body(), token=token)
    assert status == 401
    assert hq.post(f"/api/orders/{sales[0]['id']}/void", {"manager_pin": "9999", "reason": "x"}, token=token)[0] == 401
    assert hq.get("/api/orders", token=token)["count"] == held
    # It is HQ's: no store node takes it.
    assert s1.request("GET", "/api/orders", token=token)[0] == 401
    hq.manage("analyst_token", "analyst-1", "--revoke")
    assert hq.request("GET", "/api/orders", token=token)[0] == 401


def test_a_receipt_needs_a_token_of_its_store(chain):
    hq, s1, s2 = chain
    status, sale = s1.post("/api/orders", order_body())
    assert status == 201
    path = f"/register/receipt/{sale['id']}/"
    assert page_status(s1, path, None)[0] == 401
    assert page_status(s1, path, S002_DEMO)[0] == 401  # another store's device is nobody here
    status, page = page_status(s1, path, DEMO_TOKEN)
    assert status == 200 and "領収書" in page
    wait_for("the sale at HQ", lambda: hq.request("GET", f"/api/orders/{sale['id']}")[0] == 200, timeout=60)
    assert page_status(hq, path, None)[0] == 401
    code = s2.manage("pairing_code", "tablet-8").strip().splitlines()[-1]
    tablet = s2.post("/api/devices/pair", {"code": code}, token=None)[1]["token"]
    wait_for("S002's tablet known at HQ", lambda: hq.request("GET", "/api/orders", token=tablet)[0] == 200, timeout=60)
    assert page_status(hq, path, tablet)[0] == 404
    assert page_status(hq, path, DEMO_TOKEN)[0] == 200
