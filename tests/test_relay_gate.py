"""HQ's side of relayed channel orders, in one process: the link gate (store and kitchen
reachable, from what the store's nodes told HQ), what HQ records and answers, the deadline, the
alert with its first step and the dashboard's pause; and the store's side placing a relay once."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.test import Client
from django.utils import timezone, translation

from hq import alerts
from hq.models import Alert, NodeContact
from integrations import relay
from integrations.events import ChannelOrderRelayed, RelayedLine
from integrations.models import ChannelRelay, WebhookDelivery
from integrations.services import integrator_create
from menu.models import Station
from registers.models import Order
from sync.models import Change
from sync.services import change_record
from tests.channels_fixtures import channel_body

pytestmark = pytest.mark.django_db

ONE_BOWL = [{"sku": "GYUDON", "qty": 1, "modifiers": ["size_nami"]}]


@pytest.fixture
def at_hq(settings, demo):
    settings.POS_ROLE = "hq"
    integrator, key = integrator_create(name="demae", store="S001", webhook_url="http://127.0.0.1:9/hook")
    return Client(headers={"Authorization": f"Bearer {key}"}), integrator


def node_calls(*, ago: float = 0, screens: int = 1) -> None:
    codes = list(Station.objects.values_list("code", flat=True))
    NodeContact.objects.update_or_create(
        store="S001", node="node1",
        defaults={"last_contact": timezone.now() - dt.timedelta(seconds=ago),
                  "kitchen": {"screens": {c: screens for c in codes}, "printers": {c: "none" for c in codes}}},
    )


def submit(client: Client, body: dict, store: str = "S001"):
    return client.post(f"/api/integrations/orders?store={store}", body, content_type="application/json")


def test_hq_refuses_a_store_it_cannot_reach_or_whose_kitchen_cannot_take_it_and_resumes(at_hq, settings):
    client, _ = at_hq
    body = channel_body(lines=ONE_BOWL)
    refused = submit(client, body)
    assert refused.status_code == 503 and refused.json()["code"] == "store_unreachable"
    assert int(refused["Retry-After"]) > 0
    assert client.get(f"/api/integrations/orders/{body['idempotency_key']}").json()["status"] == "rejected"

    node_calls(ago=settings.POS_RELAY_LINK_LIVE_S + 1)
    assert submit(client, body).json()["code"] == "store_unreachable"  # heard of, but not lately
    node_calls(screens=0)
    refused = submit(client, body)
    assert refused.status_code == 503 and refused.json()["code"] == "kitchen_unreachable"
    menu = client.get("/api/integrations/menu?channel=delivery&store=S001").json()
    assert menu["channel"]["accepting"] is False and menu["channel"]["stations_unreachable"]

    node_calls()
    accepted = submit(client, body)
    assert accepted.status_code == 201, accepted.json()
    order = accepted.json()
    assert order["status"] == "accepted" and order["number"] is None
    # Recorded as HQ's change for S001 alone, signed, and no sale booked at HQ.
    change = Change.objects.get(kind="channel.relayed")
    assert change.store == "S001" and change.origin.startswith("hq:S001:") and change.signature
    assert not Order.objects.exists()
    again = submit(client, body)
    assert again.status_code == 200 and again.json()["id"] == order["id"]
    assert submit(client, {**body, "dining": "eat_in"}).status_code == 409
    assert Change.objects.filter(kind="channel.relayed").count() == 1
    assert submit(client, channel_body(lines=ONE_BOWL), store="S002").status_code == 403
    assert list(WebhookDelivery.objects.values_list("status", flat=True)) == ["accepted"]


def test_an_order_the_store_did_not_take_in_time_is_reported_rejected_with_its_reason(at_hq):
    client, _ = at_hq
    node_calls()
    body = channel_body(lines=ONE_BOWL)
    assert submit(client, body).status_code == 201
    assert relay.relays_overdue_reject() == 0  # not due yet
    ChannelRelay.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert relay.relays_overdue_reject() == 1
    status = client.get(f"/api/integrations/orders/{body['idempotency_key']}").json()
    assert status["status"] == "rejected" and status["code"] == "not_delivered" and "S001" in status["reason"]
    assert list(WebhookDelivery.objects.order_by("created_at").values_list("status", flat=True)) == ["accepted", "rejected"]


def test_the_alert_and_the_dashboard_say_what_happened_the_first_step_and_since_when(at_hq, admin_client):
    node_calls(ago=60)
    alerts.alerts_check()
    alert = Alert.objects.get(key="relay_link:S001", cleared_at__isnull=True)
    assert "S001" in alert.message and "インターネット回線" in alert.message  # what, then the first step (ja)
    with translation.override("en"):
        title, body = alerts._texts("relay_link", "S001", {})
    assert "paused" in title and "internet connection" in body
    page = admin_client.get("/hq/").content.decode()
    assert 'data-paused="store_unreachable"' in page and "qr, mobile, delivery" in page

    node_calls(screens=0)
    alerts.alerts_check()
    assert Alert.objects.get(key="relay_link:S001").cleared_at is not None
    kitchen = Alert.objects.get(key="relay_kitchen:S001", cleared_at__isnull=True)
    assert "キッチン画面" in kitchen.message
    page = admin_client.get("/hq/").content.decode()
    assert 'data-paused="kitchen_unreachable"' in page

    node_calls()
    alerts.alerts_check()
    assert not Alert.objects.filter(kind__startswith="relay_", cleared_at__isnull=True).exists()
    assert 'data-paused=""' in admin_client.get("/hq/").content.decode()


INTEGRATOR = uuid.uuid4()


def order_for(key: str) -> uuid.UUID:
    """The id HQ derives from the integrator's key (integrations.selectors.channel_order_id)."""
    return uuid.uuid5(INTEGRATOR, f"channel-order:{key}")


