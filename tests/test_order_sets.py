"""Set menus (定食・セット): authored at HQ, one line on the receipt, each component
routed to its own station under the order's one ticket number, taxed at its own rate."""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from kitchen.models import Ticket
from kitchen.printers.base import ticket_job
from kitchen.selectors import ticket_as_dict
from menu.models import MenuItem, SetComponent
from registers import sets
from registers.models import Order
from registers.receipts import receipt_for
from stores.models import Store
from sync.master import master_publish
from tests.personas import order_body
from tests.replication_fixtures import RemoteOrigin, signed_post

HQ = "hq:hq1.abcd1234"

# (sku, ja, en, price, [(component sku, qty)]): published by HQ in hq_sets below.
SETS = [
    ("KARAAGE_SET", "唐揚げ定食", "Fried chicken set", 890, [("KARAAGE", 1), ("MISOSOUP", 1), ("OOLONG", 1)]),
    ("BANSHAKU", "晩酌セット", "Evening set", 800, [("KARAAGE", 1), ("BEER", 1)]),
]


def push(client, changes) -> None:
    response, _ = signed_post(client, "/api/sync/push", {"changes": changes, "vector": {}})
    assert response.status_code == 200, response.content
    assert response.json()["applied"] == len(changes), response.content


@pytest.fixture
def hq_sets(client, demo):
    """The sets as a store receives them from HQ: signed master changes, items first, then components."""
    hq = RemoteOrigin(HQ, store="*")
    changes = []
    for sku, ja, en, price, _ in SETS:
        fields = {"name_ja": ja, "name_en": en, "category": "bowls", "price": str(price), "tax_class": "food",
                  "station": None, "available": "True", "takeout_ok": "True", "position": "99", "modifier_groups": []}
        changes.append(hq.change("master.upsert", {"model": "registers.MenuItem", "key": sku, "fields": fields}, store="*"))
    for sku, *_, parts in SETS:
        for position, (part, qty) in enumerate(parts):
            fields = {"set_item": sku, "item": part, "qty": str(qty), "position": str(position)}
            changes.append(hq.change("master.upsert", {"model": "menu.SetComponent", "key": f"{sku}:{part}", "fields": fields},
                                     store="*"))
    push(client, changes)
    assert SetComponent.objects.filter(set_item__sku="KARAAGE_SET").count() == 3


def post(client, body):
    return client.post("/api/orders", data=json.dumps(body), content_type="application/json")


@pytest.mark.django_db
def test_karaage_set_with_oolong_and_an_allergy_note(hq_sets, register_client):
    body = order_body(
        dining="take_out",
        lines=[{"sku": "KARAAGE_SET", "qty": 1, "note": "卵アレルギー"}, {"sku": "BANSHAKU", "qty": 1}],
        payments=[{"method": "cash", "amount": 2000}],
    )
    response = post(register_client, body)
    assert response.status_code == 201, response.content
    order = response.json()

    # Hand-worked split (registers/sets.py), take-out so food is at 8 %:
    #   唐揚げ定食 890 over KARAAGE 320, MISOSOUP 80, OOLONG 150 (weights 550):
    #     517.81 / 129.45 / 242.72 -> 517 + 129 + 242 = 888, the 2 yen left to
    #     the largest fractions (.81, .72) -> 518 / 129 / 243 = 890, all 8 %
    #   晩酌セット 800 over KARAAGE 320, BEER 550 (weights 870):
    #     294.25 / 505.75 -> 294 + 505 = 799, 1 yen to BEER -> 294 (8 %) / 506 (10 %)
    #   8 %: 890 + 294 = 1184, tax floor(1184 * 8 / 108) = 87
    #   10 %: 506, tax floor(506 * 10 / 110) = 46
    assert order["total"] == 1690
    assert order["taxes"] == [{"rate": 10, "taxable": 506, "tax": 46}, {"rate": 8, "taxable": 1184, "tax": 87}]
    teishoku, banshaku = order["lines"]
    assert [(c["sku"], c["share"], c["tax_rate"]) for c in teishoku["components"]] == [
        ("KARAAGE", 518, 8), ("MISOSOUP", 129, 8), ("OOLONG", 243, 8)
    ]
    assert [(c["sku"], c["share"], c["tax_rate"]) for c in banshaku["components"]] == [("KARAAGE", 294, 8), ("BEER", 506, 10)]

    # The fryer's ticket shows the note; the drinks station gets 烏龍茶 under the same number.
    tickets = {t.station: ticket_as_dict(t) for t in Ticket.objects.filter(order_id=order["id"])}
    assert set(tickets) == {"fryer", "grill", "drinks"}
    assert {t["number"] for t in tickets.values()} == {order["number"]}
    fryer = tickets["fryer"]["items"]
    assert [(i["sku"], i["set"]["name_ja"], i.get("note")) for i in fryer] == [
        ("KARAAGE", "唐揚げ定食", "卵アレルギー"), ("KARAAGE", "晩酌セット", None)
    ]
    assert [i["name_ja"] for i in tickets["drinks"]["items"]] == ["ウーロン茶", "生ビール"]
    printed = "\n".join(line.text for line in ticket_job(tickets["fryer"], station_name="フライヤー").lines)
    assert "卵アレルギー" in printed and "唐揚げ定食" in printed

    # The receipt: one line per set, the taxes split by rate.
    receipt = receipt_for(order=Order.objects.get(pk=order["id"]), store=Store.objects.get(code="S001"))
    assert [(line["name"], line["amount"]) for line in receipt["lines"]] == [("唐揚げ定食", 890), ("晩酌セット", 800)]
    assert [c["mark"] for c in receipt["lines"][1]["components"]] == ["※", ""]
    assert receipt["taxes"] == order["taxes"]


