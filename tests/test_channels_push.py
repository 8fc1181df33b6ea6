"""Order-ready Web Push to a customer's phone that opted in from the QR order page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from integrations import push
from integrations.models import PushSubscription
from integrations.services import integrator_create
from kitchen import services as kitchen_services
from kitchen.models import Ticket
from tests.channels_fixtures import channel_body, screens_on
from tests.push_service import Phone, PushService

pytestmark = pytest.mark.django_db


@pytest.fixture
def qr_order(demo):
    _, key = integrator_create(name="qr-page")
    client = Client(headers={"Authorization": f"Bearer {key}"})
    screens_on()
    body = channel_body(channel="qr", dining="eat_in")
    assert client.post("/api/integrations/orders", body, content_type="application/json").status_code == 201
    return client, body["idempotency_key"]


@pytest.fixture
def phone():
    return Phone()


@pytest.fixture
def push_service(phone):
    with PushService(phone) as service:
        yield service


def subscribe(client, key, endpoint, phone, lang="ja"):
    return client.post(
        f"/api/integrations/orders/{key}/push",
        {"endpoint": endpoint, "expirationTime": None, "keys": {"p256dh": phone.p256dh, "auth": phone.auth}, "lang": lang},
        content_type="application/json",
    )


def bump_all():
    for ticket in Ticket.objects.all():
        kitchen_services.ticket_bump(ticket_id=ticket.id)


def test_the_phone_gets_one_encrypted_signed_message_when_the_order_is_ready(qr_order, phone, push_service):
    client, key = qr_order
    assert subscribe(client, key, push_service.endpoint, phone).status_code == 201
    assert push.push_tick() == 0  # still cooking: nothing to say
    bump_all()
    assert push.push_tick() == 1
    assert push.push_tick() == 0  # told once
    [received] = push_service.messages
    number = client.get(f"/api/integrations/orders/{key}").json()["number"]
    assert received["vapid"] and received["encoding"] == "aes128gcm" and int(received["ttl"]) > 0
    assert received["message"]["title"] == "ご注文の準備ができました"
    assert str(number) in received["message"]["body"]


def test_the_message_is_in_the_language_the_phone_asked_for(qr_order, phone, push_service):
    client, key = qr_order
    subscribe(client, key, push_service.endpoint, phone, lang="en")
    bump_all()
    push.push_tick()
    assert push_service.messages[0]["message"]["title"] == "Your order is ready"


def test_a_push_service_that_fails_is_retried_later(qr_order, phone, push_service):
    client, key = qr_order
    subscribe(client, key, push_service.endpoint, phone)
    push_service.refuse_next = 1
    bump_all()
    now = timezone.now()
    assert push.push_tick(now=now) == 0
    assert push.push_tick(now=now) == 0  # waits out its back-off
    assert push.push_tick(now=now + dt.timedelta(seconds=3)) == 1
    assert PushSubscription.objects.get().attempts == 2 and len(push_service.messages) == 1


def test_bad_subscriptions_are_refused_with_what_is_wrong(qr_order, phone):
    client, key = qr_order
    bad = subscribe(client, key, "http://127.0.0.1:9/x", Phone())
    assert bad.status_code == 201
    short = client.post(
        f"/api/integrations/orders/{key}/push",
        {"endpoint": "http://127.0.0.1:9/x", "keys": {"p256dh": "AAAA", "auth": phone.auth}},
        content_type="application/json",
    )
    assert short.status_code == 422 and "p256dh" in short.json()["detail"]
    assert subscribe(client, "never-sent", "http://127.0.0.1:9/x", phone).status_code == 404
    assert Client().get("/api/integrations/push/key").json()["public_key"] == push.vapid_public_key()


def test_the_phone_is_told_once_when_the_kitchen_has_the_order_then_when_it_is_ready(qr_order, phone, push_service):
    client, key = qr_order
    assert subscribe(client, key, push_service.endpoint, phone).status_code == 201
    assert push.push_tick() == 0  # not acknowledged yet: the kitchen may not have it
    kitchen_services.tickets_ack(acks=[(str(t.id), "screen-1") for t in Ticket.objects.all()])
    assert push.push_tick() == 1
    assert push.push_tick() == 0  # told once
    bump_all()
    assert push.push_tick() == 1
    assert [m["message"]["title"] for m in push_service.messages] == ["キッチンに届きました", "ご注文の準備ができました"]
