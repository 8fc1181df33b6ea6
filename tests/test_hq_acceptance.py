"""Acceptance, with HQ on PostgreSQL and a store node as real processes:
an admin changes a price in HQ's admin in a real browser and the store sells at
it within seconds (earlier orders keep theirs); HQ's sales report for the store's
day equals the store's own to the yen; a subscribed phone gets a decrypted
"store offline" push when the store stops reporting."""

from __future__ import annotations

import pytest

from tests.browser import chromium
from tests.nodes import Node
from tests.personas import order_body
from tests.push_endpoint import PushEndpoint
from tests.test_replication_hq import hq_database_url  # noqa: F401  (fixture)
from tests.test_replication_nodes import KEY, wait_for

pytestmark = [pytest.mark.nodes]

ADMIN = {"DJANGO_SUPERUSER_USERNAME": "hqadmin", "DJANGO_SUPERUSER_PASSWORD": "hq-pass-123", "DJANGO_SUPERUSER_EMAIL": "a@example.invalid"}


@pytest.fixture
def hq_and_store(tmp_path, hq_database_url):  # noqa: F811
    hq = Node(tmp_path / "hq", name="hq1", POS_ROLE="hq", POS_STORE="S001", POS_SYNC_KEY=KEY,
              DATABASE_URL=hq_database_url, POS_STORE_SILENT_AFTER="2", **ADMIN)
    store = Node(tmp_path / "s1", name="node1", POS_STORE="S001", POS_SYNC_KEY=KEY, POS_HQ_URL=hq.url)
    hq.setup()
    hq.manage("createsuperuser", "--noinput")
    try:
        yield hq.start(), store.setup().start()
    finally:
        for node in (store, hq):
            node.stop()


def fries(node: Node) -> dict:
    return next(i for i in node.get("/api/menu")["items"] if i["sku"] == "FRIES")


def sell(node: Node) -> dict:
    status, order = node.post("/api/orders", order_body(lines=[{"sku": "FRIES", "qty": 2}, {"sku": "BEER", "qty": 1}],
                                                          payments=[{"method": "cash", "amount": 5000}]))
    assert status == 201, order
    return order


def fries_line(order: dict) -> dict:
    return next(line for line in order["lines"] if line["sku"] == "FRIES")


@pytest.mark.browser
def test_a_price_changed_in_hq_admin_reaches_the_store_and_hq_reports_the_same_sales(hq_and_store, chromium_path):
    hq, store = hq_and_store
    old_price = fries(store)["price"]
    new_price = old_price + 40
    before = [sell(store) for _ in range(4)]

    with chromium(chromium_path) as browser:
        page = browser.new_page(locale="ja-JP")
        page.goto(f"{hq.url}/admin/login/?next=/admin/menu/menuitem/")
        page.fill("#id_username", ADMIN["DJANGO_SUPERUSER_USERNAME"])
        page.fill("#id_password", ADMIN["DJANGO_SUPERUSER_PASSWORD"])
        page.click("input[type=submit]")
        page.fill("#searchbar", "FRIES")
        page.press("#searchbar", "Enter")
        page.click("text=FRIES")
        page.fill("#id_price", str(new_price))
        page.click("input[name=_save]")
        page.wait_for_selector(".messagelist .success")

    wait_for("the new price in the store's menu", lambda: fries(store)["price"] == new_price, timeout=10)
    after = [sell(store) for _ in range(6)]
    assert {fries_line(o)["unit_price"] for o in after} == {new_price}
    for order in before:
        assert fries_line(store.get(f"/api/orders/{order['id']}"))["unit_price"] == old_price

    day = after[-1]["business_date"]
    at_store = store.get(f"/api/reports/sales?business_date={day}")
    wait_for("all 10 orders at HQ", lambda: hq.get(f"/api/reports/sales?business_date={day}&store=S001")["orders"] == 10,
             timeout=60)
    at_hq = hq.get(f"/api/reports/sales?business_date={day}&store=S001")
    assert at_store["orders"] == 10
    assert at_hq["total"] == at_store["total"] == sum(o["total"] for o in before + after)
    for key in ("taxes", "tenders", "voids", "by_item", "by_hour"):
        assert at_hq[key] == at_store[key], key


def test_a_subscribed_phone_gets_a_store_offline_push_when_the_store_stops_reporting(hq_and_store):
    hq, store = hq_and_store
    hq.manage("vapid_keys")
    with PushEndpoint() as phone:
        hq.manage("shell", "-c", "from hq.services import subscription_save\n"
                  f"subscription_save(subscription={phone.subscription!r}, store='', language='ja')")
        wait_for("HQ to hear from the store", lambda: any(
            s["store"] == "S001" and s["nodes"] for s in hq_stores(hq)), timeout=30)
        store.kill9()
        # The demo store has no kitchen screen, so HQ may first alert that it
        # cannot relay channel orders to its kitchen (relay_kitchen): not this test's.
        messages = phone.wait_for_kind("store_offline", timeout=60)
    # HQ's log says whether it raised the alert and how the push went (CI failed here once, 2026-11-30).
    assert messages, f"no store-offline push arrived (got {phone.messages}); HQ's log: {hq.log.read_text()[-3000:]}"
    assert [m["data"] for m in messages] == [{"kind": "store_offline", "store": "S001", "key": "offline:S001"}]
    assert "S001" in messages[0]["title"]


def hq_stores(hq: Node) -> list[dict]:
    out = hq.manage("shell", "-c", "import json; from hq.selectors import stores_health; print(json.dumps(stores_health(), default=str))")
    import json

    return json.loads(out.strip().splitlines()[-1])