@pytest.mark.django_db
def test_refunding_a_set_gives_back_the_tax_of_each_rate(hq_sets, register_client):
    body = order_body(dining="take_out", lines=[{"sku": "BANSHAKU", "qty": 2}], payments=[{"method": "cash", "amount": 1600}])
    order = post(register_client, body).json()
    response = register_client.post(
        f"/api/orders/{order['id']}/refunds",
        data=json.dumps({"id": str(uuid.uuid4()), "manager_pin": "9999", "reason": "wrong", "method": "cash",
                         "lines": [{"position": 0, "qty": 1}]}),
        content_type="application/json",
    )
    assert response.status_code in (200, 201), response.content
    taxes = {t["rate"]: (t["taxable"], t["tax"]) for t in response.json()["taxes"]}
    # Kept before: 8 % 588 (tax 43), 10 % 1012 (tax 92); after one set back: 294 (21), 506 (46):
    # the refund gives back 294 with 43 - 21 = 22 of tax, and 506 with 92 - 46 = 46.
    assert taxes == {8: (294, 22), 10: (506, 46)}


@pytest.mark.django_db
@override_settings(POS_ROLE="hq")
def test_a_set_component_is_published_from_hq_by_its_natural_key(demo):
    karaage_set = MenuItem.objects.create(sku="KSET", name_ja="唐揚げ定食", name_en="Set", price=890,
                                          category=MenuItem.objects.get(sku="KARAAGE").category)
    part = SetComponent.objects.create(set_item=karaage_set, item=MenuItem.objects.get(sku="OOLONG"), qty=1)
    payload = master_publish(instance=part).payload
    assert payload["model"] == "menu.SetComponent" and payload["key"] == "KSET:OOLONG"
    assert payload["fields"]["set_item"] == "KSET" and payload["fields"]["item"] == "OOLONG"


@given(price=st.integers(0, 10**12), weights=st.lists(st.integers(0, 10**7), min_size=1, max_size=20))
def test_a_split_adds_up_to_the_price_and_follows_the_weights(price, weights):
    shares = sets.split_price(price, weights)
    assert sum(shares) == price and all(s >= 0 for s in shares)
    total = sum(weights) or len(weights)
    for share, weight in zip(shares, weights if any(weights) else [1] * len(weights), strict=True):
        assert abs(share * total - price * weight) < total  # within one yen of the exact proportion


@pytest.mark.django_db
def test_the_menu_says_what_is_in_a_set_and_two_sets_route_twice_each(hq_sets, register_client):
    items = {item["sku"]: item for item in register_client.get("/api/menu").json()["items"]}
    assert items["KARAAGE_SET"]["components"] == [{"sku": "KARAAGE", "qty": 1}, {"sku": "MISOSOUP", "qty": 1},
                                                  {"sku": "OOLONG", "qty": 1}]
    assert items["KARAAGE"]["components"] == []
    order = post(register_client, order_body(dining="eat_in", lines=[{"sku": "KARAAGE_SET", "qty": 2}])).json()
    assert order["total"] == 1780 and order["taxes"] == [{"rate": 10, "taxable": 1780, "tax": 161}]
    assert {t.station: t.items[0]["qty"] for t in Ticket.objects.filter(order_id=order["id"])} == {
        "fryer": 2, "grill": 2, "drinks": 2
    }


def test_a_discount_or_an_override_on_a_set_keeps_its_taxes_split_by_rate():
    from registers import pricing

    # 晩酌セット taken out: 294 of food at 8 %, 506 of beer at 10 % (see above).
    banshaku = pricing.Line(position=0, qty=1, unit_price=800, tax_rate=8, parts=[(8, 294), (10, 506)])
    _, total, taxes = pricing.reprice([banshaku], {}, 100)
    # 100 off split by rate total: 8 %: 100 * 294 // 800 = 36; 10 %: 63, plus the 1 yen left (largest total).
    assert total == 700
    assert taxes == [{"rate": 10, "taxable": 442, "tax": 40}, {"rate": 8, "taxable": 258, "tax": 19}]
    # A manager's override to 600 re-splits the set by its shares: 220.5 / 379.5 -> 220 / 379, and the
    # 1 yen left goes to the earlier of the two equal fractions -> 221 / 379.
    _, total, taxes = pricing.reprice([banshaku], {0: 600}, 0)
    assert total == 600
    assert taxes == [{"rate": 10, "taxable": 379, "tax": 34}, {"rate": 8, "taxable": 221, "tax": 16}]
