"""Signed webhooks on every status change of a channel order: verified by a real receiver, retried, recorded."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from integrations import signing, webhooks
from integrations.models import WebhookDelivery
from integrations.services import integrator_create
from kitchen import services as kitchen_services
from kitchen.models import Ticket
from tests.channels_fixtures import channel_body, screens_on
from tests.webhook_receiver import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver():
    with Receiver() as r:
        yield r


@pytest.fixture
def platform(demo, receiver):
    integrator, key = integrator_create(name="demae", webhook_url=receiver.url)
    receiver.secret = integrator.webhook_secret
    screens_on()
    return Client(headers={"Authorization": f"Bearer {key}"}), integrator


def test_the_integrator_hears_each_status_once_signed_and_in_order(platform, receiver):
    client, _ = platform
    body = channel_body()
    client.post("/api/integrations/orders", body, content_type="application/json")
    client.post("/api/integrations/orders", body, content_type="application/json")  # a repeat is not a change
    assert webhooks.deliveries_tick() == 1
    tickets = list(Ticket.objects.all())
    kitchen_services.ticket_ack(ticket_id=tickets[0].id)
    kitchen_services.ticket_ack(ticket_id=tickets[1].id)  # the order was already in the kitchen
    assert webhooks.deliveries_tick() == 1
    for ticket in tickets:
        kitchen_services.ticket_bump(ticket_id=ticket.id)
    kitchen_services.order_serve(order_id=tickets[0].order_id)
    assert webhooks.deliveries_tick() == 2
    assert receiver.statuses() == ["accepted", "in_kitchen", "ready", "served"]
    assert all(r["verified"] for r in receiver.received)
    last = receiver.received[-1]["body"]
    assert last["order"]["idempotency_key"] == body["idempotency_key"] and last["event"] == "order.status"
    assert last["delivery"] == receiver.received[-1]["delivery"]


def test_a_failed_delivery_is_retried_with_back_off_and_every_attempt_recorded(platform, receiver):
    client, _ = platform
    receiver.fail_next = 2
    client.post("/api/integrations/orders", channel_body(), content_type="application/json")
    now = timezone.now()
    assert webhooks.deliveries_tick(now=now) == 0
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == 1 and delivery.last_status_code == 500 and delivery.delivered_at is None
    assert delivery.next_attempt_at == now + dt.timedelta(seconds=1)
    assert webhooks.deliveries_tick(now=now) == 0  # not due yet: nothing sent
    assert len(receiver.received) == 1
    assert webhooks.deliveries_tick(now=now + dt.timedelta(seconds=1)) == 0
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.next_attempt_at == now + dt.timedelta(seconds=3)
    assert webhooks.deliveries_tick(now=now + dt.timedelta(seconds=3)) == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 3 and delivery.delivered_at and delivery.last_status_code == 204
    # Three attempts of the one delivery (same id to de-duplicate on); the receiver took the third.
    assert [r["delivery"] for r in receiver.received] == [str(delivery.id)] * 3


def test_a_later_status_waits_while_an_earlier_one_is_retried(platform, receiver):
    client, _ = platform
    receiver.fail_next = 1
    client.post("/api/integrations/orders", channel_body(), content_type="application/json")
    kitchen_services.ticket_ack(ticket_id=Ticket.objects.first().id)
    now = timezone.now()
    webhooks.deliveries_tick(now=now)
    assert len(receiver.received) == 1  # in_kitchen did not overtake accepted
    webhooks.deliveries_tick(now=now + dt.timedelta(seconds=1))
    assert receiver.statuses() == ["accepted", "in_kitchen"]


def test_a_receiver_that_never_answers_is_given_up_on_and_recorded(platform, receiver):
    client, integrator = platform
    integrator.webhook_url = "http://127.0.0.1:9/closed"
    integrator.save()
    client.post("/api/integrations/orders", channel_body(), content_type="application/json")
    now = timezone.now()
    for _ in range(webhooks.MAX_ATTEMPTS):
        now += webhooks.RETRY_MAX
        webhooks.deliveries_tick(now=now)
    delivery = WebhookDelivery.objects.get()
    assert delivery.failed_at and delivery.attempts == webhooks.MAX_ATTEMPTS and delivery.last_error


def test_a_signature_is_refused_when_the_body_or_secret_differs_or_it_is_old():
    header = signing.sign(secret="s3cret", body=b'{"a":1}', timestamp=1000)
    assert signing.verify(secret="s3cret", body=b'{"a":1}', header=header, now=1000)
    assert not signing.verify(secret="s3cret", body=b'{"a":2}', header=header, now=1000)
    assert not signing.verify(secret="other", body=b'{"a":1}', header=header, now=1000)
    assert not signing.verify(secret="s3cret", body=b'{"a":1}', header=header, now=1000 + 301)
    assert not signing.verify(secret="s3cret", body=b'{"a":1}', header="garbage", now=1000)