def relayed(key: str, *, expires_in: float = 60, table: str = "", channel: str = "delivery",
            dining: str = "take_out") -> ChannelOrderRelayed:
    now = timezone.now()
    return ChannelOrderRelayed(
        order=order_for(key), integrator=INTEGRATOR, integrator_name="demae", idempotency_key=key, channel=channel,
        dining=dining, lines=[RelayedLine(sku="GYUDON", qty=1, modifiers=["size_nami"])], request_hash="h" * 64,
        table=table, at=now, expires_at=now + dt.timedelta(seconds=expires_in),
    )


def test_a_store_node_places_a_relay_once_and_refuses_one_that_came_too_late(demo):
    from django.db import transaction

    order_id, late_id = order_for("dp-1"), order_for("dp-2")
    with transaction.atomic():
        change_record(relayed("dp-1"), store="S001")
        change_record(relayed("dp-2", expires_in=-1), store="S001")
    first = ChannelRelay.objects.get(pk=order_id)
    assert first.state == "pending"
    assert relay.relay_place(relay=first) == "placed"
    assert relay.relay_place(relay=first) == "placed"  # a second pull, a sibling: the same order
    order = Order.objects.get(pk=order_id)
    assert order.register == "delivery:demae" and Order.objects.count() == 1

    assert relay.relay_place(relay=ChannelRelay.objects.get(pk=late_id)) == "refused"
    assert ChannelRelay.objects.get(pk=late_id).state == "refused"
    refusal = Change.objects.get(kind="channel.relay_refused")
    assert refusal.payload["code"] == "expired" and not Order.objects.filter(pk=late_id).exists()


def test_a_relayed_table_order_joins_that_tables_check(demo):
    """A guest's QR order at HQ for table 12 is a round of T12's check at the store, as on the store's own page."""
    from django.db import transaction

    from registers.checks import table_open_check

    with transaction.atomic():
        change_record(relayed("qr-t12", table="12", channel="qr", dining="eat_in"), store="S001")
    relay_row = ChannelRelay.objects.get(pk=order_for("qr-t12"))
    assert relay_row.table == "12"
    assert relay.relay_place(relay=relay_row) == "placed"
    check = table_open_check(store="S001", table="T12")
    assert check is not None
    order = Order.objects.get(pk=order_for("qr-t12"))
    assert order.check_id == check.id and order.number == check.number and order.dining == "eat_in"


def test_only_the_relays_own_store_can_refuse_it(at_hq):
    from django.db import transaction

    from integrations.events import ChannelRelayRefused

    client, _ = at_hq
    node_calls()
    body = channel_body(lines=ONE_BOWL)
    order_id = uuid.UUID(submit(client, body).json()["id"])
    with transaction.atomic():
        change_record(ChannelRelayRefused(order=order_id, code="order_invalid", reason="not yours", at=timezone.now()),
                      store="S002")
    assert client.get(f"/api/integrations/orders/{body['idempotency_key']}").json()["status"] == "accepted"
    with transaction.atomic():
        change_record(ChannelRelayRefused(order=order_id, code="channel_paused", reason="rush", at=timezone.now()),
                      store="S001")
    status = client.get(f"/api/integrations/orders/{body['idempotency_key']}").json()
    assert status["status"] == "rejected" and status["code"] == "channel_paused" and status["reason"] == "rush"
