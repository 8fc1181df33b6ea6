"""Discounts and price overrides: manager PIN, before payment, split per tax rate; paying an open order later."""

from __future__ import annotations

import uuid

import pytest

from registers.models import Order, OrderAdjustment
from registers.pricing import Line, reprice
from sync.models import Change
from sync.projection import project
from tests.money import CASHIER_PIN, MANAGER_PIN, place, post, forget_pin_failures  # noqa: F401  (autouse)

pytestmark = pytest.mark.django_db

MIXED = [{"sku": "GYUDON", "qty": 1, "modifiers": ["size_nami"]}, {"sku": "BEER", "qty": 1}]  # take-out: 468 @8 %, 550 @10 %


@pytest.fixture
def open_order(register_client):
    return place(register_client, "take_out", MIXED, [])


def test_a_discount_is_split_over_the_tax_rates(register_client, open_order):
    response = post(register_client, f"/api/orders/{open_order['id']}/discount",
                    {"manager_pin": MANAGER_PIN, "reason": "regular customer", "amount": 100})
    assert response.status_code == 200, response.content
    order = response.json()
    # 100 off 1018: 8 % share floor(100*468/1018) = 45, 10 % share floor(100*550/1018) = 54, the 1 yen left to
    # the largest (10 %): 55.  8 %: 423, tax floor(423*8/108) = 31;  10 %: 495, tax floor(495*10/110) = 45
    assert order["total"] == 918 and order["balance_due"] == 918
    assert order["taxes"] == [{"rate": 10, "taxable": 495, "tax": 45}, {"rate": 8, "taxable": 423, "tax": 31}]
    change = Change.objects.get(kind="order.discounted")
    assert change.payload["staff"]["name"] == "佐藤 健" and change.payload["reason"] == "regular customer"

    paid = post(register_client, f"/api/orders/{open_order['id']}/payments",
                {"id": str(uuid.uuid4()), "payments": [{"method": "cash", "amount": 1000}]})
    assert paid.status_code == 201, paid.content
    assert paid.json()["paid"] == 918 and paid.json()["change"] == 82
    report = register_client.get(f"/api/reports/x?business_date={open_order['business_date']}").json()
    assert (report["total"], report["discounts"]["count"], report["discounts"]["amount"]) == (918, 1, 100)
    assert report["tenders"]["cash"] == {"count": 1, "amount": 918}

    partial = post(register_client, f"/api/orders/{open_order['id']}/refunds",
                   {"id": str(uuid.uuid4()), "manager_pin": MANAGER_PIN, "reason": "x", "lines": [{"position": 0, "qty": 1}]})
    assert partial.status_code == 422 and "whole" in partial.json()["detail"]
    whole = post(register_client, f"/api/orders/{open_order['id']}/refunds",
                 {"id": str(uuid.uuid4()), "manager_pin": MANAGER_PIN, "reason": "x"})
    assert whole.json()["amount"] == 918 and whole.json()["taxes"] == order["taxes"]


def test_a_price_override_reprices_the_line_and_its_rate(register_client, open_order):
    response = post(register_client, f"/api/orders/{open_order['id']}/price-override",
                    {"manager_pin": MANAGER_PIN, "reason": "staff meal", "position": 0, "unit_price": 400})
    order = response.json()
    # GYUDON 400 at 8 %: tax floor(400*8/108) = 29; BEER 550 unchanged
    assert order["total"] == 950
    assert order["lines"][0]["unit_price"] == 400 and order["lines"][0]["amount"] == 400
    assert order["taxes"] == [{"rate": 10, "taxable": 550, "tax": 50}, {"rate": 8, "taxable": 400, "tax": 29}]


def test_price_changes_need_a_manager_and_an_unpaid_order(register_client, open_order):
    before = Change.objects.count()
    body = {"reason": "x", "amount": 100}
    assert post(register_client, f"/api/orders/{open_order['id']}/discount", body).status_code == 403
    assert post(register_client, f"/api/orders/{open_order['id']}/discount", {**body, "manager_pin": CASHIER_PIN}).status_code == 403
    too_much = post(register_client, f"/api/orders/{open_order['id']}/discount", {**body, "manager_pin": MANAGER_PIN, "amount": 5000})
    assert too_much.status_code == 422 and "1 to 1018" in too_much.json()["detail"]
    assert Change.objects.count() == before
    paid = place(register_client, "eat_in", [{"sku": "BEER", "qty": 1}], [{"method": "cash", "amount": 550}])
    refused = post(register_client, f"/api/orders/{paid['id']}/discount", {**body, "manager_pin": MANAGER_PIN})
    assert refused.status_code == 409 and "refund" in refused.json()["detail"]


def test_paying_twice_with_the_same_id_pays_once(register_client, open_order):
    body = {"id": str(uuid.uuid4()), "payments": [{"method": "card", "amount": 1018, "reference": "T-9"}]}
    assert post(register_client, f"/api/orders/{open_order['id']}/payments", body).status_code == 201
    assert post(register_client, f"/api/orders/{open_order['id']}/payments", body).status_code == 200
    assert Order.objects.get(pk=open_order["id"]).paid == 1018
    other = post(register_client, f"/api/orders/{open_order['id']}/payments", {**body, "id": str(uuid.uuid4())})
    assert other.status_code == 409


def test_a_discount_that_arrives_before_its_sale_still_applies(register_client, open_order):
    post(register_client, f"/api/orders/{open_order['id']}/discount", {"manager_pin": MANAGER_PIN, "reason": "x", "percent": 10})
    expected = Order.objects.values("total", "taxes").get(pk=open_order["id"])
    assert expected["total"] == 1018 - 101
    changes = list(Change.objects.order_by("-seq"))  # newest first: the discount before the sale
    Order.objects.all().delete()
    OrderAdjustment.objects.all().delete()
    for change in changes:
        project(change)
    assert Order.objects.values("total", "taxes").get(pk=open_order["id"]) == expected


def test_the_split_always_adds_up():
    lines = [Line(0, 3, 333, 8), Line(1, 1, 5, 10), Line(2, 2, 777, 10)]
    for discount in range(0, 2560, 7):
        _, total, taxes = reprice(lines, {}, discount)
        assert sum(t["taxable"] for t in taxes) == total == 999 + 5 + 1554 - min(discount, 2558)
        assert all(t["taxable"] >= 0 for t in taxes)
