"""Voids and refunds need a manager's PIN, say who and why in the journal, and refuse what does not add up."""

from __future__ import annotations

import uuid

import pytest

from kitchen.models import FeedEntry, Ticket
from registers.models import Order, Refund
from sync.models import Change
from tests.money import CASHIER_PIN, MANAGER_PIN, place, post, forget_pin_failures  # noqa: F401  (autouse)
from tests.personas import order_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def sale(register_client):
    response = post(register_client, "/api/orders", order_body())
    assert response.status_code == 201
    return response.json()


def void(client, order_id, **body):
    return post(client, f"/api/orders/{order_id}/void", {"reason": "customer left", **body})


def test_a_void_without_a_manager_pin_is_refused_and_records_nothing(register_client, sale):
    before = Change.objects.count()
    for body in ({}, {"manager_pin": CASHIER_PIN}, {"manager_pin": "0000"}):
        response = void(register_client, sale["id"], **body)
        assert response.status_code == 403, body
        assert "PIN" in response.json()["detail"] or "manager" in response.json()["detail"]
    assert Change.objects.count() == before
    assert Order.objects.get(pk=sale["id"]).status != "voided"


def test_a_void_with_a_manager_pin_is_in_the_journal_with_who_and_why(register_client, sale):
    response = void(register_client, sale["id"], manager_pin=MANAGER_PIN)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "voided"
    change = Change.objects.get(kind="order.voided")
    assert change.payload["order"] == sale["id"]
    assert change.payload["staff"]["name"] == "佐藤 健" and change.payload["staff"]["role"] == "manager"
    assert change.payload["reason"] == "customer left"
    assert change.digest and change.prev_digest, "the void is chained into the journal"
    assert void(register_client, sale["id"], manager_pin=MANAGER_PIN).status_code == 200
    assert Change.objects.filter(kind="order.voided").count() == 1, "voiding twice records once"


def test_a_voided_orders_tickets_leave_the_kitchen(register_client, sale):
    assert Ticket.objects.filter(order_id=sale["id"]).exclude(status="voided").exists()
    void(register_client, sale["id"], manager_pin=MANAGER_PIN)
    assert set(Ticket.objects.filter(order_id=sale["id"]).values_list("status", flat=True)) == {"voided"}
    assert FeedEntry.objects.filter(ticket__order_id=sale["id"], event="voided").count() == Ticket.objects.filter(order_id=sale["id"]).count()


def test_a_void_needs_a_reason_and_an_existing_order(register_client, sale):
    assert void(register_client, sale["id"], manager_pin=MANAGER_PIN, reason=" ").status_code == 422
    assert void(register_client, uuid.uuid4(), manager_pin=MANAGER_PIN).status_code == 404


def refund(client, order_id, **body):
    return post(client, f"/api/orders/{order_id}/refunds",
                {"id": str(uuid.uuid4()), "manager_pin": MANAGER_PIN, "reason": "cold food", **body})


def test_refunds_add_up_to_the_receipts_tax_exactly(register_client, sale):
    # order_body(): GYUDON 1316 (pos 0, 2 pcs, 8 %), BEER 550 (pos 1, 10 %), FRIES 250 (pos 2, 8 %);
    # receipt tax 8 %: floor(1566*8/108) = 116, 10 %: 50.
    first = refund(register_client, sale["id"], lines=[{"position": 0, "qty": 1}])
    assert first.status_code == 201, first.content
    # 658 back; kept at 8 %: 908 -> tax floor(908*8/108) = 67, so 116 - 67 = 49 back
    assert first.json()["amount"] == 658
    assert first.json()["taxes"] == [{"rate": 8, "taxable": 658, "tax": 49}]
    rest = refund(register_client, sale["id"])
    assert rest.status_code == 201
    assert rest.json()["amount"] == 2116 - 658
    assert rest.json()["taxes"] == [{"rate": 10, "taxable": 550, "tax": 50}, {"rate": 8, "taxable": 908, "tax": 67}]
    assert refund(register_client, sale["id"]).status_code == 409, "nothing left to refund"
    assert sum(r.amount for r in Refund.objects.all()) == 2116


def test_a_refund_is_refused_without_a_manager_pin_or_beyond_what_was_sold(register_client, sale):
    before = Change.objects.count()
    assert refund(register_client, sale["id"], manager_pin=CASHIER_PIN).status_code == 403
    assert refund(register_client, sale["id"], manager_pin=None).status_code == 403
    too_many = refund(register_client, sale["id"], lines=[{"position": 1, "qty": 2}])
    assert too_many.status_code == 422 and "from 1 to 1" in too_many.json()["detail"]
    assert refund(register_client, sale["id"], lines=[{"position": 7, "qty": 1}]).status_code == 422
    assert Change.objects.count() == before


def test_a_refund_is_idempotent_on_its_id(register_client, sale):
    body = {"id": str(uuid.uuid4()), "manager_pin": MANAGER_PIN, "reason": "x", "lines": [{"position": 2, "qty": 1}]}
    assert post(register_client, f"/api/orders/{sale['id']}/refunds", body).status_code == 201
    again = post(register_client, f"/api/orders/{sale['id']}/refunds", body)
    assert again.status_code == 200 and again.json()["amount"] == 250
    assert Refund.objects.count() == 1


def test_a_closed_day_cannot_be_voided_only_refunded(register_client, sale):
    z = post(register_client, "/api/reports/z", {"manager_pin": MANAGER_PIN, "business_date": sale["business_date"]})
    assert z.status_code == 201
    response = void(register_client, sale["id"], manager_pin=MANAGER_PIN)
    assert response.status_code == 409 and "refund" in response.json()["detail"]
    assert refund(register_client, sale["id"]).status_code == 201


def test_a_voided_order_cannot_be_refunded_and_an_unpaid_one_is_voided_instead(register_client, sale):
    void(register_client, sale["id"], manager_pin=MANAGER_PIN)
    assert refund(register_client, sale["id"]).status_code == 409
    unpaid = place(register_client, "eat_in", [{"sku": "BEER", "qty": 1}], [])
    assert "void" in refund(register_client, unpaid["id"]).json()["detail"]


def test_guessing_the_manager_pin_is_stopped(register_client, sale):
    for guess in range(10):
        assert void(register_client, sale["id"], manager_pin=f"{guess:04d}").status_code == 403
    blocked = void(register_client, sale["id"], manager_pin=MANAGER_PIN)
    assert blocked.status_code == 429 and "too many wrong PINs" in blocked.json()["detail"]
    assert not Change.objects.filter(kind="order.voided").exists()
