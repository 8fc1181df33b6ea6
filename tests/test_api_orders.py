"""POST/GET /api/orders: idempotent placing, hand-checked receipts, and every bad input a clear 4xx."""

from __future__ import annotations

import json
import uuid

import pytest
from django.db import connection

from registers.models import Order, Payment
from sync.models import Change
from tests.money import MANAGER_PIN
from tests.personas import HAND_RECEIPT, order_body

pytestmark = pytest.mark.django_db


def post(client, body, path="/api/orders", **extra):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(path, data=data, content_type="application/json", **extra)


def test_it_places_an_order_with_a_hand_computed_receipt(register_client):
    body = order_body()
    response = post(register_client, body)
    assert response.status_code == 201, response.content
    order = response.json()
    assert order["id"] == body["id"]
    assert order["total"] == HAND_RECEIPT["total"]
    assert order["taxes"] == HAND_RECEIPT["taxes"]
    assert order["change"] == HAND_RECEIPT["change"]
    assert order["payments"] == [{"method": "cash", "amount": 2116, "tendered": 3000, "change": 884, "reference": ""}]
    assert order["status"] == "placed" and order["number"] >= 1
    assert order["kitchen_received"] is False
    assert [(l["sku"], l["tax_rate"], l["amount"]) for l in order["lines"]] == [
        ("GYUDON", 8, 1316), ("BEER", 10, 550), ("FRIES", 8, 250)
    ]


def test_replaying_an_order_100_times_creates_one_order(register_client):
    body = order_body()
    first = post(register_client, body)
    assert first.status_code == 201
    changes_before = Change.objects.count()
    for _ in range(100):
        again = post(register_client, body)
        assert again.status_code == 200
        assert again.json() == first.json()
    assert Order.objects.count() == 1
    assert Payment.objects.count() == 1
    assert Change.objects.count() == changes_before


def test_a_replay_with_keys_in_another_order_is_the_same_order(register_client):
    body = order_body()
    assert post(register_client, body).status_code == 201
    shuffled = json.dumps(dict(reversed(list(body.items()))))
    assert post(register_client, shuffled).status_code == 200


def test_the_same_id_with_another_body_is_a_conflict(register_client):
    body = order_body()
    assert post(register_client, body).status_code == 201
    response = post(register_client, order_body(id=body["id"], dining="eat_in"))
    assert response.status_code == 409
    assert "different contents" in response.json()["detail"]
    assert Order.objects.get().dining == "take_out"


def test_eat_in_food_is_taxed_at_ten_percent(register_client):
    body = order_body(dining="eat_in", lines=[{"sku": "GYUDON", "qty": 1, "modifiers": ["size_nami"]}], payments=[])
    order = post(register_client, body).json()
    assert order["taxes"] == [{"rate": 10, "taxable": 468, "tax": 42}]
    assert order["balance_due"] == 468


def test_get_returns_the_order_and_404_names_the_missing_id(register_client):
    body = order_body()
    post(register_client, body)
    assert register_client.get(f"/api/orders/{body['id']}").json()["total"] == HAND_RECEIPT["total"]
    missing = uuid.uuid4()
    response = register_client.get(f"/api/orders/{missing}")
    assert response.status_code == 404 and str(missing) in response.json()["detail"]


def test_the_list_is_newest_first_with_paging(register_client):
    ids = [order_body()["id"] for _ in range(3)]
    for order_id in ids:
        post(register_client, order_body(id=order_id))
    listing = register_client.get("/api/orders?limit=2").json()
    assert listing["count"] == 3
    assert [o["id"] for o in listing["items"]] == [ids[2], ids[1]]
    assert [o["id"] for o in register_client.get("/api/orders?limit=2&offset=2").json()["items"]] == [ids[0]]
    day = listing["items"][0]["business_date"]
    assert register_client.get(f"/api/orders?business_date={day}").json()["count"] == 3
    assert register_client.get("/api/orders?business_date=2001-01-01").json()["count"] == 0


