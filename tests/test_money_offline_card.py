"""Offline card payments: within HQ's limits per sale and per store, flagged, with a deadline and an alert."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from registers.models import Payment
from stores.models import Store
from registers.offline_card import offline_card_alerts
from tests.money import post, forget_pin_failures  # noqa: F401  (autouse)
from tests.personas import order_body

pytestmark = pytest.mark.django_db

BEER = [{"sku": "BEER", "qty": 1}]  # 550 yen


def offline_sale(client, amount=550, lines=BEER):
    return post(client, "/api/orders", order_body(dining="eat_in", lines=lines,
                                                  payments=[{"method": "card", "amount": amount, "offline": True}]))


def test_an_offline_card_sale_is_flagged_with_a_72_hour_deadline(register_client):
    response = offline_sale(register_client)
    assert response.status_code == 201, response.content
    payment = Payment.objects.get()
    assert payment.offline and payment.settled_at is None
    assert payment.settle_by == payment.recorded_at + dt.timedelta(hours=72)


def test_the_limit_per_sale_is_hqs(register_client):
    Store.objects.update(offline_card_limit=500)
    response = offline_sale(register_client)
    assert response.status_code == 422
    assert "500 yen limit per sale" in response.json()["detail"]
    assert not Payment.objects.exists()


def test_the_open_total_per_store_is_capped(register_client):
    Store.objects.update(offline_card_store_limit=1000)
    assert offline_sale(register_client).status_code == 201
    second = offline_sale(register_client)
    assert second.status_code == 422 and "already holds 550 yen" in second.json()["detail"]
    payment = Payment.objects.get()
    settled = post(register_client, f"/api/payments/{payment.id}/settle", {"reference": "AUTH-123"})
    assert settled.status_code == 200, settled.content
    assert offline_sale(register_client).status_code == 201, "a settled payment no longer counts"


def test_only_cards_go_offline(register_client):
    response = post(register_client, "/api/orders", order_body(payments=[{"method": "cash", "amount": 3000, "offline": True}]))
    assert response.status_code == 422 and "only card" in response.json()["detail"]


def test_a_replayed_offline_sale_is_the_same_sale_even_past_the_limit(register_client):
    body = order_body(dining="eat_in", lines=BEER, payments=[{"method": "card", "amount": 550, "offline": True}])
    assert post(register_client, "/api/orders", body).status_code == 201
    Store.objects.update(offline_card_store_limit=100)
    assert post(register_client, "/api/orders", body).status_code == 200


def test_alerts_start_as_the_deadline_nears(register_client):
    offline_sale(register_client)
    payment = Payment.objects.get()
    assert offline_card_alerts(store="S001") == []
    soon = payment.settle_by - dt.timedelta(hours=2)
    [alert] = offline_card_alerts(store="S001", now=soon)
    assert alert["state"] == "due_soon" and alert["amount"] == 550
    [alert] = offline_card_alerts(store="S001", now=payment.settle_by + dt.timedelta(minutes=1))
    assert alert["state"] == "overdue"
    Payment.objects.update(settle_by=timezone.now() + dt.timedelta(hours=1))
    assert register_client.get("/api/alerts/offline-card").json()[0]["state"] == "due_soon"
    assert register_client.get("/api/reports/x").json()["alerts"][0]["payment"] == str(payment.id)


def test_settling_a_non_offline_payment_is_refused(register_client):
    post(register_client, "/api/orders", order_body())
    payment = Payment.objects.get()
    assert post(register_client, f"/api/payments/{payment.id}/settle", {"reference": "x"}).status_code == 409


def test_the_worker_logs_payments_near_their_deadline(register_client, caplog):
    from runtime.workers import _workers
    from registers.offline_card import offline_card_watch

    assert "offline-card-alerts" in _workers
    offline_sale(register_client)
    Payment.objects.update(settle_by=timezone.now() - dt.timedelta(minutes=1))
    with caplog.at_level("WARNING", logger="registers.offline_card"):
        assert [a["state"] for a in offline_card_watch()] == ["overdue"]
    assert "overdue" in caplog.text and "550 yen" in caplog.text


def test_the_day_report_lists_each_unsettled_offline_payment_with_its_ticket_number(register_client):
    from registers.reports import day_report

    numbers = [offline_sale(register_client).json()["number"] for _ in range(2)]
    post(register_client, "/api/orders", order_body(lines=BEER, payments=[{"method": "cash", "amount": 1000}]))
    payment = Payment.objects.select_related("order").first()
    report = day_report(store="S001", day=payment.order.business_date)
    card = report["offline_card"]
    assert (card["count"], card["amount"], card["unsettled_count"]) == (2, 1100, 2)
    assert sorted(item["number"] for item in card["items"]) == sorted(numbers)
    assert all(item["settled"] is False and item["amount"] == 550 for item in card["items"])
