"""The integration API: keys, idempotent orders, status accepted → in kitchen, refusals with reasons."""

from __future__ import annotations

import pytest
from django.test import Client

from integrations.models import ChannelOrder, Integrator
from integrations.services import integrator_create
from kitchen import services as kitchen_services
from kitchen.models import Ticket
from registers.models import Order
from tests.channels_fixtures import channel_body, screen_off, screens_on
from tests.personas import order_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def platform(demo):
    integrator, key = integrator_create(name="demae")
    return Client(headers={"Authorization": f"Bearer {key}"}), integrator


def submit(client, body):
    return client.post("/api/integrations/orders", body, content_type="application/json")


def test_it_stores_only_the_digest_of_an_integrator_key(demo):
    integrator, key = integrator_create(name="kiosk-vendor")
    stored = Integrator.objects.get(pk=integrator.pk)
    assert all(key not in str(value) for value in stored.__dict__.values())
    assert Client(headers={"Authorization": f"Bearer {key}"}).get("/api/integrations/menu").status_code == 200


def test_it_refuses_a_missing_wrong_or_foreign_store_key(demo, settings):
    assert Client().get("/api/integrations/menu").status_code == 401
    wrong = Client(headers={"Authorization": "Bearer pk_nope"})
    assert wrong.get("/api/integrations/menu").status_code == 401
    _, key = integrator_create(name="other", store="S999")
    foreign = Client(headers={"Authorization": f"Bearer {key}"})
    assert foreign.get("/api/integrations/menu").status_code == 401


def test_the_menu_shows_sold_out_items_and_whether_the_channel_accepts(platform):
    from menu.models import MenuItem

    client, _ = platform
    MenuItem.objects.filter(sku="FRIES").update(available=False)
    screens_on()
    menu = client.get("/api/integrations/menu?channel=kiosk").json()
    fries = next(item for item in menu["items"] if item["sku"] == "FRIES")
    gyudon = next(item for item in menu["items"] if item["sku"] == "GYUDON")
    assert fries["sold_out"] and not fries["orderable"]
    assert gyudon["orderable"] and not gyudon["sold_out"] and gyudon["price"] == 468
    assert menu["channel"] == {
        "channel": "kiosk", "accepting": True, "code": None, "reason": None, "paused_by": None, "stations_unreachable": []
    }
    screen_off("drinks")
    menu = client.get("/api/integrations/menu?channel=kiosk").json()
    assert menu["channel"]["accepting"] is False and menu["channel"]["code"] == "kitchen_unreachable"
    assert "drinks" in menu["channel"]["reason"] and menu["channel"]["stations_unreachable"] == ["drinks"]
    assert not gyudon["sold_out"] and not next(i for i in menu["items"] if i["sku"] == "GYUDON")["orderable"]


def test_the_same_key_twice_is_one_order(platform):
    client, _ = platform
    screens_on()
    body = channel_body()
    first, again = submit(client, body), submit(client, body)
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"] and first.json()["number"] == again.json()["number"]
    assert Order.objects.count() == 1 and ChannelOrder.objects.count() == 1
    assert first.json()["status"] == "accepted" and first.json()["total"] == 468 + 250
    changed = submit(client, channel_body(idempotency_key=body["idempotency_key"], dining="eat_in"))
    assert changed.status_code == 409 and body["idempotency_key"] in changed.json()["detail"]
    assert Order.objects.count() == 1


def test_status_moves_to_in_kitchen_only_when_a_screen_acknowledges(platform):
    client, _ = platform
    screens_on()
    key = submit(client, channel_body()).json()["idempotency_key"]
    status = lambda: client.get(f"/api/integrations/orders/{key}").json()  # noqa: E731
    assert status()["status"] == "accepted" and status()["kitchen_received_at"] is None
    tickets = list(Ticket.objects.all())
    assert tickets, "the order reached the kitchen's tickets"
    kitchen_services.ticket_ack(ticket_id=tickets[0].id, screen="grill-1")
    assert status()["status"] == "in_kitchen" and status()["kitchen_received_at"]
    for ticket in tickets:
        kitchen_services.ticket_bump(ticket_id=ticket.id)
    assert status()["status"] == "ready"
    kitchen_services.order_serve(order_id=tickets[0].order_id)
    assert status()["status"] == "served"


def test_with_a_station_gone_channel_orders_are_refused_with_a_reason_but_the_register_sells(platform, register_client):
    client, _ = platform
    screens_on()
    screen_off("grill")
    body = channel_body()
    refused = submit(client, body)
    assert refused.status_code == 503 and refused.json()["code"] == "kitchen_unreachable"
    assert "grill" in refused.json()["detail"] and refused["Retry-After"]
    assert Order.objects.count() == 0
    status = client.get(f"/api/integrations/orders/{body['idempotency_key']}").json()
    assert status["status"] == "rejected" and "grill" in status["reason"]

    assert register_client.post("/api/orders", order_body(), content_type="application/json").status_code == 201

    screens_on("grill")  # a screen returns: acceptance resumes by itself
    accepted = submit(client, body)
    assert accepted.status_code == 201 and accepted.json()["status"] == "accepted"
    assert client.get(f"/api/integrations/orders/{body['idempotency_key']}").json()["status"] == "accepted"


