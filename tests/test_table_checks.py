"""Table service through the API: open a check, rounds (staff and the table's QR code),
move, merge, split and pay, the day's guests, and a round the payer never saw."""

from __future__ import annotations

import json
import uuid

import pytest
from django.db import transaction
from django.test import Client

from integrations.pages import pages_integrator_ensure, pages_key
from kitchen.models import Ticket
from registers import checks, services
from registers.check_events import CheckRoundSent
from registers.conflicts import conflicts_for_day, order_conflicts
from registers.models import Check, Order, Payment
from sync.models import Change
from sync.services import change_record
from tests.channels_fixtures import screens_on

pytestmark = pytest.mark.django_db


def post(client, path, body):
    return client.post(f"/api/{path}", data=json.dumps(body), content_type="application/json")


def open_check(client, table="T12", guests=4):
    response = post(client, "checks", {"id": str(uuid.uuid4()), "table": table, "guests": guests, "register": "register-1"})
    assert response.status_code == 201, response.content
    return response.json()


def send_round(client, check, lines):
    body = {"id": str(uuid.uuid4()), "register": "register-1", "lines": [{"sku": s, "qty": q} for s, q in lines]}
    response = post(client, f"checks/{check['id']}/rounds", body)
    assert response.status_code == 201, response.content
    return response.json(), body


def guest_order(table, lines):
    pages_integrator_ensure()
    guest = Client(headers={"Authorization": f"Bearer {pages_key()}"})
    body = {"idempotency_key": f"qr-{uuid.uuid4()}", "channel": "qr", "dining": "eat_in", "table": table,
            "lines": [{"sku": s, "qty": q} for s, q in lines]}
    return post(guest, "integrations/orders", body)


def pay(client, check, method, amount, tendered=None, lines=None, part=None):
    body = {"id": part or str(uuid.uuid4()), "method": method, "amount": amount}
    if tendered:
        body["tendered"] = tendered
    if lines:
        body["lines"] = lines
    return post(client, f"checks/{check['id']}/payments", body), body


def items_of(order_id):
    return sorted((item["sku"], item["qty"]) for t in Ticket.objects.filter(order_id=order_id) for item in t.items)


def test_a_table_is_served_in_rounds_moved_split_and_paid_and_the_day_counts_its_guests(register_client):
    screens_on("grill", "fryer", "drinks")
    check = open_check(register_client, "T12", 4)
    after_one, _ = send_round(register_client, check, [("KARAAGE", 2), ("BEER", 2)])
    round_one = after_one["rounds"][0]["order"]
    assert items_of(round_one) == [("BEER", 2), ("KARAAGE", 2)]

    # A guest's phone on the table's QR code adds round 2: it joins the same check.
    answer = guest_order("T12", [("FRIES", 1), ("PUDDING", 2)])
    assert answer.status_code == 201, answer.content
    round_two = answer.json()["id"]
    assert answer.json()["number"] == check["number"]
    # The kitchen gets only round 2's items, under the check's ticket number.
    assert items_of(round_two) == [("FRIES", 1), ("PUDDING", 2)]
    assert {t.number for t in Ticket.objects.filter(order_id__in=[round_one, round_two])} == {check["number"]}
    listed = register_client.get("/api/checks").json()
    assert [(c["table"], c["guests"], len(c["rounds"])) for c in listed] == [("T12", 4, 2)]
    total = listed[0]["total"]
    assert total == sum(Order.objects.get(pk=o).total for o in (round_one, round_two)) and listed[0]["age_s"] >= 0

    moved = post(register_client, f"checks/{check['id']}/move", {"id": str(uuid.uuid4()), "table": "T14"})
    assert moved.status_code == 200 and moved.json()["table"] == "T14"
    floor = {t["table"]: t["checks"] for t in register_client.get("/api/tables").json()}
    assert floor["T12"] == [] and floor["T14"] == [check["id"]]

    # Split evenly in two: cash (with change) and QR; each part sent twice counts once.
    half = total // 2
    first, body = pay(register_client, check, "cash", half, tendered=half + 1000)
    assert first.status_code == 201, first.content
    assert post(register_client, f"checks/{check['id']}/payments", body).status_code == 200
    assert first.json()["due"] == total - half
    second, body = pay(register_client, check, "qr", total - half)
    assert second.status_code == 201 and second.json()["due"] == 0 and second.json()["open"] is False
    assert post(register_client, f"checks/{check['id']}/payments", body).status_code == 200
    payments = Payment.objects.filter(order_id__in=[round_one, round_two])
    assert sum(p.amount for p in payments) == total
    assert sum(p.change for p in payments) == 1000
    assert register_client.get("/api/checks").json() == []

    day = check["business_date"]
    report = register_client.get(f"/api/reports/sales?business_date={day}").json()
    assert report["tables"]["guests"] == 4 and report["tables"]["checks"] == 1
    assert report["tables"]["per_guest"] == total // 4 and report["tables"]["turnover"] == round(1 / 16, 2)
    assert register_client.get(f"/api/reports/x?business_date={day}").json()["tables"]["guests"] == 4


