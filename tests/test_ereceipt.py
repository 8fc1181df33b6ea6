"""The e-receipt: a signed link opens one sale's receipt on the customer's phone, with no
token or login; a guessed, altered or expired link opens nothing."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from registers.ereceipt import ereceipt_open, ereceipt_token
from tests.money import forget_pin_failures, post  # noqa: F401  (autouse)
from tests.personas import order_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def sales(register_client):
    return [post(register_client, "/api/orders", order_body()).json() for _ in range(2)]


def path_of(register_client, sale) -> str:
    return register_client.get(f"/api/orders/{sale['id']}/receipt").json()["link"].removeprefix("http://testserver")


def test_the_link_opens_that_receipt_alone_on_a_phone_with_no_token(register_client, sales):
    phone = Client()
    first = path_of(register_client, sales[0])
    page = phone.get(first)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-order-id="{sales[0]["id"]}"' in html and sales[1]["id"] not in html
    assert "¥2,116" in html and "登録番号 T7123456789012" in html
    assert "receipt-print" not in html and "token" not in html.lower()
    assert page["Referrer-Policy"] == "no-referrer" and "no-store" in page["Cache-Control"]
    english = phone.get(first + "?lang=en").content.decode()
    assert "Registration No. T7123456789012" in english and "登録番号" not in english


def test_a_guessed_or_altered_link_opens_nothing(register_client, sales):
    phone = Client()
    good = path_of(register_client, sales[0])
    store, order, expires, mac = good.strip("/").split("/")[1].split(".")
    other = uuid.UUID(sales[1]["id"]).hex
    for token in (f"{store}.{other}.{expires}.{mac}",  # another order with this one's signature
                  f"{store}.{order}.{int(expires) + 1}.{mac}",  # a later expiry
                  f"{store}.{order}.{expires}.{'A' * 43}",
                  f"S002.{order}.{expires}.{mac}",
                  "S001", "../admin"):
        assert phone.get(f"/r/{token}/").status_code == 404, token
    assert phone.get(f"/register/receipt/{sales[0]['id']}/").status_code == 401, "the staff page still wants a token"


def test_a_link_expires(register_client, sales):
    old = ereceipt_token(store="S001", order_id=sales[0]["id"], now=timezone.now() - dt.timedelta(days=401))
    assert ereceipt_open(old) is None
    assert Client().get(f"/r/{old}/").status_code == 404
    fresh = ereceipt_token(store="S001", order_id=sales[0]["id"])
    assert ereceipt_open(fresh) == ("S001", uuid.UUID(sales[0]["id"]))
