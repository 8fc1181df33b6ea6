"""A store sells at its own price and availability from HQ, and stops offering
an item the moment a manager marks it sold out; orders keep the price they were sold at."""

from __future__ import annotations

import threading
import uuid

import pytest
from menu.models import MenuItem, SoldOut, StoreItem
from sync.master import master_upserted, serialize
from sync.models import Change
from sync.projection import recorded
from tests.personas import order_body
from tests.replication_fixtures import RemoteOrigin

pytestmark = pytest.mark.django_db

FRIES = "FRIES"


def menu_item(client, sku: str) -> dict:
    return next(i for i in client.get("/api/menu").json()["items"] if i["sku"] == sku)


def place(client, sku: str = FRIES) -> dict:
    body = order_body(lines=[{"sku": sku, "qty": 1}], payments=[])
    return client.post("/api/orders", body, content_type="application/json")


def hq_store_item(store: str, price: int | None, available: bool = True) -> None:
    """A StoreItem as HQ publishes it, arriving by replication."""
    item = MenuItem.objects.get(sku=FRIES)
    row = StoreItem(store=store, item=item, price=price, available=available)
    row.code = StoreItem.code_for(store, FRIES)
    hq = RemoteOrigin("hq:hq1.0001", store="*")
    wire = hq.change("master.upsert", {"model": "registers.StoreItem", "key": row.code, "fields": serialize(row)})
    master_upserted(recorded(Change(**{k: v for k, v in wire.items()})))


def test_the_store_menu_and_its_orders_use_the_price_hq_set_for_this_store(register_client):
    before = place(register_client)
    assert before.status_code == 201
    base = menu_item(register_client, FRIES)["price"]
    hq_store_item("S001", base + 30)
    hq_store_item("S002", base + 99)  # another store's row never applies here
    assert menu_item(register_client, FRIES)["price"] == base + 30
    after = place(register_client)
    assert after.json()["lines"][0]["unit_price"] == base + 30
    again = register_client.get(f"/api/orders/{before.json()['id']}").json()
    assert again["lines"][0]["unit_price"] == base
    assert not StoreItem.objects.filter(store="S002").exists()


def test_an_item_hq_does_not_sell_at_this_store_cannot_be_ordered(register_client):
    hq_store_item("S001", None, available=False)
    assert menu_item(register_client, FRIES)["available"] is False
    refused = place(register_client)
    assert refused.status_code == 422 and "sold out" in refused.json()["detail"]


def test_a_manager_marks_an_item_sold_out_and_back(register_client):
    def mark(sold_out: bool, pin: str | None = "9999"):
        return register_client.post(f"/api/menu/{FRIES}/sold-out", {"sold_out": sold_out, "manager_pin": pin},
                                    content_type="application/json")

    assert mark(True, pin="1234").status_code == 403  # a cashier's PIN
    assert mark(True, pin=None).status_code == 403
    assert register_client.post("/api/menu/NOPE/sold-out", {"manager_pin": "9999"}, content_type="application/json").status_code == 404
    assert mark(True).status_code == 200
    item = menu_item(register_client, FRIES)
    assert item["available"] is False and item["sold_out"] is True
    assert place(register_client).status_code == 422
    assert Change.objects.filter(kind="item.sold_out", payload__sku=FRIES).count() == 1
    assert mark(False).status_code == 200
    assert menu_item(register_client, FRIES)["available"] is True
    assert place(register_client).status_code == 201


def test_the_latest_mark_wins_whatever_order_the_marks_arrive_in(demo):
    from menu.sold_out import item_back, item_sold_out

    node = RemoteOrigin("node2.abcd")
    first = Change(**node.change("item.sold_out", {"sku": FRIES, "staff": "a", "at": "2026-11-23T12:00:00+00:00"}))
    second = Change(**node.change("item.back", {"sku": FRIES, "staff": "b", "at": "2026-11-23T12:01:00+00:00"}))
    item_back(recorded(second))
    item_sold_out(recorded(first))
    assert SoldOut.objects.get(sku=FRIES).sold_out is False


@pytest.mark.django_db(transaction=True)
async def test_registers_on_the_live_channel_are_told_to_reload_the_menu(demo):
    from channels.testing import WebsocketCommunicator
    from asgiref.sync import sync_to_async

    from posweb.asgi import application
    from registers.sold_out import item_sold_out_set

    from tests.personas import kitchen_socket_protocols

    communicator = WebsocketCommunicator(application, "/ws/orders/", subprotocols=kitchen_socket_protocols())
    connected, _ = await communicator.connect()
    assert connected
    assert (await communicator.receive_json_from())["type"] == "hello"
    await sync_to_async(item_sold_out_set)(sku=FRIES, sold_out=True, manager_pin="9999")
    assert (await communicator.receive_json_from(timeout=5)) == {"type": "menu"}
    await communicator.disconnect()
    # The managers' alert goes out on its own thread and connection; let it
    # finish before the test database is flushed, or the flush finds it locked.
    for thread in threading.enumerate():
        if thread.name == "sold-out-alert":
            await sync_to_async(thread.join)(10)


def test_a_price_changed_by_another_writer_is_charged_on_the_next_order(register_client):
    # The order writer keeps the priced menu in memory; a change made with raw
    # SQL (as another process, a restore or a migration would) must still reach it.
    from django.db import connection

    base = place(register_client).json()["lines"][0]["unit_price"]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE registers_menuitem SET price = price + 10 WHERE sku = %s", [FRIES])
    assert place(register_client).json()["lines"][0]["unit_price"] == base + 10
    with connection.cursor() as cursor:
        cursor.execute("UPDATE registers_menuitem SET available = %s WHERE sku = %s", [False, FRIES])
    assert place(register_client).status_code == 422
