"""Courses with hold and fire: a held course is sold when ordered, its kitchen
tickets reach no station until the waiter fires it, and a fire (replayed,
repeated, or made on a cut-off sibling too) shows the course once."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from django.utils import timezone

from kitchen import selectors as kitchen_selectors
from kitchen.models import FeedEntry, Ticket
from kitchen.printers.base import ticket_job
from registers.models import Order
from sync.replication import changes_apply
from tests.channels_fixtures import screens_on
from tests.replication_fixtures import RemoteOrigin
from tests.test_table_checks import open_check, post

pytestmark = pytest.mark.django_db


def send(client, check, lines):
    """A round of ``lines``: (sku, qty, course, hold)."""
    body = {"id": str(uuid.uuid4()), "register": "register-1",
            "lines": [{"sku": sku, "qty": qty, **({"course": course} if course else {}), **({"hold": True} if hold else {})}
                      for sku, qty, course, hold in lines]}
    response = post(client, f"checks/{check['id']}/rounds", body)
    assert response.status_code == 201, response.content
    return response.json(), body


def fire(client, check, course, command=None):
    return post(client, f"checks/{check['id']}/fire", {"id": command or str(uuid.uuid4()), "course": course})


def shown(after=0):
    """What a kitchen screen resuming from ``after`` is sent: (event, station, skus, course) per feed entry."""
    return [
        (m["event"], m["ticket"]["station"], sorted(i["sku"] for i in m["ticket"]["items"]),
         (m["ticket"].get("course") or {}).get("number"))
        for m in kitchen_selectors.feed_after(store="S001", after=after)
    ]


def head():
    return kitchen_selectors.feed_head(store="S001")


def snapshot_skus():
    ids = kitchen_selectors.tickets_open_ids(store="S001")
    return sorted(i["sku"] for t in kitchen_selectors.tickets_by_id(ids=ids) for i in t["items"])


def test_a_held_course_is_sold_now_and_reaches_the_kitchen_only_when_fired(register_client):
    screens_on("grill", "fryer", "drinks")
    check = open_check(register_client, "T12", 2)
    start = head()
    view, _ = send(register_client, check, [("KARAAGE", 2, 1, False), ("SALAD", 2, 2, True), ("BEER", 2, None, False)])

    # Sold when ordered: the bill and the order's total count the held salads.
    assert view["total"] == 2 * 320 + 2 * 150 + 2 * 550
    assert view["held"] == [{"course": 2, "name_ja": "メイン", "name_en": "Main", "items": 2}]
    assert [(line["sku"], line["course"], line["held"]) for line in view["rounds"][0]["lines"]] == [
        ("KARAAGE", 1, False), ("SALAD", 2, True), ("BEER", None, False)]
    # The kitchen: course 1 and the drinks, nothing of course 2 (no feed entry, not in a snapshot, not counted as work).
    assert shown(start) == [("new", "fryer", ["KARAAGE"], None), ("new", "drinks", ["BEER"], None)]
    assert snapshot_skus() == ["BEER", "KARAAGE"]
    assert kitchen_selectors.kitchen_status(store="S001")["open_unacknowledged"] == 2
    held = Ticket.objects.get(status="held")
    assert (held.station, held.course, held.items[0]["sku"]) == ("grill", 2, "SALAD")

    before_fire = head()
    answer = fire(register_client, check, 2)
    assert answer.status_code == 200, answer.content
    assert answer.json()["fired"] == 1 and answer.json()["held"] == []
    # A new ticket at fire time, with its course, under the check's number; a screen resuming from before gets it once.
    assert shown(before_fire) == [("new", "grill", ["SALAD"], 2)]
    [message] = kitchen_selectors.feed_after(store="S001", after=before_fire)
    assert message["ticket"]["number"] == check["number"]
    assert message["ticket"]["course"] == {"number": 2, "name_ja": "メイン", "name_en": "Main"}
    assert message["ticket"]["placed_at"] == message["ticket"]["fired_at"]
    assert shown(start)[-1] == ("new", "grill", ["SALAD"], 2) and len(shown(start)) == 3
    assert snapshot_skus() == ["BEER", "KARAAGE", "SALAD"]
    # Nothing about money moved: the order's total and the check's are as ordered.
    order = Order.objects.get(pk=view["rounds"][0]["order"])
    assert order.total == view["total"] and register_client.get(f"/api/checks/{check['id']}").json()["due"] == view["total"]


def test_firing_twice_replaying_or_firing_nothing(register_client):
    check = open_check(register_client, "T12", 2)
    send(register_client, check, [("SALAD", 1, 2, True), ("PUDDING", 2, 3, True)])
    command = str(uuid.uuid4())
    assert fire(register_client, check, 2, command).json()["fired"] == 1
    after_first = head()
    # The same command replayed from the outbox, and a second waiter's fire: 200, nothing new in the kitchen.
    assert fire(register_client, check, 2, command).json()["fired"] == 0
    again = fire(register_client, check, 2)
    assert again.status_code == 200 and again.json()["fired"] == 0
    assert shown(after_first) == []
    # Course 3 is still held; a course never held is refused with a reason; an unknown check is 404.
    assert register_client.get(f"/api/checks/{check['id']}").json()["held"] == [
        {"course": 3, "name_ja": "デザート", "name_en": "Dessert", "items": 2}]
    nothing = fire(register_client, check, 4)
    assert nothing.status_code == 422 and "course 4" in nothing.json()["detail"]
    assert post(register_client, f"checks/{uuid.uuid4()}/fire", {"id": str(uuid.uuid4()), "course": 2}).status_code == 404
    assert fire(register_client, check, 3).json()["fired"] == 1
    assert shown(after_first) == [("new", "drinks", ["PUDDING"], 3)]


def test_a_fire_from_a_cut_off_sibling_shows_the_course_once_and_the_earliest_fire_stands(register_client):
    check = open_check(register_client, "T12", 2)
    view, _ = send(register_client, check, [("SALAD", 1, 2, True)])
    order_id = view["rounds"][0]["order"]
    assert fire(register_client, check, 2).json()["fired"] == 1
    ticket = Ticket.objects.get(course=2)
    after_fire = head()
    # The same course fired on a sibling during a partition, a minute earlier: one ticket, aged from the earlier fire.
    earlier = ticket.fired_at - dt.timedelta(minutes=1)
    sibling = RemoteOrigin("node2.0badcafe")
    wire = sibling.change("order.course_fired", {"order": order_id, "command": str(uuid.uuid4()), "course": 2,
                                                 "at": earlier.isoformat()})
    assert changes_apply(wires=[wire], peer_store="S001").applied == 1
    ticket.refresh_from_db()
    assert (ticket.status, ticket.fired_at, ticket.placed_at) == ("open", earlier, earlier)
    assert [event for event, *_ in shown(after_fire)] == ["updated"]
    assert FeedEntry.objects.filter(ticket=ticket, event="new").count() == 1
    assert Order.objects.get(pk=order_id).lines.get().fired_at == earlier


def test_a_counter_order_holds_and_fires_too_and_a_held_line_needs_a_course(register_client):
    order_id = str(uuid.uuid4())
    body = {"id": order_id, "register": "register-1", "dining": "eat_in",
            "lines": [{"sku": "FRIES", "qty": 1}, {"sku": "SOFTCREAM", "qty": 1, "course": 3, "hold": True}]}
    placed = post(register_client, "orders", body)
    assert placed.status_code == 201, placed.content
    assert placed.json()["total"] == 250 + 200
    assert [t.status for t in Ticket.objects.filter(order_id=order_id).order_by("station")] == ["held", "open"]
    fired = post(register_client, f"orders/{order_id}/fire", {"id": str(uuid.uuid4()), "course": 3})
    assert fired.status_code == 200 and fired.json()["fired"] == 1
    assert {t.status for t in Ticket.objects.filter(order_id=order_id)} == {"open"}
    # Replaying the order's body (as sent before courses existed or with them) stays a replay.
    assert post(register_client, "orders", body).status_code == 200
    refused = post(register_client, "orders", {**body, "id": str(uuid.uuid4()), "lines": [{"sku": "FRIES", "qty": 1, "hold": True}]})
    assert refused.status_code == 422 and "course" in refused.json()["detail"]
    assert post(register_client, "orders", {**body, "id": str(uuid.uuid4()),
                                            "lines": [{"sku": "FRIES", "qty": 1, "course": 10}]}).status_code == 422
    assert post(register_client, f"orders/{uuid.uuid4()}/fire", {"id": str(uuid.uuid4()), "course": 3}).status_code == 404


def test_a_voided_order_s_held_course_never_reaches_a_screen(register_client, demo):
    from registers import voids

    order_id = str(uuid.uuid4())
    body = {"id": order_id, "register": "register-1", "dining": "eat_in",
            "lines": [{"sku": "FRIES", "qty": 1}, {"sku": "SALAD", "qty": 1, "course": 2, "hold": True}]}
    assert post(register_client, "orders", body).status_code == 201
    start = head()
    voids.order_void(order_id=uuid.UUID(order_id), manager_pin="9999", reason="お客様の都合")
    assert shown(start) == [("voided", "fryer", ["FRIES"], None)]
    assert {t.status for t in Ticket.objects.filter(order_id=order_id)} == {"voided"}


def test_a_printed_fired_course_says_its_course():
    ticket = {"id": str(uuid.uuid4()), "number": 12, "dining": "eat_in", "placed_at": timezone.now().isoformat(),
              "items": [{"sku": "SALAD", "name_ja": "サラダ", "name_en": "Side salad", "qty": 2, "modifiers": []}],
              "course": {"number": 2, "name_ja": "メイン", "name_en": "Main"}}
    texts = [line.text for line in ticket_job(ticket, station_name="グリル", lang="ja").lines]
    assert texts[:2] == ["No. 12  店内", "2. メイン"]
    assert json.dumps(texts, ensure_ascii=False).count("サラダ") == 1
