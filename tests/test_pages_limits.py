"""The public order pages' key: anyone may use it, so its orders are limited per order, per client and per store."""

from __future__ import annotations

import pytest
from django.test import Client

from integrations.pages import pages_integrator_ensure, pages_key
from registers.models import Order
from tests.channels_fixtures import channel_body, screens_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def phone(demo):
    pages_integrator_ensure()
    screens_on()
    return Client(headers={"Authorization": f"Bearer {pages_key()}"}, REMOTE_ADDR="192.0.2.10")


def qr_order(client: Client, **overrides):
    body = channel_body(channel="qr", dining="eat_in", **overrides)
    answer = client.post("/api/integrations/orders", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    return answer, body


def test_an_order_of_101_lines_is_refused_saying_so_and_100_are_taken(phone):
    response, _ = qr_order(phone, lines=[{"sku": "FRIES", "qty": 1}] * 101)
    assert response.status_code == 422
    assert "lines" in str(response.json()) and "100" in str(response.json())
    assert Order.objects.count() == 0
    response, _ = qr_order(phone, lines=[{"sku": "FRIES", "qty": 1}] * 100)
    assert response.status_code == 201, response.json()


def test_a_burst_from_one_phone_is_refused_with_429_while_another_phone_still_orders(phone, settings):
    settings.POS_PAGES_ORDERS_PER_CLIENT = 3
    kept = []
    for _ in range(3):
        response, body = qr_order(phone)
        assert response.status_code == 201, response.json()
        kept.append(body)
    response, _ = qr_order(phone)
    assert response.status_code == 429
    answer = response.json()
    assert answer["code"] == "rate_limited" and "Too many orders from this device" in answer["detail"]
    assert int(response["Retry-After"]) > 0
    assert Order.objects.count() == 3  # nothing stored for the refused one
    # Asking again about an order already taken is not a new order: it answers.
    again = phone.post("/api/integrations/orders", kept[0], content_type="application/json")
    assert again.status_code == 200
    other = Client(headers={"Authorization": f"Bearer {pages_key()}"}, REMOTE_ADDR="192.0.2.11")
    assert qr_order(other)[0].status_code == 201


def test_the_pages_as_a_whole_are_limited_and_other_integrators_are_not(phone, settings):
    from integrations.services import integrator_create

    settings.POS_PAGES_ORDERS_PER_KEY = 2
    for address in ("192.0.2.20", "192.0.2.21"):
        client = Client(headers={"Authorization": f"Bearer {pages_key()}"}, REMOTE_ADDR=address)
        assert qr_order(client)[0].status_code == 201
    response, _ = qr_order(Client(headers={"Authorization": f"Bearer {pages_key()}"}, REMOTE_ADDR="192.0.2.22"))
    assert response.status_code == 429 and "order pages took too many orders" in response.json()["detail"]
    _, key = integrator_create(name="demae")
    platform = Client(headers={"Authorization": f"Bearer {key}"}, REMOTE_ADDR="192.0.2.22")
    response = platform.post("/api/integrations/orders", channel_body(), content_type="application/json")
    assert response.status_code == 201


def test_the_refusal_is_in_japanese_for_a_japanese_phone(phone, settings):
    settings.POS_PAGES_ORDERS_PER_CLIENT = 1
    assert qr_order(phone)[0].status_code == 201
    body = channel_body(channel="qr", dining="eat_in")
    response = phone.post("/api/integrations/orders", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 429 and "注文が多すぎます" in response.json()["detail"]
