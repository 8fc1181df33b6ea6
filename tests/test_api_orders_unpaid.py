"""GET /api/orders?unpaid=true: the register's 未会計 list — orders from any channel still owing money."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.personas import order_body

pytestmark = pytest.mark.django_db


def post(client, path, body):
    return client.post(path, data=json.dumps(body), content_type="application/json")


def test_it_lists_only_orders_that_still_owe_money_until_they_are_paid(register_client):
    paid = order_body()
    owing = order_body(id=str(uuid.uuid4()), register="kiosk:entrance", payments=[])
    for body in (paid, owing):
        assert post(register_client, "/api/orders", body).status_code == 201

    unpaid = register_client.get("/api/orders?unpaid=true").json()
    assert [o["id"] for o in unpaid["items"]] == [owing["id"]] and unpaid["count"] == 1
    assert unpaid["items"][0]["balance_due"] == unpaid["items"][0]["total"] > 0
    # Without the filter the list is as before: both orders.
    assert register_client.get("/api/orders").json()["count"] == 2

    due = unpaid["items"][0]["balance_due"]
    # A split tender, as the register's tender screen sends it: card with its approval, the rest in cash.
    pay = {"id": str(uuid.uuid4()), "payments": [
        {"method": "card", "amount": 500, "reference": "A1"}, {"method": "cash", "amount": 10000}]}
    response = post(register_client, f"/api/orders/{owing['id']}/payments", pay)
    assert response.status_code == 201, response.content
    assert [(p["method"], p["amount"]) for p in response.json()["payments"]] == [("card", 500), ("cash", due - 500)]
    assert register_client.get("/api/orders?unpaid=true").json() == {"items": [], "count": 0}
