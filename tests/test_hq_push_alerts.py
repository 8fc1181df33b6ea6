"""Managers' phones get a decrypted Web Push alert, once, when a store stops reporting."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from hq.alerts import alerts_check
from hq.models import Alert, NodeContact, PushSubscription
from hq.services import contact_heard, subscription_save
from tests.personas import order_body
from tests.push_endpoint import PushEndpoint
from stores.models import Store
from tests.replication_fixtures import KEY, signed_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def vapid(settings, tmp_path):
    settings.POS_DATA_DIR = tmp_path
    call_command("vapid_keys", stdout=__import__("io").StringIO())


@pytest.fixture
def hq(settings, demo):
    settings.POS_ROLE = "hq"
    settings.POS_STORE_SILENT_AFTER = 300
    Store.objects.filter(code="S001").update(sync_key=KEY)


def test_it_pushes_a_store_offline_alert_once_and_clears_it_when_the_store_is_back(hq, vapid, client):
    with PushEndpoint() as phone:
        subscription_save(subscription=phone.subscription, store="", language="ja")
        response, _ = signed_post(client, "/api/sync/pull", {"vector": {}, "held": {}}, node="node1")
        assert response.status_code == 200
        alerts_check()
        assert phone.messages == []

        NodeContact.objects.update(last_contact=timezone.now() - dt.timedelta(minutes=10))
        alerts_check()
        alerts_check()  # still offline: no second push
        messages = phone.wait_for(1)
        assert len(messages) == 1
        assert "S001" in messages[0]["title"] and "オフライン" in messages[0]["title"]
        assert messages[0]["data"]["kind"] == "store_offline"
        assert int(phone.headers[0]["ttl"]) == 15 * 60  # stale alerts expire at the push service
        assert phone.headers[0]["authorization"].startswith("vapid ")

        contact_heard(store="S001", node="node1", their_vector=None)
        alerts_check()
        assert Alert.objects.get(key="offline:S001").cleared_at is not None


def test_an_english_subscription_gets_the_alert_in_english(hq, vapid):
    with PushEndpoint() as phone:
        subscription_save(subscription=phone.subscription, store="S001", language="en")
        contact_heard(store="S001", node="node1", their_vector=None)
        NodeContact.objects.update(last_contact=timezone.now() - dt.timedelta(minutes=10))
        alerts_check()
        assert phone.wait_for(1)[0]["title"] == "Store S001 is offline"


def test_a_broken_subscription_is_dropped_and_an_unreachable_one_kept_without_stopping_the_others(hq, vapid):
    with PushEndpoint() as phone, PushEndpoint() as switched_off:
        broken = {"endpoint": "http://127.0.0.1:9/broken", "keys": {"p256dh": "x", "auth": "y"}}
        subscription_save(subscription=broken, store="", language="ja")
        unreachable = {**switched_off.subscription, "endpoint": "http://127.0.0.1:9/off"}
        subscription_save(subscription=unreachable, store="", language="ja")
        subscription_save(subscription=phone.subscription, store="", language="ja")
        contact_heard(store="S001", node="node1", their_vector=None)
        NodeContact.objects.update(last_contact=timezone.now() - dt.timedelta(minutes=10))
        alerts_check()
        assert len(phone.wait_for(1)) == 1
    assert not PushSubscription.objects.filter(endpoint=broken["endpoint"]).exists()
    assert PushSubscription.objects.get(endpoint=unreachable["endpoint"]).last_error


def test_the_register_subscribes_with_its_device_token_and_bad_input_is_a_422(register_client):
    good = {"subscription": {"endpoint": "https://push.example/abc", "keys": {"p256dh": "k", "auth": "a"}}}
    assert register_client.post("/api/push/subscriptions", good, content_type="application/json").status_code == 201
    assert PushSubscription.objects.get().store == "S001"
    bad = register_client.post("/api/push/subscriptions", {"subscription": {"endpoint": "ftp://x"}}, content_type="application/json")
    assert bad.status_code == 422 and "endpoint" in bad.json()["detail"]


def test_hq_records_a_store_nodes_backlog_from_its_pull(hq):
    contact = contact_heard(store="S001", node="node1", their_vector={"node1.abcd": 7, "hq:x": 3})
    assert contact.backlog == 7 and contact.backlog_since is not None


def test_a_station_whose_tickets_no_screen_takes_alerts_the_store_manager(settings, vapid, register_client):
    from kitchen.models import Ticket
    from kitchen.services import ticket_ack

    settings.POS_KITCHEN_SCREEN_ALERT_AFTER = 60
    with PushEndpoint() as phone:
        register_client.post("/api/push/subscriptions", {"subscription": phone.subscription, "language": "en"},
                             content_type="application/json")
        response = register_client.post("/api/orders", order_body(), content_type="application/json")
        assert response.status_code == 201
        alerts_check()
        assert phone.messages == []  # just placed: screens have a minute to take it
        Ticket.objects.update(received_at=timezone.now() - dt.timedelta(minutes=2))
        alerts_check()
        stations = {m["data"]["key"].split(":")[-1] for m in phone.wait_for(1)}
        assert stations and stations <= set(Ticket.objects.values_list("station", flat=True))
        assert phone.messages[0]["title"].startswith("Store S001: no kitchen screen")
        for ticket in Ticket.objects.all():
            ticket_ack(ticket_id=ticket.id, screen="kds-1")
        alerts_check()
        assert not Alert.objects.filter(kind="kitchen_screen", cleared_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_a_manager_marking_an_item_sold_out_pushes_it_once(vapid, register_client):
    # Transactional: the push goes out from a thread after the real commit.
    with PushEndpoint() as phone:
        register_client.post("/api/push/subscriptions", {"subscription": phone.subscription, "language": "ja"},
                             content_type="application/json")
        response = register_client.post("/api/menu/FRIES/sold-out", {"manager_pin": "9999"},
                                        content_type="application/json")
        assert response.status_code == 200
        message = phone.wait_for(1)[0]
        assert message["data"]["kind"] == "sold_out" and message["title"].startswith("品切れ")
