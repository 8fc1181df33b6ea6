"""The floor: tables authored at HQ per store reach only their store; the printable
QR sheet; what a QR code's table names (T12, or 12) and a table the floor does not know."""

from __future__ import annotations

import pytest

from registers.models import CheckRound, Order
from stores.models import Table
from sync.master import serialize
from tests.channels_fixtures import screens_on
from tests.replication_fixtures import RemoteOrigin, signed_post
from tests.test_sync_master import HQ, push
from tests.test_table_checks import guest_order

pytestmark = pytest.mark.django_db


def table_upsert(hq: RemoteOrigin, table: Table):
    return hq.change("master.upsert", {"model": "stores.Table", "key": Table.code_for(table.store, table.table),
                                       "fields": serialize(table)}, store="*")


def test_hq_tables_reach_only_their_own_store(client, register_client):
    hq = RemoteOrigin(HQ, store="*")
    ours = Table(store="S001", table="T20", area="テラス", seats=6, position=20)
    theirs = Table(store="S002", table="T21", area="ホール", seats=2, position=21)
    push(client, [table_upsert(hq, ours), table_upsert(hq, theirs)])
    floor = {t["table"]: t for t in register_client.get("/api/tables").json()}
    assert floor["T20"]["seats"] == 6 and floor["T20"]["area"] == "テラス"
    assert "T21" not in floor and not Table.objects.filter(store="S002").exists()


def test_a_store_node_may_not_author_its_own_floor(client, demo):
    # A sibling of the store (its key, its own origin) sends a table as master data: refused, nothing applied.
    rogue = RemoteOrigin("S001:rogue.1234abcd", store="S001")
    fields = {"store": "S001", "table": "T30", "area": "", "seats": "4", "position": "0"}
    change = rogue.change("master.upsert", {"model": "stores.Table", "key": "S001:T30", "fields": fields}, store="*")
    response, _ = signed_post(client, "/api/sync/push", {"changes": [change], "vector": {}})
    assert response.status_code in (200, 403, 422), response.content
    assert not Table.objects.filter(table="T30").exists()


def test_the_qr_sheet_has_a_code_per_table_opening_its_order_page(register_client):
    page = register_client.get("/tables/qr/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('data-testid="qr-card"') == Table.objects.filter(store="S001").count() == 16
    assert "/order/?table=T12" in html and html.count("<svg") == 16


def test_a_qr_code_may_name_table_12_for_t12_and_an_unknown_table_orders_as_before(demo):
    screens_on("grill", "fryer", "drinks")
    by_number = guest_order("12", [("FRIES", 1)])
    assert by_number.status_code == 201, by_number.content
    assert CheckRound.objects.filter(order_id=by_number.json()["id"]).exists()
    unknown = guest_order("99", [("FRIES", 1)])
    assert unknown.status_code == 201, unknown.content
    order = Order.objects.get(pk=unknown.json()["id"])
    assert order.dining == "eat_in" and not CheckRound.objects.filter(order_id=order.id).exists()