def test_a_sale_placed_while_the_list_is_read_is_never_counted_and_missing(register_client):
    """A client that polls the count for a new sale then reads that sale on the page."""
    ids = [post(register_client, order_body()).json()["id"] for _ in range(2)]
    late = order_body()
    placed: list[int] = []
    fired = []

    def sale_between_the_reads(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not fired and '"registers_order"' in sql and sql.lstrip().upper().startswith("SELECT"):
            fired.append(sql)
            placed.append(post(register_client, late).status_code)
        return result

    with connection.execute_wrapper(sale_between_the_reads):
        listing = register_client.get("/api/orders?limit=10").json()
    assert placed == [201]
    shown = [o["id"] for o in listing["items"]]
    assert set(ids) <= set(shown) and len(shown) >= listing["count"]


def test_ticket_numbers_count_up_within_the_day(register_client):
    numbers = [post(register_client, order_body()).json()["number"] for _ in range(3)]
    assert numbers == [numbers[0], numbers[0] + 1, numbers[0] + 2]


def test_a_card_payment_above_the_total_is_refused(register_client):
    response = post(register_client, order_body(payments=[{"method": "card", "amount": 5000}]))
    assert response.status_code == 422
    assert "exceeds" in response.json()["detail"]
    assert Order.objects.count() == 0


def test_each_answer_shows_the_order_as_it_reads_back(register_client):
    """Every money call answers with the order read back just after it wrote
    (selectors.order_get_written), its lines, payments, refunds and void
    read without prefetch querysets: the same rows in the same order as
    GET shows them, and the same refunds and conflicts."""
    lines = [{"sku": sku, "qty": 1, "modifiers": mods} for sku, mods in
             (("BEER", []), ("FRIES", []), ("GYUDON", ["size_nami"]), ("COLA", ["drink_m"]), ("FRIES", []))]
    body = order_body(lines=lines, payments=[{"method": "qr", "amount": 500, "reference": "PAYPAY-9"},
                                             {"method": "cash", "amount": 600}, {"method": "cash", "amount": 5000}])
    placed = post(register_client, body).json()
    assert placed == register_client.get(f"/api/orders/{body['id']}").json()
    assert [line["sku"] for line in placed["lines"]] == ["BEER", "FRIES", "GYUDON", "COLA", "FRIES"]
    assert [p["amount"] for p in placed["payments"]][:2] == [500, 600]
    for position in (3, 1):  # two refunds of a line each
        refund = post(register_client, {"id": str(uuid.uuid4()), "manager_pin": MANAGER_PIN, "reason": "cold",
                                        "lines": [{"position": position, "qty": 1}]},
                      path=f"/api/orders/{body['id']}/refunds")
        assert refund.status_code == 201, refund.content
    refunded = register_client.get(f"/api/orders/{body['id']}").json()
    assert len(refunded["refunds"]) == 2 and refunded["refunded"] > 0
    assert post(register_client, body).json() == refunded  # a replay of the sale answers the same
    other = order_body()
    post(register_client, other)
    voided = post(register_client, {"manager_pin": MANAGER_PIN, "reason": "mistake"}, path=f"/api/orders/{other['id']}/void")
    assert voided.status_code == 200, voided.content
    assert voided.json()["voided_at"] and voided.json() == register_client.get(f"/api/orders/{other['id']}").json()


def test_split_tender(register_client):
    body = order_body(payments=[{"method": "qr", "amount": 1000, "reference": "PAYPAY-1"}, {"method": "cash", "amount": 2000}])
    order = post(register_client, body).json()
    assert [(p["method"], p["amount"], p["change"]) for p in order["payments"]] == [("qr", 1000, 0), ("cash", 1116, 884)]
    assert order["paid"] == 2116


BAD_INPUTS = [
    ("missing id", lambda b: b.pop("id"), "id"),
    ("missing lines", lambda b: b.pop("lines"), "lines"),
    ("empty lines", lambda b: b.update(lines=[]), "lines"),
    ("unknown sku", lambda b: b["lines"][0].update(sku="NOPE"), "unknown sku 'NOPE'"),
    ("negative qty", lambda b: b["lines"][0].update(qty=-1), "lines[0].qty"),
    ("zero qty", lambda b: b["lines"][0].update(qty=0), "lines[0].qty"),
    ("huge qty", lambda b: b["lines"][0].update(qty=10**12), "lines[0].qty"),
    ("qty as text", lambda b: b["lines"][0].update(qty="2"), "lines[0].qty"),
    ("qty as float", lambda b: b["lines"][0].update(qty=1.5), "lines[0].qty"),
    ("lines not a list", lambda b: b.update(lines={"sku": "GYUDON"}), "lines"),
    ("bad uuid", lambda b: b.update(id="not-a-uuid"), "id"),
    ("bad dining", lambda b: b.update(dining="delivery"), "dining"),
    ("unknown modifier", lambda b: b["lines"][0].update(modifiers=["gold_flakes"]), "unknown modifier"),
    ("modifier of another item", lambda b: b["lines"][1].update(modifiers=["size_oomori"]), "does not apply"),
    ("two sizes", lambda b: b["lines"][0].update(modifiers=["size_oomori", "size_tokumori"]), "at most 1"),
    ("unknown tender", lambda b: b.update(payments=[{"method": "bitcoin", "amount": 3000}]), "payments[0].method"),
    ("negative tender", lambda b: b.update(payments=[{"method": "cash", "amount": -3000}]), "payments[0].amount"),
    ("short cash", lambda b: b.update(payments=[{"method": "cash", "amount": 100}]), "short"),
    ("extra field", lambda b: b.update(discount=1000), "discount"),
    ("too many lines", lambda b: b.update(lines=[{"sku": "FRIES", "qty": 1}] * 101), "lines"),
    ("register missing", lambda b: b.pop("register"), "register"),
]


@pytest.mark.parametrize(("case", "mutate", "says"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_is_a_4xx_that_says_what_is_wrong(register_client, case, mutate, says):
    body = order_body()
    mutate(body)
    response = post(register_client, body)
    assert 400 <= response.status_code < 500, response.content
    assert says in json.dumps(response.json()["detail"], ensure_ascii=False), response.json()
    assert Order.objects.count() == 0


def test_a_sold_out_item_is_refused_but_a_replay_of_an_earlier_sale_is_not(register_client):
    from menu.models import MenuItem

    body = order_body()
    assert post(register_client, body).status_code == 201
    MenuItem.objects.filter(sku="BEER").update(available=False)
    assert post(register_client, body).status_code == 200
    response = post(register_client, order_body())
    assert response.status_code == 422 and "sold out" in response.json()["detail"]


def test_a_take_out_only_rule_is_enforced(register_client):
    response = post(register_client, order_body(lines=[{"sku": "SAKE", "qty": 1}], payments=[]))
    assert response.status_code == 422 and "take-out" in response.json()["detail"]


@pytest.mark.parametrize(
    "raw",
    [b"{not json", b"", b"[]", b"null", b'"text"', json.dumps({"id": "6e43abac-96c2-41af-8bcb-54bce916b5f0"}).encode()],
)
def test_malformed_bodies_are_4xx(register_client, raw):
    response = register_client.post("/api/orders", data=raw, content_type="application/json")
    assert 400 <= response.status_code < 500
    assert response.json()["detail"]


def test_an_oversized_body_is_413(register_client):
    body = order_body(register="x" * (300 * 1024))
    response = post(register_client, body)
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]


def test_without_a_device_token_it_is_401(demo, client):
    response = post(client, order_body())
    assert response.status_code == 401
    assert "device token" in response.json()["detail"]
    bad = client.post("/api/orders", data=json.dumps(order_body()), content_type="application/json", headers={"Authorization": "Bearer wrong"})
    assert bad.status_code == 401
    assert Order.objects.count() == 0


def test_a_revoked_device_is_refused(register_client):
    from django.utils import timezone

    from stores.models import Device

    Device.objects.update(revoked_at=timezone.now())
    assert post(register_client, order_body()).status_code == 401


def test_placing_records_events_in_the_change_log(register_client):
    body = order_body()
    post(register_client, body)
    kinds = list(Change.objects.order_by("seq").values_list("kind", "seq"))
    assert kinds == [("order.placed", 1), ("order.paid", 2)]
    placed = Change.objects.get(kind="order.placed")
    assert placed.payload["id"] == body["id"] and placed.payload["total"] == HAND_RECEIPT["total"]