def test_a_printer_stands_in_for_a_missing_screen_until_it_fails(platform):
    from kitchen.models import PrinterState
    from menu.models import Station

    client, _ = platform
    screens_on("fryer", "drinks")
    Station.objects.filter(code="grill").update(printer_host="127.0.0.1", printer_port=9)
    assert submit(client, channel_body()).status_code == 201
    PrinterState.objects.create(station="grill", ok=False, detail="connection refused")
    refused = submit(client, channel_body())
    assert refused.status_code == 503 and "grill" in refused.json()["detail"]


def test_an_expediter_screen_counts_for_every_station(platform):
    client, _ = platform
    from kitchen.services import screen_seen

    screen_seen(channel_name="expo", station="")
    assert submit(client, channel_body()).status_code == 201


def test_a_screen_that_stopped_pinging_counts_as_gone(platform):
    import datetime as dt

    from django.utils import timezone

    from kitchen.models import KitchenScreen

    client, _ = platform
    screens_on()
    KitchenScreen.objects.filter(station="drinks").update(last_seen=timezone.now() - dt.timedelta(minutes=1))
    assert submit(client, channel_body()).json()["code"] == "kitchen_unreachable"


def test_a_manager_pauses_and_resumes_a_channel_and_the_reason_is_shown(platform, register_client):
    client, _ = platform
    screens_on()
    url = "/api/integrations/channels/delivery/pause"
    cashier = register_client.post(url, {"manager_pin": "1234", "reason": "rush"}, content_type="application/json")
    assert cashier.status_code == 403
    paused = register_client.post(url, {"manager_pin": "9999", "reason": "ランチのピーク"}, content_type="application/json")
    assert paused.status_code == 200 and paused.json()["accepting"] is False
    refused = submit(client, channel_body())
    assert refused.status_code == 503 and refused.json()["code"] == "channel_paused"
    assert "ランチのピーク" in refused.json()["detail"]
    assert submit(client, channel_body(channel="kiosk")).status_code == 201  # only delivery was paused
    menu = client.get("/api/integrations/menu?channel=delivery").json()
    assert menu["channel"]["paused_by"] and menu["channel"]["reason"].endswith("ランチのピーク")
    resumed = register_client.post("/api/integrations/channels/delivery/resume", {"manager_pin": "9999"}, content_type="application/json")
    assert resumed.json()["accepting"] is True
    assert submit(client, channel_body()).status_code == 201


def test_a_sold_out_item_is_a_rejection_with_a_reason_under_its_key(platform):
    from menu.models import MenuItem

    client, _ = platform
    screens_on()
    MenuItem.objects.filter(sku="FRIES").update(available=False)
    body = channel_body()
    refused = submit(client, body)
    assert refused.status_code == 422 and "sold out" in refused.json()["detail"]
    assert client.get(f"/api/integrations/orders/{body['idempotency_key']}").json()["status"] == "rejected"


@pytest.mark.parametrize(
    "change, words",
    [
        ({"idempotency_key": ""}, "idempotency_key"),
        ({"idempotency_key": "a b/c"}, "idempotency_key"),
        ({"channel": "fax"}, "channel"),
        ({"lines": []}, "lines"),
        ({"lines": [{"sku": "GYUDON", "qty": "2"}]}, "qty"),
        ({"dining": "drive"}, "dining"),
        ({"payments": [{"method": "cash", "amount": 1000}]}, "payments[0]"),
        ({"payments": [{"method": "card", "amount": 718, "offline": True}]}, "payments[0]"),
    ],
)
def test_bad_input_is_a_4xx_that_says_what_is_wrong(platform, change, words):
    client, _ = platform
    screens_on()
    response = submit(client, channel_body(**change))
    assert response.status_code == 422 and words in response.json()["detail"]


def test_an_unknown_key_has_no_status_and_a_key_limited_to_kiosk_cannot_deliver(platform):
    client, integrator = platform
    screens_on()
    assert client.get("/api/integrations/orders/never-sent").status_code == 404
    integrator.channels = "kiosk"
    integrator.save()
    assert submit(client, channel_body(channel="delivery")).status_code == 403
    assert submit(client, channel_body(channel="kiosk")).status_code == 201


def test_the_board_lists_preparing_and_ready_numbers_without_a_key(platform):
    client, _ = platform
    screens_on()
    number = submit(client, channel_body()).json()["number"]
    assert number in Client().get("/api/integrations/board").json()["preparing"]
    for ticket in Ticket.objects.all():
        kitchen_services.ticket_bump(ticket_id=ticket.id)
    board = Client().get("/api/integrations/board").json()
    assert number in board["ready"] and number not in board["preparing"]


def test_a_node_holding_the_order_by_replication_answers_a_repeat_and_its_status(platform):
    client, _ = platform
    screens_on()
    body = channel_body()
    placed = submit(client, body).json()
    ChannelOrder.objects.all().delete()  # as on a sibling that only has the replicated order
    status = client.get(f"/api/integrations/orders/{body['idempotency_key']}").json()
    assert status["id"] == placed["id"] and status["channel"] == "delivery" and status["status"] == "accepted"
    again = submit(client, body)
    assert again.status_code == 200 and again.json()["id"] == placed["id"] and Order.objects.count() == 1


def test_an_order_paid_on_the_platform_is_recorded_as_paid(platform):
    client, _ = platform
    screens_on()
    paid = submit(client, channel_body(payments=[{"method": "card", "amount": 718, "reference": "dp-charge-1"}])).json()
    assert paid["paid"] == 718 and paid["balance_due"] == 0