def test_a_bill_split_by_items_pays_exactly_those_items(register_client):
    check = open_check(register_client, "T3", 2)
    after, _ = send_round(register_client, check, [("KARAAGE", 1), ("BEER", 1)])
    order = after["rounds"][0]
    beer = next(line for line in order["lines"] if line["sku"] == "BEER")
    paid, _ = pay(register_client, check, "card", beer["amount"], lines=[{"order": order["order"], "position": beer["position"]}])
    assert paid.status_code == 201, paid.content
    assert paid.json()["due"] == order["total"] - beer["amount"]
    wrong, _ = pay(register_client, check, "card", 1, lines=[{"order": order["order"], "position": 0}])
    assert wrong.status_code == 422 and "not 1 yen" in wrong.json()["detail"]
    over, _ = pay(register_client, check, "qr", order["total"])
    assert over.status_code == 422 and "still due" in over.json()["detail"]


def test_merging_two_checks_keeps_every_round_and_guest(register_client):
    one, two = open_check(register_client, "T1", 2), open_check(register_client, "T2", 3)
    send_round(register_client, one, [("SOFTCREAM", 1)])
    send_round(register_client, two, [("SAKE", 1)])
    merged = post(register_client, f"checks/{one['id']}/merge", {"id": str(uuid.uuid4()), "into": two["id"]})
    assert merged.status_code == 200, merged.content
    view = merged.json()
    assert view["guests"] == 5 and sorted(l["sku"] for r in view["rounds"] for l in r["lines"]) == ["SAKE", "SOFTCREAM"]
    assert [c["id"] for c in register_client.get("/api/checks").json()] == [two["id"]]
    # A round queued for the merged check before the merge was known joins the check it went into.
    late = post(register_client, f"checks/{one['id']}/rounds", {"id": str(uuid.uuid4()), "lines": [{"sku": "SOFTCREAM", "qty": 1}]})
    assert late.status_code == 201 and late.json()["id"] == two["id"] and len(late.json()["rounds"]) == 3


def test_an_unknown_table_is_refused_and_a_paid_table_starts_a_new_check(register_client):
    bad = post(register_client, "checks", {"id": str(uuid.uuid4()), "table": "T99", "guests": 2})
    assert bad.status_code == 422 and "T99" in bad.json()["detail"]
    check = open_check(register_client, "T5", 1)
    after, _ = send_round(register_client, check, [("PUDDING", 1)])
    assert pay(register_client, check, "qr", after["total"])[0].status_code == 201
    assert register_client.get("/api/checks").json() == []
    # The table's QR code opens a new check for the next guests.
    screens_on("grill", "fryer", "drinks")
    assert guest_order("T5", [("PUDDING", 1)]).status_code == 201
    [fresh] = register_client.get("/api/checks").json()
    assert fresh["id"] != check["id"] and fresh["table"] == "T5" and fresh["number"] != check["number"]


