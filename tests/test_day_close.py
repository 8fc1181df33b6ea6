"""The Z close ends the business day on every node (issue 21, finding 5).

One database stands in for the node that closes (node A) and, through
replicated changes, for a sibling that did not know of the close (node2):
sales the Z did not count go to the next business day, the closed day's
report stays equal to its Z, and money moved on a closed day's sale after
the close is kept and flagged, in whatever order the changes are projected.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid

import pytest

from registers.day_close import after_close_conflicts
from registers.models import DrawerEvent, Order, OrderAdjustment, OrderVoid, Payment, Refund, Shift, ZReport
from registers.reports import day_report
from stores.business_day import covered, effective_day
from sync.models import Change
from sync.projection import project
from sync.replication import changes_apply
from sync.services import node_state_get
from tests.money import MANAGER_PIN, forget_pin_failures, place, post  # noqa: F401  (autouse)
from tests.replication_fixtures import RemoteOrigin, placed
from tests.test_money_day import _interleave

pytestmark = pytest.mark.django_db

D = dt.date(2026, 11, 23)
NEXT = D + dt.timedelta(days=1)


# --- the rule, pure ------------------------------------------------------------


def test_a_change_the_close_counted_stays_in_its_day():
    assert effective_day(D, "n1.a", 5, {D: {"n1.a": 5}}) == D


def test_a_change_the_close_did_not_count_goes_to_the_next_business_day():
    assert effective_day(D, "n1.a", 6, {D: {"n1.a": 5}}) == NEXT
    assert effective_day(D, "n2.b", 1, {D: {"n1.a": 5}}) == NEXT, "an origin the close never heard of"


def test_it_passes_every_closed_day_that_did_not_count_it_and_stops_at_the_first_that_did():
    closes = {D: {"n1.a": 5}, NEXT: {"n1.a": 9}, NEXT + dt.timedelta(days=1): {"n1.a": 20}}
    assert effective_day(D, "n1.a", 12, closes) == NEXT + dt.timedelta(days=1)
    assert effective_day(D, "n1.a", 7, closes) == NEXT
    assert effective_day(D, "n1.a", 21, closes) == NEXT + dt.timedelta(days=2)


def test_a_close_recorded_before_closes_carried_a_frontier_counts_its_whole_day():
    assert covered(None, "anyone.x", 10**9)
    assert effective_day(D, "anyone.x", 10**9, {D: None}) == D


def test_a_later_booking_is_never_pulled_back_into_an_earlier_closed_day():
    assert effective_day(NEXT, "n1.a", 1, {D: {"n1.a": 99}}) == NEXT


# --- on a node ---------------------------------------------------------------

STAFF = {"id": 2, "name": "佐藤 健", "role": "manager"}
CASH = [{"method": "cash", "amount": 1000}]
FRIES = [{"sku": "FRIES", "qty": 1}]


def _z(report: dict) -> dict:
    return {k: v for k, v in report.items() if k not in ("kind", "number", "queued_at_close")}


def _sibling_changes(day: dt.date, counted: dict[str, dict], open_order: dict) -> tuple[RemoteOrigin, list[dict], uuid.UUID]:
    """What node2 recorded during the partition, booked into ``day`` because it did not know of the Z."""
    node2 = RemoteOrigin("node2.0badcafe")
    late = uuid.uuid4()
    order = {**placed(late, number=2001), "business_date": day.isoformat()}
    at = dt.datetime.now(dt.UTC).isoformat()
    wires = [
        node2.change("order.placed", order),
        node2.change("order.voided", {"order": counted["A"]["id"], "staff": STAFF, "reason": "wrong order", "at": at}),
        node2.change("order.discounted", {"order": open_order["id"], "value": 50, "was": 0, "staff": STAFF,
                                          "reason": "regular", "at": at}),
        node2.change("order.paid", {"order": open_order["id"], "at": at, "payments": [{
            "id": str(uuid.uuid5(uuid.UUID(open_order["id"]), "payment:0")), "position": 0, "method": "card",
            "amount": open_order["total"] - 50, "tendered": open_order["total"] - 50, "change": 0, "reference": "T-9"}]}),
        node2.change("order.refunded", {
            "order": counted["B"]["id"], "refund": str(uuid.uuid4()), "business_date": day.isoformat(),
            "register": "register-2", "method": "cash", "amount": counted["B"]["total"], "taxes": counted["B"]["taxes"],
            "lines": [{"position": 0, "qty": 1}], "staff": STAFF, "reason": "cold", "at": at}),
    ]
    return node2, wires, late


def _run(client) -> dict:
    counted = {"A": place(client, "eat_in", FRIES, CASH), "B": place(client, "take_out", FRIES, CASH)}
    open_order = place(client, "eat_in", FRIES, [])
    day = dt.date.fromisoformat(counted["A"]["business_date"])
    z = post(client, "/api/reports/z", {"manager_pin": MANAGER_PIN, "business_date": day.isoformat()})
    assert z.status_code == 201, z.content
    after = place(client, "eat_in", FRIES, CASH)
    _, wires, late = _sibling_changes(day, counted, open_order)
    for wire in wires:
        changes_apply(wires=[wire], peer_store="S001")
    return {"day": day, "z": z.json(), "counted": counted, "open": open_order, "after": after, "late": str(late)}


def test_after_a_z_every_sale_it_did_not_count_is_in_the_next_business_day_and_the_closed_day_equals_its_z(register_client):
    run = _run(register_client)
    day, following = run["day"], run["day"] + dt.timedelta(days=1)
    z_report = run["z"]["report"]
    assert z_report["orders"] == 3
    assert day_report(store="S001", day=day) == _z(z_report), "the closed day's report is its Z, forever"
    got = lambda order_id: register_client.get(f"/api/orders/{order_id}").json()  # noqa: E731
    assert got(run["after"]["id"])["business_date"] == following.isoformat(), "a sale after the Z, on the node that closed"
    assert got(run["late"])["business_date"] == following.isoformat(), "a sibling's sale the Z never saw"
    assert got(run["counted"]["A"]["id"])["business_date"] == day.isoformat()
    assert got(run["counted"]["A"]["id"])["status"] == "voided", "the late void is kept"
    next_day = day_report(store="S001", day=following)
    assert next_day["orders"] == 2
    assert next_day["refunds"]["count"] == 1, "the sibling's refund booked into the closed day counts on the next"
    listed = register_client.get(f"/api/orders?business_date={following.isoformat()}").json()
    assert {item["id"] for item in listed["items"]} == {run["after"]["id"], run["late"]}


def test_money_moved_on_a_closed_days_sale_by_a_sibling_that_did_not_know_is_kept_and_flagged(register_client):
    run = _run(register_client)
    me = node_state_get().node
    void = after_close_conflicts(Order.objects.get(pk=run["counted"]["A"]["id"]))
    assert [c["kind"] for c in void] == ["after_close"]
    assert "void" in void[0]["detail"] and "Z No. 1" in void[0]["detail"]
    assert void[0]["nodes"] == sorted({me, "node2"})
    assert void[0]["at"].tzinfo is not None
    paid_late = after_close_conflicts(Order.objects.get(pk=run["open"]["id"]))
    assert sorted(c["detail"].split(" ")[0] for c in paid_late) == ["discount", "payment"]
    assert Order.objects.get(pk=run["open"]["id"]).total == run["open"]["total"] - 50, "the late discount is kept"
    refund = after_close_conflicts(Order.objects.get(pk=run["counted"]["B"]["id"]))
    assert len(refund) == 1 and "refund" in refund[0]["detail"] and refund[0]["nodes"] == sorted({me, "node2"})
    assert after_close_conflicts(Order.objects.get(pk=run["late"])) == [], "the late sale itself is simply next day's"
    assert after_close_conflicts(Order.objects.get(pk=run["after"]["id"])) == []
    z = day_report(store="S001", day=run["day"])
    assert z["voids"]["count"] == 0 and z["unpaid"]["count"] == 1, "the Z counted neither the void nor the payment"
    assert z["unpaid"]["amount"] == run["open"]["total"] and z["discounts"]["count"] == 0, "nor the discount"


def test_the_node_that_knows_the_day_is_closed_refuses_to_move_money_on_its_sales(register_client):
    counted = place(register_client, "eat_in", FRIES, CASH)
    open_order = place(register_client, "eat_in", FRIES, [])
    day = counted["business_date"]
    assert post(register_client, "/api/reports/z", {"manager_pin": MANAGER_PIN, "business_date": day}).status_code == 201
    void = post(register_client, f"/api/orders/{counted['id']}/void", {"manager_pin": MANAGER_PIN, "reason": "x"})
    assert void.status_code == 409 and "closed" in void.json()["detail"]
    pay = post(register_client, f"/api/orders/{open_order['id']}/payments",
               {"id": str(uuid.uuid4()), "payments": [{"method": "cash", "amount": 1000}]})
    assert pay.status_code == 409 and "closed" in pay.json()["detail"] and "Z No. 1" in pay.json()["detail"]
    discount = post(register_client, f"/api/orders/{open_order['id']}/discount",
                    {"manager_pin": MANAGER_PIN, "reason": "x", "amount": 10})
    assert discount.status_code == 409 and "closed" in discount.json()["detail"]
    assert Change.objects.filter(kind__in=["order.voided", "order.discounted"]).count() == 0
    # A refund of yesterday's sale is ordinary business: it counts on the day being sold into.
    refund = post(register_client, f"/api/orders/{counted['id']}/refunds",
                  {"id": str(uuid.uuid4()), "manager_pin": MANAGER_PIN, "reason": "cold"})
    assert refund.status_code == 201, refund.content
    following = (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()
    assert Refund.objects.get().business_date.isoformat() == following
    assert after_close_conflicts(Order.objects.get(pk=counted["id"])) == []


def test_the_register_is_told_which_business_day_it_sells_into(register_client):
    before = register_client.get("/api/business-day").json()
    assert before["after_close"] is False and before["business_date"] == before["calendar_date"]
    assert post(register_client, "/api/reports/z", {"manager_pin": MANAGER_PIN}).status_code == 201
    after = register_client.get("/api/business-day").json()
    following = dt.date.fromisoformat(before["business_date"]) + dt.timedelta(days=1)
    assert after == {"business_date": following.isoformat(), "calendar_date": before["calendar_date"],
                     "after_close": True, "closed": {"number": 1, "business_date": before["business_date"]}}
    x = register_client.get("/api/reports/x").json()
    assert x["business_date"] == following.isoformat(), "the X report after a Z is of the day being sold into"


def _wipe_projections() -> None:
    for model in (Order, OrderVoid, Refund, DrawerEvent, Shift, ZReport, OrderAdjustment, Payment):
        model.objects.all().delete()


def _state(day: dt.date) -> dict:
    following = day + dt.timedelta(days=1)
    orders = {str(o.id): (o.business_date, o.status) for o in Order.objects.all()}
    flags = {str(o.id): [(c["detail"], c["nodes"]) for c in after_close_conflicts(o)] for o in Order.objects.all()}
    return {"closed": day_report(store="S001", day=day), "next": day_report(store="S001", day=following),
            "orders": orders, "flags": flags}


def test_every_delivery_order_gives_the_same_days_reports_and_flags(register_client):
    """HQ and a sibling get the same changes interleaved differently per origin."""
    run = _run(register_client)
    assert _state(run["day"])["closed"] == _z(run["z"]["report"])
    _replayed_alike(run["day"], seed=21)


def _replayed_alike(day, *, seed: int) -> None:
    """The projections rebuilt from this node's changes, interleaved per origin
    six ways (as HQ and siblings may get them), give the same day every time."""
    here = _state(day)
    changes = list(Change.objects.order_by("origin", "seq"))
    rng = random.Random(seed)
    for _ in range(6):
        _wipe_projections()
        for change in _interleave(changes, rng):
            project(change)
        assert _state(day) == here


def test_a_payment_the_z_counted_stays_counted_when_a_sibling_s_earlier_payment_takes_its_id(register_client):
    """Two nodes cut apart each took money for one open order: here by card (the
    Z counts it), on node2 in cash, recorded earlier. After merging, the cash act
    is the first claimant and keeps the payment id; the card's row gets a sibling
    id. The closed day must still count the card it counted, not the cash."""
    open_order = place(register_client, "eat_in", FRIES, [])
    pay = post(register_client, f"/api/orders/{open_order['id']}/payments",
               {"id": str(uuid.uuid4()), "payments": [{"method": "card", "amount": open_order["total"], "reference": "T-1"}]})
    assert pay.status_code == 201, pay.content
    day = open_order["business_date"]
    z = post(register_client, "/api/reports/z", {"manager_pin": MANAGER_PIN, "business_date": day})
    assert z.status_code == 201, z.content
    assert z.json()["report"]["tenders"]["card"]["count"] == 1
    node2 = RemoteOrigin("node2.0badcafe")
    claimed = str(uuid.uuid5(uuid.UUID(open_order["id"]), "payment:0"))
    assert Payment.objects.filter(pk=claimed).exists(), "the card holds the derived id before the merge"
    cash = node2.change("order.paid", {"order": open_order["id"], "at": dt.datetime.now(dt.UTC).isoformat(), "payments": [{
        "id": claimed, "position": 0, "method": "cash", "amount": open_order["total"],
        "tendered": open_order["total"], "change": 0}]}, hlc=1)
    changes_apply(wires=[cash], peer_store="S001")
    assert Payment.objects.get(pk=claimed).method == "cash", "the earlier act took the id"
    closed = day_report(store="S001", day=dt.date.fromisoformat(day))
    assert closed == _z(z.json()["report"]), "the closed day's report is its Z"
    assert closed["tenders"]["card"]["count"] == 1 and closed["tenders"]["cash"]["count"] == 0


def test_a_sale_the_z_counted_stays_in_its_day_when_its_earlier_placement_on_a_sibling_arrives_late(register_client):
    """A register got no answer from node2 (its reply was lost) and sent the same
    sale again here, where the Z counted it. node2's placement, earlier by its
    clock, arrives after the close and becomes the order's placement. The sale
    is the one the Z counted: it stays in the closed day, on every node alike."""
    sale = place(register_client, "eat_in", FRIES, CASH)
    day = sale["business_date"]
    z = post(register_client, "/api/reports/z", {"manager_pin": MANAGER_PIN, "business_date": day})
    assert z.status_code == 201, z.content
    assert z.json()["report"]["orders"] == 1
    here = {"order.placed": Change.objects.get(kind="order.placed", payload__id=sale["id"]),
            "order.paid": Change.objects.get(kind="order.paid", payload__order=sale["id"])}
    node2 = RemoteOrigin("node2.0badcafe")
    wires = [node2.change(kind, change.payload, hlc=1) for kind, change in here.items()]
    changes_apply(wires=wires, peer_store="S001")
    assert Order.objects.get(pk=sale["id"]).origin == node2.origin, "the earlier placement is the order's now"
    shown = register_client.get(f"/api/orders/{sale['id']}").json()
    assert shown["business_date"] == day
    assert shown["conflicts"] == [], "the payment made with the sale is the one the Z counted, not money moved after it"
    closed = dt.date.fromisoformat(day)
    assert day_report(store="S001", day=closed) == _z(z.json()["report"]), "the closed day's report is its Z"
    # A sibling or HQ may get the two placements and the Z in any order (the Z last: rows_reassign decides).
    _replayed_alike(closed, seed=5)