def test_a_round_queued_for_a_check_already_paid_is_kept_due_and_flagged(register_client):
    check = open_check(register_client, "T6", 2)
    after, _ = send_round(register_client, check, [("PUDDING", 1)])
    assert pay(register_client, check, "cash", after["total"])[0].status_code == 201
    late = post(register_client, f"checks/{check['id']}/rounds", {"id": str(uuid.uuid4()), "lines": [{"sku": "BEER", "qty": 1}]})
    assert late.status_code == 201
    view = late.json()
    assert view["open"] is True and view["due"] == view["rounds"][1]["total"]
    order = Order.objects.get(pk=view["rounds"][1]["order"])
    assert [c["kind"] for c in order_conflicts(order)] == ["round_after_settle"]


def test_a_round_the_payer_never_saw_stays_due_and_is_flagged(register_client):
    check = open_check(register_client, "T7", 2)
    after, _ = send_round(register_client, check, [("BEER", 1)])
    # Another node sent a round before it learned of the payment below: recorded
    # here as it would arrive, a round of the check the payer did not include.
    with transaction.atomic():
        late, _ = services.order_place(order_id=uuid.uuid4(), register="register-2", dining="eat_in",
                                       lines=[services.LineRequest("HIGHBALL", 1)], payments=[], request_hash="x",
                                       number=check["number"], check=uuid.UUID(check["id"]))
    assert pay(register_client, check, "cash", after["total"])[0].status_code == 201
    with transaction.atomic():
        change_record(CheckRoundSent(check=uuid.UUID(check["id"]), order=late.id, at=late.placed_at), store=late.store)
    view = register_client.get(f"/api/checks/{check['id']}").json()
    assert view["open"] is True and view["due"] == late.total
    [conflict] = order_conflicts(Order.objects.get(pk=late.id))
    assert conflict["kind"] == "round_after_settle" and "still due" in conflict["detail"]
    assert [c["kind"] for c in conflicts_for_day(store=late.store, day=late.business_date)] == ["round_after_settle"]


def test_replayed_commands_record_nothing_new(register_client):
    body = {"id": str(uuid.uuid4()), "table": "T8", "guests": 2}
    assert post(register_client, "checks", body).status_code == 201
    assert post(register_client, "checks", body).status_code == 200
    check = Check.objects.get(pk=body["id"])
    _, round_body = send_round(register_client, {"id": body["id"]}, [("MISOSOUP", 2)])
    before = Change.objects.count()
    assert post(register_client, f"checks/{body['id']}/rounds", round_body).status_code == 200
    move = {"id": str(uuid.uuid4()), "table": "T9"}
    assert post(register_client, f"checks/{body['id']}/move", move).status_code == 200
    assert post(register_client, f"checks/{body['id']}/move", move).status_code == 200
    assert Change.objects.count() == before + 1
    assert checks.check_open(check_id=check.id, table="T8", guests=2, register="")[1] is False


def test_a_rounds_notes_reach_the_order_and_the_kitchen_ticket(register_client):
    check = open_check(register_client)
    body = {"id": str(uuid.uuid4()), "register": "register-1", "note": "卵アレルギー",
            "lines": [{"sku": "SAKE", "qty": 1, "note": "ぬる燗"}]}
    response = post(register_client, f"checks/{check['id']}/rounds", body)
    assert response.status_code == 201, response.content
    order = Order.objects.get(pk=body["id"])
    assert order.note == "卵アレルギー" and [line.note for line in order.lines.all()] == ["ぬる燗"]
    [ticket] = Ticket.objects.filter(order_id=order.id)
    assert ticket.note == "卵アレルギー" and ticket.items[0]["note"] == "ぬる燗"
